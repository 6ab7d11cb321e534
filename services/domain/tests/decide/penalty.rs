use suivi_domain::contract::{DecisionKind, PenaltyDecision};
use suivi_domain::{Command, ContractStatus, DomainError};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

fn settled() -> Vec<Event> {
    vec![awarded(), settlement().into()]
}

#[test]
fn it_confirms_the_penalty() {
    let state = given(settled())
        .when(Command::ConfirmPenalty(confirmed("12000.00")))
        .then([confirmed("12000.00").into()])
        .state();
    let decision = state.awarded().unwrap().penalty_decision().cloned();
    assert_eq!(decision, Some(PenaltyDecision::Confirmed(confirmed("12000.00"))));
}

#[test]
fn it_confirms_a_penalty_of_zero() {
    given(settled()).when(Command::ConfirmPenalty(confirmed("0"))).then([confirmed("0").into()]);
}

#[test]
fn it_adjusts_the_penalty_with_a_reason() {
    let adjusted = adjusted("6000.00", "Défaillance de la SIAE partenaire");
    given(settled()).when(Command::AdjustPenalty(adjusted.clone())).then([adjusted.into()]);
}

#[test]
fn it_waives_the_penalty_with_a_reason() {
    let waived = waived("Chantier arrêté par la crise sanitaire");
    let state = given(settled()).when(Command::WaivePenalty(waived.clone())).then([waived.into()]).state();
    assert_eq!(state.awarded().unwrap().penalty_decision().unwrap().amount_ht(), dec("0"));
}

#[test]
fn it_refuses_a_penalty_decision_on_a_contract_without_insertion_clause() {
    let no_clause = ContractAwardedV1 { insertion_clause: None, ..award() };
    given([no_clause.into(), settlement().into()])
        .when(Command::WaivePenalty(waived("x")))
        .then_err(DomainError::NoInsertionClause { field: None });
}

#[test]
fn it_refuses_a_penalty_decision_before_the_settlement() {
    given([awarded()])
        .when(Command::ConfirmPenalty(confirmed("100.00")))
        .then_err(DomainError::NotSettled { status: ContractStatus::Awarded });
    given([awarded(), termination().into()])
        .when(Command::ConfirmPenalty(confirmed("100.00")))
        .then_err(DomainError::NotSettled { status: ContractStatus::Terminated });
}

#[test]
fn it_decides_the_penalty_once() {
    let mut history = settled();
    history.push(confirmed("100.00").into());
    let decided = DomainError::PenaltyAlreadyDecided { decided_on: date("2025-05-20") };
    given(history.clone()).when(Command::WaivePenalty(waived("Finalement non"))).then_err(decided.clone());
    given(history).when(Command::AdjustPenalty(adjusted("50.00", "Erreur de calcul"))).then_err(decided);
}

#[test]
fn it_refuses_an_adjustment_or_waiver_without_a_reason() {
    let reason = DomainError::ReasonRequired { field: "reason".to_owned() };
    given(settled()).when(Command::AdjustPenalty(adjusted("50.00", ""))).then_err(reason.clone());
    given(settled()).when(Command::WaivePenalty(waived(" "))).then_err(reason);
}

#[test]
fn it_refuses_a_blank_optional_reason_on_a_confirmation() {
    given(settled())
        .when(Command::ConfirmPenalty(PenaltyConfirmedV1 { reason: Some(String::new()), ..confirmed("1.00") }))
        .then_err(DomainError::BlankText { field: "reason".to_owned() });
}

#[test]
fn it_refuses_a_negative_confirmed_penalty() {
    given(settled())
        .when(Command::ConfirmPenalty(confirmed("-1.00")))
        .then_err(DomainError::Negative { field: "amount_ht".to_owned(), value: dec("-1.00") });
}

#[test]
fn it_refuses_an_adjustment_to_zero_which_is_a_waiver() {
    given(settled())
        .when(Command::AdjustPenalty(adjusted("0", "Geste commercial")))
        .then_err(DomainError::NotPositive { field: "amount_ht".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_decision_dated_before_the_settlement() {
    let early = PenaltyWaivedV1 { decided_on: date("2025-04-14"), ..waived("x") };
    given(settled()).when(Command::WaivePenalty(early)).then_err(DomainError::DateTooEarly {
        field: "decided_on".to_owned(),
        date: date("2025-04-14"),
        earliest: date("2025-04-15"),
        bound: "the settlement date",
    });
}

#[test]
fn it_refuses_a_decision_dated_in_the_future() {
    given(settled()).today("2025-05-19").when(Command::WaivePenalty(waived("x"))).then_err(DomainError::DateInFuture {
        field: "decided_on".to_owned(),
        date: date("2025-05-20"),
        today: date("2025-05-19"),
    });
}

#[test]
fn each_decision_names_its_kind_and_reason() {
    let confirmed = PenaltyDecision::Confirmed(confirmed("12000.00"));
    let adjusted = PenaltyDecision::Adjusted(adjusted("6000.00", "Défaillance de la SIAE partenaire"));
    let waived = PenaltyDecision::Waived(waived("Chantier arrêté"));
    assert_eq!((confirmed.kind(), confirmed.reason()), (DecisionKind::Confirmed, None));
    assert_eq!(
        (adjusted.kind(), adjusted.reason()),
        (DecisionKind::Adjusted, Some("Défaillance de la SIAE partenaire"))
    );
    assert_eq!((waived.kind(), waived.reason()), (DecisionKind::Waived, Some("Chantier arrêté")));
    assert_eq!([confirmed, adjusted, waived].map(|d| d.kind().as_str()), ["confirmed", "adjusted", "waived"]);
}
