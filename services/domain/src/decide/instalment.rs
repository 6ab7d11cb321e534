//! Instalment request with its hour statement.
//!
//! Dates: the request's period and every line's period lie within the contract's execution
//! (notification date to planned end, amended; the termination date if terminated). A line may
//! lie before the request's period — hours forgotten in an earlier statement can be declared
//! late — but not after it: hours are declared once done. A request cannot be received before
//! the period it covers starts (it may be received before it ends: a month's request is often
//! sent on its last days). Requests after a termination are
//! accepted, for work done up to the termination date, until the final settlement.

use std::collections::HashSet;

use suivi_proto::events::{Beneficiary, InstalmentRequestedV2, Period, StatementLine};

use super::checks::{non_negative_amount, not_before, not_in_future, period_within};
use super::ensure_not_settled;
use crate::contract::AwardedContract;
use crate::error::line_field;
use crate::plausibility::{check_monthly_hours, CalendarMonth, MAX_HOURS_PER_PERSON_PER_MONTH};
use crate::{DecisionContext, DomainError};

pub(super) fn request(
    contract: &AwardedContract,
    request: InstalmentRequestedV2,
    context: &DecisionContext,
) -> Result<InstalmentRequestedV2, DomainError> {
    ensure_not_settled(contract)?;
    let expected = contract.last_instalment_number().saturating_add(1);
    if request.number != expected {
        return Err(DomainError::InstalmentOutOfSequence { expected, got: request.number });
    }
    not_before("received_on", request.received_on, contract.start_date(), "the notification date")?;
    not_in_future("received_on", request.received_on, context)?;
    period_within("period", &request.period, contract.start_date(), contract.execution_end_date())?;
    not_before("received_on", request.received_on, request.period.start, "the start of the period requested")?;
    not_overlapping(contract, &request)?;
    cumulative_value(contract, &request)?;
    lines(contract, &request, context)?;
    Ok(request)
}

/// A period is requested once: one that overlaps an earlier request's is a request sent twice
/// (or a mistaken period), not new work. Lines may still declare hours of earlier months.
fn not_overlapping(contract: &AwardedContract, request: &InstalmentRequestedV2) -> Result<(), DomainError> {
    let Period { start, end } = request.period;
    let overlapped = contract.instalments().iter().find(|earlier| {
        let previous = earlier.period();
        start <= previous.end && previous.start <= end
    });
    match overlapped {
        Some(earlier) => Err(DomainError::InstalmentPeriodOverlaps {
            start,
            end,
            previous: earlier.number(),
            previous_start: earlier.period().start,
            previous_end: earlier.period().end,
        }),
        None => Ok(()),
    }
}

/// Never decreasing (equal is fine: a statement of hours only), never above the ceiling.
fn cumulative_value(contract: &AwardedContract, request: &InstalmentRequestedV2) -> Result<(), DomainError> {
    let field = || "cumulative_value_ht".to_owned();
    let value = request.cumulative_value_ht;
    non_negative_amount("cumulative_value_ht", value.amount())?;
    let executed = contract.executed_value_ht();
    if value < executed {
        return Err(DomainError::BelowExecutedValue { field: field(), value, executed });
    }
    if let Some(termination) = contract.termination() {
        if value > termination.value_executed_ht {
            return Err(DomainError::AboveValueAtTermination {
                field: field(),
                value,
                value_at_termination: termination.value_executed_ht,
            });
        }
    }
    let amount = contract.current_amount_ht();
    if value > amount {
        return Err(DomainError::AboveContractAmount { field: field(), value, amount });
    }
    Ok(())
}

fn lines(
    contract: &AwardedContract,
    request: &InstalmentRequestedV2,
    context: &DecisionContext,
) -> Result<(), DomainError> {
    let lines: &[StatementLine] = &request.statement.lines;
    let latest = contract.execution_end_date().min(request.period.end);
    let mut ids = HashSet::new();
    for (index, line) in lines.iter().enumerate() {
        if !ids.insert(line.line_id) {
            return Err(DomainError::DuplicateLineId { index, line_id: line.line_id });
        }
        participant(index, line, context)?;
        if line.hours.is_zero() {
            return Err(DomainError::NotPositive { field: line_field(index, "hours"), value: line.hours.value() });
        }
        period_within(&line_field(index, "period"), &line.period, contract.start_date(), latest)?;
        if CalendarMonth::containing(&line.period).is_none() {
            return Err(DomainError::LineSpansSeveralMonths { index, start: line.period.start, end: line.period.end });
        }
        eligible(index, line, context)?;
    }
    let counted =
        |code: &_, month| context.participants.get(code).map(|fact| fact.counted_in(month)).unwrap_or_default();
    check_monthly_hours(lines, counted).map_err(|excess| DomainError::TooManyHoursPerPersonPerMonth {
        index: excess.index,
        code: excess.code.to_string(),
        month: excess.month,
        total: excess.total,
        maximum: MAX_HOURS_PER_PERSON_PER_MONTH,
    })
}

/// A line names a participant of the register, not erased. (Lines naming a pseudonym are only
/// read from v1 events: no new one is accepted.)
fn participant(index: usize, line: &StatementLine, context: &DecisionContext) -> Result<(), DomainError> {
    let Beneficiary::Participant { code } = &line.beneficiary else {
        return Err(DomainError::NotAParticipant { index });
    };
    match context.participants.get(code) {
        None => Err(DomainError::UnknownParticipant { index, code: code.to_string() }),
        Some(fact) if fact.erased => Err(DomainError::ParticipantErased { index, code: code.to_string() }),
        Some(_) => Ok(()),
    }
}

/// The whole line lies within the participant's eligibility (checked once the line's period is
/// known to be sound).
fn eligible(index: usize, line: &StatementLine, context: &DecisionContext) -> Result<(), DomainError> {
    let Some((code, fact)) =
        line.beneficiary.participant().and_then(|code| context.participants.get(code).map(|fact| (code, fact)))
    else {
        return Ok(());
    };
    if line.period.start < fact.eligible_from || line.period.end > fact.eligible_until {
        return Err(DomainError::ParticipantNotEligible {
            index,
            code: code.to_string(),
            eligible_from: fact.eligible_from,
            eligible_until: fact.eligible_until,
        });
    }
    Ok(())
}
