//! `/penalites`: for the sustainability service, every settled contract's penalty and where its
//! contradictory procedure stands (to notify, awaiting the contractor, to decide, decided); for
//! a contractor, the notices of its own contracts and whether it may still answer.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use suivi_application::business_today;
use suivi_application::penalty_lists::PenaltyRow;
use suivi_http::{AppState, Role};

use super::{render, Nav, PageError};
use crate::format;
use crate::sessions::Session;

pub struct Row {
    pub href: String,
    pub object: String,
    pub buyer: String,
    pub proposed: String,
    pub stage: String,
    /// Something for the reader to do now (shown first, marked).
    pub to_act: bool,
}

#[derive(Template)]
#[template(path = "penalites.html")]
struct PenaltiesPage {
    nav: Option<Nav>,
    contractor: bool,
    lagging: bool,
    rows: Vec<Row>,
    to_act: usize,
}

/// `GET /penalites`.
pub async fn page(session: Session, State(state): State<AppState>) -> Result<Response, PageError> {
    let (rows, lag) = state.app.list_penalties(&session.principal).await?;
    let buyers =
        suivi_http::tenants::buyers(&state.pool, &session.principal.tenant).await.map_err(PageError::unavailable)?;
    let contractor = session.principal.role == Role::Contractor;
    let today = business_today();
    let rows: Vec<Row> = rows
        .iter()
        .map(|row| {
            let (stage, to_act) = stage(row, contractor, today);
            Row {
                href: format!("/marches/{}/penalite", row.contract_id),
                object: row.object.clone(),
                buyer: super::buyer_name(&buyers, &row.buyer_siret),
                proposed: format::euros(row.proposed_amount_ht),
                stage,
                to_act,
            }
        })
        .collect();
    let page = PenaltiesPage {
        nav: Nav::of(&session),
        contractor,
        lagging: lag.events > 0,
        to_act: rows.iter().filter(|row| row.to_act).count(),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Where the procedure stands, in words, and whether the reader has something to do.
fn stage(row: &PenaltyRow, contractor: bool, today: NaiveDate) -> (String, bool) {
    if let (Some(decision), Some(on)) = (row.decision.as_deref(), row.decided_on) {
        let amount = row.decided_amount_ht.map(format::euros).unwrap_or_default();
        let words = match decision {
            "confirmed" => format!("Confirmée le {} : {amount} HT", format::date(on)),
            "adjusted" => format!("Ajustée le {} : {amount} HT", format::date(on)),
            _ => format!("Non appliquée (décision du {})", format::date(on)),
        };
        return (words, false);
    }
    match (row.notified_on, row.observations_until, row.observations_received_on) {
        (None, _, _) if contractor => ("Pas de notification à ce jour".to_owned(), false),
        (None, _, _) => ("À notifier au titulaire".to_owned(), true),
        (Some(_), _, Some(received)) => {
            (format!("Observations reçues le {} : à décider", format::date(received)), !contractor)
        }
        (Some(notified), Some(until), None) if today <= until => {
            let words = if contractor {
                format!(
                    "Notifiée le {} : vos observations sont attendues jusqu'au {}",
                    format::date(notified),
                    format::date(until)
                )
            } else {
                format!(
                    "Notifiée le {} : observations possibles jusqu'au {}",
                    format::date(notified),
                    format::date(until)
                )
            };
            (words, contractor)
        }
        (Some(_), until, None) => (
            format!("Délai d'observations terminé le {} : à décider", until.map(format::date).unwrap_or_default()),
            !contractor,
        ),
    }
}
