//! The contract's own changes: amendment, termination, final settlement.

use chrono::NaiveDate;
use suivi_proto::events::{
    ContractAmendedV2, ContractSettledV1, ContractTerminatedV1, InsertionClause, SocialConsideration,
};
use suivi_proto::quantities::MoneyHt;

use super::award::insertion_clause;

use super::checks::{
    duration_months, non_negative_amount, not_before, not_in_future, plausible_committed_hours, positive_amount, reason,
};
use super::{ensure_not_settled, ensure_running};
use crate::contract::{end_date, AwardedContract};
use crate::{DecisionContext, DomainError};

/// Amendments are numbered 1, 2, … in signature order, and cannot undo what was executed: the
/// amount stays at or above the value executed, the duration covers the work declared.
pub(super) fn amend(
    contract: &AwardedContract,
    amendment: ContractAmendedV2,
    context: &DecisionContext,
) -> Result<ContractAmendedV2, DomainError> {
    ensure_running(contract)?;
    let expected = contract.last_amendment_number().saturating_add(1);
    if amendment.amendment_number != expected {
        return Err(DomainError::AmendmentOutOfSequence { expected, got: amendment.amendment_number });
    }
    not_before("signed_on", amendment.signed_on, contract.start_date(), "the notification date")?;
    if let Some(previous) = contract.amendments().last() {
        not_before("signed_on", amendment.signed_on, previous.signed_on, "the previous amendment's signature")?;
    }
    not_in_future("signed_on", amendment.signed_on, context)?;
    if let Some(amount) = amendment.new_amount_ht {
        positive_amount("new_amount_ht", amount.amount())?;
        let executed = contract.executed_value_ht();
        if amount < executed {
            return Err(DomainError::BelowExecutedValue { field: "new_amount_ht".to_owned(), value: amount, executed });
        }
    }
    if let Some(months) = amendment.new_duration_months {
        duration_months("new_duration_months", months)?;
        let new_end = end_date(contract.start_date(), months);
        match contract.last_work_day() {
            Some(last_work_day) if new_end < last_work_day => {
                return Err(DomainError::DurationEndsBeforeExecutedWork { new_end, last_work_day });
            }
            _ => {}
        }
    }
    if let Some(clause) = &amendment.insertion_clause {
        agreed_clause(contract, clause, amendment.new_amount_ht, context)?;
    }
    // Never negative: `Hours` cannot hold a negative number. Without a clause there are no
    // penalty terms: an amendment cannot add hours alone (it agrees a whole clause instead).
    if let Some(hours) = amendment.new_committed_hours {
        if contract.committed_hours().is_none() {
            return Err(DomainError::NoInsertionClause { field: Some("new_committed_hours".to_owned()) });
        }
        let amount = amendment.new_amount_ht.unwrap_or_else(|| contract.current_amount_ht());
        plausible_committed_hours("new_committed_hours", hours, amount, contract.start_date(), context)?;
    }
    reason("reason", &amendment.reason)?;
    Ok(amendment)
}

/// The settlement's date against the history (also checked when it is corrected).
pub(super) fn settlement_date(
    contract: &AwardedContract,
    field: &str,
    date: NaiveDate,
    context: &DecisionContext,
) -> Result<(), DomainError> {
    not_before(field, date, contract.start_date(), "the notification date")?;
    if let Some(termination) = contract.termination() {
        not_before(field, date, termination.terminated_on, "the termination date")?;
    }
    // The final account comes after the work it settles.
    if let Some(last_work_day) = contract.last_work_day() {
        not_before(field, date, last_work_day, "the end of the last instalment period")?;
    }
    // It also comes after the requests it settles and their approvals: dated earlier, it would
    // count the penalty in a year before the facts it settles.
    if let Some(last) = contract.instalments().last() {
        not_before(field, date, last.received_on(), "the last request's receipt")?;
    }
    if let Some(approved_on) = contract.instalments().iter().filter_map(|i| i.approval()).map(|a| a.approved_on).max() {
        not_before(field, date, approved_on, "the last approval")?;
    }
    not_in_future(field, date, context)
}

/// A contract awarded with a social clause but no commitment (DECP publishes the clause, not its
/// hours) receives it by amendment, once: the clause is checked as at the award, its hours
/// bounded on the amount after this amendment.
fn agreed_clause(
    contract: &AwardedContract,
    clause: &InsertionClause,
    new_amount_ht: Option<MoneyHt>,
    context: &DecisionContext,
) -> Result<(), DomainError> {
    if contract.insertion_clause().is_some() {
        return Err(DomainError::InsertionClauseAlreadyAgreed);
    }
    if !contract.award().social_considerations.contains(&SocialConsideration::ClauseSociale) {
        return Err(DomainError::NoSocialClause);
    }
    insertion_clause(clause)?;
    let amount = new_amount_ht.unwrap_or_else(|| contract.current_amount_ht());
    plausible_committed_hours(
        "insertion_clause.committed_hours",
        clause.committed_hours,
        amount,
        contract.start_date(),
        context,
    )
}

/// Once; dated between the last work declared and today; the value executed at least what
/// instalments already claim and at most the amount.
pub(super) fn terminate(
    contract: &AwardedContract,
    termination: ContractTerminatedV1,
    context: &DecisionContext,
) -> Result<ContractTerminatedV1, DomainError> {
    ensure_running(contract)?;
    let date = termination.terminated_on;
    not_before("terminated_on", date, contract.start_date(), "the notification date")?;
    if let Some(last_work_day) = contract.last_work_day() {
        not_before("terminated_on", date, last_work_day, "the end of the last instalment period")?;
    }
    // A contract cannot be amended after it ended.
    if let Some(amendment) = contract.amendments().last() {
        not_before("terminated_on", date, amendment.signed_on, "the last amendment's signature")?;
    }
    not_in_future("terminated_on", date, context)?;
    let value = termination.value_executed_ht;
    non_negative_amount("value_executed_ht", value.amount())?;
    let executed = contract.executed_value_ht();
    if value < executed {
        return Err(DomainError::BelowExecutedValue { field: "value_executed_ht".to_owned(), value, executed });
    }
    let amount = contract.current_amount_ht();
    if value > amount {
        return Err(DomainError::AboveContractAmount { field: "value_executed_ht".to_owned(), value, amount });
    }
    reason("reason", &termination.reason)?;
    Ok(termination)
}

/// Once. Every statement line must be reviewed first: the penalty is computed from here on,
/// and a line nobody looked at would count as hours not done.
pub(super) fn settle(
    contract: &AwardedContract,
    settlement: ContractSettledV1,
    context: &DecisionContext,
) -> Result<ContractSettledV1, DomainError> {
    ensure_not_settled(contract)?;
    positive_amount("final_amount_ht", settlement.final_amount_ht.amount())?;
    settlement_date(contract, "settled_on", settlement.settled_on, context)?;
    let count = contract.pending_review_lines().count();
    if count > 0 {
        return Err(DomainError::LinesPendingReview { count });
    }
    // A request left unapproved would be stranded: nothing is approved after the settlement.
    let mut awaiting = contract.instalments().iter().filter(|i| i.approval().is_none());
    if let Some(first) = awaiting.next() {
        return Err(DomainError::InstalmentsAwaitingApproval { count: 1 + awaiting.count(), first: first.number() });
    }
    Ok(settlement)
}
