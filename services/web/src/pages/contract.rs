//! `/marches/{id}`: one contract, folded from its own events (exact to the last one, unlike the
//! list), and its timeline: every event of its stream, what it was, when, and who did it.
//!
//! It is also the contractor's portal for the contract: hours committed, validated and
//! remaining, and the link to request an instalment (`/marches/{id}/acompte`), which sends the
//! contractor back here with a confirmation. The list (`/marches`) gives the same three figures
//! for each of its contracts.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use suivi_contracts::{ContractView, PenaltyRateView};
use suivi_domain::ContractStatus;
use suivi_http::auth::Policy as _;
use suivi_http::policies::Requesters;
use suivi_http::AppState;
use suivi_proto::EventEnvelope;
use uuid::Uuid;

use super::{render, Nav, PageError};
use crate::sessions::Session;
use crate::{format, labels};

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

fn fact(label: &'static str, value: impl Into<String>) -> Fact {
    Fact { label, value: value.into() }
}

pub struct InstalmentRow {
    pub number: u32,
    pub period: String,
    pub received_on: String,
    pub due_on: String,
    pub net_to_pay: String,
    pub paid_on: String,
    pub amount_paid: String,
    pub days_late: String,
}

pub struct TimelineRow {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "marche.html")]
struct ContractPage {
    nav: Option<Nav>,
    id: Uuid,
    object: String,
    status: &'static str,
    terms: Vec<Fact>,
    hours: Vec<Fact>,
    money: Vec<Fact>,
    instalments: Vec<InstalmentRow>,
    timeline: Vec<TimelineRow>,
    /// Settled with an insertion clause: the penalty review page exists.
    penalty: bool,
    /// Where to request an instalment, for those who may (the contract's contractor, a buyer).
    request_href: Option<String>,
    confirmation: Option<String>,
}

/// `GET /marches/{id}`: 404 for an id that is not a contract this person may see, whatever
/// the reason (the application does not tell them apart either).
pub async fn page(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let loaded = state.app.load_contract(&session.principal, id).await?;
    let references = state.app.references().await?;
    let view = ContractView::of(id, loaded.version, &loaded.contract, &references).ok_or(PageError::NotFound)?;
    // Read after the visibility check above: the stream is the contract the person may see.
    let events = state.store.read_stream(id).await.map_err(PageError::unavailable)?;
    let buyers =
        suivi_http::tenants::buyers(&state.pool, &session.principal.tenant).await.map_err(PageError::unavailable)?;
    let buyer_siret = &view.summary.buyer_siret;
    let buyer = buyers
        .iter()
        .find(|buyer| &buyer.siret == buyer_siret)
        .and_then(|buyer| buyer.name.as_ref())
        .map_or_else(|| format!("SIRET {buyer_siret}"), |name| format!("{name} (SIRET {buyer_siret})"));
    let page = ContractPage {
        nav: Nav::of(&session),
        id,
        object: view.summary.object.clone(),
        status: labels::status(view.summary.status),
        terms: terms(&view, buyer),
        hours: hours(&view),
        money: money(&view),
        instalments: view.instalments.iter().map(instalment_row).collect(),
        timeline: events.iter().map(timeline_row).collect(),
        penalty: view.settlement.is_some() && view.summary.hours.committed.is_some(),
        request_href: (Requesters::ROLES.contains(&session.principal.role)
            && view.summary.status == ContractStatus::Awarded)
            .then(|| format!("/marches/{id}/acompte")),
        // Only a number is read back from the address: no text of it is ever shown.
        confirmation: form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(name, _)| name == "acompte")
            .and_then(|(_, value)| value.parse::<u32>().ok())
            .map(|n| format!("Votre demande d'acompte n° {n} et son relevé d'heures sont enregistrés.")),
    };
    Ok(render(StatusCode::OK, &page))
}

fn terms(view: &ContractView, buyer: String) -> Vec<Fact> {
    let summary = &view.summary;
    let mut facts = vec![
        fact("Acheteur", buyer),
        fact(
            "Titulaire(s)",
            summary.contractor_sirets.iter().map(|s| format!("SIRET {s}")).collect::<Vec<_>>().join(", "),
        ),
        fact("Notifié le", format::date(summary.notification_date)),
        fact("Fin d'exécution prévue", format::date(view.execution_end_date)),
        fact("Montant initial HT", format::euros(view.initial_amount_ht)),
        fact("Montant HT, avenants compris", format::euros(summary.amount_ht)),
        fact("Valeur exécutée HT", format::euros(summary.executed_value_ht)),
        fact("Taux de TVA", format::percent(view.terms.vat_rate.value())),
        fact("Délai global de paiement", format!("{} jours", view.terms.payment_term_days)),
    ];
    if let Some(penalty) = &view.terms.penalty {
        let rate = match &penalty.rate {
            PenaltyRateView::Fixed { amount_per_hour_ht } => {
                format!("{} HT", format::euros(amount_per_hour_ht.amount()))
            }
            PenaltyRateView::SmicMultiple { multiple, reference_date } => {
                format!("{multiple} × SMIC horaire brut du {}", format::date(*reference_date))
            }
        };
        facts.push(fact("Pénalité par heure d'insertion manquante", rate));
        facts.push(fact("Écart toléré", format::percent(penalty.tolerance_share.value())));
        facts.push(fact(
            "Plafond des pénalités",
            penalty.cap_share.map_or_else(
                || "aucun".to_owned(),
                |cap| format!("{} du montant final HT", format::percent(cap.value())),
            ),
        ));
    }
    if let Some(advance) = &view.terms.advance {
        let guarantee = if advance.with_guarantee { "avec garantie" } else { "sans garantie" };
        let amount = advance.granted_ttc.map(|ttc| format!(", soit {} TTC au plus", format::euros(ttc.amount())));
        facts.push(fact(
            "Avance",
            format!("{} {guarantee}{}", format::percent(advance.rate.value()), amount.unwrap_or_default()),
        ));
    }
    facts
}

/// The insertion hours; none without an insertion clause.
fn hours(view: &ContractView) -> Vec<Fact> {
    let hours = &view.summary.hours;
    let Some(committed) = hours.committed else { return Vec::new() };
    let mut facts = vec![fact("Heures engagées", format::hours(committed))];
    if let Some(pro_rated) = hours.pro_rated_committed {
        facts.push(fact("Heures engagées, proratisées à la résiliation", format::hours(pro_rated)));
    }
    facts.extend([
        fact("Heures déclarées", format::hours(hours.declared)),
        fact("Heures validées", format::hours(hours.validated)),
        fact("Heures rejetées", format::hours(hours.rejected)),
        fact("Heures en attente d'examen", format::hours(hours.pending)),
        fact("Heures restant à réaliser", format::hours_or_dash(hours.remaining)),
    ]);
    facts
}

fn money(view: &ContractView) -> Vec<Fact> {
    let mut facts = vec![
        fact("Valeur exécutée TTC", format::euros(view.executed_value_ttc)),
        fact("Avance restant à récupérer TTC", format::euros(view.advance_outstanding_ttc)),
    ];
    if let Some(settlement) = &view.settlement {
        facts.push(fact("Soldé le", format::date(settlement.settled_on)));
        facts.push(fact("Montant final TTC", format::euros(settlement.balance.final_amount_ttc.amount())));
        facts.push(fact("Solde TTC", format::euros(settlement.balance.balance_ttc.amount())));
    }
    facts
}

fn instalment_row(instalment: &suivi_contracts::InstalmentView) -> InstalmentRow {
    let dash = || "—".to_owned();
    InstalmentRow {
        number: instalment.number,
        period: format!("du {} au {}", format::date(instalment.period.start), format::date(instalment.period.end)),
        received_on: format::date(instalment.received_on),
        due_on: format::date(instalment.due_on),
        net_to_pay: instalment
            .approval
            .as_ref()
            .map_or_else(|| "en attente d'approbation".to_owned(), |a| format::euros(a.net_to_pay_ttc.amount())),
        paid_on: instalment.paid_on.map_or_else(dash, format::date),
        amount_paid: instalment.payment.as_ref().map_or_else(dash, |p| format::euros(p.amount_ttc.amount())),
        days_late: instalment.payment.as_ref().map_or_else(dash, |p| p.days_late.to_string()),
    }
}

fn timeline_row(event: &EventEnvelope) -> TimelineRow {
    TimelineRow {
        when: format::moment(event.recorded_at),
        what: labels::event_type(&event.event_type).to_owned(),
        detail: detail(&event.event_type, &event.payload),
        who: format!("{} ({})", labels::actor_kind(event.actor.kind), event.actor.id),
    }
}

/// A few words on what an event changed, read from its payload; empty when the label says it all.
fn detail(event_type: &str, payload: &Value) -> String {
    let number = |key: &str| payload.get(key).and_then(Value::as_u64);
    let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
    match event_type {
        "statement_reviewed" => {
            let decisions = payload.get("decisions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            let kind = |d: &&Value| d.pointer("/decision/kind").and_then(Value::as_str).map(str::to_owned);
            let validated = decisions.iter().filter(|d| kind(d).as_deref() == Some("validated")).count();
            let rejected = decisions.iter().filter(|d| kind(d).as_deref() == Some("rejected")).count();
            let instalment = number("instalment_number").map(|n| format!("Acompte n° {n} : ")).unwrap_or_default();
            format!("{instalment}{validated} ligne(s) validée(s), {rejected} rejetée(s)")
        }
        "instalment_requested" => {
            let lines = payload.pointer("/statement/lines").and_then(Value::as_array).map_or(0, Vec::len);
            number("number").map(|n| format!("Acompte n° {n}, {lines} ligne(s) d'heures")).unwrap_or_default()
        }
        "penalty_notified" => {
            let amount = text("amount_ht").and_then(|a| a.parse().ok()).map(format::euros).unwrap_or_default();
            let days = number("observation_days").unwrap_or(15);
            format!("{amount} HT envisagés ; {days} jours pour présenter des observations")
        }
        "penalty_observations_received" => text("observations").unwrap_or_default(),
        "penalty_confirmed" | "penalty_adjusted" => {
            let amount = text("amount_ht").and_then(|a| a.parse().ok()).map(format::euros).unwrap_or_default();
            match text("reason") {
                Some(reason) => format!("{amount} HT — {reason}"),
                None => format!("{amount} HT"),
            }
        }
        "instalment_approved" | "instalment_paid" => {
            number("number").map(|n| format!("Acompte n° {n}")).unwrap_or_default()
        }
        _ => text("reason").unwrap_or_default(),
    }
}
