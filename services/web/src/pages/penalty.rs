//! `/marches/{id}/penalite`: the penalty review of a settled contract with an insertion clause,
//! for the sustainability service and for the contractor.
//!
//! The page shows the computation step by step (the sentences the API's `explanation` gives)
//! and the contradictory procedure as it stands: notification, the contractor's observations,
//! the decision. Each form posts one step, which is one event in the contract's log (so it shows
//! in the timeline), through the same application runner and domain rules as the API: a step
//! the rules refuse is shown with its reason in French beside the field at fault, and what was
//! typed is kept.
//!
//! Choices the issue left open, written down here:
//! - every step is dated the day it is entered (the business day in France), as the API's
//!   `today`; a letter received earlier is recorded through the API, which takes a date;
//! - a confirmation from the page always carries a written reason (the API keeps it optional);
//! - the facilitator may waive at any time before the decision (no one is harmed by a waiver),
//!   but confirms or adjusts only once the contractor was heard (the domain enforces it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use suivi_application::{business_today, Expected};
use suivi_domain::Command;
use suivi_http::{AppState, RequestId, Role};
use suivi_proto::events::{
    PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyNotifiedV1, PenaltyObservationsReceivedV1, PenaltyWaivedV1,
    DEFAULT_OBSERVATION_DAYS,
};
use suivi_proto::quantities::MoneyHt;
use suivi_reporting::PenaltyView;
use uuid::Uuid;

use super::{fields, render, submit, Nav, PageError};
use crate::csrf::SessionForm;
use crate::format;
use crate::sessions::{random_token, Session};

/// What the person may do now, given the role and where the procedure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Facilitator, nothing sent yet: notify (or waive).
    Notify,
    /// Facilitator, the contractor's period runs with no answer yet: wait (or waive).
    Waiting,
    /// Facilitator, the contractor was heard: confirm, adjust or waive.
    Decide,
    /// Contractor, within its period, no answer sent yet: write observations.
    Observe,
    /// Nothing left to do for this person (decided, or a reader).
    Read,
}

/// One step of the procedure as the page lists it.
pub struct Step {
    pub title: &'static str,
    pub text: String,
}

/// What was typed, to give it back when a step is refused.
#[derive(Default)]
pub struct Typed {
    pub amount: String,
    pub days: String,
    pub observations: String,
    pub reason: String,
    pub kind: String,
    /// The proposal the page showed, which a confirmation restates.
    pub proposed: String,
}

/// A refusal: the message, and the form field it belongs to (`None`: the whole step).
pub struct Refusal {
    pub field: Option<&'static str>,
    pub message: String,
}

#[derive(Template)]
#[template(path = "penalite.html")]
struct PenaltyPage {
    nav: Option<Nav>,
    id: Uuid,
    object: String,
    version: i64,
    done: Option<&'static str>,
    proposed: String,
    proposed_plain: String,
    explanation: Vec<String>,
    unavailable: Option<String>,
    steps: Vec<Step>,
    stage: Stage,
    typed: Typed,
    refusal: Option<Refusal>,
    default_days: u16,
    /// The forms' retry key: sending the same form twice (a double click) records one step.
    key: String,
}

impl PenaltyPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.refusal.as_ref().filter(|r| r.field == Some(field)).map(|r| r.message.as_str())
    }

    fn general_error(&self) -> Option<&str> {
        self.refusal.as_ref().filter(|r| r.field.is_none()).map(|r| r.message.as_str())
    }

    fn checked(&self, kind: &str) -> bool {
        self.typed.kind == kind
    }

    fn may_notify(&self) -> bool {
        self.stage == Stage::Notify
    }

    fn waiting(&self) -> bool {
        self.stage == Stage::Waiting
    }

    fn may_decide(&self) -> bool {
        self.stage == Stage::Decide
    }

    /// Waiving is open to the facilitator until the decision, whatever the procedure's stage.
    fn may_waive_only(&self) -> bool {
        matches!(self.stage, Stage::Notify | Stage::Waiting)
    }

    fn may_observe(&self) -> bool {
        self.stage == Stage::Observe
    }
}

#[derive(Deserialize)]
pub struct Done {
    fait: Option<String>,
}

/// `GET /marches/{id}/penalite`.
pub async fn page(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let done = done.fait.as_deref().and_then(done_message);
    show(&session, &state, id, StatusCode::OK, done, Typed::default(), None).await
}

/// `POST /marches/{id}/penalite`: one step of the procedure, named by the `etape` field.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request_id: RequestId,
    form: SessionForm,
) -> Result<Response, PageError> {
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let fields = &form.fields;
    let field = |name: &str| fields.get(name).unwrap_or_default().to_owned();
    let typed = Typed {
        amount: field("montant"),
        days: field("delai"),
        observations: field("observations"),
        reason: field("motif"),
        kind: field("decision"),
        proposed: field("propose"),
    };
    let session = &form.session;
    let step = field("etape");
    let allowed = match step.as_str() {
        "observations" => matches!(session.principal.role, Role::Contractor | Role::Facilitator),
        "notification" | "decision" => session.principal.role == Role::Facilitator,
        _ => return Err(PageError::BadForm),
    };
    if !allowed {
        return Err(PageError::NotAllowed);
    }
    let version: i64 = field("version").parse().map_err(|_| PageError::BadForm)?;
    let command = match build(&step, &typed, business_today()) {
        Ok(command) => command,
        Err(refusal) => {
            return show(session, &state, id, StatusCode::UNPROCESSABLE_ENTITY, None, typed, Some(refusal)).await
        }
    };
    let done = match &command {
        Command::NotifyPenalty(_) => "notifiee",
        Command::ReceivePenaltyObservations(_) => "observations",
        _ => "decidee",
    };
    let path = format!("/marches/{id}/penalite");
    let expected = (id, Expected::OneOf(vec![version]));
    match submit::run(&state, session, request_id, expected, &path, fields, command).await? {
        Ok(_) => Ok(Redirect::to(&format!("{path}?fait={done}")).into_response()),
        Err(refused) if refused.stale => {
            let refusal = Refusal {
                field: None,
                message: "Ce marché a changé depuis l'ouverture de la page (quelqu'un d'autre vient d'agir) : \
                          la page montre maintenant son état actuel ; vérifiez-le et recommencez."
                    .to_owned(),
            };
            show(session, &state, id, StatusCode::CONFLICT, None, typed, Some(refusal)).await
        }
        Err(refused) => {
            let refusal = Refusal { field: form_field(refused.field.as_deref()), message: sentence(&refused.message) };
            show(session, &state, id, StatusCode::UNPROCESSABLE_ENTITY, None, typed, Some(refusal)).await
        }
    }
}

/// The form field where the command's field (a JSON path) is typed; `None`: the whole step.
fn form_field(path: Option<&str>) -> Option<&'static str> {
    match path {
        Some("amount_ht") => Some("montant"),
        Some("observation_days") => Some("delai"),
        Some("observations") => Some("observations"),
        Some("reason") => Some("motif"),
        _ => None,
    }
}

/// The command a step's fields make, or the field that cannot be read.
fn build(step: &str, typed: &Typed, today: chrono::NaiveDate) -> Result<Command, Refusal> {
    let refuse = |field, message: &str| Refusal { field: Some(field), message: message.to_owned() };
    let text = |value: &str, field, what: &str| -> Result<String, Refusal> {
        let value = value.trim();
        if value.is_empty() {
            return Err(refuse(field, what));
        }
        Ok(value.to_owned())
    };
    Ok(match step {
        "notification" => {
            let amount = amount(&typed.amount)
                .ok_or_else(|| refuse("montant", "Indiquez le montant envisagé en euros, par exemple 43 980,00."))?;
            let days = match typed.days.trim() {
                "" => DEFAULT_OBSERVATION_DAYS,
                days => days.parse().map_err(|_| {
                    refuse("delai", "Indiquez le délai d'observations en jours, un nombre entier de 1 à 90.")
                })?,
            };
            Command::NotifyPenalty(PenaltyNotifiedV1 { amount_ht: amount, notified_on: today, observation_days: days })
        }
        "observations" => {
            let observations = text(&typed.observations, "observations", "Écrivez vos observations.")?;
            Command::ReceivePenaltyObservations(PenaltyObservationsReceivedV1 { observations, received_on: today })
        }
        _ => {
            let reason =
                text(&typed.reason, "motif", "Écrivez le motif de la décision : il est communiqué au titulaire.")?;
            match typed.kind.as_str() {
                "confirmer" => {
                    let amount = amount(&typed.proposed).ok_or_else(|| {
                        refuse("decision", "La proposition manque au formulaire : rechargez la page.")
                    })?;
                    Command::ConfirmPenalty(PenaltyConfirmedV1 {
                        amount_ht: amount,
                        reason: Some(reason),
                        decided_on: today,
                    })
                }
                "ajuster" => {
                    let amount = amount(&typed.amount).ok_or_else(|| {
                        refuse("montant", "Indiquez le nouveau montant en euros, par exemple 20 000,00.")
                    })?;
                    Command::AdjustPenalty(PenaltyAdjustedV1 { amount_ht: amount, reason, decided_on: today })
                }
                "renoncer" => Command::WaivePenalty(PenaltyWaivedV1 { reason, decided_on: today }),
                _ => return Err(refuse("decision", "Choisissez une décision : confirmer, ajuster ou renoncer.")),
            }
        }
    })
}

/// An amount as people type it (`43 980,00`, `43980.00`, `43 980 €`), read as the other forms
/// read figures, in whole cents.
fn amount(typed: &str) -> Option<MoneyHt> {
    fields::as_api::<MoneyHt>(&fields::figure(typed)).filter(|amount| amount.amount().scale() <= 2)
}

/// The API's words as a sentence: a capital first, a full stop last.
fn sentence(words: &str) -> String {
    let mut chars = words.trim_end_matches('.').chars();
    chars.next().map_or_else(String::new, |first| format!("{}{}.", first.to_uppercase(), chars.as_str()))
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "notifiee" => "La pénalité envisagée a été notifiée au titulaire ; son délai d'observations court.",
        "observations" => "Les observations ont été transmises au service et figurent dans l'historique du marché.",
        "decidee" => "La décision est enregistrée ; une pénalité appliquée est transmise aux finances.",
        _ => return None,
    })
}

async fn show(
    session: &Session,
    state: &AppState,
    id: Uuid,
    status: StatusCode,
    done: Option<&'static str>,
    typed: Typed,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let loaded = state.app.load_contract(&session.principal, id).await?;
    let contract = loaded.contract.awarded().ok_or(PageError::NotFound)?;
    let references = state.app.references().await?;
    let view = PenaltyView::of(id, loaded.version, contract, &references).ok_or(PageError::NotFound)?;
    let today = business_today();
    let stage = stage(session.principal.role, &view, today);
    let proposal = serde_json::to_value(&view.proposal).unwrap_or_default();
    let explanation = proposal["explanation"]
        .as_array()
        .map(|lines| lines.iter().filter_map(|line| line.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let unavailable = proposal["reason"].as_str().filter(|_| proposal["status"] == "unavailable").map(str::to_owned);
    let mut typed = typed;
    if typed.amount.is_empty() && stage == Stage::Notify {
        typed.amount = format::euros(view.proposed_amount_ht.amount()).trim_end_matches("\u{a0}€").to_owned();
    }
    let page = PenaltyPage {
        nav: Nav::of(session),
        id,
        object: contract.award().object.clone(),
        version: loaded.version,
        done,
        proposed: format::euros(view.proposed_amount_ht.amount()),
        proposed_plain: view.proposed_amount_ht.round_to_cent().amount().to_string(),
        explanation,
        unavailable,
        steps: steps(&view, today),
        stage,
        typed,
        refusal,
        default_days: DEFAULT_OBSERVATION_DAYS,
        key: random_token(),
    };
    Ok(render(status, &page))
}

fn stage(role: Role, view: &PenaltyView, today: chrono::NaiveDate) -> Stage {
    if view.decision.is_some() {
        return Stage::Read;
    }
    match (role, &view.notice, &view.observations) {
        (Role::Facilitator, None, _) => Stage::Notify,
        (Role::Facilitator, Some(notice), None) if today <= notice.observations_until => Stage::Waiting,
        (Role::Facilitator, Some(_), _) => Stage::Decide,
        (Role::Contractor, Some(notice), None) if today <= notice.observations_until => Stage::Observe,
        _ => Stage::Read,
    }
}

/// The procedure so far, in the order it happens.
fn steps(view: &PenaltyView, today: chrono::NaiveDate) -> Vec<Step> {
    let mut steps = Vec::new();
    match &view.notice {
        Some(notice) => steps.push(Step {
            title: "Notification au titulaire",
            text: format!(
                "Le {}, pénalité envisagée de {} HT ; observations possibles pendant {} jours, jusqu'au {} inclus.",
                format::date(notice.notified_on),
                format::euros(notice.amount_ht.amount()),
                notice.observation_days,
                format::date(notice.observations_until),
            ),
        }),
        None => steps.push(Step {
            title: "Notification au titulaire",
            text: if view.decision.is_some() {
                "Aucune : la pénalité n'a pas été appliquée.".to_owned()
            } else {
                "Pas encore envoyée.".to_owned()
            },
        }),
    }
    if let Some(notice) = &view.notice {
        steps.push(Step {
            title: "Observations du titulaire",
            text: match &view.observations {
                Some(answer) => format!("Reçues le {} : « {} »", format::date(answer.received_on), answer.observations),
                None if today <= notice.observations_until => {
                    format!("En attente, jusqu'au {} inclus.", format::date(notice.observations_until))
                }
                None => format!("Aucune reçue ; le délai a pris fin le {}.", format::date(notice.observations_until)),
            },
        });
    }
    if let Some(decision) = &view.decision {
        let kind = match decision.kind {
            suivi_domain::contract::DecisionKind::Confirmed => "Pénalité confirmée",
            suivi_domain::contract::DecisionKind::Adjusted => "Pénalité ajustée",
            suivi_domain::contract::DecisionKind::Waived => "Pénalité non appliquée",
        };
        let reason = decision.reason.as_deref().map(|r| format!(" Motif : « {r} »")).unwrap_or_default();
        steps.push(Step {
            title: "Décision",
            text: format!(
                "{kind} le {} : {} HT.{reason}",
                format::date(decision.decided_on),
                format::euros(decision.amount_ht.amount())
            ),
        });
    }
    steps
}
