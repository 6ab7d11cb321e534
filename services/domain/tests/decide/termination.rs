use suivi_domain::{Command, ContractStatus, DomainError};
use suivi_proto::events::*;

use crate::support::fixtures::*;
use crate::support::given;

fn terminate(termination: ContractTerminatedV1) -> Command {
    Command::Terminate(termination)
}

#[test]
fn it_terminates_a_contract() {
    let state = given([awarded(), request(1, "100000.00").into()])
        .when(terminate(termination()))
        .then([termination().into()])
        .state();
    assert_eq!(state.status(), Some(ContractStatus::Terminated));
    assert_eq!(state.awarded().unwrap().execution_end_date(), date("2024-09-30"));
}

#[test]
fn it_terminates_only_once() {
    given([awarded(), termination().into()])
        .when(terminate(termination()))
        .then_err(DomainError::AlreadyTerminated { terminated_on: date("2024-09-30") });
}

#[test]
fn it_refuses_to_terminate_a_settled_contract() {
    given([awarded(), settlement().into()])
        .when(terminate(termination()))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

#[test]
fn it_refuses_a_termination_before_the_notification() {
    given([awarded()])
        .when(terminate(ContractTerminatedV1 { terminated_on: date("2024-02-01"), ..termination() }))
        .then_err(DomainError::DateTooEarly {
            field: "terminated_on".to_owned(),
            date: date("2024-02-01"),
            earliest: date("2024-03-01"),
            bound: "the notification date",
        });
}

#[test]
fn it_refuses_a_termination_before_the_end_of_work_already_declared() {
    given([awarded(), request(1, "100000.00").into()])
        .when(terminate(ContractTerminatedV1 { terminated_on: date("2024-03-30"), ..termination() }))
        .then_err(DomainError::DateTooEarly {
            field: "terminated_on".to_owned(),
            date: date("2024-03-30"),
            earliest: date("2024-03-31"),
            bound: "the end of the last instalment period",
        });
}

#[test]
fn it_refuses_a_termination_in_the_future() {
    given([awarded()]).today("2024-09-29").when(terminate(termination())).then_err(DomainError::DateInFuture {
        field: "terminated_on".to_owned(),
        date: date("2024-09-30"),
        today: date("2024-09-29"),
    });
}

#[test]
fn it_refuses_a_value_executed_below_what_instalments_claimed() {
    given([awarded(), request(1, "600000.01").into()]).when(terminate(termination())).then_err(
        DomainError::BelowExecutedValue {
            field: "value_executed_ht".to_owned(),
            value: dec("600000.00"),
            executed: dec("600000.01"),
        },
    );
}

#[test]
fn it_refuses_a_negative_value_executed() {
    given([awarded()])
        .when(terminate(ContractTerminatedV1 { value_executed_ht: dec("-1.00"), ..termination() }))
        .then_err(DomainError::Negative { field: "value_executed_ht".to_owned(), value: dec("-1.00") });
}

#[test]
fn it_refuses_a_value_executed_above_the_amended_amount() {
    given([awarded(), amendment(1).into()])
        .when(terminate(ContractTerminatedV1 { value_executed_ht: dec("1100000.01"), ..termination() }))
        .then_err(DomainError::AboveContractAmount {
            field: "value_executed_ht".to_owned(),
            value: dec("1100000.01"),
            amount: dec("1100000.00"),
        });
}

#[test]
fn it_refuses_a_termination_without_a_reason() {
    given([awarded()])
        .when(terminate(ContractTerminatedV1 { reason: String::new(), ..termination() }))
        .then_err(DomainError::ReasonRequired { field: "reason".to_owned() });
}

/// Found by the property tests: a termination dated before a recorded amendment was accepted,
/// so the contract was amended after it ended.
#[test]
fn it_refuses_a_termination_before_the_last_amendment() {
    given([awarded(), amendment(1).into()])
        .when(terminate(ContractTerminatedV1 { terminated_on: date("2024-04-01"), ..termination() }))
        .then_err(DomainError::DateTooEarly {
            field: "terminated_on".to_owned(),
            date: date("2024-04-01"),
            earliest: date("2024-06-03"),
            bound: "the last amendment's signature",
        });
}
