//! Why a command is refused: one variant per rule, each carrying what explains it.
//!
//! [`DomainError::field`] names the offending input field as a JSON path into the command's
//! payload (`"statement.lines[3].hours"`), and [`DomainError::code`] gives a stable snake_case
//! code, so the HTTP layer can answer RFC 9457 problem+json (`type` from the code, the field in
//! an extension member) without parsing messages. [`DomainError::message`] says it in French
//! (the default) or in English (the `Display`), with the figures at fault; see the `message` module for
//! how figures, dates and enumerations are written. [`DomainError::examples`] gives one of each.
//!
//! Variants that check a value (`NotPositive`, `DateTooEarly`, …) are shared by every field
//! they apply to and carry that field's path; the others name a rule of one command.

mod describe;
mod examples;
pub mod french;
mod message;

pub(crate) use describe::{decision_field, line_field};
pub use message::Lang;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_proto::codes::Siret;
use suivi_proto::events::BuyerKind;
use suivi_proto::quantities::{Hours, MoneyHt, MoneyTtc, Share};

use crate::contract::ContractStatus;
use crate::plausibility::CalendarMonth;
use crate::reference::NoValueInForce;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // The contract's state.
    #[error("the contract has not been awarded")]
    NotAwarded,
    #[error("the contract is already awarded")]
    AlreadyAwarded,
    #[error("the contract was terminated on {terminated_on}")]
    AlreadyTerminated { terminated_on: NaiveDate },
    #[error("the contract was settled on {settled_on}")]
    AlreadySettled { settled_on: NaiveDate },
    #[error("the contract is {status}: penalties are decided after the final settlement")]
    NotSettled { status: ContractStatus },
    #[error("the contract has no insertion clause")]
    NoInsertionClause { field: Option<String> },

    // Values, whatever the field.
    #[error("{field} must not be blank")]
    BlankText { field: String },
    #[error("{field}: a written reason is required")]
    ReasonRequired { field: String },
    #[error("{field} must be greater than 0 (got {value})")]
    NotPositive { field: String, value: Decimal },
    #[error("{field} must not be negative (got {value})")]
    Negative { field: String, value: Decimal },
    #[error("{field} must be within {range} (got {value})")]
    OutOfRange { field: String, value: Decimal, range: &'static str },
    #[error("{field} must be in whole cents (got {value})")]
    NotInCents { field: String, value: Decimal },
    #[error("{field} ({date}) is in the future (today is {today})")]
    DateInFuture { field: String, date: NaiveDate, today: NaiveDate },
    #[error("{field} ({date}) is before {bound} ({earliest})")]
    DateTooEarly { field: String, date: NaiveDate, earliest: NaiveDate, bound: &'static str },
    #[error("{field} ({date}) is after {bound} ({latest})")]
    DateTooLate { field: String, date: NaiveDate, latest: NaiveDate, bound: &'static str },
    #[error("{field} starts on {start}, after it ends on {end}")]
    PeriodInverted { field: String, start: NaiveDate, end: NaiveDate },
    #[error("{field} ({start} to {end}) must lie between {earliest} and {latest}")]
    PeriodOutOfBounds { field: String, start: NaiveDate, end: NaiveDate, earliest: NaiveDate, latest: NaiveDate },

    // Award.
    #[error("{field}: SIRET {siret} fails its checksum")]
    InvalidSiretChecksum { field: String, siret: Siret },
    #[error("a contract needs at least one contractor")]
    NoContractor,
    #[error("contractor {siret} is listed twice")]
    DuplicateContractor { index: usize, siret: Siret },
    #[error("contractors must be one sole contractor, or one lead and at least one co-contractor")]
    InvalidContractorRoles,
    #[error("{field}: \"no consideration\" cannot be combined with another consideration")]
    ContradictoryConsiderations { field: String },
    #[error("advance recovery must end after it starts (start {start_share}, end {})", end_share.unwrap_or(Share::ONE))]
    RecoveryThresholdsInverted { start_share: Share, end_share: Option<Share> },
    #[error(
        "payment term of {days} days exceeds the legal maximum of {maximum} days for {}",
        message::buyer_kind_en(*buyer_kind)
    )]
    PaymentTermAboveLegalMaximum { days: u16, maximum: u16, buyer_kind: BuyerKind },
    #[error(
        "{committed} committed hours are not plausible: at most {maximum} (the amount HT divided by the gross \
         hourly SMIC, and never above 1000000)"
    )]
    ImplausibleCommittedHours { field: String, committed: Hours, maximum: Hours },

    // Amendment, termination.
    #[error("amendment number {got} is out of sequence: expected {expected}")]
    AmendmentOutOfSequence { expected: u32, got: u32 },
    #[error("{field} ({value}) is below the value already executed ({executed})")]
    BelowExecutedValue { field: String, value: MoneyHt, executed: MoneyHt },
    #[error("{field} ({value}) is above the contract's amount ({amount})")]
    AboveContractAmount { field: String, value: MoneyHt, amount: MoneyHt },
    #[error("{field} ({value}) is above the value executed at termination ({value_at_termination})")]
    AboveValueAtTermination { field: String, value: MoneyHt, value_at_termination: MoneyHt },
    #[error("the contract already has an insertion clause: change its hours with new_committed_hours")]
    InsertionClauseAlreadyAgreed,
    #[error("the contract was awarded without a social clause: an insertion commitment cannot be added by amendment")]
    NoSocialClause,
    #[error("the new duration would end the contract on {new_end}, before work already declared ({last_work_day})")]
    DurationEndsBeforeExecutedWork { new_end: NaiveDate, last_work_day: NaiveDate },

    // Advance.
    #[error("the contract grants no advance")]
    NoAdvanceTerms,
    #[error("the advance was already paid on {paid_on}")]
    AdvanceAlreadyPaid { paid_on: NaiveDate },
    #[error("advance paid ({amount}) is above the advance granted ({granted})")]
    AdvanceAboveGranted { amount: MoneyTtc, granted: MoneyTtc },

    // Instalment request and statement.
    #[error("instalment number {got} is out of sequence: expected {expected}")]
    InstalmentOutOfSequence { expected: u32, got: u32 },
    #[error(
        "the period {start} to {end} overlaps instalment {previous}'s ({previous_start} to {previous_end}): \
         a period is requested once"
    )]
    InstalmentPeriodOverlaps {
        start: NaiveDate,
        end: NaiveDate,
        previous: u32,
        previous_start: NaiveDate,
        previous_end: NaiveDate,
    },
    #[error("line id {line_id} appears twice in the statement")]
    DuplicateLineId { index: usize, line_id: u32 },
    #[error("a statement line covers one calendar month at most ({start} to {end})")]
    LineSpansSeveralMonths { index: usize, start: NaiveDate, end: NaiveDate },
    #[error(
        "{total} hours declared for participant {code} in {month} over all the organisation's contracts: \
         more than {maximum} is not plausible"
    )]
    TooManyHoursPerPersonPerMonth { index: usize, code: String, month: CalendarMonth, total: Hours, maximum: Hours },
    #[error("no participant {code} in the organisation's register")]
    UnknownParticipant { index: usize, code: String },
    #[error(
        "participant {code} is eligible from {eligible_from} to {eligible_until}: the line's period is outside it"
    )]
    ParticipantNotEligible { index: usize, code: String, eligible_from: NaiveDate, eligible_until: NaiveDate },
    #[error("participant {code} was erased: no more hours can be declared for it")]
    ParticipantErased { index: usize, code: String },
    #[error("a statement line must name a registered participant")]
    NotAParticipant { index: usize },

    // Review.
    #[error("instalment {number} does not exist")]
    UnknownInstalment { field: String, number: u32 },
    #[error("a review needs at least one decision")]
    NoDecisions,
    #[error("instalment {instalment}'s statement has no line {line_id}")]
    UnknownLine { index: usize, instalment: u32, line_id: u32 },
    #[error("line {line_id} is decided twice in this review")]
    DuplicateLineDecision { index: usize, line_id: u32 },
    #[error("line {line_id} was already reviewed")]
    LineAlreadyReviewed { index: usize, line_id: u32 },

    // Approval and payment.
    #[error("instalment {number} is already approved")]
    InstalmentAlreadyApproved { number: u32 },
    #[error("instalment {previous} must be approved before instalment {number}")]
    PreviousInstalmentNotApproved { number: u32, previous: u32 },
    #[error(
        "deductions exceed the instalment: gross {gross_ttc} − advance recovery {advance_recovery_ttc} \
         − other deductions {other_deductions_ttc} is negative"
    )]
    NegativeNetToPay { gross_ttc: MoneyTtc, advance_recovery_ttc: MoneyTtc, other_deductions_ttc: MoneyTtc },
    #[error("instalment {number} is not approved")]
    InstalmentNotApproved { number: u32 },
    #[error("instalment {number} was already paid on {paid_on}")]
    InstalmentAlreadyPaid { number: u32, paid_on: NaiveDate },
    #[error("the amount paid ({amount}) is above the net to pay of instalment {number} ({net_to_pay})")]
    PaymentAboveApproved { number: u32, amount: MoneyTtc, net_to_pay: MoneyTtc },

    // Settlement and penalty.
    #[error("{count} statement line(s) still await review: the penalty would count them as not done")]
    LinesPendingReview { count: usize },
    #[error("instalment {first} still awaits approval ({count} in all): approve it before the final settlement")]
    InstalmentsAwaitingApproval { count: usize, first: u32 },
    #[error("the correction gives the value already recorded: nothing to correct")]
    CorrectionChangesNothing,
    #[error("only the last instalment ({last}) can be withdrawn, not instalment {number}")]
    NotTheLastInstalment { number: u32, last: u32 },
    #[error(
        "the contractor must first be notified of the penalty and given time for its observations (the \
         contradictory procedure); to apply no penalty, waive it"
    )]
    PenaltyNotNotified,
    #[error("the contractor was already notified of the penalty on {notified_on}")]
    PenaltyAlreadyNotified { notified_on: NaiveDate },
    #[error(
        "the contractor may present observations until {until}: decide after that day, or once they are received \
         (or waive the penalty)"
    )]
    ObservationPeriodRunning { until: NaiveDate },
    #[error("the contractor's observations were already received on {received_on}")]
    ObservationsAlreadyReceived { received_on: NaiveDate },
    #[error("the penalty was already decided on {decided_on}")]
    PenaltyAlreadyDecided { decided_on: NaiveDate },
    #[error(
        "the proposal is {proposed_ht} € HT, not {amount_ht} € HT: to apply another amount, adjust the penalty \
         with a reason"
    )]
    AmountDiffersFromProposal { amount_ht: MoneyHt, proposed_ht: MoneyHt },
    #[error(
        "{}; the proposal cannot be confirmed (adjust or waive it with a reason)",
        crate::reference::MissingReference::message_of(missing.table, missing.date, crate::Lang::En)
    )]
    PenaltyProposalUnavailable { missing: NoValueInForce },
}
