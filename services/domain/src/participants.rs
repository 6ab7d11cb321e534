//! What the tenant's register of participants says about the people a statement names, and
//! what a contract's new events change in the hours counted per participant and month.
//!
//! A statement line names a participant by the code a facilitator handed to the firm. Whether
//! that participant may be declared is not the contract's business alone: the register knows
//! the eligibility period, and one person may work for several firms on several contracts of
//! the same tenant — the 230 h a month bound is per person, **across all of them**
//! (domain.md §3). The application reads these facts (the register, and the hours already
//! counted per participant and month over every contract) and passes them in the
//! [`crate::DecisionContext`]; the domain decides with them, like it does with the reference
//! tables.
//!
//! The counted hours are kept up to date in the same transaction as the events that change
//! them ([`hours_deltas`]): a line's hours count from its request on, and stop counting when the
//! facilitator rejects it. A database constraint caps each participant-month at 230 h, so two
//! firms declaring the same person at the same moment cannot both pass.

use std::collections::HashMap;

use chrono::NaiveDate;
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::{Correction, Decision, EligibleCategory, Event, StatementLine};
use suivi_proto::quantities::Hours;

use crate::contract::Contract;
use crate::plausibility::CalendarMonth;

/// What the register says about one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantFact {
    pub category: EligibleCategory,
    /// First and last day of eligibility, both included.
    pub eligible_from: NaiveDate,
    pub eligible_until: NaiveDate,
    /// Whether the participant's identity was erased: no new hours may name it.
    pub erased: bool,
    /// Hours already counted (declared, not rejected) per calendar month, over every contract of
    /// the tenant — this one's included.
    pub counted_hours: HashMap<CalendarMonth, Hours>,
}

impl ParticipantFact {
    /// Hours counted in `month` so far.
    pub fn counted_in(&self, month: CalendarMonth) -> Hours {
        self.counted_hours.get(&month).copied().unwrap_or_default()
    }
}

/// The facts about the participants one command names, by code. A code missing here is not in
/// the tenant's register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParticipantFacts {
    by_code: HashMap<ParticipantCode, ParticipantFact>,
}

impl ParticipantFacts {
    pub fn insert(&mut self, code: ParticipantCode, fact: ParticipantFact) {
        self.by_code.insert(code, fact);
    }

    pub fn get(&self, code: &ParticipantCode) -> Option<&ParticipantFact> {
        self.by_code.get(code)
    }
}

impl FromIterator<(ParticipantCode, ParticipantFact)> for ParticipantFacts {
    fn from_iter<I: IntoIterator<Item = (ParticipantCode, ParticipantFact)>>(iter: I) -> Self {
        ParticipantFacts { by_code: iter.into_iter().collect() }
    }
}

/// A change to the hours counted for one participant in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursDelta {
    pub code: ParticipantCode,
    pub month: CalendarMonth,
    /// Added (a line declared) or taken away (a line rejected).
    pub change: HoursChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursChange {
    Add(Hours),
    Remove(Hours),
}

/// What `events`, about to be appended to `contract`, change in the hours counted per
/// participant and month. Lines written before the register (pseudonyms) count nothing here.
pub fn hours_deltas(contract: &Contract, events: &[Event]) -> Vec<HoursDelta> {
    let instalment = |number| contract.awarded().and_then(|awarded| awarded.instalment(number));
    let mut deltas = Vec::new();
    for event in events {
        match event {
            Event::InstalmentRequested(request) => {
                deltas.extend(request.statement.lines.iter().filter_map(|line| line_delta(line, HoursChange::Add)));
            }
            Event::StatementReviewed(review) => {
                let Some(instalment) = instalment(review.instalment_number) else { continue };
                let rejected = review
                    .decisions
                    .iter()
                    .filter(|decision| matches!(decision.decision, Decision::Rejected { .. }))
                    .filter_map(|decision| instalment.line(decision.line_id));
                deltas.extend(rejected.filter_map(|reviewed| line_delta(reviewed.line(), HoursChange::Remove)));
            }
            // A withdrawn instalment's lines stop counting, except those already rejected
            // (which stopped counting then).
            Event::FactCorrected(corrected) => {
                let Correction::InstalmentWithdrawn { number } = corrected.correction else { continue };
                let Some(instalment) = instalment(number) else { continue };
                let counted = instalment.lines().iter().filter(|reviewed| reviewed.counts());
                deltas.extend(counted.filter_map(|reviewed| line_delta(reviewed.line(), HoursChange::Remove)));
            }
            _ => {}
        }
    }
    deltas
}

/// The change a line makes to its participant's month; none for a line of a pseudonym.
fn line_delta(line: &StatementLine, change: fn(Hours) -> HoursChange) -> Option<HoursDelta> {
    let code = line.beneficiary.participant()?;
    Some(HoursDelta { code: code.clone(), month: CalendarMonth::of(line.period.start), change: change(line.hours) })
}

/// The facts a tenant whose only contract is `contract` would hold about the participants
/// `command` names, had a facilitator registered each of them as eligible for ever: hours counted
/// are this contract's lines not rejected. For what runs one contract alone, without a register
/// (property tests, data generators); the application reads the real register instead.
pub fn assume_registered(contract: &Contract, command: &crate::Command) -> ParticipantFacts {
    let crate::Command::RequestInstalment(request) = command else { return ParticipantFacts::default() };
    let counted: Vec<&StatementLine> = contract
        .awarded()
        .map(|awarded| {
            awarded
                .instalments()
                .iter()
                .flat_map(|instalment| instalment.lines())
                .filter(|reviewed| reviewed.counts())
                .map(|reviewed| reviewed.line())
                .collect()
        })
        .unwrap_or_default();
    let mut facts = ParticipantFacts::default();
    for line in &request.statement.lines {
        let Some(code) = line.beneficiary.participant() else { continue };
        let mut fact = ParticipantFact {
            category: line.category,
            eligible_from: NaiveDate::MIN,
            eligible_until: NaiveDate::MAX,
            erased: false,
            counted_hours: HashMap::new(),
        };
        for earlier in counted.iter().filter(|earlier| earlier.beneficiary.participant() == Some(code)) {
            let total = fact.counted_hours.entry(CalendarMonth::of(earlier.period.start)).or_default();
            *total = total.saturating_add(earlier.hours);
        }
        facts.insert(code.clone(), fact);
    }
    facts
}
