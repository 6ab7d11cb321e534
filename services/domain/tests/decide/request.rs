use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;

use crate::support::fixtures::*;
use crate::support::{self, given};

fn submit(request: InstalmentRequestedV2) -> Command {
    Command::RequestInstalment(request)
}

fn out_of_bounds(field: &str, period: Period, earliest: &str, latest: &str) -> DomainError {
    DomainError::PeriodOutOfBounds {
        field: field.to_owned(),
        start: period.start,
        end: period.end,
        earliest: date(earliest),
        latest: date(latest),
    }
}

#[test]
fn it_requests_an_instalment_with_its_hour_statement() {
    let request = request_with(
        1,
        "100000.00",
        vec![month_line(1, 'a', "151.67", 1), line(2, 'b', "72", "2024-03-11", "2024-03-22")],
    );
    given([awarded()]).when(submit(request.clone())).then([request.into()]);
}

#[test]
fn it_accepts_a_statement_without_lines_and_an_unchanged_cumulative_value() {
    given([awarded(), request(1, "100000.00").into()]).when(submit(request(2, "100000.00"))).then([request(
        2,
        "100000.00",
    )
    .into()]);
}

#[test]
fn it_accepts_hours_declared_late_for_an_earlier_month() {
    let late = request_with(2, "200000.00", vec![month_line(1, 'a', "20", 1)]);
    given([awarded(), request(1, "100000.00").into()]).when(submit(late.clone())).then([late.into()]);
}

#[test]
fn it_accepts_a_request_after_termination_for_work_done_before_it() {
    // September 2024 is the contract's month 7; the termination is on 2024-09-30
    let september = InstalmentRequestedV2 {
        period: period("2024-09-01", "2024-09-30"),
        received_on: date("2024-10-03"),
        ..request_with(2, "600000.00", vec![month_line(1, 'a', "100", 7)])
    };
    given([awarded(), request(1, "100000.00").into(), termination().into()])
        .when(submit(september.clone()))
        .then([september.into()]);
}

#[test]
fn it_numbers_instalments_in_sequence() {
    given([awarded(), request(1, "1.00").into()])
        .when(submit(request(3, "2.00")))
        .then_err(DomainError::InstalmentOutOfSequence { expected: 2, got: 3 });
}

#[test]
fn it_refuses_a_request_received_before_the_notification() {
    let early = InstalmentRequestedV2 { received_on: date("2024-02-29"), ..request(1, "1.00") };
    given([awarded()]).when(submit(early)).then_err(DomainError::DateTooEarly {
        field: "received_on".to_owned(),
        date: date("2024-02-29"),
        earliest: date("2024-03-01"),
        bound: "the notification date",
    });
}

#[test]
fn it_refuses_a_request_received_before_its_period_starts() {
    let early = InstalmentRequestedV2 { received_on: date("2024-03-31"), ..request(2, "1.00") };
    given([awarded(), request(1, "1.00").into()]).when(submit(early)).then_err(DomainError::DateTooEarly {
        field: "received_on".to_owned(),
        date: date("2024-03-31"),
        earliest: date("2024-04-01"),
        bound: "the start of the period requested",
    });
}

#[test]
fn it_refuses_a_request_received_in_the_future() {
    given([awarded()]).today("2024-04-02").when(submit(request(1, "1.00"))).then_err(DomainError::DateInFuture {
        field: "received_on".to_owned(),
        date: date("2024-04-03"),
        today: date("2024-04-02"),
    });
}

#[test]
fn it_refuses_a_period_that_ends_before_it_starts() {
    let inverted = InstalmentRequestedV2 { period: period("2024-03-31", "2024-03-01"), ..request(1, "1.00") };
    given([awarded()]).when(submit(inverted)).then_err(DomainError::PeriodInverted {
        field: "period".to_owned(),
        start: date("2024-03-31"),
        end: date("2024-03-01"),
    });
}

#[test]
fn it_refuses_a_period_outside_the_contract_dates() {
    // 12 months from 2024-03-01: work is accepted up to 2025-03-01
    for p in [period("2024-02-15", "2024-03-10"), period("2025-02-01", "2025-03-02")] {
        let outside = InstalmentRequestedV2 { period: p, ..request(1, "1.00") };
        given([awarded()]).when(submit(outside)).then_err(out_of_bounds("period", p, "2024-03-01", "2025-03-01"));
    }
}

#[test]
fn it_extends_the_contract_dates_with_an_amended_duration() {
    let amended = ContractAmendedV2 { new_duration_months: Some(13), ..amendment(1) };
    let march_2025 = InstalmentRequestedV2 {
        period: period("2025-03-01", "2025-03-31"),
        received_on: date("2025-04-02"),
        ..request(1, "1.00")
    };
    given([awarded(), amended.into()]).when(submit(march_2025.clone())).then([march_2025.into()]);
}

#[test]
fn it_refuses_a_period_after_the_termination_date() {
    let october = request(2, "600000.00");
    let october = InstalmentRequestedV2 { period: period("2024-10-01", "2024-10-31"), ..october };
    given([awarded(), request(1, "100000.00").into(), termination().into()])
        .when(submit(october))
        .then_err(out_of_bounds("period", period("2024-10-01", "2024-10-31"), "2024-03-01", "2024-09-30"));
}

#[test]
fn it_refuses_a_cumulative_value_that_decreases() {
    given([awarded(), request(1, "100000.00").into()]).when(submit(request(2, "99999.99"))).then_err(
        DomainError::BelowExecutedValue {
            field: "cumulative_value_ht".to_owned(),
            value: dec("99999.99"),
            executed: dec("100000.00"),
        },
    );
}

#[test]
fn it_refuses_a_cumulative_value_above_the_amount_until_an_amendment_raises_it() {
    given([awarded()]).when(submit(request(1, "1000000.01"))).then_err(DomainError::AboveContractAmount {
        field: "cumulative_value_ht".to_owned(),
        value: dec("1000000.01"),
        amount: dec("1000000.00"),
    });
    given([awarded(), amendment(1).into()])
        .when(submit(request(1, "1000000.01")))
        .then([request(1, "1000000.01").into()]);
}

#[test]
fn it_refuses_a_cumulative_value_above_the_value_executed_at_termination() {
    let september = InstalmentRequestedV2 {
        period: period("2024-09-01", "2024-09-30"),
        received_on: date("2024-10-03"),
        ..request(2, "600000.01")
    };
    given([awarded(), request(1, "100000.00").into(), termination().into()]).when(submit(september)).then_err(
        DomainError::AboveValueAtTermination {
            field: "cumulative_value_ht".to_owned(),
            value: dec("600000.01"),
            value_at_termination: dec("600000.00"),
        },
    );
}

#[test]
fn it_refuses_a_cumulative_value_in_fractions_of_a_cent() {
    given([awarded()])
        .when(submit(request(1, "100.005")))
        .then_err(DomainError::NotInCents { field: "cumulative_value_ht".to_owned(), value: dec("100.005") });
}

#[test]
fn it_refuses_a_line_without_hours() {
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "10", 1), month_line(2, 'b', "0", 1)]);
    given([awarded()])
        .when(submit(request))
        .then_err(DomainError::NotPositive { field: "statement.lines[1].hours".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_line_id_used_twice_in_a_statement() {
    let request = request_with(1, "1.00", vec![month_line(7, 'a', "10", 1), month_line(7, 'b', "10", 1)]);
    given([awarded()]).when(submit(request)).then_err(DomainError::DuplicateLineId { index: 1, line_id: 7 });
}

#[test]
fn it_refuses_a_line_whose_period_ends_before_it_starts() {
    let request = request_with(1, "1.00", vec![line(1, 'a', "10", "2024-03-20", "2024-03-10")]);
    given([awarded()]).when(submit(request)).then_err(DomainError::PeriodInverted {
        field: "statement.lines[0].period".to_owned(),
        start: date("2024-03-20"),
        end: date("2024-03-10"),
    });
}

#[test]
fn it_refuses_a_line_after_the_requested_period_or_before_the_notification() {
    let april = line(1, 'a', "10", "2024-04-01", "2024-04-05");
    given([awarded()]).when(submit(request_with(1, "1.00", vec![april.clone()]))).then_err(out_of_bounds(
        "statement.lines[0].period",
        april.period,
        "2024-03-01",
        "2024-03-31",
    ));
    let february = line(1, 'a', "10", "2024-02-26", "2024-02-29");
    given([awarded()]).when(submit(request_with(1, "1.00", vec![february.clone()]))).then_err(out_of_bounds(
        "statement.lines[0].period",
        february.period,
        "2024-03-01",
        "2024-03-31",
    ));
}

#[test]
fn it_refuses_a_line_spanning_two_calendar_months() {
    let two_months = request(1, "1.00");
    let two_months = InstalmentRequestedV2 {
        period: period("2024-03-01", "2024-04-30"),
        statement: HourStatement { lines: vec![line(1, 'a', "10", "2024-03-25", "2024-04-05")] },
        ..two_months
    };
    given([awarded()]).when(submit(two_months)).then_err(DomainError::LineSpansSeveralMonths {
        index: 0,
        start: date("2024-03-25"),
        end: date("2024-04-05"),
    });
}

#[test]
fn it_accepts_exactly_230_hours_per_person_per_month() {
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "200", 1), month_line(2, 'a', "30", 1)]);
    given([awarded()]).when(submit(request.clone())).then([request.into()]);
}

#[test]
fn it_rejects_more_than_230_hours_per_person_per_month() {
    let request = request_with(
        1,
        "1.00",
        vec![month_line(1, 'a', "200", 1), month_line(2, 'b', "200", 1), month_line(3, 'a', "30.5", 1)],
    );
    given([awarded()]).when(submit(request)).then_err(DomainError::TooManyHoursPerPersonPerMonth {
        index: 2,
        code: code('a').to_string(),
        month: suivi_domain::plausibility::CalendarMonth::of(date("2024-03-01")),
        total: dec("230.5"),
        maximum: dec("230"),
    });
}

#[test]
fn it_rejects_more_than_230_hours_per_person_per_month_across_statements() {
    let first = request_with(1, "1.00", vec![month_line(1, 'a', "200", 1)]);
    let late = request_with(2, "2.00", vec![month_line(1, 'a', "31", 1)]);
    let error = given([awarded(), first.into()]).when(submit(late));
    error.then_err(DomainError::TooManyHoursPerPersonPerMonth {
        index: 0,
        code: code('a').to_string(),
        month: suivi_domain::plausibility::CalendarMonth::of(date("2024-03-01")),
        total: dec("231"),
        maximum: dec("230"),
    });
}

#[test]
fn it_does_not_count_rejected_lines_towards_the_monthly_limit() {
    let first = request_with(1, "1.00", vec![month_line(1, 'a', "200", 1)]);
    let corrected = request_with(2, "2.00", vec![month_line(1, 'a', "180", 1)]);
    given([awarded(), first.into(), review(1, vec![rejected(1, "Bulletin de paie illisible")]).into()])
        .when(submit(corrected.clone()))
        .then([corrected.into()]);
}

#[test]
fn it_refuses_a_request_after_the_settlement() {
    given([awarded(), settlement().into()])
        .when(submit(request(1, "1.00")))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

// Participants: the register decides who may be declared, and counts hours over every contract.

#[test]
fn it_counts_the_hours_a_participant_did_for_other_firms_towards_the_monthly_limit() {
    // 200 h in March 2024 on another contract of the tenant, for another firm: 31 more is 231.
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "31", 1)]);
    given([awarded()]).counted_elsewhere(code('a'), "2024-03", "200").when(submit(request)).then_err(
        DomainError::TooManyHoursPerPersonPerMonth {
            index: 0,
            code: code('a').to_string(),
            month: suivi_domain::plausibility::CalendarMonth::of(date("2024-03-01")),
            total: dec("231"),
            maximum: dec("230"),
        },
    );
    // 30 more is exactly 230: accepted.
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "30", 1)]);
    given([awarded()])
        .counted_elsewhere(code('a'), "2024-03", "200")
        .when(submit(request.clone()))
        .then([request.into()]);
}

#[test]
fn it_refuses_a_code_that_is_not_in_the_register() {
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "10", 1), month_line(2, 'b', "10", 1)]);
    given([awarded()])
        .unregistered(code('b'))
        .when(submit(request))
        .then_err(DomainError::UnknownParticipant { index: 1, code: code('b').to_string() });
}

#[test]
fn it_refuses_hours_for_an_erased_participant() {
    let erased = support::ParticipantFact { erased: true, ..support::default_fact() };
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "10", 1)]);
    given([awarded()])
        .participant(code('a'), erased)
        .when(submit(request))
        .then_err(DomainError::ParticipantErased { index: 0, code: code('a').to_string() });
}

#[test]
fn it_refuses_a_line_outside_the_participants_eligibility() {
    // Eligible from 10 March 2024: a line covering all of March starts before.
    let eligibility = support::ParticipantFact {
        eligible_from: date("2024-03-10"),
        eligible_until: date("2026-03-09"),
        ..support::default_fact()
    };
    let request = request_with(1, "1.00", vec![month_line(1, 'a', "10", 1)]);
    given([awarded()]).participant(code('a'), eligibility.clone()).when(submit(request)).then_err(
        DomainError::ParticipantNotEligible {
            index: 0,
            code: code('a').to_string(),
            eligible_from: date("2024-03-10"),
            eligible_until: date("2026-03-09"),
        },
    );
    // The same hours from the 10th on are fine.
    let request = request_with(1, "1.00", vec![line(1, 'a', "10", "2024-03-10", "2024-03-31")]);
    given([awarded()]).participant(code('a'), eligibility).when(submit(request.clone())).then([request.into()]);
}

#[test]
fn it_refuses_a_new_line_naming_a_pseudonym_instead_of_a_participant() {
    let pseudonym = suivi_proto::codes::Pseudonym::parse(&"ab".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
    let mut legacy = month_line(1, 'a', "10", 1);
    legacy.beneficiary = Beneficiary::Pseudonym { pseudonym };
    given([awarded()])
        .when(submit(request_with(1, "1.00", vec![legacy])))
        .then_err(DomainError::NotAParticipant { index: 0 });
}

/// Found from outside: a request sent twice without an idempotency key created a second, empty
/// instalment for the same month. A period is requested once.
#[test]
fn it_refuses_a_period_overlapping_an_earlier_instalment() {
    let again = InstalmentRequestedV2 { number: 2, ..request(1, "100000.00") };
    given([awarded(), request(1, "100000.00").into()]).when(submit(again)).then_err(
        DomainError::InstalmentPeriodOverlaps {
            start: date("2024-03-01"),
            end: date("2024-03-31"),
            previous: 1,
            previous_start: date("2024-03-01"),
            previous_end: date("2024-03-31"),
        },
    );
    // A period that starts on the last day of the previous one overlaps too.
    let straddling = InstalmentRequestedV2 { period: period("2024-03-31", "2024-04-30"), ..request(2, "200000.00") };
    given([awarded(), request(1, "100000.00").into()]).when(submit(straddling)).then_err(
        DomainError::InstalmentPeriodOverlaps {
            start: date("2024-03-31"),
            end: date("2024-04-30"),
            previous: 1,
            previous_start: date("2024-03-01"),
            previous_end: date("2024-03-31"),
        },
    );
}
