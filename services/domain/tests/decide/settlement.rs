use suivi_domain::{Command, ContractStatus, DomainError};
use suivi_proto::events::*;

use crate::support::fixtures::*;
use crate::support::given;

fn settle(settlement: ContractSettledV1) -> Command {
    Command::Settle(settlement)
}

#[test]
fn it_settles_a_contract() {
    let reviewed = [
        awarded(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]).into(),
        review(1, vec![validated(1)]).into(),
    ];
    let state = given(reviewed).when(settle(settlement())).then([settlement().into()]).state();
    assert_eq!(state.status(), Some(ContractStatus::Settled));
}

#[test]
fn it_settles_a_terminated_contract() {
    let state = given([awarded(), termination().into()]).when(settle(settlement())).then([settlement().into()]).state();
    assert_eq!(state.status(), Some(ContractStatus::Settled));
}

#[test]
fn it_settles_once() {
    given([awarded(), settlement().into()])
        .when(settle(settlement()))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

#[test]
fn it_refuses_a_final_amount_of_zero() {
    given([awarded()])
        .when(settle(ContractSettledV1 { final_amount_ht: dec("0"), ..settlement() }))
        .then_err(DomainError::NotPositive { field: "final_amount_ht".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_settlement_before_the_notification() {
    given([awarded()]).when(settle(ContractSettledV1 { settled_on: date("2024-01-01"), ..settlement() })).then_err(
        DomainError::DateTooEarly {
            field: "settled_on".to_owned(),
            date: date("2024-01-01"),
            earliest: date("2024-03-01"),
            bound: "the notification date",
        },
    );
}

#[test]
fn it_refuses_a_settlement_before_the_termination() {
    given([awarded(), termination().into()])
        .when(settle(ContractSettledV1 { settled_on: date("2024-09-29"), ..settlement() }))
        .then_err(DomainError::DateTooEarly {
            field: "settled_on".to_owned(),
            date: date("2024-09-29"),
            earliest: date("2024-09-30"),
            bound: "the termination date",
        });
}

#[test]
fn it_refuses_a_settlement_in_the_future() {
    given([awarded()]).today("2025-04-14").when(settle(settlement())).then_err(DomainError::DateInFuture {
        field: "settled_on".to_owned(),
        date: date("2025-04-15"),
        today: date("2025-04-14"),
    });
}

#[test]
fn it_refuses_to_settle_while_statement_lines_await_review() {
    let history = [
        awarded(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1), month_line(2, 'b', "50", 1)]).into(),
        review(1, vec![validated(1)]).into(),
    ];
    given(history).when(settle(settlement())).then_err(DomainError::LinesPendingReview { count: 1 });
}

#[test]
fn it_closes_the_execution_after_the_settlement() {
    let settled = given([awarded(), request(1, "100000.00").into(), settlement().into()]);
    let closed = DomainError::AlreadySettled { settled_on: date("2025-04-15") };
    settled.clone().when(Command::RequestInstalment(request(2, "200000.00"))).then_err(closed.clone());
    settled.clone().when(approve(1)).then_err(closed.clone());
    settled.clone().when(Command::Amend(amendment(1))).then_err(closed.clone());
    settled.when(Command::Terminate(termination())).then_err(closed);
}

/// Found by the property tests: a settlement dated before the work it settles was accepted.
#[test]
fn it_refuses_a_settlement_before_the_end_of_the_last_instalment_period() {
    let reviewed = [
        awarded(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]).into(),
        review(1, vec![validated(1)]).into(),
    ];
    given(reviewed).when(settle(ContractSettledV1 { settled_on: date("2024-03-15"), ..settlement() })).then_err(
        DomainError::DateTooEarly {
            field: "settled_on".to_owned(),
            date: date("2024-03-15"),
            earliest: date("2024-03-31"),
            bound: "the end of the last instalment period",
        },
    );
}
