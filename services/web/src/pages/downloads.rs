//! `/telecharger/{fichier}`: the API's exports (`/api/exports/…`: contracts, statement lines,
//! penalties, indicators, as CSV or XLSX) for a signed-in reader of the indicators, from the
//! dashboard's links, for the year and buyer of the page (`annee`, `acheteur`). The same file as
//! the API gives: the person's session stands for the token.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use suivi_http::AppState;
use suivi_reporting::exports::{table_download, ExportQuery};

use super::yearly::{self, Refusal};
use super::{Nav, PageError};
use crate::sessions::Session;

/// The files offered, as the dashboard lists them: (file name, what it holds).
pub const FILES: [(&str, &str); 4] = [
    ("contracts", "les marchés notifiés dans l'année"),
    ("statement-lines", "les lignes d'états d'heures du mois travaillé"),
    ("penalties", "les pénalités des marchés soldés dans l'année"),
    ("indicators", "les indicateurs, un par ligne"),
];

/// `GET /telecharger/contracts.xlsx?annee=2025&acheteur=…`.
pub async fn file(
    session: Session,
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    let selection = yearly::select(&session, &state, raw.as_deref()).await?;
    let query = ExportQuery { year: Some(selection.year), buyer: selection.buyer.map(|buyer| buyer.siret) };
    match table_download(state, &session.principal, &name, query).await {
        Some(Ok(file)) => Ok(file),
        Some(Err(problem)) if problem.status_code() == StatusCode::SERVICE_UNAVAILABLE => {
            Err(PageError::Unavailable.into())
        }
        Some(Err(problem)) => {
            tracing::error!(status = %problem.status_code(), "download failed");
            Err(PageError::Internal.into())
        }
        None => Err(Refusal::BadQuery(
            Nav::of(&session),
            StatusCode::NOT_FOUND,
            "Fichier inconnu",
            "Ce fichier n'existe pas : choisissez un des fichiers proposés par le tableau de bord.".to_owned(),
        )),
    }
}
