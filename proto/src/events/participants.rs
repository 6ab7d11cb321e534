//! `participant_registered`, `participant_erased`: the tenant's register of the people the
//! insertion clauses are for, as the log holds it.
//!
//! The log is immutable and travels (NATS, backups, exports): it carries a participant's code
//! and the profile brackets indicators count, **never who the person is**. Name and birth date
//! are encrypted outside the log under a per-participant key that erasure destroys (see
//! `docs/privacy.md`); the age band is computed once, at registration, from the birth date.
//!
//! A participant is a stream of its own (the stream id is the participant's id), separate from
//! contract streams: its events form their own small catalogue, [`ParticipantEvent`].

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{payload_v1, DecodeError, EligibleCategory, Payload};
use crate::codes::ParticipantCode;
use crate::text::MultiLineText;

/// v1 payload of `participant_registered`: a facilitator registered a person whose eligibility
/// the prescriber confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRegisteredV1 {
    /// The code statements name the person by; unique in the tenant.
    pub code: ParticipantCode,
    pub category: EligibleCategory,
    /// Who confirmed the person's eligibility.
    pub prescriber: Prescriber,
    /// First day the person is eligible (the prescriber's decision).
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub eligible_from: NaiveDate,
    /// Last day the person is eligible, included.
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub eligible_until: NaiveDate,
    pub gender: Gender,
    pub qualification: QualificationLevel,
    /// Lives in a priority neighbourhood of the city policy (QPV).
    pub priority_neighbourhood_resident: bool,
    /// Age on `eligible_from`, as a bracket: the birth date itself never enters the log.
    pub age_band_at_entry: AgeBand,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub registered_on: NaiveDate,
}

/// v1 payload of `participant_erased`: the person's identity was destroyed (RGPD art. 17). The
/// code, profile brackets and hours stay, so indicators do not change; nobody can tell any more
/// who the code was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantErasedV1 {
    pub code: ParticipantCode,
    /// Why (the person's request, the end of the retention period…); may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub erased_on: NaiveDate,
}

payload_v1!(ParticipantRegisteredV1, "participant_registered");
payload_v1!(ParticipantErasedV1, "participant_erased");

/// Who confirmed a person's eligibility (*prescripteur*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Prescriber {
    FranceTravail,
    MissionLocale,
    CapEmploi,
    /// Plan local pluriannuel pour l'insertion et l'emploi.
    Plie,
    /// A structure of insertion by economic activity.
    Siae,
    /// The département (RSA recipients).
    Departement,
    /// Another prescriber the clause accepts.
    Other,
}

/// Gender, as the SPASER profile indicators count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    /// The person did not say.
    NotStated,
}

/// Highest qualification, in the levels of the national framework of certifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum QualificationLevel {
    /// No diploma, or below CAP/BEP (levels 1–2).
    #[serde(rename = "below_level_3")]
    BelowLevel3,
    /// CAP, BEP.
    #[serde(rename = "level_3")]
    Level3,
    /// Baccalauréat.
    #[serde(rename = "level_4")]
    Level4,
    /// Bac + 2 (BTS, DUT).
    #[serde(rename = "level_5")]
    Level5,
    /// Licence and above.
    #[serde(rename = "level_6_or_above")]
    Level6OrAbove,
}

/// Age on entering the scheme, in the brackets of the eligible publics (under 26, over 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AgeBand {
    #[serde(rename = "under_26")]
    Under26,
    #[serde(rename = "26_to_49")]
    From26To49,
    #[serde(rename = "50_and_over")]
    From50,
}

impl AgeBand {
    /// The band of someone born on `birth_date`, on `on`.
    pub fn on(birth_date: NaiveDate, on: NaiveDate) -> AgeBand {
        match on.years_since(birth_date).unwrap_or(0) {
            0..=25 => AgeBand::Under26,
            26..=49 => AgeBand::From26To49,
            _ => AgeBand::From50,
        }
    }
}

/// Every event of a participant's stream, at its current schema version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantEvent {
    Registered(ParticipantRegisteredV1),
    Erased(ParticipantErasedV1),
}

/// The `event_type`s of participant streams.
pub const PARTICIPANT_EVENT_TYPES: &[&str] = &[ParticipantRegisteredV1::TYPE_NAME, ParticipantErasedV1::TYPE_NAME];

impl ParticipantEvent {
    /// Whether `event_type` belongs to a participant stream (not to a contract's).
    pub fn is_participant_type(event_type: &str) -> bool {
        PARTICIPANT_EVENT_TYPES.contains(&event_type)
    }

    pub fn event_type(&self) -> &'static str {
        match self {
            ParticipantEvent::Registered(_) => ParticipantRegisteredV1::TYPE_NAME,
            ParticipantEvent::Erased(_) => ParticipantErasedV1::TYPE_NAME,
        }
    }

    pub fn schema_version(&self) -> u16 {
        match self {
            ParticipantEvent::Registered(_) => ParticipantRegisteredV1::SCHEMA_VERSION,
            ParticipantEvent::Erased(_) => ParticipantErasedV1::SCHEMA_VERSION,
        }
    }

    pub fn to_payload(&self) -> Value {
        match self {
            ParticipantEvent::Registered(p) => p.to_json(),
            ParticipantEvent::Erased(p) => p.to_json(),
        }
    }

    /// Reads a stored participant event (its text as written, like [`super::Event::decode_str`]).
    pub fn decode_str(event_type: &str, schema_version: u16, payload: &str) -> Result<Self, DecodeError> {
        crate::text::reading_stored(|| match event_type {
            ParticipantRegisteredV1::TYPE_NAME => {
                ParticipantRegisteredV1::decode_str(schema_version, payload).map(ParticipantEvent::Registered)
            }
            ParticipantErasedV1::TYPE_NAME => {
                ParticipantErasedV1::decode_str(schema_version, payload).map(ParticipantEvent::Erased)
            }
            other => Err(DecodeError::UnknownType(other.to_owned())),
        })
    }

    pub fn code(&self) -> &ParticipantCode {
        match self {
            ParticipantEvent::Registered(p) => &p.code,
            ParticipantEvent::Erased(p) => &p.code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_age_band_turns_on_the_26th_and_50th_birthdays() {
        let born = date("2000-03-15");
        assert_eq!(AgeBand::on(born, date("2026-03-14")), AgeBand::Under26);
        assert_eq!(AgeBand::on(born, date("2026-03-15")), AgeBand::From26To49);
        assert_eq!(AgeBand::on(born, date("2050-03-14")), AgeBand::From26To49);
        assert_eq!(AgeBand::on(born, date("2050-03-15")), AgeBand::From50);
    }

    #[test]
    fn participant_events_are_told_from_contract_events_by_type() {
        assert!(ParticipantEvent::is_participant_type("participant_erased"));
        assert!(!ParticipantEvent::is_participant_type("instalment_requested"));
        let erased = ParticipantEvent::Erased(ParticipantErasedV1 {
            code: ParticipantCode::parse("K7M2QX9A").unwrap_or_else(|e| panic!("{e}")),
            reason: "Demande de la personne".to_owned(),
            erased_on: date("2026-12-01"),
        });
        let text = erased.to_payload().to_string();
        assert_eq!(ParticipantEvent::decode_str("participant_erased", 1, &text), Ok(erased));
    }
}
