//! The decision on the penalty proposal, after the final settlement.
//!
//! One decision per contract, final: the contractor's observations come before it (domain.md
//! §2.7), and a decision sent to finance for deduction cannot be silently replaced.
//!
//! A **confirmation** applies the proposal as computed: its amount must be the one
//! [`propose_penalty`] gives on the contract's state with the dated SMIC table of the
//! [`DecisionContext`] — the figure the penalty view shows, computed by the same function with
//! the same table. Another amount is an adjustment, which needs a reason. When the proposal cannot
//! be computed (a SMIC-based rate and no SMIC in force on its reference date), nothing can be
//! confirmed until the table is completed; adjusting or waiving, each with its reason, remains
//! possible.

use chrono::NaiveDate;
use suivi_proto::events::{PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyWaivedV1};

use super::checks::{non_negative_amount, not_before, not_blank, not_in_future, positive_amount, reason};
use crate::contract::AwardedContract;
use crate::penalty::propose_penalty;
use crate::{DecisionContext, DomainError};

/// The proposal may be 0 (hours done): confirming it records that no penalty is due.
pub(super) fn confirm(
    contract: &AwardedContract,
    decision: PenaltyConfirmedV1,
    context: &DecisionContext,
) -> Result<PenaltyConfirmedV1, DomainError> {
    ready(contract, decision.decided_on, context)?;
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
    Ok(decision)
}

/// Adjusting to 0 is a waiver: use [`waive`], which says so.
pub(super) fn adjust(
    contract: &AwardedContract,
    decision: PenaltyAdjustedV1,
    context: &DecisionContext,
) -> Result<PenaltyAdjustedV1, DomainError> {
    ready(contract, decision.decided_on, context)?;
    positive_amount("amount_ht", decision.amount_ht.amount())?;
    reason("reason", &decision.reason)?;
    Ok(decision)
}

pub(super) fn waive(
    contract: &AwardedContract,
    decision: PenaltyWaivedV1,
    context: &DecisionContext,
) -> Result<PenaltyWaivedV1, DomainError> {
    ready(contract, decision.decided_on, context)?;
    reason("reason", &decision.reason)?;
    Ok(decision)
}

/// A clause to penalise, a settlement, no decision yet, a date between settlement and today.
fn ready(contract: &AwardedContract, decided_on: NaiveDate, context: &DecisionContext) -> Result<(), DomainError> {
    if contract.committed_hours().is_none() {
        return Err(DomainError::NoInsertionClause { field: None });
    }
    let settlement = contract.settlement().ok_or(DomainError::NotSettled { status: contract.status() })?;
    if let Some(decision) = contract.penalty_decision() {
        return Err(DomainError::PenaltyAlreadyDecided { decided_on: decision.decided_on() });
    }
    not_before("decided_on", decided_on, settlement.settled_on, "the settlement date")?;
    not_in_future("decided_on", decided_on, context)
}
