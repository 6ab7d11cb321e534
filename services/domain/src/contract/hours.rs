//! Insertion-hour totals and the facilitator's queue, read from the instalments.

use chrono::NaiveDate;
use suivi_proto::events::StatementLine;
use suivi_proto::quantities::Hours;

use super::{AwardedContract, LineReview};

/// Insertion hours of a contract, all statements together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursSummary {
    /// Committed after amendments; `None` without an insertion clause.
    pub committed: Option<Hours>,
    /// Every hour declared.
    pub declared: Hours,
    pub validated: Hours,
    pub rejected: Hours,
    /// Declared and not reviewed yet.
    pub pending: Hours,
    /// Committed − validated, never below 0; `None` without an insertion clause.
    pub remaining: Option<Hours>,
}

/// A statement line awaiting the facilitator's review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingLine<'a> {
    pub instalment_number: u32,
    /// When the request was received: the queue is served oldest first.
    pub received_on: NaiveDate,
    pub line: &'a StatementLine,
}

impl AwardedContract {
    /// Hours declared, validated, rejected, pending and remaining.
    pub fn hours(&self) -> HoursSummary {
        let (mut declared, mut validated, mut rejected, mut pending) =
            (Hours::ZERO, Hours::ZERO, Hours::ZERO, Hours::ZERO);
        for reviewed in self.instalments.iter().flat_map(|instalment| instalment.lines()) {
            let hours = reviewed.line().hours;
            declared += hours;
            match reviewed.review() {
                LineReview::Pending => pending += hours,
                LineReview::Validated => validated += hours,
                LineReview::Rejected { .. } => rejected += hours,
            }
        }
        HoursSummary {
            committed: self.committed_hours,
            declared,
            validated,
            rejected,
            pending,
            remaining: self.committed_hours.map(|committed| committed.saturating_sub(validated)),
        }
    }

    /// Lines awaiting review, in request order (which is also the order received).
    pub fn pending_review_lines(&self) -> impl Iterator<Item = PendingLine<'_>> {
        self.instalments.iter().flat_map(|instalment| {
            instalment.lines().iter().filter(|reviewed| reviewed.is_pending()).map(move |reviewed| PendingLine {
                instalment_number: instalment.number(),
                received_on: instalment.received_on(),
                line: reviewed.line(),
            })
        })
    }
}
