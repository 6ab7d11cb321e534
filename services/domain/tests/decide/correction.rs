use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

fn correction(correction: Correction) -> FactCorrectedV1 {
    FactCorrectedV1 {
        correction,
        corrected_on: date("2025-05-02"),
        reason: "Erreur de saisie : voir le courrier daté".to_owned(),
    }
}

fn correct(correction: FactCorrectedV1) -> Command {
    Command::CorrectFact(correction)
}

fn settled_history() -> Vec<Event> {
    vec![
        awarded(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]).into(),
        review(1, vec![validated(1)]).into(),
        approved(1, "120000.00", "0.00", "120000.00"),
        settlement().into(),
    ]
}

#[test]
fn a_settlement_date_is_corrected_until_the_penalty_is_decided() {
    let right = correction(Correction::SettlementDate { settled_on: date("2025-03-31") });
    let state = given(settled_history()).when(correct(right.clone())).then([right.clone().into()]).state();
    let contract = state.awarded().unwrap();
    assert_eq!(contract.settlement().unwrap().settled_on, date("2025-03-31"));
    assert_eq!(contract.corrections(), std::slice::from_ref(&right));

    let mut decided = settled_history();
    decided.push(confirmed("0.00").into());
    given(decided).when(correct(right)).then_err(DomainError::PenaltyAlreadyDecided { decided_on: date("2025-05-20") });
}

#[test]
fn a_corrected_settlement_date_passes_the_settlements_checks() {
    // The request was received 2024-04-03 and approved 2024-04-10.
    let early = correction(Correction::SettlementDate { settled_on: date("2024-04-05") });
    given(settled_history()).when(correct(early)).then_err(DomainError::DateTooEarly {
        field: "correction.settled_on".to_owned(),
        date: date("2024-04-05"),
        earliest: date("2024-04-10"),
        bound: "the last approval",
    });
    let same = correction(Correction::SettlementDate { settled_on: settlement().settled_on });
    given(settled_history()).when(correct(same)).then_err(DomainError::CorrectionChangesNothing);
    let unsettled = correction(Correction::SettlementDate { settled_on: date("2025-03-31") });
    given([awarded()])
        .when(correct(unsettled))
        .then_err(DomainError::NotSettled { status: suivi_domain::ContractStatus::Awarded });
}

#[test]
fn a_reception_date_is_corrected_before_the_settlement_and_not_after_its_approval() {
    let history = [awarded(), request(1, "100000.00").into(), approved(1, "120000.00", "0.00", "120000.00")];
    let right = correction(Correction::ReceptionDate { number: 1, received_on: date("2024-04-01") });
    let state = given(history.clone()).when(correct(right.clone())).then([right.into()]).state();
    assert_eq!(state.awarded().unwrap().instalment(1).unwrap().received_on(), date("2024-04-01"));

    let after_approval = correction(Correction::ReceptionDate { number: 1, received_on: date("2024-04-11") });
    given(history.clone()).when(correct(after_approval)).then_err(DomainError::DateTooLate {
        field: "correction.received_on".to_owned(),
        date: date("2024-04-11"),
        latest: date("2024-04-10"),
        bound: "the approval date",
    });
    let before_period = correction(Correction::ReceptionDate { number: 1, received_on: date("2024-02-28") });
    given(history).when(correct(before_period)).then_err(DomainError::DateTooEarly {
        field: "correction.received_on".to_owned(),
        date: date("2024-02-28"),
        earliest: date("2024-03-01"),
        bound: "the notification date",
    });
    let settled = correction(Correction::ReceptionDate { number: 1, received_on: date("2024-04-01") });
    given(settled_history())
        .when(correct(settled))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

/// An instalment recorded twice is withdrawn: its statement stops counting, and its number can
/// be requested again.
#[test]
fn the_last_instalment_is_withdrawn_until_it_is_approved() {
    let history = vec![
        awarded(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]).into(),
        request_with(2, "100000.00", vec![month_line(1, 'a', "100", 2)]).into(),
    ];
    let withdrawn = correction(Correction::InstalmentWithdrawn { number: 2 });
    let state = given(history.clone()).when(correct(withdrawn.clone())).then([withdrawn.clone().into()]).state();
    let contract = state.awarded().unwrap();
    assert_eq!(contract.last_instalment_number(), 1);
    assert_eq!(contract.hours().declared, dec("100"));
    let mut after = history.clone();
    after.push(withdrawn.into());
    given(after).when(Command::RequestInstalment(request(2, "150000.00"))).then([request(2, "150000.00").into()]);

    let not_last = correction(Correction::InstalmentWithdrawn { number: 1 });
    given(history.clone()).when(correct(not_last)).then_err(DomainError::NotTheLastInstalment { number: 1, last: 2 });
    let mut approved_history = history;
    approved_history.push(approved(1, "120000.00", "0.00", "120000.00"));
    approved_history.push(approved(2, "0.00", "0.00", "0.00"));
    let approved_one = correction(Correction::InstalmentWithdrawn { number: 2 });
    given(approved_history).when(correct(approved_one)).then_err(DomainError::InstalmentAlreadyApproved { number: 2 });
}

#[test]
fn a_correction_needs_a_reason() {
    let blank = FactCorrectedV1 {
        reason: "  ".to_owned(),
        ..correction(Correction::SettlementDate { settled_on: date("2025-03-31") })
    };
    given(settled_history()).when(correct(blank)).then_err(DomainError::ReasonRequired { field: "reason".to_owned() });
}
