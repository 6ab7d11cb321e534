//! What every fuzz target checks once it has a value: nothing here may panic, and what the
//! targets produce must hold together (a refusal is a complete problem in both languages, an
//! accepted event survives the wire).

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_domain::{Contract, DatedRates, DecisionContext, DomainError, Lang, References};
use suivi_http::Problem;
use suivi_proto::events::Event;

/// The day decisions are made on: fixed, so a crash replays.
pub fn context() -> DecisionContext {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let rates = |value: &str| {
        let value: Decimal = value.parse().unwrap_or_default();
        DatedRates::new(vec![(day(2013, 1, 1), value)]).unwrap_or_else(|_| unreachable!("one entry is ascending"))
    };
    DecisionContext::new(day(2026, 6, 30), Arc::new(References { smic: rates("11.88"), ecb: rates("0.0215") }))
}

/// A refusal answered over HTTP: a status, a `type`, a title, in French and in English.
pub fn check_problem(problem: &Problem) {
    for lang in [Lang::Fr, Lang::En] {
        let body = problem.body(lang);
        assert!((400..600).contains(&body.status), "{body:?}");
        assert!(body.type_uri.starts_with("/problems/"), "{body:?}");
        assert!(!body.title.is_empty(), "{body:?}");
        serde_json::to_vec(&body).unwrap_or_else(|e| panic!("a problem body serialises: {e}"));
    }
}

/// A rule's refusal, as the edge answers it.
pub fn check_refusal(error: &DomainError) {
    let problem = Problem::rule(error);
    assert_eq!(problem.status_code().as_u16(), 422, "{error:?}");
    check_problem(&problem);
}

/// An event the domain decided is written to the log and read back the same.
pub fn check_round_trip(event: &Event) {
    let payload = event.to_payload();
    let back = Event::decode(event.event_type(), event.schema_version(), &payload)
        .unwrap_or_else(|e| panic!("{} does not read back: {e}\n{payload}", event.event_type()));
    assert_eq!(&back, event);
    let text = payload.to_string();
    let from_text = Event::decode_str(event.event_type(), event.schema_version(), &text)
        .unwrap_or_else(|e| panic!("{} does not read back from text: {e}", event.event_type()));
    assert_eq!(&from_text, event);
}

/// Applies accepted events, checking each survives the wire.
pub fn apply_all(state: &mut Contract, events: &[Event]) {
    for event in events {
        check_round_trip(event);
        state.apply(event);
    }
}
