//! The facilitator's review of a statement.
//!
//! A review may decide some lines now and others later (evidence arrives line by line), but a
//! line is decided once: a decision is final, like every event. To correct one, the contractor
//! declares the hours again in a later statement (a rejected line no longer counts towards the
//! monthly plausibility limit, so it does not block the new declaration).

use std::collections::HashSet;

use suivi_proto::events::{Decision, StatementReviewedV1};

use super::checks::reason;
use super::ensure_not_settled;
use crate::contract::AwardedContract;
use crate::error::decision_field;
use crate::DomainError;

pub(super) fn review(
    contract: &AwardedContract,
    review: StatementReviewedV1,
) -> Result<StatementReviewedV1, DomainError> {
    ensure_not_settled(contract)?;
    let number = review.instalment_number;
    let instalment = contract
        .instalment(number)
        .ok_or_else(|| DomainError::UnknownInstalment { field: "instalment_number".to_owned(), number })?;
    if review.decisions.is_empty() {
        return Err(DomainError::NoDecisions);
    }
    let mut decided = HashSet::new();
    for (index, decision) in review.decisions.iter().enumerate() {
        let line_id = decision.line_id;
        let line = instalment.line(line_id).ok_or(DomainError::UnknownLine { index, instalment: number, line_id })?;
        if !decided.insert(line_id) {
            return Err(DomainError::DuplicateLineDecision { index, line_id });
        }
        if !line.is_pending() {
            return Err(DomainError::LineAlreadyReviewed { index, line_id });
        }
        if let Decision::Rejected { reason: text } = &decision.decision {
            reason(&decision_field(index, "decision.reason"), text)?;
        }
    }
    Ok(review)
}
