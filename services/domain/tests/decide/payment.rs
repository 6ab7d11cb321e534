use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

fn record(payment: InstalmentPaidV1) -> Command {
    Command::RecordInstalmentPaid(payment)
}

/// Instalment 1 requested (100 000 € HT) and approved: 120 000 € TTC to pay.
fn approved_instalment() -> Vec<Event> {
    vec![awarded(), request(1, "100000.00").into(), approved(1, "120000.00", "0.00", "120000.00")]
}

#[test]
fn it_records_an_instalment_paid() {
    let state =
        given(approved_instalment()).when(record(paid(1, "120000.00"))).then([paid(1, "120000.00").into()]).state();
    assert_eq!(state.awarded().unwrap().instalment(1).unwrap().payment(), Some(&paid(1, "120000.00")));
}

#[test]
fn it_records_a_payment_after_the_settlement() {
    let mut history = approved_instalment();
    history.push(settlement().into());
    given(history).when(record(paid(1, "120000.00"))).then([paid(1, "120000.00").into()]);
}

#[test]
fn it_refuses_a_payment_of_an_unknown_instalment() {
    given(approved_instalment())
        .when(record(paid(2, "1.00")))
        .then_err(DomainError::UnknownInstalment { field: "number".to_owned(), number: 2 });
}

#[test]
fn it_refuses_a_payment_of_an_instalment_not_approved() {
    given([awarded(), request(1, "100000.00").into()])
        .when(record(paid(1, "120000.00")))
        .then_err(DomainError::InstalmentNotApproved { number: 1 });
}

#[test]
fn it_records_a_payment_once() {
    let mut history = approved_instalment();
    history.push(paid(1, "120000.00").into());
    given(history)
        .when(record(paid(1, "120000.00")))
        .then_err(DomainError::InstalmentAlreadyPaid { number: 1, paid_on: date("2024-04-20") });
}

#[test]
fn it_refuses_a_payment_above_the_net_to_pay_and_takes_less() {
    given(approved_instalment()).when(record(paid(1, "120000.01"))).then_err(DomainError::PaymentAboveApproved {
        number: 1,
        amount: dec("120000.01"),
        net_to_pay: dec("120000.00"),
    });
    given(approved_instalment()).when(record(paid(1, "119000.00"))).then([paid(1, "119000.00").into()]);
}

#[test]
fn it_refuses_a_payment_of_zero() {
    given(approved_instalment())
        .when(record(paid(1, "0")))
        .then_err(DomainError::NotPositive { field: "amount_ttc".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_payment_before_the_approval() {
    given(approved_instalment())
        .when(record(InstalmentPaidV1 { paid_on: date("2024-04-09"), ..paid(1, "1.00") }))
        .then_err(DomainError::DateTooEarly {
            field: "paid_on".to_owned(),
            date: date("2024-04-09"),
            earliest: date("2024-04-10"),
            bound: "the approval date",
        });
}

#[test]
fn it_refuses_a_payment_in_the_future() {
    given(approved_instalment()).today("2024-04-19").when(record(paid(1, "1.00"))).then_err(
        DomainError::DateInFuture { field: "paid_on".to_owned(), date: date("2024-04-20"), today: date("2024-04-19") },
    );
}

#[test]
fn it_refuses_a_payment_without_finance_reference() {
    given(approved_instalment())
        .when(record(InstalmentPaidV1 { finance_reference: "\t".to_owned(), ..paid(1, "1.00") }))
        .then_err(DomainError::BlankText { field: "finance_reference".to_owned() });
}
