use suivi_domain::final_balance::final_balance;
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
        approved(1, "120000.00", "0.00", "120000.00"),
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

/// Nothing is approved after the settlement: a request left unapproved would be stranded.
#[test]
fn it_refuses_to_settle_while_an_instalment_awaits_approval() {
    let history = [
        awarded(),
        request(1, "100000.00").into(),
        approved(1, "120000.00", "0.00", "120000.00"),
        request(2, "200000.00").into(),
        request(3, "300000.00").into(),
    ];
    given(history).when(settle(settlement())).then_err(DomainError::InstalmentsAwaitingApproval { count: 2, first: 2 });
}

/// Found from outside: a settlement dated before the requests it settles put the penalty in a
/// year before the facts. It comes after the last receipt and the last approval.
#[test]
fn it_refuses_a_settlement_before_the_last_receipt_or_approval() {
    let history = [awarded(), request(1, "100000.00").into(), approved(1, "120000.00", "0.00", "120000.00")];
    let before = |day: &str, earliest: &str, bound: &'static str| DomainError::DateTooEarly {
        field: "settled_on".to_owned(),
        date: date(day),
        earliest: date(earliest),
        bound,
    };
    // Received 2024-04-03, approved 2024-04-10 (the period ended 2024-03-31).
    given(history.clone())
        .when(settle(ContractSettledV1 { settled_on: date("2024-04-02"), ..settlement() }))
        .then_err(before("2024-04-02", "2024-04-03", "the last request's receipt"));
    given(history.clone())
        .when(settle(ContractSettledV1 { settled_on: date("2024-04-09"), ..settlement() }))
        .then_err(before("2024-04-09", "2024-04-10", "the last approval"));
    given(history)
        .when(settle(ContractSettledV1 { settled_on: date("2024-04-10"), ..settlement() }))
        .then([ContractSettledV1 { settled_on: date("2024-04-10"), ..settlement() }.into()]);
}

/// The settlement states the balance: the final amount TTC, less the instalments approved, less
/// the advance still outstanding, which it recovers.
#[test]
fn the_settlement_states_the_final_balance_recovering_the_advance_outstanding() {
    let history = [
        awarded(),
        advance("120000.00").into(),
        request(1, "100000.00").into(),
        // 10 % executed, below the 65 % threshold: nothing recovered yet.
        approved(1, "120000.00", "0.00", "120000.00"),
    ];
    let state = given(history).when(settle(settlement())).then([settlement().into()]).state();
    let balance = final_balance(state.awarded().unwrap()).unwrap();
    assert_eq!(balance.final_amount_ttc, dec("1200000.00"));
    assert_eq!(balance.instalments_gross_ttc, dec("120000.00"));
    assert_eq!(balance.advance_recovered_at_settlement_ttc, dec("120000.00"));
    assert_eq!(balance.balance_ttc, dec("960000.00"));

    // A final amount below what was paid leaves the contractor owing the difference.
    let short = ContractSettledV1 { final_amount_ht: dec("150000.00"), ..settlement() };
    let history = [
        awarded(),
        advance("120000.00").into(),
        request(1, "100000.00").into(),
        approved(1, "120000.00", "0.00", "120000.00"),
        short.clone().into(),
    ];
    let balance = final_balance(given(history).state().awarded().unwrap()).unwrap();
    assert_eq!(balance.balance_ttc, dec("-60000.00"), "180 000 − 120 000 − 120 000");
    assert_eq!(final_balance(given([awarded()]).state().awarded().unwrap()), None, "not settled");
}
