//! Insertion-hour totals and the facilitator's queue, read from the instalments.

use chrono::NaiveDate;
use suivi_proto::events::StatementLine;
use suivi_proto::quantities::Hours;

use super::{AwardedContract, LineReview};
use crate::penalty::{pro_rate, Termination};

/// Insertion hours of a contract, all statements together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursSummary {
    /// Committed after amendments; `None` without an insertion clause.
    pub committed: Option<Hours>,
    /// The commitment pro-rated to the value executed by an early termination, when the penalty
    /// terms say so and it changes the figure: committed × value executed ÷ amount (domain.md
    /// §4b), exact (the penalty's pro-rata).
    pub pro_rated_committed: Option<Hours>,
    /// Every hour declared.
    pub declared: Hours,
    pub validated: Hours,
    pub rejected: Hours,
    /// Declared and not reviewed yet.
    pub pending: Hours,
    /// Committed (pro-rated if so) − validated, never below 0; `None` without an insertion clause.
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
        let pro_rated_committed = self.pro_rated_committed_hours();
        HoursSummary {
            committed: self.committed_hours,
            pro_rated_committed,
            declared,
            validated,
            rejected,
            pending,
            remaining: pro_rated_committed
                .or(self.committed_hours)
                .map(|committed| committed.saturating_sub(validated)),
        }
    }

    /// The commitment the contractor is held to: after amendments, pro-rated on an early
    /// termination when the terms say so. What the penalty and the remaining hours measure.
    pub fn effective_committed_hours(&self) -> Option<Hours> {
        self.pro_rated_committed_hours().or(self.committed_hours)
    }

    /// The pro-rated commitment, when a termination pro-rates it to another figure.
    fn pro_rated_committed_hours(&self) -> Option<Hours> {
        let (committed, clause, termination) =
            (self.committed_hours?, self.insertion_clause.as_ref()?, self.termination.as_ref()?);
        let termination = Termination {
            value_executed_ht: termination.value_executed_ht,
            amount_ht: self.current_amount_ht(),
            pro_rata_on_termination: clause.penalty_terms.pro_rata_on_termination,
        };
        if !termination.pro_rata_on_termination {
            return None;
        }
        pro_rate(committed, termination).1.filter(|pro_rated| *pro_rated != committed)
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
