//! One instalment: the request, its statement lines with their review, approval and payment.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use suivi_proto::events::{
    Decision, InstalmentApprovedV1, InstalmentPaidV1, InstalmentRequestedV2, Period, StatementLine,
};
use suivi_proto::quantities::MoneyHt;

/// An instalment request and what happened to it since.
#[derive(Debug, Clone, PartialEq)]
pub struct Instalment {
    number: u32,
    period: Period,
    cumulative_value_ht: MoneyHt,
    pub(super) received_on: NaiveDate,
    lines: Vec<ReviewedLine>,
    approval: Option<InstalmentApprovedV1>,
    payment: Option<InstalmentPaidV1>,
}

/// A statement line and the facilitator's decision on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedLine {
    line: StatementLine,
    review: LineReview,
}

/// The facilitator's decision on one line. A line is reviewed once: the decision is final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineReview {
    Pending,
    Validated,
    Rejected { reason: String },
}

impl LineReview {
    pub fn status(&self) -> LineReviewStatus {
        match self {
            LineReview::Pending => LineReviewStatus::Pending,
            LineReview::Validated => LineReviewStatus::Validated,
            LineReview::Rejected { .. } => LineReviewStatus::Rejected,
        }
    }
}

/// Where a statement line's review stands, without the reason of a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineReviewStatus {
    /// Not reviewed yet.
    Pending,
    /// Reviewed and counted.
    Validated,
    /// Reviewed and not counted (the reason is given beside).
    Rejected,
}

impl LineReviewStatus {
    /// How the API and the read models write it: `pending`, `validated`, `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineReviewStatus::Pending => "pending",
            LineReviewStatus::Validated => "validated",
            LineReviewStatus::Rejected => "rejected",
        }
    }
}

/// How far an instalment's statement is reviewed. An empty statement is `Reviewed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewStatus {
    NotReviewed,
    PartiallyReviewed,
    Reviewed,
}

impl Instalment {
    pub(super) fn requested(request: &InstalmentRequestedV2) -> Self {
        Instalment {
            number: request.number,
            period: request.period,
            cumulative_value_ht: request.cumulative_value_ht,
            received_on: request.received_on,
            lines: request
                .statement
                .lines
                .iter()
                .map(|line| ReviewedLine { line: line.clone(), review: LineReview::Pending })
                .collect(),
            approval: None,
            payment: None,
        }
    }

    /// Records a decision on a pending line; a line already decided keeps its first decision.
    pub(super) fn review(&mut self, line_id: u32, decision: &Decision) {
        if let Some(reviewed) = self.lines.iter_mut().find(|reviewed| reviewed.line.line_id == line_id) {
            if reviewed.review == LineReview::Pending {
                reviewed.review = match decision {
                    Decision::Validated {} => LineReview::Validated,
                    Decision::Rejected { reason } => LineReview::Rejected { reason: reason.clone() },
                };
            }
        }
    }

    pub(super) fn approve(&mut self, approval: &InstalmentApprovedV1) {
        self.approval.get_or_insert_with(|| approval.clone());
    }

    pub(super) fn pay(&mut self, payment: &InstalmentPaidV1) {
        self.payment.get_or_insert_with(|| payment.clone());
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn period(&self) -> Period {
        self.period
    }

    /// Cumulative value executed since the start, excluding VAT.
    pub fn cumulative_value_ht(&self) -> MoneyHt {
        self.cumulative_value_ht
    }

    /// Day the buyer received the request: the payment term runs from it.
    pub fn received_on(&self) -> NaiveDate {
        self.received_on
    }

    pub fn lines(&self) -> &[ReviewedLine] {
        &self.lines
    }

    pub fn line(&self, line_id: u32) -> Option<&ReviewedLine> {
        self.lines.iter().find(|reviewed| reviewed.line.line_id == line_id)
    }

    pub fn review_status(&self) -> ReviewStatus {
        let pending = self.lines.iter().filter(|reviewed| reviewed.is_pending()).count();
        match pending {
            0 => ReviewStatus::Reviewed,
            n if n == self.lines.len() => ReviewStatus::NotReviewed,
            _ => ReviewStatus::PartiallyReviewed,
        }
    }

    pub fn approval(&self) -> Option<&InstalmentApprovedV1> {
        self.approval.as_ref()
    }

    pub fn payment(&self) -> Option<&InstalmentPaidV1> {
        self.payment.as_ref()
    }
}

impl ReviewedLine {
    pub fn line(&self) -> &StatementLine {
        &self.line
    }

    pub fn review(&self) -> &LineReview {
        &self.review
    }

    pub fn is_pending(&self) -> bool {
        self.review == LineReview::Pending
    }

    /// Whether the line's hours still count for plausibility (every line but a rejected one).
    pub fn counts(&self) -> bool {
        !matches!(self.review, LineReview::Rejected { .. })
    }
}
