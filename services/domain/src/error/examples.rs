//! One refusal of each kind, for the documentation (the OpenAPI catalogue of problem codes) and
//! for the tests that read every message.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_proto::codes::Siret;
use suivi_proto::events::BuyerKind;
use suivi_proto::quantities::{Hours, MoneyHt, MoneyTtc, Share};

use super::DomainError;
use crate::contract::ContractStatus;
use crate::plausibility::CalendarMonth;

impl DomainError {
    /// One refusal of each kind, with values that make its message read as a real one: the
    /// OpenAPI document lists their codes, tests read their messages in every language.
    pub fn examples() -> Vec<DomainError> {
        use DomainError::*;
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date");
        let cents = |units: i64| Decimal::new(units, 2);
        let ht = |units: i64| MoneyHt::new(cents(units));
        let share = |tenths: i64| Share::new(Decimal::new(tenths, 1)).unwrap_or(Share::ZERO);
        let ttc = |units: i64| MoneyTtc::new(cents(units));
        let siret = |text: &str| Siret::parse(text).expect("14 digits");
        let field = |name: &str| name.to_owned();
        let examples = vec![
            NotAwarded,
            AlreadyAwarded,
            AlreadyTerminated { terminated_on: day(2024, 9, 30) },
            AlreadySettled { settled_on: day(2025, 4, 15) },
            NotSettled { status: ContractStatus::Awarded },
            NoInsertionClause { field: None },
            BlankText { field: field("object") },
            ReasonRequired { field: field("reason") },
            NotPositive { field: field("amount_ht"), value: Decimal::ZERO },
            Negative { field: field("other_deductions_ttc"), value: cents(-1000) },
            OutOfRange { field: field("vat_rate"), value: Decimal::ONE, range: "[0, 1)" },
            NotInCents { field: field("amount_ht"), value: Decimal::new(1_234_567, 3) },
            DateInFuture { field: field("paid_on"), date: day(2024, 7, 2), today: day(2024, 7, 1) },
            DateTooEarly {
                field: field("period.start"),
                date: day(2024, 2, 1),
                earliest: day(2024, 3, 1),
                bound: "the notification date",
            },
            DateTooLate {
                field: field("correction.received_on"),
                date: day(2024, 4, 12),
                latest: day(2024, 4, 10),
                bound: "the approval date",
            },
            PeriodInverted { field: field("period"), start: day(2024, 4, 30), end: day(2024, 4, 1) },
            PeriodOutOfBounds {
                field: field("statement.lines[0].period"),
                start: day(2024, 5, 1),
                end: day(2024, 5, 31),
                earliest: day(2024, 4, 1),
                latest: day(2024, 4, 30),
            },
            InvalidSiretChecksum { field: field("buyer_siret"), siret: siret("73282932000075") },
            NoContractor,
            DuplicateContractor { index: 1, siret: siret("73282932000074") },
            InvalidContractorRoles,
            ContradictoryConsiderations { field: field("social_considerations") },
            RecoveryThresholdsInverted { start_share: share(8), end_share: Some(share(6)) },
            PaymentTermAboveLegalMaximum { days: 60, maximum: 30, buyer_kind: BuyerKind::LocalAuthority },
            ImplausibleCommittedHours {
                field: field("insertion_clause.committed_hours"),
                committed: Hours::whole(90_000),
                maximum: Hours::whole(83_194),
            },
            AmendmentOutOfSequence { expected: 2, got: 3 },
            BelowExecutedValue { field: field("new_amount_ht"), value: ht(50_000_000), executed: ht(60_000_000) },
            AboveContractAmount {
                field: field("cumulative_value_ht"),
                value: ht(110_000_000),
                amount: ht(100_000_000),
            },
            AboveValueAtTermination {
                field: field("final_amount_ht"),
                value: ht(70_000_000),
                value_at_termination: ht(60_000_000),
            },
            DurationEndsBeforeExecutedWork { new_end: day(2024, 8, 31), last_work_day: day(2024, 9, 30) },
            InsertionClauseAlreadyAgreed,
            NoSocialClause,
            NoAdvanceTerms,
            AdvanceAlreadyPaid { paid_on: day(2024, 3, 20) },
            AdvanceAboveGranted { amount: ttc(13_000_000), granted: ttc(12_000_000) },
            PaymentAboveApproved { number: 1, amount: ttc(12_100_000), net_to_pay: ttc(12_000_000) },
            InstalmentOutOfSequence { expected: 2, got: 3 },
            InstalmentPeriodOverlaps {
                start: day(2024, 3, 1),
                end: day(2024, 3, 31),
                previous: 1,
                previous_start: day(2024, 3, 1),
                previous_end: day(2024, 3, 31),
            },
            DuplicateLineId { index: 1, line_id: 1 },
            LineSpansSeveralMonths { index: 0, start: day(2024, 3, 15), end: day(2024, 4, 15) },
            TooManyHoursPerPersonPerMonth {
                index: 2,
                code: "K7M2QX9A".to_owned(),
                month: CalendarMonth::of(day(2024, 3, 1)),
                total: Hours::whole(250),
                maximum: Hours::whole(230),
            },
            UnknownParticipant { index: 0, code: "K7M2QX9B".to_owned() },
            ParticipantNotEligible {
                index: 1,
                code: "K7M2QX9A".to_owned(),
                eligible_from: day(2024, 4, 1),
                eligible_until: day(2026, 3, 31),
            },
            ParticipantErased { index: 0, code: "K7M2QX9A".to_owned() },
            NotAParticipant { index: 0 },
            UnknownInstalment { field: field("instalment_number"), number: 4 },
            NoDecisions,
            UnknownLine { index: 0, instalment: 1, line_id: 9 },
            DuplicateLineDecision { index: 1, line_id: 2 },
            LineAlreadyReviewed { index: 0, line_id: 2 },
            InstalmentAlreadyApproved { number: 1 },
            PreviousInstalmentNotApproved { number: 2, previous: 1 },
            NegativeNetToPay {
                gross_ttc: ttc(1_200_000),
                advance_recovery_ttc: ttc(1_000_000),
                other_deductions_ttc: ttc(500_000),
            },
            InstalmentNotApproved { number: 1 },
            InstalmentAlreadyPaid { number: 1, paid_on: day(2024, 4, 25) },
            LinesPendingReview { count: 2 },
            InstalmentsAwaitingApproval { count: 1, first: 3 },
            CorrectionChangesNothing,
            NotTheLastInstalment { number: 1, last: 2 },
            PenaltyNotNotified,
            PenaltyAlreadyNotified { notified_on: day(2025, 5, 2) },
            ObservationPeriodRunning { until: day(2025, 5, 17) },
            ObservationsAlreadyReceived { received_on: day(2025, 5, 12) },
            PenaltyAlreadyDecided { decided_on: day(2025, 5, 20) },
            AmountDiffersFromProposal { amount_ht: ht(400_000), proposed_ht: ht(450_000) },
            PenaltyProposalUnavailable {
                missing: crate::reference::NoValueInForce {
                    table: crate::reference::ReferenceTable::GrossHourlySmic,
                    date: day(2012, 6, 1),
                },
            },
        ];
        examples.iter().for_each(every_variant_is_listed);
        examples
    }
}

/// Does nothing, but only compiles while it names every variant: adding one breaks the build
/// here, next to [`DomainError::examples`], where the new variant needs its example (and so its code
/// is documented).
fn every_variant_is_listed(error: &DomainError) {
    use DomainError::*;
    match error {
        NotAwarded
        | AlreadyAwarded
        | AlreadyTerminated { .. }
        | AlreadySettled { .. }
        | NotSettled { .. }
        | NoInsertionClause { .. }
        | BlankText { .. }
        | ReasonRequired { .. }
        | NotPositive { .. }
        | Negative { .. }
        | OutOfRange { .. }
        | NotInCents { .. }
        | DateInFuture { .. }
        | DateTooEarly { .. }
        | DateTooLate { .. }
        | CorrectionChangesNothing
        | NotTheLastInstalment { .. }
        | PeriodInverted { .. }
        | PeriodOutOfBounds { .. }
        | InvalidSiretChecksum { .. }
        | NoContractor
        | DuplicateContractor { .. }
        | InvalidContractorRoles
        | ContradictoryConsiderations { .. }
        | RecoveryThresholdsInverted { .. }
        | PaymentTermAboveLegalMaximum { .. }
        | ImplausibleCommittedHours { .. }
        | InstalmentPeriodOverlaps { .. }
        | InstalmentsAwaitingApproval { .. }
        | AmendmentOutOfSequence { .. }
        | BelowExecutedValue { .. }
        | AboveContractAmount { .. }
        | AboveValueAtTermination { .. }
        | DurationEndsBeforeExecutedWork { .. }
        | InsertionClauseAlreadyAgreed
        | NoSocialClause
        | NoAdvanceTerms
        | AdvanceAlreadyPaid { .. }
        | AdvanceAboveGranted { .. }
        | InstalmentOutOfSequence { .. }
        | DuplicateLineId { .. }
        | LineSpansSeveralMonths { .. }
        | TooManyHoursPerPersonPerMonth { .. }
        | UnknownParticipant { .. }
        | ParticipantNotEligible { .. }
        | ParticipantErased { .. }
        | NotAParticipant { .. }
        | UnknownInstalment { .. }
        | NoDecisions
        | UnknownLine { .. }
        | DuplicateLineDecision { .. }
        | LineAlreadyReviewed { .. }
        | InstalmentAlreadyApproved { .. }
        | PreviousInstalmentNotApproved { .. }
        | NegativeNetToPay { .. }
        | InstalmentNotApproved { .. }
        | InstalmentAlreadyPaid { .. }
        | PaymentAboveApproved { .. }
        | LinesPendingReview { .. }
        | PenaltyNotNotified
        | PenaltyAlreadyNotified { .. }
        | ObservationPeriodRunning { .. }
        | ObservationsAlreadyReceived { .. }
        | PenaltyAlreadyDecided { .. }
        | AmountDiffersFromProposal { .. }
        | PenaltyProposalUnavailable { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn it_gives_one_example_per_code() {
        let examples = DomainError::examples();
        let codes: HashSet<&str> = examples.iter().map(DomainError::code).collect();
        assert_eq!(codes.len(), examples.len(), "two examples of one variant");
    }
}
