//! What the dashboard and the yearly report share: reading `?annee=…&acheteur=…`, who may ask,
//! and the year's indicators of the organisation or of one buyer, with the contracts at risk
//! and the moment the read models were last updated.

use std::ops::RangeInclusive;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use suivi_application::Role;
use suivi_http::tenants::ListedBuyer;
use suivi_http::AppState;
use suivi_projector::indicators::{Indicators, NationalTargets};
use suivi_projector::{cached_yearly_indicators, target, Schema};
use uuid::Uuid;

use super::list::Choice;
use super::{render, Nav, PageError};
use crate::format;
use crate::sessions::Session;

/// The years the pages answer, as `/api/indicators` does.
pub const YEARS: RangeInclusive<i32> = 2000..=2100;

/// Why the dashboard or the report is not shown: a page with the reason, in French.
pub enum Refusal {
    /// A role that does not read indicators (contractors, finance).
    Role(Option<Nav>),
    /// A year or a buyer that cannot be: the message says which.
    BadQuery(Option<Nav>, StatusCode, &'static str, String),
    Page(PageError),
}

impl From<PageError> for Refusal {
    fn from(error: PageError) -> Self {
        Refusal::Page(error)
    }
}

/// The error page's template, with the menu (the person is signed in).
#[derive(Template)]
#[template(path = "erreur.html")]
struct RefusalPage {
    nav: Option<Nav>,
    title: &'static str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (nav, status, title, message) = match self {
            Refusal::Page(error) => return error.into_response(),
            Refusal::Role(nav) => (
                nav,
                StatusCode::FORBIDDEN,
                "Accès réservé",
                "Le tableau de bord et le rapport annuel sont réservés aux acheteurs, aux facilitateurs et aux \
                 administrateurs de l'organisation."
                    .to_owned(),
            ),
            Refusal::BadQuery(nav, status, title, message) => (nav, status, title, message),
        };
        let page = RefusalPage { nav, title, message, back_href: "/", back_label: "Retour à l'accueil" };
        render(status, &page)
    }
}

/// The year and the buyer asked for, checked against the tenant's list of buyers.
pub struct Selection {
    pub year: i32,
    /// `None`: every buyer of the organisation.
    pub buyer: Option<ListedBuyer>,
    /// The organisation's buyers, for the form.
    pub buyers: Vec<ListedBuyer>,
}

impl Selection {
    /// The buyer as a title names it.
    pub fn buyer_label(&self) -> String {
        match &self.buyer {
            None => "tous les acheteurs de l'organisation".to_owned(),
            Some(buyer) => buyer_name(buyer),
        }
    }

    /// The form's choices of buyer, by name.
    pub fn buyer_choices(&self) -> Vec<Choice> {
        self.buyers
            .iter()
            .map(|buyer| Choice {
                value: buyer.siret.clone(),
                label: buyer_name(buyer),
                selected: self.buyer.as_ref().is_some_and(|chosen| chosen.siret == buyer.siret),
            })
            .collect()
    }

    /// The same selection on another page (`/rapport`, `/tableau-de-bord`).
    pub fn href(&self, path: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("annee", &self.year.to_string());
        if let Some(buyer) = &self.buyer {
            query.append_pair("acheteur", &buyer.siret);
        }
        format!("{path}?{}", query.finish())
    }
}

/// A buyer's name, with its SIRET; the SIRET alone when no name is recorded.
pub fn buyer_name(buyer: &ListedBuyer) -> String {
    match &buyer.name {
        Some(name) => format!("{name} (SIRET {})", buyer.siret),
        None => format!("SIRET {}", buyer.siret),
    }
}

/// Checks the role, then reads `annee` (the current year in France when absent) and `acheteur`
/// (one of the tenant's buyer SIRETs, or empty for all of them).
pub async fn select(session: &Session, state: &AppState, raw: Option<&str>) -> Result<Selection, Refusal> {
    let principal = &session.principal;
    if !matches!(principal.role, Role::Buyer | Role::Facilitator | Role::Admin) {
        return Err(Refusal::Role(Nav::of(session)));
    }
    let parameters: Vec<(String, String)> =
        form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let get = |name: &str| parameters.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim().to_owned());
    let year = match get("annee").filter(|value| !value.is_empty()) {
        None => Utc::now().with_timezone(&chrono_tz::Europe::Paris).year(),
        Some(value) => value
            .parse::<i32>()
            .ok()
            .filter(|year| value.bytes().all(|b| b.is_ascii_digit()) && YEARS.contains(year))
            .ok_or_else(|| {
                let message = format!(
                    "L'année doit être une année civile de {} à {}, écrite en chiffres (par exemple 2025) : \
                     « {} » ne l'est pas.",
                    YEARS.start(),
                    YEARS.end(),
                    value.chars().take(20).collect::<String>()
                );
                Refusal::BadQuery(Nav::of(session), StatusCode::BAD_REQUEST, "Année invalide", message)
            })?,
    };
    let buyers = suivi_http::tenants::buyers(&state.pool, &principal.tenant).await.map_err(PageError::unavailable)?;
    let buyer = match get("acheteur").filter(|value| !value.is_empty()) {
        None => None,
        Some(siret) => Some(buyers.iter().find(|buyer| buyer.siret == siret).cloned().ok_or_else(|| {
            // Another tenant's buyer reads as unknown: its existence is not this person's to know.
            let message = format!(
                "Aucun acheteur de votre organisation n'a le SIRET « {} ». Choisissez un acheteur dans la liste.",
                siret.chars().take(20).collect::<String>()
            );
            Refusal::BadQuery(Nav::of(session), StatusCode::NOT_FOUND, "Acheteur inconnu", message)
        })?),
    };
    Ok(Selection { year, buyer, buyers })
}

/// A contract notified by the end of the year and at risk now.
pub struct AtRisk {
    pub href: String,
    pub object: String,
    pub buyer: String,
    pub notified: String,
    pub committed: String,
    pub validated: String,
}

/// What both pages show.
struct YearData {
    pub targets: NationalTargets,
    pub indicators: Indicators,
    pub at_risk: Vec<AtRisk>,
    /// "Données au …": when the projector last committed to the read models.
    pub as_of: String,
    /// Events recorded but not yet in the read models.
    pub lagging: bool,
}

/// What the dashboard and the report both show: the form choosing the year and the buyer, and
/// the year's figures, charts and contracts at risk (`choix-annee.html`, `indicateurs.html`).
pub struct YearlyView {
    pub year: i32,
    pub buyer_label: String,
    /// The page the form reloads.
    pub form_action: &'static str,
    pub buyers: Vec<Choice>,
    pub as_of: String,
    pub lagging: bool,
    pub sections: Vec<super::figures::Section>,
    pub at_risk_caption: String,
    pub at_risk: Vec<AtRisk>,
}

/// The selection the query string asks for (`annee`, `acheteur`) and its view, for the page at
/// `form_action`.
pub async fn view(
    session: &Session,
    state: &AppState,
    raw: Option<&str>,
    form_action: &'static str,
) -> Result<(Selection, YearlyView), Refusal> {
    let selection = select(session, state, raw).await?;
    let data = load(state, session, &selection).await?;
    let view = YearlyView {
        year: selection.year,
        buyer_label: selection.buyer_label(),
        form_action,
        buyers: selection.buyer_choices(),
        as_of: data.as_of,
        lagging: data.lagging,
        sections: super::figures::sections(selection.year, &data.indicators, &data.targets),
        at_risk_caption: at_risk_caption(data.at_risk.len()),
        at_risk: data.at_risk,
    };
    Ok((selection, view))
}

/// The year's indicators of the selection, from the active read models.
async fn load(state: &AppState, session: &Session, selection: &Selection) -> Result<YearData, PageError> {
    let tenant = &session.principal.tenant;
    let schema = target::active(&state.pool).await.map_err(PageError::unavailable)?;
    let cached =
        cached_yearly_indicators(&state.pool, schema, tenant, selection.year).await.map_err(PageError::unavailable)?;
    let yearly = &cached.indicators;
    let indicators = match &selection.buyer {
        None => yearly.consolidated.clone(),
        Some(chosen) => match yearly.buyers.iter().find(|buyer| buyer.buyer_siret == chosen.siret) {
            Some(buyer) => buyer.indicators.clone(),
            // A buyer without any figure in the year is left out of the answer: all zeros, and
            // the targets beside its (absent) shares all the same.
            None => {
                let mut nothing = Indicators::default();
                nothing.compare_with(&yearly.national_targets);
                nothing
            }
        },
    };
    let at_risk = at_risk(state, schema, session, selection).await.map_err(PageError::unavailable)?;
    // "Données au": the projector's last batch before the indicators were computed (it stamps its
    // checkpoint's `updated_at` in the transaction of each batch, services/projector/src/projector.rs),
    // which the cache keeps with them: an answer served while a newer one is being computed says
    // how old it is. Not the time of the request: a stopped projector would pass for up to date.
    let updated_at = cached.projected_at;
    let lag = suivi_projector::lag(&state.pool, schema).await.map_err(PageError::unavailable)?;
    Ok(YearData {
        targets: yearly.national_targets.clone(),
        indicators,
        at_risk,
        as_of: format::moment(updated_at),
        // Also when the figures are the previous ones, given while the new ones are computed.
        lagging: lag.events > 0 || !cached.current,
    })
}

#[derive(sqlx::FromRow)]
struct AtRiskRow {
    contract_id: Uuid,
    object: String,
    buyer_siret: String,
    notification_date: NaiveDate,
    effective_committed_hours: Option<Decimal>,
    committed_hours: Option<Decimal>,
    validated_hours: Decimal,
}

/// The contracts behind `at_risk_contracts`: the indicator's own rule (notified before the
/// next year begins, at risk now; `suivi_projector::indicators`), for the selection's buyer.
async fn at_risk(
    state: &AppState,
    schema: Schema,
    session: &Session,
    selection: &Selection,
) -> Result<Vec<AtRisk>, sqlx::Error> {
    let until = NaiveDate::from_ymd_opt(selection.year + 1, 1, 1)
        .ok_or_else(|| sqlx::Error::InvalidArgument(format!("year {}", selection.year)))?;
    let sql = format!(
        "select contract_id, object, buyer_siret, notification_date, effective_committed_hours, committed_hours,
                validated_hours
         from {}.contracts
         where tenant = $1 and notification_date < $2 and at_risk and ($3::text is null or buyer_siret = $3)
         order by object, contract_id",
        schema.name()
    );
    let rows: Vec<AtRiskRow> = sqlx::query_as(&sql)
        .bind(session.principal.tenant.as_str())
        .bind(until)
        .bind(selection.buyer.as_ref().map(|buyer| buyer.siret.as_str()))
        .fetch_all(&state.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| AtRisk {
            href: format!("/marches/{}", row.contract_id),
            object: row.object,
            buyer: selection
                .buyers
                .iter()
                .find(|buyer| buyer.siret == row.buyer_siret)
                .map_or_else(|| format!("SIRET {}", row.buyer_siret), buyer_name),
            notified: format::date(row.notification_date),
            committed: format::hours_or_dash(row.effective_committed_hours.or(row.committed_hours)),
            validated: format::hours(row.validated_hours),
        })
        .collect())
}

/// The caption of the contracts-at-risk table, with how many there are.
fn at_risk_caption(count: usize) -> String {
    match count {
        0 | 1 => format!("{count} marché en retard sur l'objectif d'heures"),
        n => format!("{n} marchés en retard sur l'objectif d'heures"),
    }
}
