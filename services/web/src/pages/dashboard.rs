//! `/tableau-de-bord`: the year's indicators of the organisation or of one of its buyers, for
//! buyers, facilitators and administrators, with a form to choose the year and the buyer.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use suivi_http::AppState;

use super::figures::{sections, Section};
use super::list::Choice;
use super::yearly::{self, AtRisk, Refusal};
use super::{render, Nav};
use crate::sessions::Session;

#[derive(Template)]
#[template(path = "tableau-de-bord.html")]
struct DashboardPage {
    nav: Option<Nav>,
    year: i32,
    buyer_label: String,
    form_action: &'static str,
    buyers: Vec<Choice>,
    report_href: String,
    as_of: String,
    lagging: bool,
    sections: Vec<Section>,
    at_risk_caption: String,
    at_risk: Vec<AtRisk>,
    downloads: Vec<Download>,
}

/// A table of the year to download, as the spreadsheet or as text.
struct Download {
    label: &'static str,
    xlsx_href: String,
    csv_href: String,
}

fn downloads(selection: &yearly::Selection) -> Vec<Download> {
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
    let selection = yearly::select(&session, &state, raw.as_deref()).await?;
    let data = yearly::load(&state, &session, &selection).await?;
    let page = DashboardPage {
        nav: Nav::of(&session),
        year: selection.year,
        buyer_label: selection.buyer_label(),
        form_action: "/tableau-de-bord",
        buyers: selection.buyer_choices(),
        report_href: selection.href("/rapport"),
        as_of: data.as_of,
        lagging: data.lagging,
        sections: sections(selection.year, &data.indicators, &data.targets),
        at_risk_caption: yearly::at_risk_caption(data.at_risk.len()),
        at_risk: data.at_risk,
        downloads: downloads(&selection),
    };
    Ok(render(StatusCode::OK, &page))
}
