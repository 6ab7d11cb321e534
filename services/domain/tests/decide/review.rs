use suivi_domain::contract::{LineReview, ReviewStatus};
use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::Event;

use crate::support::fixtures::*;
use crate::support::given;

fn decide_lines(review: StatementReviewedV1) -> Command {
    Command::ReviewStatement(review)
}

/// Instalment 1 with three lines, none reviewed.
fn requested() -> Vec<Event> {
    let lines = vec![month_line(1, 'a', "150", 1), month_line(2, 'b', "70", 1), month_line(3, 'c', "35", 1)];
    vec![awarded(), request_with(1, "100000.00", lines).into()]
}

#[test]
fn it_validates_and_rejects_lines() {
    let review = review(1, vec![validated(1), rejected(2, "Relevé ETTI manquant")]);
    let state = given(requested()).when(decide_lines(review.clone())).then([review.into()]).state();
    let instalment = state.awarded().unwrap().instalment(1).unwrap().clone();
    assert_eq!(instalment.line(1).unwrap().review(), &LineReview::Validated);
    assert_eq!(
        instalment.line(2).unwrap().review(),
        &LineReview::Rejected { reason: "Relevé ETTI manquant".to_owned() }
    );
    assert_eq!(instalment.review_status(), ReviewStatus::PartiallyReviewed);
}

#[test]
fn it_reviews_the_remaining_lines_later() {
    let first = review(1, vec![validated(1), validated(2)]);
    let rest = review(1, vec![validated(3)]);
    let state = given(requested())
        .when(decide_lines(first.clone()))
        .then([first.into()])
        .when(decide_lines(rest.clone()))
        .then([rest.into()])
        .state();
    assert_eq!(state.awarded().unwrap().instalment(1).unwrap().review_status(), ReviewStatus::Reviewed);
}

#[test]
fn it_reviews_after_a_termination() {
    let mut history = requested();
    history.push(termination().into());
    let review = review(1, vec![validated(1)]);
    given(history).when(decide_lines(review.clone())).then([review.into()]);
}

#[test]
fn it_refuses_a_review_of_an_unknown_instalment() {
    given(requested())
        .when(decide_lines(review(2, vec![validated(1)])))
        .then_err(DomainError::UnknownInstalment { field: "instalment_number".to_owned(), number: 2 });
}

#[test]
fn it_refuses_a_review_without_decisions() {
    given(requested()).when(decide_lines(review(1, vec![]))).then_err(DomainError::NoDecisions);
}

#[test]
fn it_refuses_a_decision_on_a_line_the_statement_does_not_have() {
    given(requested())
        .when(decide_lines(review(1, vec![validated(1), validated(4)])))
        .then_err(DomainError::UnknownLine { index: 1, instalment: 1, line_id: 4 });
}

#[test]
fn it_refuses_two_decisions_on_one_line_in_a_review() {
    given(requested())
        .when(decide_lines(review(1, vec![validated(2), rejected(2, "doublon")])))
        .then_err(DomainError::DuplicateLineDecision { index: 1, line_id: 2 });
}

#[test]
fn it_reviews_a_line_once() {
    let mut history = requested();
    history.push(review(1, vec![rejected(1, "Pas de justificatif")]).into());
    given(history)
        .when(decide_lines(review(1, vec![validated(2), validated(1)])))
        .then_err(DomainError::LineAlreadyReviewed { index: 1, line_id: 1 });
}

#[test]
fn it_refuses_a_rejection_without_a_reason() {
    given(requested())
        .when(decide_lines(review(1, vec![validated(1), rejected(2, "  ")])))
        .then_err(DomainError::ReasonRequired { field: "decisions[1].decision.reason".to_owned() });
}

#[test]
fn it_refuses_a_review_after_the_settlement() {
    let mut history = requested();
    history.push(settlement().into());
    given(history)
        .when(decide_lines(review(1, vec![validated(1)])))
        .then_err(DomainError::AlreadySettled { settled_on: date("2025-04-15") });
}

#[test]
fn a_rejected_line_stops_counting_for_its_participant_and_a_request_starts() {
    use suivi_domain::participants::{hours_deltas, HoursChange, HoursDelta};
    use suivi_domain::plausibility::CalendarMonth;

    let request = request_with(1, "1.00", vec![month_line(1, 'a', "120", 1), month_line(2, 'b', "35.5", 1)]);
    let march = CalendarMonth::of(date("2024-03-01"));
    let before = given([awarded()]).state();
    assert_eq!(
        hours_deltas(&before, &[request.clone().into()]),
        vec![
            HoursDelta { code: code('a'), month: march, change: HoursChange::Add(dec("120")) },
            HoursDelta { code: code('b'), month: march, change: HoursChange::Add(dec("35.5")) },
        ]
    );
    let requested = given([awarded(), request.into()]).state();
    let decided = review(1, vec![validated(1), rejected(2, "Pas de bulletin de paie")]);
    assert_eq!(
        hours_deltas(&requested, &[decided.into()]),
        vec![HoursDelta { code: code('b'), month: march, change: HoursChange::Remove(dec("35.5")) }]
    );
}
