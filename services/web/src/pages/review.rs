//! `/a-valider`: the statements waiting for review (the read model `GET /api/review-queue`
//! reads), and `/a-valider/{id}/{number}`: one statement's lines, each validated or rejected
//! with its reason, the form of `POST /api/contracts/{id}/statement-reviews`.
//!
//! The review is decided on the contract as the page showed it: the form carries the
//! contract's version, sent as the API's `If-Match`, so a statement changed meanwhile (another
//! facilitator's review, a correction) is shown again as it now is, never overwritten.

use std::collections::hash_map::{Entry, HashMap};

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde_json::json;
use suivi_application::lists::QueueCursor;
use suivi_application::{Expected, LoadedContract};
use suivi_contracts::{ContractView, InstalmentView};
use suivi_domain::contract::LineReviewStatus;
use suivi_domain::Command;
use suivi_http::auth::Policy as _;
use suivi_http::policies::{Facilitators, Reviewers};
use suivi_http::{AppState, RequestId};
use suivi_proto::events::{Decision, LineDecision, StatementReviewedV1};
use uuid::Uuid;

use super::fields::{in_words, Errors, Field, SummaryLink};
use super::{render, submit, Nav, PageError};
use crate::csrf::{Fields, SessionForm};
use crate::sessions::{random_token, Session};
use crate::{format, labels};

/// Statements a page of the queue shows, oldest received first; a link leads to the next ones.
const QUEUE_PAGE: u32 = 100;

pub struct QueueRow {
    pub review_href: String,
    pub contract_href: String,
    pub object: String,
    pub number: u32,
    pub period: String,
    pub contractor: String,
    pub lines: usize,
    pub hours: String,
    pub received_on: String,
}

#[derive(Template)]
#[template(path = "a-valider.html")]
struct QueuePage {
    nav: Option<Nav>,
    rows: Vec<QueueRow>,
    confirmation: Option<String>,
    lagging: bool,
    /// The next page (statements received later), when there is one.
    next_href: Option<String>,
    /// Back to the oldest, on a later page.
    first_href: Option<String>,
    /// Facilitators review; buyers and administrators see the queue only.
    reviewer: bool,
}

/// `GET /a-valider`: the queue.
pub async fn queue(
    session: Session,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    if !Reviewers::ROLES.contains(&session.principal.role) {
        return Err(PageError::NotAllowed);
    }
    let parameters: Vec<(String, String)> =
        form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes()).into_owned().collect();
    let parameter = |name: &str| parameters.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    // An unreadable `apres` (an edited address) starts from the oldest: there is nothing to refuse.
    let after: Option<QueueCursor> = parameter("apres").and_then(|text| text.parse().ok());
    let page = state.app.review_queue(&session.principal, after, QUEUE_PAGE).await?;
    // The read model has no contractor nor instalment period: each contract, folded from its
    // events (the command path's cache keeps them), gives both.
    let mut contracts: HashMap<Uuid, Option<LoadedContract>> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for statement in &page.items {
        if let Entry::Vacant(entry) = contracts.entry(statement.contract_id) {
            entry.insert(match state.app.load_contract(&session.principal, statement.contract_id).await {
                Ok(loaded) => Some(loaded),
                Err(suivi_application::ApplicationError::NotFound { .. }) => None,
                Err(error) => return Err(error.into()),
            });
        }
        let awarded = contracts[&statement.contract_id].as_ref().and_then(|loaded| loaded.contract.awarded());
        let period = awarded
            .and_then(|awarded| awarded.instalments().iter().find(|i| i.number() == statement.instalment_number))
            .map_or_else(|| "—".to_owned(), |instalment| period_words(instalment.period()));
        let contractor = awarded.map_or_else(
            || "—".to_owned(),
            |awarded| {
                awarded.contractor_sirets().map(|s| format!("SIRET {}", s.as_str())).collect::<Vec<_>>().join(", ")
            },
        );
        let hours: Decimal = statement.lines.iter().map(|line| line.hours).sum();
        rows.push(QueueRow {
            review_href: format!("/a-valider/{}/{}", statement.contract_id, statement.instalment_number),
            contract_href: format!("/marches/{}", statement.contract_id),
            object: statement.contract_object.clone(),
            number: statement.instalment_number,
            period,
            contractor,
            lines: statement.lines.len(),
            hours: format::hours(hours),
            received_on: format::date(statement.received_on),
        });
    }
    // Only a number is read back from the address: no text of it is ever shown.
    let reviewed = parameter("examine").and_then(|value| value.parse::<u32>().ok());
    let next_href = page.next.map(|cursor| {
        format!(
            "/a-valider?{}",
            form_urlencoded::Serializer::new(String::new()).append_pair("apres", &cursor.to_string()).finish()
        )
    });
    let page = QueuePage {
        nav: Nav::of(&session),
        rows,
        confirmation: reviewed.map(|n| format!("Votre examen du relevé de l'acompte n° {n} est enregistré.")),
        lagging: page.lag.events > 0,
        next_href,
        first_href: after.map(|_| "/a-valider".to_owned()),
        reviewer: Facilitators::ROLES.contains(&session.principal.role),
    };
    Ok(render(StatusCode::OK, &page))
}

fn period_words(period: suivi_proto::events::Period) -> String {
    format!("du {} au {}", format::date(period.start), format::date(period.end))
}

pub struct ReviewLine {
    pub line_id: u32,
    pub code: String,
    pub category: &'static str,
    pub modality: &'static str,
    pub hours: String,
    pub period: String,
    pub pending: bool,
    /// For a line already reviewed: the decision, and its reason.
    pub decided: String,
    /// The radio buttons' name (also the first one's id prefix), and the choice typed.
    pub decision_id: String,
    pub choice: String,
    pub decision_error: Option<String>,
    pub decision_described_by: String,
    pub reason: Field,
}

#[derive(Template)]
#[template(path = "examen.html")]
struct ReviewPage {
    nav: Option<Nav>,
    object: String,
    contract_href: String,
    action: String,
    csrf: String,
    key: String,
    version: i64,
    number: u32,
    period: String,
    received_on: String,
    contractors: String,
    general: Vec<String>,
    summary: Vec<SummaryLink>,
    lines: Vec<ReviewLine>,
    pending: usize,
}

/// `GET /a-valider/{id}/{number}`: the statement's lines, exact to the contract's last event.
pub async fn form(
    session: Session,
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (view, number) = open(&state, &session, &id, &number).await?;
    let empty = Fields::default();
    Ok(page(StatusCode::OK, &session, &view, number, &empty, &Errors::default(), random_token()))
}

/// `POST /a-valider/{id}/{number}`: 303 to the queue once recorded; else the lines again, the
/// choices as made, each error beside its line.
pub async fn submit(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    request_id: RequestId,
    SessionForm { session, fields, .. }: SessionForm,
) -> Result<Response, PageError> {
    let (view, number) = open(&state, &session, &id, &number).await?;
    let id = view.summary.contract_id;
    let version: i64 = fields.text("version").parse().map_err(|_| PageError::BadForm)?;
    let key = match fields.text(submit::KEY_FIELD) {
        key if key.is_empty() => random_token(),
        key => key,
    };
    let instalment = instalment_of(&view, number)?;
    let mut errors = Errors::default();
    let mut decisions = Vec::new();
    for line in &instalment.lines {
        let decision_id = format!("decision-{}", line.line_id);
        let decision = match fields.text(&decision_id).as_str() {
            "" => continue,
            "valider" => Some(Decision::Validated {}),
            // Read as the API reads it (a reason refuses control characters); whether one is
            // given at all is the domain's rule, checked with the others below.
            "rejeter" => {
                let reason = fields.get(&format!("motif-{}", line.line_id)).unwrap_or_default();
                let decision = serde_json::from_value(json!({ "kind": "rejected", "reason": reason })).ok();
                if decision.is_none() {
                    errors.field(
                        format!("motif-{}", line.line_id),
                        "Le motif contient des caractères non admis (caractères de contrôle) : retapez-le.",
                    );
                }
                decision
            }
            _ => {
                errors.field(&decision_id, "Choisissez « Valider » ou « Rejeter ».");
                None
            }
        };
        if let Some(decision) = decision {
            decisions.push(LineDecision { line_id: line.line_id, decision });
        }
    }
    if !errors.is_empty() {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &session, &view, number, &fields, &errors, key));
    }
    let line_ids: Vec<u32> = decisions.iter().map(|d| d.line_id).collect();
    let command = Command::ReviewStatement(StatementReviewedV1 { instalment_number: number, decisions });
    let path = format!("/a-valider/{id}/{number}");
    let expected = Expected::OneOf(vec![version]);
    let refusal = match submit::run(&state, &session, request_id, (id, expected), &path, &fields, command).await? {
        Ok(_) => return Ok(Redirect::to(&format!("/a-valider?examine={number}")).into_response()),
        Err(refusal) => refusal,
    };
    if refusal.stale {
        // Shown again as it now is, with its new version: the choices made are kept.
        let (view, number) = open(&state, &session, &id.to_string(), &number.to_string()).await?;
        errors.general(
            "Ce relevé a changé depuis que vous avez ouvert la page (un autre examen, une correction…). Il est \
             affiché ci-dessous tel qu'il est maintenant : vérifiez vos choix, puis envoyez à nouveau.",
        );
        return Ok(page(StatusCode::CONFLICT, &session, &view, number, &fields, &errors, key));
    }
    match refusal.field.as_deref().and_then(|path| input_of(path, &line_ids)) {
        Some((input, label)) => errors.field(&input, in_words(&refusal.message, refusal.field.as_deref(), &label)),
        None => errors.general(refusal.message),
    }
    let key = if refusal.field.as_deref() == Some("Idempotency-Key") { random_token() } else { key };
    Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &session, &view, number, &fields, &errors, key))
}

/// The input (and its name in words) a refusal's field stands for: `decisions[k]` is the
/// decision on line `line_ids[k]`.
fn input_of(path: &str, line_ids: &[u32]) -> Option<(String, String)> {
    let rest = path.strip_prefix("decisions[")?;
    let (index, leaf) = rest.split_once("].")?;
    let line_id = line_ids.get(index.parse::<usize>().ok()?)?;
    if leaf.starts_with("decision.reason") {
        Some((format!("motif-{line_id}"), format!("Motif du rejet (ligne {line_id})")))
    } else {
        Some((format!("decision-{line_id}"), format!("Décision (ligne {line_id})")))
    }
}

/// The contract's view, if this person may review its statements and it has instalment
/// `number`; anything else is not found, as on the contract's page.
async fn open(state: &AppState, session: &Session, id: &str, number: &str) -> Result<(ContractView, u32), PageError> {
    if !Facilitators::ROLES.contains(&session.principal.role) {
        return Err(PageError::NotAllowed);
    }
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let number: u32 = number.parse().map_err(|_| PageError::NotFound)?;
    let loaded = state.app.load_contract(&session.principal, id).await?;
    let references = state.app.references().await?;
    let view = ContractView::of(id, loaded.version, &loaded.contract, &references).ok_or(PageError::NotFound)?;
    instalment_of(&view, number)?;
    Ok((view, number))
}

fn instalment_of(view: &ContractView, number: u32) -> Result<&InstalmentView, PageError> {
    view.instalments.iter().find(|instalment| instalment.number == number).ok_or(PageError::NotFound)
}

fn page(
    status: StatusCode,
    session: &Session,
    view: &ContractView,
    number: u32,
    typed: &Fields,
    errors: &Errors,
    key: String,
) -> Response {
    let Ok(instalment) = instalment_of(view, number) else { return PageError::NotFound.into_response() };
    let lines: Vec<ReviewLine> = instalment
        .lines
        .iter()
        .map(|line| {
            let decision_id = format!("decision-{}", line.line_id);
            let decision_error = errors.of(&decision_id).map(str::to_owned);
            let reason_id = format!("motif-{}", line.line_id);
            let reason = Field::new(
                &reason_id,
                "Motif du rejet",
                "textarea",
                typed.get(&reason_id).unwrap_or_default().to_owned(),
            )
            .hint("Obligatoire pour un rejet : il est communiqué au titulaire.");
            let decided = match (line.review, &line.rejection_reason) {
                (LineReviewStatus::Pending, _) => String::new(),
                (LineReviewStatus::Validated, _) => "Validée".to_owned(),
                (LineReviewStatus::Rejected, Some(reason)) => format!("Rejetée : {reason}"),
                (LineReviewStatus::Rejected, None) => "Rejetée".to_owned(),
            };
            ReviewLine {
                line_id: line.line_id,
                code: line.beneficiary.clone(),
                category: labels::category(line.category),
                modality: labels::modality(line.modality),
                hours: format::hours(line.hours),
                period: period_words(line.period),
                pending: line.review == LineReviewStatus::Pending,
                decided,
                decision_described_by: if decision_error.is_some() {
                    format!("{decision_id}-erreur")
                } else {
                    String::new()
                },
                choice: typed.text(&decision_id),
                decision_id,
                decision_error,
                reason: reason.checked(errors),
            }
        })
        .collect();
    // The summary links to each line's first radio button, or to its reason.
    let mut summary = Vec::new();
    for line in &lines {
        if let Some(error) = &line.decision_error {
            summary.push(SummaryLink {
                href: format!("#{}-valider", line.decision_id),
                text: format!("Décision (ligne {}) : {error}", line.line_id),
            });
        }
        if let Some(error) = &line.reason.error {
            summary.push(SummaryLink {
                href: format!("#{}", line.reason.id),
                text: format!("Motif du rejet (ligne {}) : {error}", line.line_id),
            });
        }
    }
    let page = ReviewPage {
        nav: Nav::of(session),
        object: view.summary.object.clone(),
        contract_href: format!("/marches/{}", view.summary.contract_id),
        action: format!("/a-valider/{}/{number}", view.summary.contract_id),
        csrf: session.csrf_token.clone(),
        key,
        version: view.summary.version,
        number,
        period: period_words(instalment.period),
        received_on: format::date(instalment.received_on),
        contractors: view.summary.contractor_sirets.iter().map(|s| format!("SIRET {s}")).collect::<Vec<_>>().join(", "),
        general: errors.general_messages().to_vec(),
        summary,
        pending: lines.iter().filter(|line| line.pending).count(),
        lines,
    };
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_decision_is_shown_on_its_line() {
        let ids = [4, 7];
        let (input, label) = input_of("decisions[1].decision.reason", &ids).expect("an input");
        assert_eq!((input.as_str(), label.as_str()), ("motif-7", "Motif du rejet (ligne 7)"));
        assert_eq!(input_of("decisions[0].line_id", &ids).map(|(input, _)| input).as_deref(), Some("decision-4"));
        assert_eq!(input_of("decisions", &ids), None);
        assert_eq!(input_of("decisions[2].line_id", &ids), None);
    }
}
