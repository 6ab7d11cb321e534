//! Approval: gross, advance recovery and net, computed by hand.
//!
//! The contract: 1 000 000 € HT, VAT 20 % (1 200 000 € TTC), 12 months, so the advance base is
//! the whole amount including VAT. Figures below are euros including VAT unless said otherwise.

use rust_decimal::Decimal;
use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::{given, Given};

fn submit(n: u32, cumulative: &str) -> Command {
    Command::RequestInstalment(request(n, cumulative))
}

/// Requests instalment `n` at `cumulative` € HT, approves it, expects gross/recovery/net.
fn instalment(scenario: Given, n: u32, cumulative: &str, expected: [&str; 3]) -> Given {
    let [gross, recovery, net] = expected;
    scenario
        .when(submit(n, cumulative))
        .then([request(n, cumulative).into()])
        .when(approve(n))
        .then([approved(n, gross, recovery, net)])
}

#[test]
fn it_approves_an_instalment_without_advance() {
    let no_advance = ContractAwardedV1 { advance_terms: None, ..award() };
    let scenario = given([no_advance.into()]);
    let scenario = instalment(scenario, 1, "250000.00", ["300000.00", "0.00", "300000.00"]);
    instalment(scenario, 2, "400000.00", ["180000.00", "0.00", "180000.00"]);
}

#[test]
fn it_recovers_an_advance_between_65_and_80_percent_and_nothing_once_recovered() {
    // advance 10 % × 1 200 000 = 120 000
    let scenario = given([awarded(), advance("120000.00").into()]);
    // 50 %: before the start
    let scenario = instalment(scenario, 1, "500000.00", ["600000.00", "0.00", "600000.00"]);
    // 70 %: (70 − 65) ÷ (80 − 65) = 1/3 of 120 000 = 40 000
    let scenario = instalment(scenario, 2, "700000.00", ["240000.00", "40000.00", "200000.00"]);
    // 80 %: all of it, 80 000 more
    let scenario = instalment(scenario, 3, "800000.00", ["120000.00", "80000.00", "40000.00"]);
    // 100 %: fully recovered before this last instalment
    let scenario = instalment(scenario, 4, "1000000.00", ["240000.00", "0.00", "240000.00"]);
    let contract = scenario.state().awarded().unwrap().clone();
    assert_eq!(contract.advance_recovered_ttc(), dec("120000"));
    assert_eq!(contract.advance_outstanding_ttc(), dec("0"));
}

#[test]
fn it_recovers_an_advance_up_to_100_percent_without_an_end_bound() {
    let terms = AdvanceRecovery::Thresholds { start_share: dec("0.65"), end_share: None };
    let scenario = given([awarded_with_advance("0.10", terms), advance("120000.00").into()]);
    // 80 %: 120 000 × (80 − 65) ÷ (100 − 65) = 51 428.571… → 51 428.57
    let scenario = instalment(scenario, 1, "800000.00", ["960000.00", "51428.57", "908571.43"]);
    // 100 %: the rest, 68 571.43
    instalment(scenario, 2, "1000000.00", ["240000.00", "68571.43", "171428.57"]);
}

#[test]
fn it_recovers_an_advance_in_proportion_to_the_value_executed() {
    let scenario = given([awarded_with_advance("0.10", AdvanceRecovery::Proportional {}), advance("120000.00").into()]);
    // 30 %: 36 000
    let scenario = instalment(scenario, 1, "300000.00", ["360000.00", "36000.00", "324000.00"]);
    // 100 %: the other 84 000
    instalment(scenario, 2, "1000000.00", ["840000.00", "84000.00", "756000.00"]);
}

#[test]
fn it_caps_recovery_at_the_gross_and_carries_the_rest_to_the_next_instalments() {
    // advance 30 % × 1 200 000 = 360 000, recovered between 65 % and 80 %
    let terms = AdvanceRecovery::Thresholds { start_share: dec("0.65"), end_share: Some(dec("0.80")) };
    let scenario = given([awarded_with_advance("0.30", terms), advance("360000.00").into()]);
    let scenario = instalment(scenario, 1, "650000.00", ["780000.00", "0.00", "780000.00"]);
    // 80 %: 360 000 due, but the instalment is worth 180 000
    let scenario = instalment(scenario, 2, "800000.00", ["180000.00", "180000.00", "0.00"]);
    let scenario = instalment(scenario, 3, "900000.00", ["120000.00", "120000.00", "0.00"]);
    instalment(scenario, 4, "1000000.00", ["120000.00", "60000.00", "60000.00"]);
}

#[test]
fn it_recovers_nothing_from_an_advance_not_paid_and_catches_up_once_it_is() {
    let scenario = given([awarded()]);
    let scenario = instalment(scenario, 1, "700000.00", ["840000.00", "0.00", "840000.00"]);
    let scenario = scenario.when(Command::RecordAdvancePaid(advance("120000.00"))).then([advance("120000.00").into()]);
    // 75 %: 2/3 of 120 000 = 80 000 due, capped at the gross of 60 000
    instalment(scenario, 2, "750000.00", ["60000.00", "60000.00", "0.00"]);
}

#[test]
fn it_rounds_the_gross_half_away_from_zero() {
    // 10.10 × 1.055 = 10.6555 → 10.66
    let reduced_vat = ContractAwardedV1 { vat_rate: dec("0.055"), advance_terms: None, ..award() };
    instalment(given([reduced_vat.into()]), 1, "10.10", ["10.66", "0.00", "10.66"]);
}

#[test]
fn the_grosses_add_up_to_the_value_executed_including_vat_to_the_cent() {
    // 10.10 € HT a time at 5.5 %: each increase alone is 10.6555 → 10.66, and three of them
    // would make 31.98 against 30.30 × 1.055 = 31.9665 → 31.97. The grosses are the increases
    // of the rounded cumulative value TTC: 10.66, 21.311 → 21.31 (10.65), 31.97 (10.66).
    let reduced_vat = ContractAwardedV1 { vat_rate: dec("0.055"), advance_terms: None, ..award() };
    let scenario = instalment(given([reduced_vat.into()]), 1, "10.10", ["10.66", "0.00", "10.66"]);
    let scenario = instalment(scenario, 2, "20.20", ["10.65", "0.00", "10.65"]);
    let scenario = instalment(scenario, 3, "30.30", ["10.66", "0.00", "10.66"]);
    let contract = scenario.state().awarded().unwrap().clone();
    let grosses: Decimal = contract.instalments().iter().map(|i| i.approval().unwrap().gross_ttc.amount()).sum();
    assert_eq!(grosses, dec::<Decimal>("31.97"));
}

#[test]
fn it_deducts_other_deductions() {
    given([awarded(), request(1, "100000.00").into()]).when(approve_with(1, "500.00")).then([approved_with(
        1,
        "120000.00",
        "0.00",
        "500.00",
        "119500.00",
    )]);
}

#[test]
fn it_approves_before_the_statement_is_reviewed() {
    let unreviewed = request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]);
    given([awarded(), unreviewed.into()]).when(approve(1)).then([approved(1, "120000.00", "0.00", "120000.00")]);
}

#[test]
fn it_refuses_deductions_that_exceed_the_instalment() {
    given([awarded(), request(1, "100000.00").into()]).when(approve_with(1, "120000.01")).then_err(
        DomainError::NegativeNetToPay {
            gross_ttc: dec("120000.00"),
            advance_recovery_ttc: dec("0.00"),
            other_deductions_ttc: dec("120000.01"),
        },
    );
}

#[test]
fn it_refuses_negative_or_fractional_other_deductions() {
    let requested = given([awarded(), request(1, "100000.00").into()]);
    requested
        .clone()
        .when(approve_with(1, "-1"))
        .then_err(DomainError::Negative { field: "other_deductions_ttc".to_owned(), value: dec("-1") });
    requested
        .when(approve_with(1, "0.001"))
        .then_err(DomainError::NotInCents { field: "other_deductions_ttc".to_owned(), value: dec("0.001") });
}

#[test]
fn it_refuses_to_approve_an_unknown_instalment() {
    given([awarded()])
        .when(approve(1))
        .then_err(DomainError::UnknownInstalment { field: "number".to_owned(), number: 1 });
}

#[test]
fn it_approves_an_instalment_once() {
    let history: Vec<Event> = vec![awarded(), request(1, "1.00").into(), approved(1, "1.20", "0.00", "1.20")];
    given(history).when(approve(1)).then_err(DomainError::InstalmentAlreadyApproved { number: 1 });
}

#[test]
fn it_approves_instalments_in_order() {
    given([awarded(), request(1, "1.00").into(), request(2, "2.00").into()])
        .when(approve(2))
        .then_err(DomainError::PreviousInstalmentNotApproved { number: 2, previous: 1 });
}

#[test]
fn it_refuses_an_approval_before_the_request_was_received() {
    let early =
        Command::ApproveInstalment { number: 1, approved_on: date("2024-04-02"), other_deductions_ttc: dec("0") };
    given([awarded(), request(1, "1.00").into()]).when(early).then_err(DomainError::DateTooEarly {
        field: "approved_on".to_owned(),
        date: date("2024-04-02"),
        earliest: date("2024-04-03"),
        bound: "the day the request was received",
    });
}

#[test]
fn it_refuses_an_approval_in_the_future() {
    given([awarded(), request(1, "1.00").into()]).today("2024-04-09").when(approve(1)).then_err(
        DomainError::DateInFuture {
            field: "approved_on".to_owned(),
            date: date("2024-04-10"),
            today: date("2024-04-09"),
        },
    );
}

#[test]
fn it_writes_every_amount_approved_with_two_decimals() {
    let scenario = given([awarded(), request(1, "100000").into()]).when(approve(1)).then([approved(
        1,
        "120000.00",
        "0.00",
        "120000.00",
    )]);
    let Some(approval) = scenario.state().awarded().unwrap().instalment(1).unwrap().approval().cloned() else {
        panic!("instalment 1 is approved");
    };
    let payload = Event::from(approval).to_payload();
    for (field, text) in [
        ("gross_ttc", "120000.00"),
        ("advance_recovery_ttc", "0.00"),
        ("other_deductions_ttc", "0.00"),
        ("net_to_pay_ttc", "120000.00"),
    ] {
        assert_eq!(payload[field], text, "{field}");
    }
}

/// Approved in order, so dated in order.
#[test]
fn it_refuses_an_approval_dated_before_the_previous_one() {
    let history = [
        awarded(),
        request(1, "100000.00").into(),
        approved(1, "120000.00", "0.00", "120000.00"),
        request(2, "200000.00").into(),
    ];
    // Instalment 1 was approved on 2024-04-10; instalment 2 received on 2024-05-03.
    let early =
        Command::ApproveInstalment { number: 2, approved_on: date("2024-04-05"), other_deductions_ttc: dec("0") };
    given(history).when(early).then_err(DomainError::DateTooEarly {
        field: "approved_on".to_owned(),
        date: date("2024-04-05"),
        earliest: date("2024-04-10"),
        bound: "the previous instalment's approval",
    });
}
