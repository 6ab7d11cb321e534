//! The decision on the penalty proposal, after the final settlement.
//!
//! One decision per contract, final: a decision sent to finance for deduction cannot be silently
//! replaced. An adverse decision follows the **contradictory procedure** (domain.md §2.7): the
//! contractor is first notified of the intended penalty, with an observation period (15 days
//! unless the notification says otherwise); a confirmation or an adjustment then waits for its
//! observations, or for the end of the period. A waiver, which harms no one, needs no notification;
//! nor does confirming a proposal of 0 (nothing is applied).
//!
//! A **confirmation** applies the proposal as computed: its amount must be the one
//! [`propose_penalty`] gives on the contract's state with the dated SMIC table of the
//! [`DecisionContext`] — the figure the penalty view shows, computed by the same function with
//! the same table. Another amount is an adjustment, which needs a reason. When the proposal cannot
//! be computed (a SMIC-based rate and no SMIC in force on its reference date), nothing can be
//! confirmed until the table is completed; adjusting or waiving, each with its reason, remains
//! possible.

use chrono::NaiveDate;
use suivi_proto::events::{
    PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyNotifiedV1, PenaltyObservationsReceivedV1, PenaltyWaivedV1,
};

use super::checks::{non_negative_amount, not_before, not_blank, not_in_future, positive_amount, reason};
use crate::contract::AwardedContract;
use crate::penalty::propose_penalty;
use crate::{DecisionContext, DomainError};

/// The longest observation period a notification may give, in days.
const MAX_OBSERVATION_DAYS: u16 = 90;

/// The contractor is told the penalty intended (any amount above 0: the proposal, or the amount
/// the service means to adjust to) and when its observations are due.
pub(super) fn notify(
    contract: &AwardedContract,
    notice: PenaltyNotifiedV1,
    context: &DecisionContext,
) -> Result<PenaltyNotifiedV1, DomainError> {
    ready(contract, "notified_on", notice.notified_on, context)?;
    if let Some(earlier) = contract.penalty_notice() {
        return Err(DomainError::PenaltyAlreadyNotified { notified_on: earlier.notified_on });
    }
    positive_amount("amount_ht", notice.amount_ht.amount())?;
    if !(1..=MAX_OBSERVATION_DAYS).contains(&notice.observation_days) {
        return Err(DomainError::OutOfRange {
            field: "observation_days".to_owned(),
            value: notice.observation_days.into(),
            range: "1 to 90",
        });
    }
    Ok(notice)
}

/// The contractor's answer: once, after the notification, by the last day of the period, before
/// the decision.
pub(super) fn receive_observations(
    contract: &AwardedContract,
    answer: PenaltyObservationsReceivedV1,
    context: &DecisionContext,
) -> Result<PenaltyObservationsReceivedV1, DomainError> {
    if let Some(decision) = contract.penalty_decision() {
        return Err(DomainError::PenaltyAlreadyDecided { decided_on: decision.decided_on() });
    }
    let notice = contract.penalty_notice().ok_or(DomainError::PenaltyNotNotified)?;
    if let Some(earlier) = contract.penalty_observations() {
        return Err(DomainError::ObservationsAlreadyReceived { received_on: earlier.received_on });
    }
    not_blank("observations", &answer.observations)?;
    not_before("received_on", answer.received_on, notice.notified_on, "the penalty notification")?;
    let until = notice.observations_until();
    if answer.received_on > until {
        return Err(DomainError::DateTooLate {
            field: "received_on".to_owned(),
            date: answer.received_on,
            latest: until,
            bound: "the end of the observation period",
        });
    }
    not_in_future("received_on", answer.received_on, context)?;
    Ok(answer)
}

/// The proposal may be 0 (hours done): confirming it records that no penalty is due.
pub(super) fn confirm(
    contract: &AwardedContract,
    decision: PenaltyConfirmedV1,
    context: &DecisionContext,
) -> Result<PenaltyConfirmedV1, DomainError> {
    ready(contract, "decided_on", decision.decided_on, context)?;
    non_negative_amount("amount_ht", decision.amount_ht.amount())?;
    if let Some(text) = &decision.reason {
        not_blank("reason", text)?;
    }
    let proposal = match propose_penalty(contract, &context.references.smic) {
        Ok(Some(proposal)) => proposal,
        // `ready` found a clause and a settlement, so there is a proposal: refuse rather than
        // confirm something unchecked if that ever changes.
        Ok(None) => return Err(DomainError::NoInsertionClause { field: None }),
        Err(missing) => return Err(DomainError::PenaltyProposalUnavailable { missing }),
    };
    if decision.amount_ht != proposal.final_amount_ht {
        return Err(DomainError::AmountDiffersFromProposal {
            amount_ht: decision.amount_ht,
            proposed_ht: proposal.final_amount_ht,
        });
    }
    if !decision.amount_ht.amount().is_zero() {
        heard(contract, decision.decided_on)?;
    }
    Ok(decision)
}

/// Adjusting to 0 is a waiver: use [`waive`], which says so.
pub(super) fn adjust(
    contract: &AwardedContract,
    decision: PenaltyAdjustedV1,
    context: &DecisionContext,
) -> Result<PenaltyAdjustedV1, DomainError> {
    ready(contract, "decided_on", decision.decided_on, context)?;
    positive_amount("amount_ht", decision.amount_ht.amount())?;
    reason("reason", &decision.reason)?;
    heard(contract, decision.decided_on)?;
    Ok(decision)
}

pub(super) fn waive(
    contract: &AwardedContract,
    decision: PenaltyWaivedV1,
    context: &DecisionContext,
) -> Result<PenaltyWaivedV1, DomainError> {
    ready(contract, "decided_on", decision.decided_on, context)?;
    reason("reason", &decision.reason)?;
    Ok(decision)
}

/// Before applying a penalty, the contractor was heard: notified, and its observations received
/// or its period over by the decision's date.
fn heard(contract: &AwardedContract, decided_on: NaiveDate) -> Result<(), DomainError> {
    let notice = contract.penalty_notice().ok_or(DomainError::PenaltyNotNotified)?;
    not_before("decided_on", decided_on, notice.notified_on, "the penalty notification")?;
    match contract.penalty_observations() {
        Some(answer) => not_before("decided_on", decided_on, answer.received_on, "the observations' receipt"),
        None if decided_on > notice.observations_until() => Ok(()),
        None => Err(DomainError::ObservationPeriodRunning { until: notice.observations_until() }),
    }
}

/// A clause to penalise, a settlement, no decision yet, a date (`field`) between settlement and
/// today.
fn ready(contract: &AwardedContract, field: &str, on: NaiveDate, context: &DecisionContext) -> Result<(), DomainError> {
    if contract.committed_hours().is_none() {
        return Err(DomainError::NoInsertionClause { field: None });
    }
    let settlement = contract.settlement().ok_or(DomainError::NotSettled { status: contract.status() })?;
    if let Some(decision) = contract.penalty_decision() {
        return Err(DomainError::PenaltyAlreadyDecided { decided_on: decision.decided_on() });
    }
    not_before(field, on, settlement.settled_on, "the settlement date")?;
    not_in_future(field, on, context)
}
