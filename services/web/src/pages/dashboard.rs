//! `/tableau-de-bord`: the year's indicators of the organisation or of one of its buyers, for
//! buyers, facilitators and administrators, with a form to choose the year and the buyer.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use suivi_http::AppState;

use super::yearly::{self, Refusal, Selection, YearlyView};
use super::{render, Nav};
use crate::sessions::Session;

#[derive(Template)]
#[template(path = "tableau-de-bord.html")]
struct DashboardPage {
    nav: Option<Nav>,
    view: YearlyView,
    report_href: String,
    downloads: Vec<Download>,
}

/// A table of the year to download, as the spreadsheet or as text.
struct Download {
    label: &'static str,
    xlsx_href: String,
    csv_href: String,
}

fn downloads(selection: &Selection) -> Vec<Download> {
    super::downloads::FILES
        .iter()
        .map(|(name, label)| Download {
            label,
            xlsx_href: selection.href(&format!("/telecharger/{name}.xlsx")),
            csv_href: selection.href(&format!("/telecharger/{name}.csv")),
        })
        .collect()
}

/// `GET /tableau-de-bord?annee=2025&acheteur=…`.
pub async fn page(
    session: Session,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    let (selection, view) = yearly::view(&session, &state, raw.as_deref(), "/tableau-de-bord").await?;
    let page = DashboardPage {
        nav: Nav::of(&session),
        view,
        report_href: selection.href("/rapport"),
        downloads: downloads(&selection),
    };
    Ok(render(StatusCode::OK, &page))
}
