//! The penalty for insertion hours not done: the proposal computed at final settlement, with
//! every step and its explanation in French, and the sustainability service's decision on it.
//!
//! The proposal is computed from the contract's events at the moment of the request (with the
//! dated SMIC table the application decides with), not read from the read models: a facilitator
//! deciding right after the settlement must see it without waiting for the projector, and a
//! confirmation is checked by the domain against exactly what was shown.

use axum::extract::State;
use chrono::NaiveDate;
use serde::Serialize;
use suivi_domain::contract::{DecisionKind, PenaltyDecision};
use suivi_domain::{AwardedContract, Command, ProposedPenalty};
use suivi_http::policies::{Facilitators, Observers, Readers};
use suivi_http::{AppState, Authorized, CommandContext, ContractId, Created, JsonBody, Problem, Tagged, Text};
use suivi_projector::calculations::{penalty_of, References};
use suivi_proto::events::{
    PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyNotifiedV1, PenaltyObservationsReceivedV1, PenaltyWaivedV1,
};
use suivi_proto::quantities::MoneyHt;
use uuid::Uuid;

/// A contract's penalty proposal and the decision taken on it, if any.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PenaltyView {
    pub contract_id: Uuid,
    /// The contract's version (also its `ETag`), to send back in `If-Match` with the decision.
    pub version: i64,
    /// The penalty proposed, euros excluding VAT: what a confirmation must state.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub proposed_amount_ht: MoneyHt,
    /// `computed`: every step of the computation (hours committed, pro-rated, counted, shortfall,
    /// tolerance, rate, raw amount, cap, exemption threshold, final amount) and `explanation`, the
    /// same steps as sentences in French (see `docs/rules.md`); or `unavailable`, with the
    /// reference value missing (then `proposed_amount_ht` is 0).
    pub proposal: ProposedPenalty,
    /// The contradictory procedure: the notification sent to the contractor, once sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeView>,
    /// The contractor's observations, once received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<PenaltyObservationsReceivedV1>,
    /// The decision, once taken: one per contract, final.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionView>,
}

/// The notification of the intended penalty and the contractor's deadline.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NoticeView {
    /// The penalty notified, euros excluding VAT.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub amount_ht: MoneyHt,
    pub notified_on: NaiveDate,
    pub observation_days: u16,
    /// The last day the contractor's observations are received.
    pub observations_until: NaiveDate,
}

impl NoticeView {
    fn of(notice: &PenaltyNotifiedV1) -> Self {
        NoticeView {
            amount_ht: notice.amount_ht,
            notified_on: notice.notified_on,
            observation_days: notice.observation_days,
            observations_until: notice.observations_until(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DecisionView {
    pub kind: DecisionKind,
    /// The penalty applied, euros excluding VAT (0.00 when waived; as the decision stated it,
    /// written with two decimals).
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub amount_ht: MoneyHt,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub decided_on: NaiveDate,
}

impl PenaltyView {
    /// The view of a settled contract with an insertion clause; `None` for any other.
    pub fn of(id: Uuid, version: i64, contract: &AwardedContract, references: &References) -> Option<Self> {
        let proposal = penalty_of(contract, references)?;
        Some(PenaltyView {
            contract_id: id,
            version,
            proposed_amount_ht: proposal.final_amount_ht,
            proposal: proposal.proposed,
            notice: contract.penalty_notice().map(NoticeView::of),
            observations: contract.penalty_observations().cloned(),
            decision: contract.penalty_decision().map(DecisionView::of),
        })
    }
}

impl DecisionView {
    fn of(decision: &PenaltyDecision) -> Self {
        DecisionView {
            kind: decision.kind(),
            amount_ht: decision.amount_ht(),
            reason: decision.reason().map(str::to_owned),
            decided_on: decision.decided_on(),
        }
    }
}

/// `GET /api/contracts/{id}/penalty`: the proposal, its explanation and the decision.
#[tracing::instrument(skip_all)]
pub async fn show(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    ContractId(id): ContractId,
) -> Result<Tagged<PenaltyView>, Problem> {
    let loaded = state.app.load_contract(&principal.principal, id).await?;
    let view = match loaded.contract.awarded() {
        Some(contract) => PenaltyView::of(id, loaded.version, contract, &references(&state).await?),
        None => None,
    };
    let view = view.ok_or_else(|| {
        Problem::not_found(Text::new(
            format!(
                "le marché {id} n'a pas de proposition de pénalité : il n'est pas encore soldé, ou n'a pas de clause \
                 d'insertion"
            ),
            format!("contract {id} has no penalty proposal: it is not settled yet, or has no insertion clause"),
        ))
    })?;
    Ok(Tagged(loaded.version, view))
}

/// `POST /api/contracts/{id}/penalty-notification`: the contractor is told the penalty intended
/// and its observation period opens.
#[tracing::instrument(skip_all)]
pub async fn notify(
    command: CommandContext<Facilitators>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<PenaltyNotifiedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::NotifyPenalty(body)).await
}

/// `POST /api/contracts/{id}/penalty-observations`: the contractor's answer, within its period.
#[tracing::instrument(skip_all)]
pub async fn observe(
    command: CommandContext<Observers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<PenaltyObservationsReceivedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::ReceivePenaltyObservations(body)).await
}

/// `POST /api/contracts/{id}/penalty-confirmation`: the proposal applied as computed. The body
/// restates the amount, which must be the proposal's: the domain checks it (with the reference
/// tables the view is computed with), confirming something else is an adjustment.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    command: CommandContext<Facilitators>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<PenaltyConfirmedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::ConfirmPenalty(body)).await
}

/// `POST /api/contracts/{id}/penalty-adjustment`: another amount than proposed, with a reason.
#[tracing::instrument(skip_all)]
pub async fn adjust(
    command: CommandContext<Facilitators>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<PenaltyAdjustedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::AdjustPenalty(body)).await
}

/// `POST /api/contracts/{id}/penalty-waiver`: no penalty, with a reason.
#[tracing::instrument(skip_all)]
pub async fn waive(
    command: CommandContext<Facilitators>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<PenaltyWaivedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::WaivePenalty(body)).await
}

/// The dated SMIC (and ECB) tables the application decides with (`reference_rates`, at most a
/// minute old: see `suivi_application::references`).
async fn references(state: &AppState) -> Result<References, Problem> {
    Ok(References::clone(&*state.app.references().await?))
}
