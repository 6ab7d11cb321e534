use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::quantities::Hours;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

fn amend(amendment: ContractAmendedV2) -> Command {
    Command::Amend(amendment)
}

#[test]
fn it_amends_amount_duration_and_committed_hours() {
    let amendment =
        ContractAmendedV2 { new_duration_months: Some(15), new_committed_hours: Some(dec("1100")), ..amendment(1) };
    let state = given([awarded()]).when(amend(amendment.clone())).then([amendment.into()]).state();
    let contract = state.awarded().unwrap();
    assert_eq!(contract.current_amount_ht(), dec("1100000"));
    assert_eq!(contract.initial_amount_ht(), dec("1000000"));
    assert_eq!(contract.current_duration_months(), 15);
    assert_eq!(contract.committed_hours(), Some(dec("1100")));
}

#[test]
fn it_numbers_amendments_in_sequence() {
    let second = ContractAmendedV2 { signed_on: date("2024-07-01"), ..amendment(2) };
    given([awarded(), amendment(1).into()]).when(amend(second.clone())).then([second.into()]);
    given([awarded(), amendment(1).into()])
        .when(amend(amendment(3)))
        .then_err(DomainError::AmendmentOutOfSequence { expected: 2, got: 3 });
    given([awarded()]).when(amend(amendment(0))).then_err(DomainError::AmendmentOutOfSequence { expected: 1, got: 0 });
}

#[test]
fn it_refuses_an_amendment_signed_before_the_notification() {
    given([awarded()]).when(amend(ContractAmendedV2 { signed_on: date("2024-02-28"), ..amendment(1) })).then_err(
        DomainError::DateTooEarly {
            field: "signed_on".to_owned(),
            date: date("2024-02-28"),
            earliest: date("2024-03-01"),
            bound: "the notification date",
        },
    );
}

#[test]
fn it_refuses_an_amendment_signed_before_the_previous_one() {
    given([awarded(), amendment(1).into()])
        .when(amend(ContractAmendedV2 { signed_on: date("2024-06-02"), ..amendment(2) }))
        .then_err(DomainError::DateTooEarly {
            field: "signed_on".to_owned(),
            date: date("2024-06-02"),
            earliest: date("2024-06-03"),
            bound: "the previous amendment's signature",
        });
}

#[test]
fn it_refuses_an_amendment_signed_in_the_future() {
    given([awarded()]).today("2024-06-01").when(amend(amendment(1))).then_err(DomainError::DateInFuture {
        field: "signed_on".to_owned(),
        date: date("2024-06-03"),
        today: date("2024-06-01"),
    });
}

#[test]
fn it_refuses_a_new_amount_of_zero() {
    given([awarded()])
        .when(amend(ContractAmendedV2 { new_amount_ht: Some(dec("0")), ..amendment(1) }))
        .then_err(DomainError::NotPositive { field: "new_amount_ht".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_new_amount_below_the_value_already_executed() {
    given([awarded(), request(1, "400000.00").into()])
        .when(amend(ContractAmendedV2 { new_amount_ht: Some(dec("399999.99")), ..amendment(1) }))
        .then_err(DomainError::BelowExecutedValue {
            field: "new_amount_ht".to_owned(),
            value: dec("399999.99"),
            executed: dec("400000.00"),
        });
}

#[test]
fn it_refuses_a_new_duration_of_zero_months() {
    given([awarded()])
        .when(amend(ContractAmendedV2 { new_duration_months: Some(0), ..amendment(1) }))
        .then_err(DomainError::NotPositive { field: "new_duration_months".to_owned(), value: dec("0") });
}

#[test]
fn it_refuses_a_new_duration_ending_before_work_already_declared() {
    // Instalment 4 covers June 2024; two months from 2024-03-01 end on 2024-05-01.
    let history =
        [awarded(), request(1, "1").into(), request(2, "2").into(), request(3, "3").into(), request(4, "4").into()];
    given(history).when(amend(ContractAmendedV2 { new_duration_months: Some(2), ..amendment(1) })).then_err(
        DomainError::DurationEndsBeforeExecutedWork { new_end: date("2024-05-01"), last_work_day: date("2024-06-30") },
    );
}

#[test]
fn it_refuses_committed_hours_on_a_contract_without_insertion_clause() {
    let no_clause = ContractAwardedV1 { insertion_clause: None, ..award() };
    given([no_clause.into()])
        .when(amend(ContractAmendedV2 { new_committed_hours: Some(dec("100")), ..amendment(1) }))
        .then_err(DomainError::NoInsertionClause { field: Some("new_committed_hours".to_owned()) });
}

#[test]
fn it_cannot_even_build_negative_committed_hours() {
    // `Hours` holds no negative number: the edge refuses "-1" when it parses the amendment.
    assert!(Hours::new(dec("-1")).is_none());
    assert!(serde_json::from_value::<ContractAmendedV2>(serde_json::json!({
        "amendment_number": 1, "signed_on": "2024-06-01", "new_committed_hours": "-1", "reason": "Avenant"
    }))
    .is_err());
}

#[test]
fn it_refuses_an_amendment_without_a_reason() {
    given([awarded()])
        .when(amend(ContractAmendedV2 { reason: " ".to_owned(), ..amendment(1) }))
        .then_err(DomainError::ReasonRequired { field: "reason".to_owned() });
}

#[test]
fn it_refuses_to_amend_a_terminated_contract() {
    given([awarded(), termination().into()])
        .when(amend(amendment(1)))
        .then_err(DomainError::AlreadyTerminated { terminated_on: date("2024-09-30") });
}

#[test]
fn it_refuses_to_amend_a_settled_contract() {
    given([awarded(), settlement().into()])
        .when(amend(amendment(1)))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

/// The bound of the award holds for an amendment's hours, on the amended amount.
#[test]
fn it_refuses_implausible_committed_hours_by_amendment() {
    // 1 100 000 € HT at 11.65 €/h: 94 420 h at most.
    let amendment = ContractAmendedV2 { new_committed_hours: Some(dec("94421")), ..amendment(1) };
    given([awarded()]).when(amend(amendment)).then_err(DomainError::ImplausibleCommittedHours {
        field: "new_committed_hours".to_owned(),
        committed: dec("94421"),
        maximum: dec("94420.60"),
    });
}

/// Awarded with a social clause but no commitment (as DECP imports it), like K-contracts
/// imported from the open data.
fn awarded_with_a_social_clause_only() -> Event {
    ContractAwardedV1 { insertion_clause: None, ..award() }.into()
}

fn agreeing(clause: InsertionClause) -> ContractAmendedV2 {
    ContractAmendedV2 {
        new_amount_ht: None,
        insertion_clause: Some(clause),
        reason: "Engagement d'insertion précisé par avenant".to_owned(),
        ..amendment(1)
    }
}

/// A DECP-imported contract with a social clause receives its insertion commitment by
/// amendment; its penalty terms then apply as if awarded with them.
#[test]
fn a_contract_with_a_social_clause_receives_its_commitment_by_amendment() {
    let clause = award().insertion_clause.unwrap();
    let state = given([awarded_with_a_social_clause_only()])
        .when(amend(agreeing(clause.clone())))
        .then([agreeing(clause.clone()).into()])
        .state();
    let contract = state.awarded().unwrap();
    assert_eq!(contract.committed_hours(), Some(dec("1000")));
    assert_eq!(contract.insertion_clause(), Some(&clause));
    // Its hours can then change like any clause's.
    given([awarded_with_a_social_clause_only(), agreeing(clause).into()])
        .when(amend(ContractAmendedV2 { new_committed_hours: Some(dec("1200")), ..amendment(2) }))
        .then([ContractAmendedV2 { new_committed_hours: Some(dec("1200")), ..amendment(2) }.into()]);
}

#[test]
fn a_clause_is_agreed_once_only_where_the_award_had_a_social_clause_and_checked_as_at_the_award() {
    let clause = award().insertion_clause.unwrap();
    given([awarded()]).when(amend(agreeing(clause.clone()))).then_err(DomainError::InsertionClauseAlreadyAgreed);
    let without_social_clause = ContractAwardedV1 {
        insertion_clause: None,
        social_considerations: vec![SocialConsideration::PasDeConsiderationSociale],
        ..award()
    };
    given([without_social_clause.into()]).when(amend(agreeing(clause.clone()))).then_err(DomainError::NoSocialClause);
    let implausible = InsertionClause { committed_hours: dec("90000"), ..clause };
    given([awarded_with_a_social_clause_only()]).when(amend(agreeing(implausible))).then_err(
        DomainError::ImplausibleCommittedHours {
            field: "insertion_clause.committed_hours".to_owned(),
            committed: dec("90000"),
            maximum: dec("85836.90"),
        },
    );
}
