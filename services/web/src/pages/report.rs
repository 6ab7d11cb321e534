//! `/rapport`: the yearly report of one buyer (or of the whole organisation), one printable
//! page ready to publish with a SPASER: the figures, their charts, the method and the date of
//! the data. The style sheet's print rules drop the menu and the form.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use suivi_http::AppState;

use super::yearly::{self, Refusal, YearlyView};
use super::{render, Nav};
use crate::sessions::Session;

#[derive(Template)]
#[template(path = "rapport.html")]
struct ReportPage {
    nav: Option<Nav>,
    view: YearlyView,
    dashboard_href: String,
}

/// `GET /rapport?annee=2025&acheteur=…`.
pub async fn page(
    session: Session,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    let (selection, view) = yearly::view(&session, &state, raw.as_deref(), "/rapport").await?;
    let page = ReportPage { nav: Nav::of(&session), view, dashboard_href: selection.href("/tableau-de-bord") };
    Ok(render(StatusCode::OK, &page))
}
