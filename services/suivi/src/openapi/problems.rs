//! Every problem `type` the API answers: `/problems/<code>`.
//!
//! The edge's own codes are listed here by hand (a test scans the services' sources for
//! `Problem::new`/`Problem::invalid` codes and fails on one missing here); the domain's come from
//! [`suivi_domain::DomainError::code`], through one example refusal per variant (an exhaustive
//! `match` beside the examples stops compiling when a variant is added).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use suivi_domain::plausibility::CalendarMonth;
use suivi_domain::reference::{NoValueInForce, ReferenceTable};
use suivi_domain::{ContractStatus, DomainError};
use suivi_proto::codes::Siret;
use suivi_proto::events::BuyerKind;

/// One problem type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemType {
    pub code: &'static str,
    pub status: u16,
    /// What it means, in English, for the `description` of its entry.
    pub meaning: String,
}

impl ProblemType {
    pub fn type_uri(&self) -> String {
        format!("/problems/{}", self.code)
    }
}

/// The codes the HTTP edge answers itself (`suivi_http` and the handlers), with their status.
pub const EDGE: &[(&str, u16, &str)] = &[
    ("malformed_json", 400, "The body is not valid JSON; `detail` says where it stops making sense."),
    ("invalid_header", 400, "`Idempotency-Key` or `If-Match` is malformed; `field` names the header."),
    ("invalid_path", 400, "The contract id in the path is not a UUID; `field` is `id`."),
    ("unreadable_body", 400, "The body could not be read (e.g. the connection broke)."),
    ("unauthorized", 401, "No bearer token, or one that is unknown or revoked."),
    ("forbidden", 403, "The token's role may not do this; `detail` lists the roles that may."),
    (
        "not_found",
        404,
        "No such contract for the caller: another organisation's contract, or another contractor's, \
         is answered the same, so its existence is not disclosed.",
    ),
    ("already_exists", 409, "The contract is already recorded."),
    (
        "concurrent_change",
        409,
        "The contract changed between reading it and recording the change; read it again and retry.",
    ),
    (
        "no_pseudonym_key",
        409,
        "The organisation's pseudonym key was destroyed or is missing: hour statements cannot be accepted.",
    ),
    (
        "precondition_failed",
        412,
        "`If-Match` does not match the contract's `ETag`: it names an older version (or the current one as a \
         weak `W/` ETag, which never matches); `detail` gives both.",
    ),
    ("body_too_large", 413, "The body is larger than 256 KiB."),
    ("unsupported_media_type", 415, "The body is not sent as `application/json` (or another `+json` type)."),
    (
        "invalid_field",
        422,
        "A value has the wrong shape (unknown field, wrong type, malformed decimal or date, a control \
         character in a text), or a query parameter is missing, invalid or unknown; `field` is its JSON path, \
         or the parameter's name.",
    ),
    (
        "idempotency_key_reused",
        422,
        "The `Idempotency-Key` was already sent by the same token with another request (another contract or \
         another body): a retry must send the same request.",
    ),
    ("buyer_not_in_tenant", 422, "`buyer_siret` is not one of the buyers your organisation purchases for."),
    (
        "received_on_set_by_server",
        422,
        "`received_on` is stamped by Suivi on submission; only a buyer may record another date.",
    ),
    ("invalid_beneficiary_reference", 422, "A beneficiary reference is 1 to 64 characters."),
    ("internal", 500, "An internal error; the body says nothing more, the server's log does."),
    ("unavailable", 503, "The database is unreachable; retry later (with the same `Idempotency-Key`)."),
];

/// Every problem type: the edge's, then the domain's (all 422), each code once.
pub fn problem_types() -> Vec<ProblemType> {
    let edge = EDGE.iter().map(|&(code, status, meaning)| ProblemType { code, status, meaning: meaning.to_owned() });
    let mut seen = std::collections::BTreeSet::new();
    let domain = domain_examples().into_iter().filter(|error| seen.insert(error.code())).map(|error| ProblemType {
        code: error.code(),
        status: 422,
        meaning: format!("A rule of the contract refuses the request, e.g. \u{ab} {error} \u{bb}."),
    });
    edge.chain(domain).collect()
}

/// The `ProblemType` component: a string that is one of the documented types.
pub fn problem_type_schema() -> Value {
    let one_of: Vec<Value> = problem_types()
        .iter()
        .map(|problem| json!({ "const": problem.type_uri(), "description": format!("HTTP {}. {}", problem.status, problem.meaning) }))
        .collect();
    json!({
        "description": "What went wrong, as a stable URI reference `/problems/<code>`; the codes are never \
            renamed once published. Domain codes are `suivi_domain::DomainError::code()`.",
        "type": "string",
        "oneOf": one_of,
    })
}

/// One refusal of each kind, with values that make its message read as a real one.
pub fn domain_examples() -> Vec<DomainError> {
    use DomainError::*;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date");
    let cents = |units: i64| Decimal::new(units, 2);
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
        RecoveryThresholdsInverted { start_share: Decimal::new(8, 1), end_share: Some(Decimal::new(6, 1)) },
        PaymentTermAboveLegalMaximum { days: 60, maximum: 30, buyer_kind: BuyerKind::LocalAuthority },
        AmendmentOutOfSequence { expected: 2, got: 3 },
        BelowExecutedValue { field: field("new_amount_ht"), value: cents(50_000_000), executed: cents(60_000_000) },
        AboveContractAmount {
            field: field("cumulative_value_ht"),
            value: cents(110_000_000),
            amount: cents(100_000_000),
        },
        AboveValueAtTermination {
            field: field("final_amount_ht"),
            value: cents(70_000_000),
            value_at_termination: cents(60_000_000),
        },
        DurationEndsBeforeExecutedWork { new_end: day(2024, 8, 31), last_work_day: day(2024, 9, 30) },
        NoAdvanceTerms,
        AdvanceAlreadyPaid { paid_on: day(2024, 3, 20) },
        AdvanceAboveGranted { amount: cents(13_000_000), granted: cents(12_000_000) },
        InstalmentOutOfSequence { expected: 2, got: 3 },
        DuplicateLineId { index: 1, line_id: 1 },
        LineSpansSeveralMonths { index: 0, start: day(2024, 3, 15), end: day(2024, 4, 15) },
        TooManyHoursPerPersonPerMonth {
            index: 2,
            month: CalendarMonth::of(day(2024, 3, 1)),
            total: Decimal::new(250, 0),
            maximum: Decimal::new(230, 0),
        },
        UnknownInstalment { field: field("instalment_number"), number: 4 },
        NoDecisions,
        UnknownLine { index: 0, instalment: 1, line_id: 9 },
        DuplicateLineDecision { index: 1, line_id: 2 },
        LineAlreadyReviewed { index: 0, line_id: 2 },
        InstalmentAlreadyApproved { number: 1 },
        PreviousInstalmentNotApproved { number: 2, previous: 1 },
        NegativeNetToPay {
            gross_ttc: cents(1_200_000),
            advance_recovery_ttc: cents(1_000_000),
            other_deductions_ttc: cents(500_000),
        },
        InstalmentNotApproved { number: 1 },
        InstalmentAlreadyPaid { number: 1, paid_on: day(2024, 4, 25) },
        LinesPendingReview { count: 2 },
        PenaltyAlreadyDecided { decided_on: day(2025, 5, 20) },
        AmountDiffersFromProposal { amount_ht: cents(4_000_000), proposed_ht: cents(4_398_000) },
        PenaltyProposalUnavailable {
            missing: NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: day(2012, 6, 1) },
        },
    ];
    examples.iter().for_each(every_variant_is_listed);
    examples
}

/// Does nothing, but only compiles while it names every variant: adding one breaks the build
/// here, next to [`domain_examples`], where the new variant needs its example (and so its code
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
        | PeriodInverted { .. }
        | PeriodOutOfBounds { .. }
        | InvalidSiretChecksum { .. }
        | NoContractor
        | DuplicateContractor { .. }
        | InvalidContractorRoles
        | ContradictoryConsiderations { .. }
        | RecoveryThresholdsInverted { .. }
        | PaymentTermAboveLegalMaximum { .. }
        | AmendmentOutOfSequence { .. }
        | BelowExecutedValue { .. }
        | AboveContractAmount { .. }
        | AboveValueAtTermination { .. }
        | DurationEndsBeforeExecutedWork { .. }
        | NoAdvanceTerms
        | AdvanceAlreadyPaid { .. }
        | AdvanceAboveGranted { .. }
        | InstalmentOutOfSequence { .. }
        | DuplicateLineId { .. }
        | LineSpansSeveralMonths { .. }
        | TooManyHoursPerPersonPerMonth { .. }
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
        | LinesPendingReview { .. }
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
    fn it_gives_one_example_per_domain_code_and_one_entry_per_code() {
        let examples = domain_examples();
        let codes: HashSet<&str> = examples.iter().map(DomainError::code).collect();
        assert_eq!(codes.len(), examples.len(), "two examples of one variant");
        let types = problem_types();
        let unique: HashSet<&str> = types.iter().map(|problem| problem.code).collect();
        assert_eq!(unique.len(), types.len(), "a code documented twice");
    }
}
