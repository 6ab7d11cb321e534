//! What the HTTP layer reads from a contract's state.

use rust_decimal::Decimal;
use suivi_domain::contract::{HoursSummary, ReviewStatus};
use suivi_domain::{Contract, ContractStatus};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;

fn history() -> Vec<Event> {
    let first = request_with(1, "300000.00", vec![month_line(1, 'a', "150", 1), month_line(2, 'b', "100", 1)]);
    let second = request_with(2, "500000.00", vec![month_line(1, 'a', "140", 2)]);
    vec![
        awarded(),
        ContractAmendedV2 { new_committed_hours: Some(dec("1200")), ..amendment(1) }.into(),
        first.into(),
        review(1, vec![validated(1), rejected(2, "Pas éligible")]).into(),
        second.into(),
    ]
}

#[test]
fn a_contract_not_awarded_has_no_status() {
    assert_eq!(Contract::default().status(), None);
    assert!(Contract::default().awarded().is_none());
}

#[test]
fn it_folds_borrowed_or_owned_events_alike() {
    let events = history();
    assert_eq!(Contract::from_events(events.iter()), Contract::from_events(events));
}

#[test]
fn it_exposes_the_contract_data_after_amendments() {
    let state = Contract::from_events(history());
    let contract = state.awarded().unwrap();
    assert_eq!(state.status(), Some(ContractStatus::Awarded));
    assert_eq!(contract.buyer_siret(), &siret(BUYER));
    assert_eq!(contract.contractor_sirets().collect::<Vec<_>>(), [&siret(CONTRACTOR)]);
    assert!(contract.has_contractor(&siret(CONTRACTOR)));
    assert!(!contract.has_contractor(&siret(CO_CONTRACTOR)));
    assert_eq!(contract.current_amount_ht(), dec("1100000"));
    assert_eq!(contract.committed_hours(), Some(dec("1200")));
    assert_eq!(contract.executed_value_ht(), dec("500000"));
    assert_eq!(contract.planned_end_date(), date("2025-03-01"));
    assert_eq!(contract.last_amendment_number(), 1);
    assert_eq!(contract.last_instalment_number(), 2);
}

#[test]
fn it_totals_hours_declared_validated_rejected_and_pending() {
    let hours = Contract::from_events(history()).awarded().unwrap().hours();
    assert_eq!(
        hours,
        HoursSummary {
            committed: Some(dec("1200")),
            pro_rated_committed: None,
            declared: dec("390"),
            validated: dec("150"),
            rejected: dec("100"),
            pending: dec("140"),
            remaining: Some(dec("1050")),
        }
    );
}

#[test]
fn remaining_hours_never_go_below_zero() {
    let small = ContractAmendedV2 { new_committed_hours: Some(dec("100")), ..amendment(1) };
    let mut events = history();
    events[1] = small.into();
    let hours = Contract::from_events(events).awarded().unwrap().hours();
    assert_eq!(hours.remaining, Some(dec("0")));
}

#[test]
fn an_early_termination_pro_rates_the_commitment_and_the_remaining_hours_follow() {
    // 1 200 h after amendment 1, amount 1 100 000 € HT; terminated at 600 000 € executed:
    // 1 200 × 600 000 ÷ 1 100 000 = 654.5454… h; 150 validated, 504.5454… remaining.
    let mut events = history();
    events.push(termination().into());
    let hours = Contract::from_events(events).awarded().unwrap().hours();
    let pro_rated = dec::<Decimal>("1200") * dec::<Decimal>("600000") / dec::<Decimal>("1100000");
    assert_eq!(hours.committed, Some(dec("1200")));
    assert_eq!(hours.pro_rated_committed.map(|h| h.value()), Some(pro_rated));
    assert_eq!(hours.remaining.map(|h| h.value()), Some(pro_rated - dec::<Decimal>("150")));

    // Terms that keep the commitment on termination: nothing pro-rated.
    let mut events = history();
    let Event::ContractAwarded(award) = &mut events[0] else { panic!("the history starts with the award") };
    award.insertion_clause.as_mut().unwrap().penalty_terms.pro_rata_on_termination = false;
    events.push(termination().into());
    let hours = Contract::from_events(events).awarded().unwrap().hours();
    assert_eq!((hours.pro_rated_committed, hours.remaining), (None, Some(dec("1050"))));
}

#[test]
fn a_contract_without_clause_has_no_commitment_nor_remaining_hours() {
    let no_clause = ContractAwardedV1 { insertion_clause: None, ..award() };
    let hours = Contract::from_events([Event::from(no_clause)]).awarded().unwrap().hours();
    assert_eq!((hours.committed, hours.remaining), (None, None));
}

#[test]
fn it_lists_lines_pending_review_for_the_facilitator() {
    let state = Contract::from_events(history());
    let pending: Vec<_> = state.awarded().unwrap().pending_review_lines().collect();
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].instalment_number, pending[0].received_on), (2, received_on(2)));
    assert_eq!(pending[0].line, &month_line(1, 'a', "140", 2));
}

#[test]
fn it_tells_how_far_each_statement_is_reviewed() {
    let state = Contract::from_events(history());
    let statuses: Vec<_> = state.awarded().unwrap().instalments().iter().map(|i| i.review_status()).collect();
    assert_eq!(statuses, [ReviewStatus::Reviewed, ReviewStatus::NotReviewed]);
    let empty = Contract::from_events([awarded(), request(1, "1.00").into()]);
    assert_eq!(empty.awarded().unwrap().instalment(1).unwrap().review_status(), ReviewStatus::Reviewed);
}

#[test]
fn it_ignores_events_that_do_not_fit_rather_than_fail() {
    let mut events = history();
    events.push(review(9, vec![validated(1)]).into());
    events.push(review(1, vec![validated(2)]).into()); // line 2 was rejected: the first decision stays
    events.push(award().into());
    assert_eq!(Contract::from_events(events), Contract::from_events(history()));
    assert_eq!(Contract::from_events([Event::from(settlement())]), Contract::default());
}

#[test]
fn every_event_the_domain_decided_fits_the_state_before_it() {
    let mut state = Contract::default();
    for event in history() {
        assert_eq!(state.misfit(&event), None, "{event:?}");
        state.apply(&event);
    }
}

#[test]
fn an_event_the_domain_could_not_have_decided_is_a_misfit() {
    use suivi_domain::Misfit;
    let not_awarded = Contract::default();
    assert_eq!(not_awarded.misfit(&advance("1000.00").into()), Some(Misfit::NotAwarded));
    let state = Contract::from_events(history());
    assert_eq!(state.misfit(&awarded()), Some(Misfit::AlreadyAwarded));
    assert_eq!(state.misfit(&request(2, "600000.00").into()), Some(Misfit::InstalmentAlreadyRequested(2)));
    assert_eq!(state.misfit(&review(3, vec![validated(1)]).into()), Some(Misfit::UnknownInstalment(3)));
    assert_eq!(state.misfit(&paid(7, "10.00").into()), Some(Misfit::UnknownInstalment(7)));
    assert_eq!(state.misfit(&approved(3, "10.00", "0.00", "10.00")), Some(Misfit::UnknownInstalment(3)));
    assert_eq!(state.misfit(&request(3, "600000.00").into()), None);
}
