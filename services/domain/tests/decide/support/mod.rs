//! given/when/then for the contract aggregate:
//!
//! ```ignore
//! given([awarded()]).when(Command::Amend(amendment(1))).then([amendment(1).into()]);
//! given([awarded()]).when(Command::Award(award())).then_err(DomainError::AlreadyAwarded);
//! ```
//!
//! Participants: unless a scenario says otherwise (`.participant(..)`, `.counted_elsewhere(..)`),
//! every participant a command names is in the register, eligible from 2000 to 2099, not erased,
//! with the hours this contract's history counts for it (lines not rejected) — what the
//! application would read from the register for a tenant with this one contract.
//!
//! `then` also checks that every event decided survives the wire (encode, decode through the
//! proto catalogue): the domain must never decide an event integrators could not read. It
//! returns the history extended with those events, so a scenario can go on with `.when(..)`.

pub mod fixtures;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
pub use suivi_domain::participants::ParticipantFact;
use suivi_domain::participants::ParticipantFacts;
use suivi_domain::plausibility::CalendarMonth;
use suivi_domain::{decide, Command, Contract, DecisionContext, DomainError, References};
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::EligibleCategory;
use suivi_proto::quantities::Hours;
use suivi_proto::Event;

use fixtures::{date, references, TODAY};

/// A history of events, the day decisions are taken and the reference tables they are taken with.
#[derive(Debug, Clone)]
pub struct Given {
    history: Vec<Event>,
    today: NaiveDate,
    references: Arc<References>,
    /// Register facts that replace the default ones, by code.
    participants: HashMap<ParticipantCode, ParticipantFact>,
    /// Hours counted for a participant on the tenant's other contracts.
    elsewhere: HashMap<(ParticipantCode, CalendarMonth), Hours>,
}

pub fn given(events: impl IntoIterator<Item = Event>) -> Given {
    Given {
        history: events.into_iter().collect(),
        today: date(TODAY),
        references: Arc::new(references()),
        participants: HashMap::new(),
        elsewhere: HashMap::new(),
    }
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

    /// What the register holds about `code` (instead of the default: eligible, not erased).
    pub fn participant(mut self, code: ParticipantCode, fact: ParticipantFact) -> Self {
        self.participants.insert(code, fact);
        self
    }

    /// A participant not in the register at all.
    pub fn unregistered(self, code: ParticipantCode) -> Self {
        let fact = ParticipantFact { erased: true, ..default_fact() };
        // Marked with an impossible eligibility so `facts` leaves it out.
        self.participant(code, ParticipantFact { eligible_until: NaiveDate::MIN, ..fact })
    }

    /// `hours` already counted for `code` in `month` on the tenant's other contracts.
    pub fn counted_elsewhere(mut self, code: ParticipantCode, month: &str, hours: &str) -> Self {
        let month = CalendarMonth::of(date(&format!("{month}-01")));
        self.elsewhere.insert((code, month), hours.parse().unwrap_or_else(|e| panic!("{hours}: {e:?}")));
        self
    }

    pub fn state(&self) -> Contract {
        Contract::from_events(&self.history)
    }

    pub fn when(self, command: Command) -> When {
        let context =
            DecisionContext::new(self.today, Arc::clone(&self.references)).with_participants(self.facts(&command));
        let result = decide(&self.state(), command, &context);
        When { given: self, result }
    }

    /// The register's facts about the participants `command` names, as the application reads them.
    fn facts(&self, command: &Command) -> ParticipantFacts {
        let Command::RequestInstalment(request) = command else { return ParticipantFacts::default() };
        let state = self.state();
        let counted_lines: Vec<_> = state
            .awarded()
            .map(|awarded| {
                awarded.instalments().iter().flat_map(|i| i.lines()).filter(|l| l.counts()).map(|l| l.line()).collect()
            })
            .unwrap_or_default();
        let mut facts = ParticipantFacts::default();
        for code in request.statement.lines.iter().filter_map(|line| line.beneficiary.participant()) {
            let mut fact = self.participants.get(code).cloned().unwrap_or_else(default_fact);
            if fact.eligible_until == NaiveDate::MIN {
                continue;
            }
            for line in counted_lines.iter().filter(|l| l.beneficiary.participant() == Some(code)) {
                let total = fact.counted_hours.entry(CalendarMonth::of(line.period.start)).or_default();
                *total = total.saturating_add(line.hours);
            }
            for ((_, month), hours) in self.elsewhere.iter().filter(|((c, _), _)| c == code) {
                let total = fact.counted_hours.entry(*month).or_default();
                *total = total.saturating_add(*hours);
            }
            facts.insert(code.clone(), fact);
        }
        facts
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

/// A registered participant, eligible from 2000 to 2099, not erased, nothing counted yet.
pub fn default_fact() -> ParticipantFact {
    ParticipantFact {
        category: EligibleCategory::LongTermJobseeker,
        eligible_from: date("2000-01-01"),
        eligible_until: date("2099-12-31"),
        erased: false,
        counted_hours: HashMap::new(),
    }
}
