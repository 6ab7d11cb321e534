use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;

use crate::support::fixtures::*;
use crate::support::given;

fn record(advance: AdvancePaidV1) -> Command {
    Command::RecordAdvancePaid(advance)
}

#[test]
fn it_records_the_advance_paid() {
    // 10 % of 1 200 000 € TTC (12 months: the whole amount is the base)
    let state = given([awarded()]).when(record(advance("120000.00"))).then([advance("120000.00").into()]).state();
    assert_eq!(state.awarded().unwrap().advance_outstanding_ttc(), dec("120000.00"));
}

#[test]
fn it_records_an_advance_paid_after_the_settlement() {
    given([awarded(), settlement().into()]).when(record(advance("1000.00"))).then([advance("1000.00").into()]);
}

#[test]
fn it_accepts_any_advance_when_the_rate_is_not_stated() {
    let history = [awarded_with_advance("0", AdvanceRecovery::Proportional {})];
    given(history).when(record(advance("500000.00"))).then([advance("500000.00").into()]);
}

#[test]
fn it_refuses_an_advance_the_contract_does_not_grant() {
    let no_advance = ContractAwardedV1 { advance_terms: None, ..award() };
    given([no_advance.into()]).when(record(advance("1000.00"))).then_err(DomainError::NoAdvanceTerms);
}

#[test]
fn it_records_the_advance_once() {
    given([awarded(), advance("60000.00").into()])
        .when(record(advance("60000.00")))
        .then_err(DomainError::AdvanceAlreadyPaid { paid_on: date("2024-03-20") });
}

#[test]
fn it_refuses_an_advance_of_zero() {
    given([awarded()])
        .when(record(advance("0")))
        .then_err(DomainError::NotPositive { field: "amount_ttc".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_an_advance_above_the_advance_granted() {
    // 18 months: the base is 12/18 of 1 200 000 = 800 000, and 10 % of it is 80 000
    let long = ContractAwardedV1 { duration_months: 18, ..award() };
    given([long.into()])
        .when(record(advance("80000.01")))
        .then_err(DomainError::AdvanceAboveGranted { amount: dec("80000.01"), granted: dec("80000.00") });
}

#[test]
fn it_refuses_an_advance_paid_before_the_notification() {
    given([awarded()]).when(record(AdvancePaidV1 { paid_on: date("2024-02-29"), ..advance("1000.00") })).then_err(
        DomainError::DateTooEarly {
            field: "paid_on".to_owned(),
            date: date("2024-02-29"),
            earliest: date("2024-03-01"),
            bound: "the notification date",
        },
    );
}

#[test]
fn it_refuses_an_advance_paid_in_the_future() {
    given([awarded()]).today("2024-03-19").when(record(advance("1000.00"))).then_err(DomainError::DateInFuture {
        field: "paid_on".to_owned(),
        date: date("2024-03-20"),
        today: date("2024-03-19"),
    });
}

#[test]
fn it_refuses_an_advance_without_finance_reference() {
    given([awarded()])
        .when(record(AdvancePaidV1 { finance_reference: String::new(), ..advance("1000.00") }))
        .then_err(DomainError::BlankText { field: "finance_reference".to_owned() });
}
