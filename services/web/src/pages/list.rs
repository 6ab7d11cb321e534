//! `/marches`: the contracts a person may see, from the read models, by pages of 50, with the
//! filters of the API (buyer, year, status, at risk) and two of the web's own (with or without
//! an insertion clause, words of the object).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use suivi_application::lists::{ContractFilter, ContractRow};
use suivi_application::Role;
use suivi_http::AppState;
use uuid::Uuid;

use super::{render, Nav, PageError};
use crate::sessions::Session;
use crate::{format, labels};

const PAGE_SIZE: u32 = 50;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: *value == current,
        })
        .collect()
}

pub struct Row {
    pub href: String,
    pub object: String,
    pub buyer: String,
    pub notified: String,
    pub amount: String,
    pub committed: String,
    pub validated: String,
    pub remaining: String,
    pub status: &'static str,
    pub at_risk: bool,
}

#[derive(Template)]
#[template(path = "marches.html")]
struct ListPage {
    nav: Option<Nav>,
    search: String,
    year: String,
    buyers: Vec<Choice>,
    statuses: Vec<Choice>,
    risks: Vec<Choice>,
    clauses: Vec<Choice>,
    lagging: bool,
    caption: String,
    rows: Vec<Row>,
    first_href: Option<String>,
    next_href: Option<String>,
}

/// The query string's parameters, kept as typed (a value the filters do not know is ignored:
/// the form only offers known ones).
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<&str>) -> Self {
        Query(form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }

    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.trim())
    }

    fn filter(&self) -> ContractFilter {
        let yes_no = |value: &str, yes: &str, no: &str| match value {
            v if v == yes => Some(true),
            v if v == no => Some(false),
            _ => None,
        };
        let buyer = self.get("acheteur");
        let search = self.get("q");
        ContractFilter {
            buyer_siret: (buyer.len() == 14 && buyer.bytes().all(|b| b.is_ascii_digit())).then(|| buyer.to_owned()),
            status: labels::STATUS_PARAMETERS.iter().find(|(name, _)| *name == self.get("statut")).map(|(_, s)| *s),
            year: self.get("annee").parse().ok().filter(|year| (2000..=2100).contains(year)),
            at_risk: yes_no(self.get("risque"), "en-retard", "dans-les-temps"),
            has_clause: yes_no(self.get("clause"), "avec", "sans"),
            // A control character (a NUL PostgreSQL cannot compare) is no text to look for.
            search: (!search.is_empty()).then(|| search.chars().filter(|c| !c.is_control()).take(200).collect()),
            after: self.get("apres").parse::<Uuid>().ok(),
            limit: PAGE_SIZE,
        }
    }

    /// This list's address with the same filters, starting after `after` (or at the start).
    fn href(&self, after: Option<Uuid>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.0.iter().filter(|(key, value)| key != "apres" && !value.is_empty()) {
            query.append_pair(key, value);
        }
        if let Some(after) = after {
            query.append_pair("apres", &after.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/marches".to_owned()
        } else {
            format!("/marches?{query}")
        }
    }
}

/// `GET /marches`.
pub async fn page(
    session: Session,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = Query::parse(raw.as_deref());
    let filter = query.filter();
    let principal = &session.principal;
    let listed = state.app.list_contracts(principal, &filter).await?;
    let buyers = suivi_http::tenants::buyers(&state.pool, &principal.tenant).await.map_err(PageError::unavailable)?;
    let rows: Vec<Row> =
        listed.items.iter().map(|row| list_row(row, super::buyer_name(&buyers, &row.buyer_siret))).collect();
    let whose = if principal.role == Role::Contractor { "Vos marchés" } else { "Marchés de votre organisation" };
    let caption = match rows.len() {
        0 | 1 => format!("{whose} : {} marché affiché", rows.len()),
        n => format!("{whose} : {n} marchés affichés"),
    };
    let buyer_choices = buyers
        .iter()
        .map(|buyer| Choice {
            value: buyer.siret.clone(),
            label: buyer.name.clone().map_or_else(|| buyer.siret.clone(), |name| format!("{name} ({})", buyer.siret)),
            selected: buyer.siret == query.get("acheteur"),
        })
        .collect();
    let statuses: Vec<(&str, &str)> = std::iter::once(("", "Tous les statuts"))
        .chain(labels::STATUS_PARAMETERS.iter().map(|(value, status)| (*value, labels::status(*status))))
        .collect();
    let page = ListPage {
        nav: Nav::of(&session),
        search: query.get("q").to_owned(),
        year: filter.year.map(|year| year.to_string()).unwrap_or_default(),
        buyers: buyer_choices,
        statuses: choices(&statuses, query.get("statut")),
        risks: choices(
            &[("", "Tous"), ("en-retard", "En retard sur l'objectif"), ("dans-les-temps", "Dans les temps")],
            query.get("risque"),
        ),
        clauses: choices(&[("", "Tous"), ("avec", "Avec clause"), ("sans", "Sans clause")], query.get("clause")),
        lagging: listed.lag.events > 0,
        caption,
        rows,
        first_href: filter.after.map(|_| query.href(None)),
        next_href: listed.next.map(|after| query.href(Some(after))),
    };
    Ok(render(StatusCode::OK, &page))
}

fn list_row(row: &ContractRow, buyer: String) -> Row {
    Row {
        href: format!("/marches/{}", row.contract_id),
        object: row.object.clone(),
        buyer,
        notified: format::date(row.notification_date),
        amount: format::euros(row.amount_ht),
        committed: format::hours_or_dash(row.pro_rated_committed_hours.or(row.committed_hours)),
        validated: if row.committed_hours.is_some() { format::hours(row.validated_hours) } else { "—".to_owned() },
        remaining: format::hours_or_dash(row.remaining_hours),
        status: labels::status(row.status),
        at_risk: row.at_risk,
    }
}
