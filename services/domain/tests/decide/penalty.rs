use suivi_domain::contract::{DecisionKind, PenaltyDecision};
use suivi_domain::reference::{NoValueInForce, ReferenceTable};
use suivi_domain::{Command, ContractStatus, DatedRates, DomainError, References};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

/// The fixtures' contract settled with none of its 1 000 hours done: 1 000 h × 60 € = 60 000 €
/// HT proposed (under the cap of 20 % × 1 000 000 €), and notified to the contractor, whose
/// observation period ended on 2025-05-03 (the decisions of the fixtures are dated 2025-05-20).
fn settled() -> Vec<Event> {
    vec![awarded(), settlement().into(), notified("60000.00").into()]
}

/// Settled, nothing notified yet.
fn settled_unnotified() -> Vec<Event> {
    vec![awarded(), settlement().into()]
}

/// The same, its penalty rate 1.5 × the gross hourly SMIC in force on the notification date
/// (2024-03-01: 11.65 € in the fixtures' table): 1 000 h × 17.475 € = 17 475.00 € HT proposed.
fn settled_with_smic_rate() -> Vec<Event> {
    let mut award = award();
    if let Some(clause) = award.insertion_clause.as_mut() {
        clause.penalty_terms.rate = PenaltyRate::SmicMultiple { multiple: dec("1.5"), reference_date: None };
    }
    vec![award.into(), settlement().into(), notified("17475.00").into()]
}

#[test]
fn it_confirms_the_penalty_as_proposed() {
    let state = given(settled())
        .when(Command::ConfirmPenalty(confirmed("60000.00")))
        .then([confirmed("60000.00").into()])
        .state();
    let decision = state.awarded().unwrap().penalty_decision().cloned();
    assert_eq!(decision, Some(PenaltyDecision::Confirmed(confirmed("60000.00"))));
    // The amount is compared, not how it is written.
    given(settled()).when(Command::ConfirmPenalty(confirmed("60000"))).then([confirmed("60000").into()]);
}

#[test]
fn it_confirms_a_penalty_of_zero_when_the_hours_were_done() {
    let mut award = award();
    if let Some(clause) = award.insertion_clause.as_mut() {
        clause.committed_hours = dec("100");
    }
    let done = [
        award.into(),
        request_with(1, "100000.00", vec![month_line(1, 'a', "100", 1)]).into(),
        review(1, vec![validated(1)]).into(),
        settlement().into(),
    ];
    given(done.clone()).when(Command::ConfirmPenalty(confirmed("0"))).then([confirmed("0").into()]);
    given(done)
        .when(Command::ConfirmPenalty(confirmed("10.00")))
        .then_err(DomainError::AmountDiffersFromProposal { amount_ht: dec("10.00"), proposed_ht: dec("0.00") });
}

#[test]
fn it_refuses_to_confirm_another_amount_than_the_proposal() {
    let error = DomainError::AmountDiffersFromProposal { amount_ht: dec("40000.00"), proposed_ht: dec("60000.00") };
    assert_eq!(error.field().as_deref(), Some("amount_ht"));
    assert_eq!(error.code(), "amount_differs_from_proposal");
    assert_eq!(
        error.to_string(),
        "the proposal is 60000.00 € HT, not 40000.00 € HT: to apply another amount, adjust the penalty with a reason"
    );
    given(settled()).when(Command::ConfirmPenalty(confirmed("40000.00"))).then_err(error);
    // Another amount is an adjustment, with its reason.
    let adjusted = adjusted("40000.00", "Observations du titulaire admises en partie");
    given(settled()).when(Command::AdjustPenalty(adjusted.clone())).then([adjusted.into()]);
}

#[test]
fn a_smic_based_proposal_is_computed_with_the_tables_of_the_decision_context() {
    given(settled_with_smic_rate())
        .when(Command::ConfirmPenalty(confirmed("17475.00")))
        .then([confirmed("17475.00").into()]);

    // A table with another SMIC in force on 2024-03-01 gives another proposal: 1.5 × 12.00 € × 1 000 h.
    let other = References { smic: DatedRates::new(vec![(date("2024-02-01"), dec("12.00"))]).unwrap(), ..references() };
    given(settled_with_smic_rate())
        .references(other)
        .when(Command::ConfirmPenalty(confirmed("17475.00")))
        .then_err(DomainError::AmountDiffersFromProposal { amount_ht: dec("17475.00"), proposed_ht: dec("18000.00") });
}

#[test]
fn it_refuses_to_confirm_a_proposal_that_cannot_be_computed() {
    // No SMIC in force on the reference date: no figure is guessed, nothing can be confirmed.
    let smic_from_2025 =
        References { smic: DatedRates::new(vec![(date("2025-01-01"), dec("11.88"))]).unwrap(), ..references() };
    let unavailable = DomainError::PenaltyProposalUnavailable {
        missing: NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: date("2024-03-01") },
    };
    assert_eq!(
        (unavailable.code(), unavailable.field().as_deref()),
        ("penalty_proposal_unavailable", Some("amount_ht"))
    );
    given(settled_with_smic_rate())
        .references(smic_from_2025.clone())
        .when(Command::ConfirmPenalty(confirmed("17475.00")))
        .then_err(unavailable.clone());
    given(settled_with_smic_rate())
        .references(References::default())
        .when(Command::ConfirmPenalty(confirmed("0")))
        .then_err(unavailable);
    // Adjusting or waiving, with a reason, does not need the proposal.
    let waived = waived("Barème du SMIC à compléter ; observations admises");
    given(settled_with_smic_rate())
        .references(smic_from_2025)
        .when(Command::WaivePenalty(waived.clone()))
        .then([waived.into()]);
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
    history.push(confirmed("60000.00").into());
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

// The contradictory procedure (domain.md §2.7).

#[test]
fn it_notifies_the_contractor_with_a_default_period_of_fifteen_days() {
    let notice: PenaltyNotifiedV1 =
        serde_json::from_value(serde_json::json!({"amount_ht": "60000.00", "notified_on": "2025-04-18"})).unwrap();
    assert_eq!(notice.observation_days, 15);
    assert_eq!(notice.observations_until(), date("2025-05-03"));
    let state =
        given(settled_unnotified()).when(Command::NotifyPenalty(notice.clone())).then([notice.clone().into()]).state();
    assert_eq!(state.awarded().unwrap().penalty_notice(), Some(&notice));
    // A period set for this contract.
    let thirty = PenaltyNotifiedV1 { observation_days: 30, ..notified("60000.00") };
    given(settled_unnotified()).when(Command::NotifyPenalty(thirty.clone())).then([thirty.into()]);
}

#[test]
fn it_refuses_an_adverse_decision_before_the_contractor_is_notified() {
    given(settled_unnotified())
        .when(Command::ConfirmPenalty(confirmed("60000.00")))
        .then_err(DomainError::PenaltyNotNotified);
    given(settled_unnotified())
        .when(Command::AdjustPenalty(adjusted("6000.00", "Observations admises")))
        .then_err(DomainError::PenaltyNotNotified);
    assert_eq!(DomainError::PenaltyNotNotified.code(), "penalty_not_notified");
    assert!(DomainError::PenaltyNotNotified.is_conflict());
    // Waiving harms no one: no notification needed.
    let waived = waived("Chantier arrêté");
    given(settled_unnotified()).when(Command::WaivePenalty(waived.clone())).then([waived.into()]);
}

#[test]
fn it_waits_for_the_observations_or_the_end_of_the_period() {
    let history = || vec![awarded(), settlement().into(), notified("60000.00").into()];
    let running = DomainError::ObservationPeriodRunning { until: date("2025-05-03") };
    let on = |day: &str| PenaltyConfirmedV1 { decided_on: date(day), ..confirmed("60000.00") };
    given(history()).when(Command::ConfirmPenalty(on("2025-05-03"))).then_err(running.clone());
    given(history())
        .when(Command::AdjustPenalty(PenaltyAdjustedV1 { decided_on: date("2025-04-20"), ..adjusted("10.00", "x") }))
        .then_err(running);
    // The day after the last day of the period: decided without an answer.
    given(history()).when(Command::ConfirmPenalty(on("2025-05-04"))).then([on("2025-05-04").into()]);
    // Observations received on 2025-04-25: a decision may follow them at once, not precede them.
    let mut answered = history();
    answered.push(observations("2025-04-25").into());
    given(answered.clone()).when(Command::ConfirmPenalty(on("2025-04-25"))).then([on("2025-04-25").into()]);
    given(answered).when(Command::ConfirmPenalty(on("2025-04-24"))).then_err(DomainError::DateTooEarly {
        field: "decided_on".to_owned(),
        date: date("2025-04-24"),
        earliest: date("2025-04-25"),
        bound: "the observations' receipt",
    });
}

#[test]
fn it_receives_the_observations_once_within_the_period() {
    let answer = observations("2025-05-03");
    let state =
        given(settled()).when(Command::ReceivePenaltyObservations(answer.clone())).then([answer.clone().into()]);
    assert_eq!(state.state().awarded().unwrap().penalty_observations(), Some(&answer));
    given(settled()).when(Command::ReceivePenaltyObservations(observations("2025-05-04"))).then_err(
        DomainError::DateTooLate {
            field: "received_on".to_owned(),
            date: date("2025-05-04"),
            latest: date("2025-05-03"),
            bound: "the end of the observation period",
        },
    );
    given(settled()).when(Command::ReceivePenaltyObservations(observations("2025-04-17"))).then_err(
        DomainError::DateTooEarly {
            field: "received_on".to_owned(),
            date: date("2025-04-17"),
            earliest: date("2025-04-18"),
            bound: "the penalty notification",
        },
    );
    let mut answered = settled();
    answered.push(answer.into());
    given(answered)
        .when(Command::ReceivePenaltyObservations(observations("2025-04-30")))
        .then_err(DomainError::ObservationsAlreadyReceived { received_on: date("2025-05-03") });
    given(settled_unnotified())
        .when(Command::ReceivePenaltyObservations(observations("2025-04-30")))
        .then_err(DomainError::PenaltyNotNotified);
    let blank = PenaltyObservationsReceivedV1 { observations: " \n ".to_owned(), ..observations("2025-04-30") };
    given(settled())
        .when(Command::ReceivePenaltyObservations(blank))
        .then_err(DomainError::BlankText { field: "observations".to_owned() });
    let mut decided = settled_unnotified();
    decided.push(waived("Chantier arrêté").into());
    given(decided)
        .when(Command::ReceivePenaltyObservations(observations("2025-05-21")))
        .then_err(DomainError::PenaltyAlreadyDecided { decided_on: date("2025-05-20") });
}

#[test]
fn it_refuses_a_second_notification_and_bad_terms() {
    given(settled())
        .when(Command::NotifyPenalty(notified("60000.00")))
        .then_err(DomainError::PenaltyAlreadyNotified { notified_on: date("2025-04-18") });
    for days in [0, 91] {
        given(settled_unnotified())
            .when(Command::NotifyPenalty(PenaltyNotifiedV1 { observation_days: days, ..notified("60000.00") }))
            .then_err(DomainError::OutOfRange {
                field: "observation_days".to_owned(),
                value: days.into(),
                range: "1 to 90",
            });
    }
    given(settled_unnotified())
        .when(Command::NotifyPenalty(notified("0")))
        .then_err(DomainError::NotPositive { field: "amount_ht".to_owned(), value: dec("0") });
    given(settled_unnotified())
        .when(Command::NotifyPenalty(PenaltyNotifiedV1 { notified_on: date("2025-04-14"), ..notified("1.00") }))
        .then_err(DomainError::DateTooEarly {
            field: "notified_on".to_owned(),
            date: date("2025-04-14"),
            earliest: date("2025-04-15"),
            bound: "the settlement date",
        });
    given([awarded()])
        .when(Command::NotifyPenalty(notified("1.00")))
        .then_err(DomainError::NotSettled { status: ContractStatus::Awarded });
}
