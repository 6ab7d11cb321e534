//! Every refusal has a stable, unique snake_case code, and names its field when it has one.

use std::collections::HashSet;

use suivi_domain::plausibility::CalendarMonth;
use suivi_domain::reference::{NoValueInForce, ReferenceTable};
use suivi_domain::{ContractStatus, DomainError};
use suivi_proto::events::BuyerKind;

use crate::support::fixtures::*;

/// One of each variant, with the code and field it must report.
fn every_variant() -> Vec<(DomainError, &'static str, Option<&'static str>)> {
    use DomainError::*;
    let day = || date("2024-03-01");
    let f = |field: &str| field.to_owned();
    vec![
        (NotAwarded, "not_awarded", None),
        (AlreadyAwarded, "already_awarded", None),
        (AlreadyTerminated { terminated_on: day() }, "already_terminated", None),
        (AlreadySettled { settled_on: day() }, "already_settled", None),
        (NotSettled { status: ContractStatus::Awarded }, "not_settled", None),
        (NoInsertionClause { field: None }, "no_insertion_clause", None),
        (BlankText { field: f("object") }, "blank_text", Some("object")),
        (ReasonRequired { field: f("reason") }, "reason_required", Some("reason")),
        (NotPositive { field: f("amount_ht"), value: dec("0") }, "not_positive", Some("amount_ht")),
        (Negative { field: f("a.b"), value: dec("-1") }, "negative", Some("a.b")),
        (OutOfRange { field: f("vat_rate"), value: dec("1"), range: "[0, 1)" }, "out_of_range", Some("vat_rate")),
        (NotInCents { field: f("amount_ht"), value: dec("0.001") }, "not_in_cents", Some("amount_ht")),
        (DateInFuture { field: f("paid_on"), date: day(), today: day() }, "date_in_future", Some("paid_on")),
        (
            DateTooEarly { field: f("paid_on"), date: day(), earliest: day(), bound: "x" },
            "date_too_early",
            Some("paid_on"),
        ),
        (PeriodInverted { field: f("period"), start: day(), end: day() }, "period_inverted", Some("period")),
        (
            PeriodOutOfBounds { field: f("period"), start: day(), end: day(), earliest: day(), latest: day() },
            "period_out_of_bounds",
            Some("period"),
        ),
        (
            InvalidSiretChecksum { field: f("buyer_siret"), siret: siret(BAD_CHECKSUM) },
            "invalid_siret_checksum",
            Some("buyer_siret"),
        ),
        (NoContractor, "no_contractor", Some("contractors")),
        (
            DuplicateContractor { index: 1, siret: siret(CONTRACTOR) },
            "duplicate_contractor",
            Some("contractors[1].siret"),
        ),
        (InvalidContractorRoles, "invalid_contractor_roles", Some("contractors")),
        (
            ContradictoryConsiderations { field: f("social_considerations") },
            "contradictory_considerations",
            Some("social_considerations"),
        ),
        (
            RecoveryThresholdsInverted { start_share: dec("0.8"), end_share: Some(dec("0.6")) },
            "recovery_thresholds_inverted",
            Some("advance_terms.recovery.end_share"),
        ),
        (
            RecoveryThresholdsInverted { start_share: dec("1"), end_share: None },
            "recovery_thresholds_inverted",
            Some("advance_terms.recovery.start_share"),
        ),
        (
            PaymentTermAboveLegalMaximum { days: 60, maximum: 30, buyer_kind: BuyerKind::State },
            "payment_term_above_legal_maximum",
            Some("payment_term_days"),
        ),
        (AmendmentOutOfSequence { expected: 1, got: 2 }, "amendment_out_of_sequence", Some("amendment_number")),
        (
            BelowExecutedValue { field: f("new_amount_ht"), value: dec("1"), executed: dec("2") },
            "below_executed_value",
            Some("new_amount_ht"),
        ),
        (
            AboveContractAmount { field: f("cumulative_value_ht"), value: dec("2"), amount: dec("1") },
            "above_contract_amount",
            Some("cumulative_value_ht"),
        ),
        (
            AboveValueAtTermination {
                field: f("cumulative_value_ht"),
                value: dec("2"),
                value_at_termination: dec("1"),
            },
            "above_value_at_termination",
            Some("cumulative_value_ht"),
        ),
        (
            DurationEndsBeforeExecutedWork { new_end: day(), last_work_day: day() },
            "duration_ends_before_executed_work",
            Some("new_duration_months"),
        ),
        (NoAdvanceTerms, "no_advance_terms", None),
        (AdvanceAlreadyPaid { paid_on: day() }, "advance_already_paid", None),
        (AdvanceAboveGranted { amount: dec("2"), granted: dec("1") }, "advance_above_granted", Some("amount_ttc")),
        (
            PaymentAboveApproved { number: 1, amount: dec("2"), net_to_pay: dec("1") },
            "payment_above_approved",
            Some("amount_ttc"),
        ),
        (InstalmentOutOfSequence { expected: 1, got: 3 }, "instalment_out_of_sequence", Some("number")),
        (DuplicateLineId { index: 2, line_id: 7 }, "duplicate_line_id", Some("statement.lines[2].line_id")),
        (
            LineSpansSeveralMonths { index: 0, start: day(), end: day() },
            "line_spans_several_months",
            Some("statement.lines[0].period"),
        ),
        (
            TooManyHoursPerPersonPerMonth {
                index: 3,
                code: "P0000097".to_owned(),
                month: CalendarMonth::of(day()),
                total: dec("231"),
                maximum: dec("230"),
            },
            "too_many_hours_per_person_per_month",
            Some("statement.lines[3].hours"),
        ),
        (
            UnknownInstalment { field: f("instalment_number"), number: 4 },
            "unknown_instalment",
            Some("instalment_number"),
        ),
        (NoDecisions, "no_decisions", Some("decisions")),
        (UnknownLine { index: 1, instalment: 1, line_id: 9 }, "unknown_line", Some("decisions[1].line_id")),
        (DuplicateLineDecision { index: 1, line_id: 2 }, "duplicate_line_decision", Some("decisions[1].line_id")),
        (LineAlreadyReviewed { index: 0, line_id: 2 }, "line_already_reviewed", Some("decisions[0].line_id")),
        (InstalmentAlreadyApproved { number: 1 }, "instalment_already_approved", Some("number")),
        (PreviousInstalmentNotApproved { number: 2, previous: 1 }, "previous_instalment_not_approved", Some("number")),
        (
            NegativeNetToPay { gross_ttc: dec("1"), advance_recovery_ttc: dec("1"), other_deductions_ttc: dec("1") },
            "negative_net_to_pay",
            Some("other_deductions_ttc"),
        ),
        (InstalmentNotApproved { number: 1 }, "instalment_not_approved", Some("number")),
        (InstalmentAlreadyPaid { number: 1, paid_on: day() }, "instalment_already_paid", Some("number")),
        (LinesPendingReview { count: 2 }, "lines_pending_review", None),
        (InstalmentsAwaitingApproval { count: 2, first: 3 }, "instalments_awaiting_approval", None),
        (
            InstalmentPeriodOverlaps {
                start: day(),
                end: day(),
                previous: 1,
                previous_start: day(),
                previous_end: day(),
            },
            "instalment_period_overlaps",
            Some("period"),
        ),
        (
            ImplausibleCommittedHours {
                field: f("insertion_clause.committed_hours"),
                committed: dec("90000"),
                maximum: dec("85836"),
            },
            "implausible_committed_hours",
            Some("insertion_clause.committed_hours"),
        ),
        (InsertionClauseAlreadyAgreed, "insertion_clause_already_agreed", Some("insertion_clause")),
        (NoSocialClause, "no_social_clause", Some("insertion_clause")),
        (PenaltyAlreadyDecided { decided_on: day() }, "penalty_already_decided", None),
        (
            AmountDiffersFromProposal { amount_ht: dec("40000.00"), proposed_ht: dec("43980.00") },
            "amount_differs_from_proposal",
            Some("amount_ht"),
        ),
        (
            PenaltyProposalUnavailable {
                missing: NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: day() },
            },
            "penalty_proposal_unavailable",
            Some("amount_ht"),
        ),
    ]
}

#[test]
fn every_refusal_reports_its_code_and_field() {
    for (error, code, field) in every_variant() {
        assert_eq!(error.code(), code, "{error:?}");
        assert_eq!(error.field().as_deref(), field, "{error:?}");
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn codes_are_unique_and_snake_case() {
    let variants = every_variant();
    let codes: HashSet<&str> = variants.iter().map(|(error, _, _)| error.code()).collect();
    // RecoveryThresholdsInverted appears twice (one per field it may name)
    assert_eq!(codes.len(), variants.len() - 1);
    for code in codes {
        assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
    }
}

#[test]
fn messages_say_what_is_wrong_in_a_sentence() {
    let error = DomainError::TooManyHoursPerPersonPerMonth {
        index: 3,
        code: "P0000097".to_owned(),
        month: CalendarMonth::of(date("2024-06-10")),
        total: dec("240.5"),
        maximum: dec("230"),
    };
    assert_eq!(
        error.to_string(),
        "240.5 hours declared for participant P0000097 in 2024-06 over all the organisation's contracts: more than \
         230 is not plausible"
    );
    let error = DomainError::NotPositive { field: "statement.lines[0].hours".to_owned(), value: dec("0") };
    assert_eq!(error.to_string(), "statement.lines[0].hours must be greater than 0 (got 0)");
}

#[test]
fn state_conflicts_are_told_apart_from_invalid_values() {
    assert!(DomainError::AlreadySettled { settled_on: date("2025-01-01") }.is_conflict());
    assert!(!DomainError::NoContractor.is_conflict());
}
