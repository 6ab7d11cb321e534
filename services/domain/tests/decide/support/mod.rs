//! given/when/then for the contract aggregate:
//!
//! ```ignore
//! given([awarded()]).when(Command::Amend(amendment(1))).then([amendment(1).into()]);
//! given([awarded()]).when(Command::Award(award())).then_err(DomainError::AlreadyAwarded);
//! ```
//!
//! `then` also checks that every event decided survives the wire (encode, decode through the
//! proto catalogue): the domain must never decide an event integrators could not read. It
//! returns the history extended with those events, so a scenario can go on with `.when(..)`.

pub mod fixtures;

use std::sync::Arc;

use chrono::NaiveDate;
use suivi_domain::{decide, Command, Contract, DecisionContext, DomainError, References};
use suivi_proto::Event;

use fixtures::{date, references, TODAY};

/// A history of events, the day decisions are taken and the reference tables they are taken with.
#[derive(Debug, Clone)]
pub struct Given {
    history: Vec<Event>,
    today: NaiveDate,
    references: Arc<References>,
}

pub fn given(events: impl IntoIterator<Item = Event>) -> Given {
    Given { history: events.into_iter().collect(), today: date(TODAY), references: Arc::new(references()) }
}

impl Given {
    /// Decides on another day than [`TODAY`].
    pub fn today(mut self, today: &str) -> Self {
        self.today = date(today);
        self
    }

    /// Decides with other reference tables than the fixtures' [`references`].
    pub fn references(mut self, references: References) -> Self {
        self.references = Arc::new(references);
        self
    }

    pub fn state(&self) -> Contract {
        Contract::from_events(&self.history)
    }

    pub fn when(self, command: Command) -> When {
        let context = DecisionContext::new(self.today, Arc::clone(&self.references));
        let result = decide(&self.state(), command, &context);
        When { given: self, result }
    }
}

/// The answer to a command, waiting to be checked.
#[must_use = "check the outcome with then or then_err"]
pub struct When {
    given: Given,
    result: Result<Vec<Event>, DomainError>,
}

impl When {
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = Event>) -> Given {
        let expected: Vec<Event> = expected.into_iter().collect();
        let events = match self.result {
            Ok(events) => events,
            Err(error) => panic!("expected {expected:#?}\nbut the command was refused: {error} ({error:?})"),
        };
        assert_eq!(events, expected);
        for event in &events {
            let decoded = Event::decode(event.event_type(), event.schema_version(), &event.to_payload());
            assert_eq!(decoded.as_ref(), Ok(event), "{} does not survive the wire", event.event_type());
        }
        let mut given = self.given;
        given.history.extend(events);
        given
    }

    #[track_caller]
    pub fn then_err(self, expected: DomainError) {
        match self.result {
            Err(error) => {
                assert_eq!(error, expected);
                assert!(!error.to_string().is_empty());
            }
            Ok(events) => panic!("expected {expected:?}\nbut the command was accepted: {events:#?}"),
        }
    }
}
