//! The event catalogue: one payload type per `event_type`, versioned.
//!
//! # Conventions of every payload
//!
//! - Unknown fields are refused (`deny_unknown_fields`): a typo must not pass silently.
//! - Money, hours and rates are decimal **strings** (see [`crate::decimal`]). Every money field
//!   names its VAT basis: `_ht` (excluding VAT) or `_ttc` (including VAT).
//! - Rates and shares are **fractions of 1**, never percents: `vat_rate: "0.20"` is 20 %,
//!   `tolerance_share: "0.1"` is 10 %. The schema refuses anything outside `[0, 1]`, so a
//!   percent sent by mistake (`"20"`) is caught at the border.
//! - Dates are `YYYY-MM-DD` (a business day, no time zone); instants are RFC 3339 in UTC.
//! - Sum types are objects with a `kind` tag: `{"kind": "fixed", "amount_per_hour_ht": "60"}`.
//! - Optional fields are omitted when absent; `null` is read as absent too.
//! - Free text holds no control characters (line feeds and tabs only where it may span lines):
//!   see [`crate::text`] — and why stored events are read as written.
//! - The contract id is the stream id of the envelope: payloads never repeat it.
//!
//! # Versioning: how a v2 is added
//!
//! A stored event is never rewritten, and a published schema is never edited. A breaking
//! change to, say, `contract_awarded` goes like this:
//!
//! 1. Keep `ContractAwardedV1` as it is (its schema file `contract_awarded.v1.json` stays
//!    checked in, unchanged, for readers of old events).
//! 2. Add `ContractAwardedV2` with `SCHEMA_VERSION = 2` and point the `Event::ContractAwarded`
//!    variant at it: `Event` always holds the current version, so the domain handles one shape.
//! 3. Implement `ContractAwardedV2::upcast`: a pure function from the v1 JSON to the v2 JSON
//!    (e.g. fill a new field with its documented default). For a v3, chain `v1 → v2 → v3`.
//! 4. Register the v1 type in [`crate::schema::all_schemas`] next to the current one, bless
//!    the schemas (`contract_awarded.v2.json` appears) and point the AsyncAPI message at v2.
//!
//! [`Event::decode`] then reads every version ever written: current payloads directly, older
//! ones through the upcaster; a version newer than this build knows is refused, never guessed.

mod award;
mod corrections;
mod instalments;
mod lifecycle;
mod participants;
mod payments;
mod penalties;

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use award::*;
pub use corrections::*;
pub use instalments::*;
pub use lifecycle::*;
pub use participants::*;
pub use payments::*;
pub use penalties::*;

use crate::envelope::EventEnvelope;

/// A payload type of the catalogue (or of a finance message), at one schema version.
pub trait Payload: Serialize + DeserializeOwned + JsonSchema {
    /// The `event_type` (or finance `message_type`) this payload belongs to.
    const TYPE_NAME: &'static str;
    /// The schema version this type describes.
    const SCHEMA_VERSION: u16;

    /// Upcasting hook: turns a stored payload written at `from_version` (older than
    /// [`Payload::SCHEMA_VERSION`]) into this version's JSON. Version-1 types have no older
    /// version and answer [`DecodeError::UnsupportedVersion`].
    fn upcast(from_version: u16, payload: Value) -> Result<Value, DecodeError>;

    /// Reads a payload of any version up to this one, as strictly as serde reads it: free text
    /// with control characters is refused (see [`crate::text`]). Stored events are read through
    /// [`Event::decode`], which reads their text as written.
    fn decode(schema_version: u16, payload: &Value) -> Result<Self, DecodeError> {
        let current: Cow<'_, Value> = if schema_version == Self::SCHEMA_VERSION {
            Cow::Borrowed(payload)
        } else if (1..Self::SCHEMA_VERSION).contains(&schema_version) {
            Cow::Owned(Self::upcast(schema_version, payload.clone())?)
        } else {
            return Err(DecodeError::unsupported::<Self>(schema_version));
        };
        Self::deserialize(current.as_ref()).map_err(|e| DecodeError::InvalidPayload {
            type_name: Self::TYPE_NAME.to_owned(),
            schema_version,
            message: e.to_string(),
        })
    }

    /// [`Payload::decode`] from the stored JSON text: a current-version payload is read straight
    /// into its type, without building a `serde_json::Value` first (the projector's hot path).
    fn decode_str(schema_version: u16, payload: &str) -> Result<Self, DecodeError> {
        let invalid = |e: serde_json::Error| DecodeError::InvalidPayload {
            type_name: Self::TYPE_NAME.to_owned(),
            schema_version,
            message: e.to_string(),
        };
        if schema_version == Self::SCHEMA_VERSION {
            serde_json::from_str(payload).map_err(invalid)
        } else {
            Self::decode(schema_version, &serde_json::from_str(payload).map_err(invalid)?)
        }
    }

    /// The payload as JSON, at [`Payload::SCHEMA_VERSION`].
    fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("payload types have string keys only: infallible")
    }
}

/// Why a stored payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event or message type {0:?}")]
    UnknownType(String),
    #[error("{type_name} has no schema version {schema_version} (this build reads 1 to {current})")]
    UnsupportedVersion { type_name: String, schema_version: u16, current: u16 },
    #[error("invalid {type_name} v{schema_version} payload: {message}")]
    InvalidPayload { type_name: String, schema_version: u16, message: String },
}

impl DecodeError {
    /// `schema_version` is not one `P` can read.
    pub fn unsupported<P: Payload>(schema_version: u16) -> Self {
        DecodeError::UnsupportedVersion {
            type_name: P::TYPE_NAME.to_owned(),
            schema_version,
            current: P::SCHEMA_VERSION,
        }
    }
}

/// Declares the catalogue once; everything that lists event types is generated from it.
macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident($payload:ty), )+) => {
        /// Every event of the catalogue, at its current schema version.
        // `contract_awarded` is much larger than the others; boxing it would make every match
        // and construction clumsier to save a few hundred bytes per event in memory.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $( $(#[$doc])* $variant($payload), )+
        }

        /// Every `event_type`, in the order of a contract's life.
        pub const EVENT_TYPES: &[&str] = &[$( <$payload as Payload>::TYPE_NAME, )+];

        $(
            impl From<$payload> for Event {
                fn from(payload: $payload) -> Self {
                    Event::$variant(payload)
                }
            }
        )+

        impl Event {
            /// The snake_case `event_type` of the envelope, e.g. `contract_awarded`.
            pub fn event_type(&self) -> &'static str {
                match self {
                    $( Event::$variant(_) => <$payload as Payload>::TYPE_NAME, )+
                }
            }

            /// The schema version [`Event::to_payload`] writes: always the current one.
            pub fn schema_version(&self) -> u16 {
                match self {
                    $( Event::$variant(_) => <$payload as Payload>::SCHEMA_VERSION, )+
                }
            }

            /// The payload as JSON, for the envelope.
            pub fn to_payload(&self) -> Value {
                match self {
                    $( Event::$variant(p) => p.to_json(), )+
                }
            }

            /// Reads a stored payload of any known type and version, upcasting old versions.
            ///
            /// Free text is read as it was stored, control characters included: events are never
            /// edited, and one stored before [`crate::text`]'s rule must stay readable. Input
            /// from outside goes through [`Payload::decode`] or serde, which refuse them.
            pub fn decode(
                event_type: &str,
                schema_version: u16,
                payload: &Value,
            ) -> Result<Event, DecodeError> {
                crate::text::reading_stored(|| match event_type {
                    $( <$payload as Payload>::TYPE_NAME => {
                        <$payload>::decode(schema_version, payload).map(Event::$variant)
                    } )+
                    other => Err(DecodeError::UnknownType(other.to_owned())),
                })
            }

            /// [`Event::decode`] from the stored JSON text of the payload.
            pub fn decode_str(
                event_type: &str,
                schema_version: u16,
                payload: &str,
            ) -> Result<Event, DecodeError> {
                crate::text::reading_stored(|| match event_type {
                    $( <$payload as Payload>::TYPE_NAME => {
                        <$payload>::decode_str(schema_version, payload).map(Event::$variant)
                    } )+
                    other => Err(DecodeError::UnknownType(other.to_owned())),
                })
            }
        }

        /// Calls `visit` with the schema of every current payload type.
        pub(crate) fn visit_payload_types<V: crate::schema::VisitPayload>(visit: &mut V) {
            $( visit.visit::<$payload>(); )+
        }
    };
}

catalogue! {
    /// The contract is notified: first event of every stream.
    ContractAwarded(ContractAwardedV1),
    /// An amendment (*avenant*) changes amount, duration or committed hours.
    ContractAmended(ContractAmendedV2),
    /// Early termination (*résiliation*).
    ContractTerminated(ContractTerminatedV1),
    /// Finance paid the advance.
    AdvancePaid(AdvancePaidV1),
    /// The contractor requests an instalment, with its hour statement.
    InstalmentRequested(InstalmentRequestedV2),
    /// The facilitator validated or rejected the statement's lines.
    StatementReviewed(StatementReviewedV1),
    /// The buyer approved an instalment: what finance must pay.
    InstalmentApproved(InstalmentApprovedV1),
    /// Finance paid an instalment.
    InstalmentPaid(InstalmentPaidV1),
    /// Final settlement (*décompte général et définitif*).
    ContractSettled(ContractSettledV1),
    /// The contractor is notified of the intended penalty and may answer within a period.
    PenaltyNotified(PenaltyNotifiedV1),
    /// The contractor's observations on the notified penalty.
    PenaltyObservationsReceived(PenaltyObservationsReceivedV1),
    /// The computed penalty proposal is confirmed as is.
    PenaltyConfirmed(PenaltyConfirmedV1),
    /// The penalty is set to another amount, with a reason.
    PenaltyAdjusted(PenaltyAdjustedV1),
    /// No penalty is applied, with a reason.
    PenaltyWaived(PenaltyWaivedV1),
    /// A buyer corrects an entry mistake, with a reason.
    FactCorrected(FactCorrectedV1),
}

impl EventEnvelope {
    /// Reads the envelope's payload as a typed event (upcasting old versions).
    pub fn decode_event(&self) -> Result<Event, DecodeError> {
        Event::decode(&self.event_type, self.schema_version, &self.payload)
    }
}

/// A period of execution, both bounds included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day, included.
    #[serde(with = "crate::date")]
    #[schemars(with = "chrono::NaiveDate")]
    pub start: chrono::NaiveDate,
    /// Last day, included.
    #[serde(with = "crate::date")]
    #[schemars(with = "chrono::NaiveDate")]
    pub end: chrono::NaiveDate,
}

/// Implements [`Payload`] for a version-1 type: there is nothing older to upcast.
macro_rules! payload_v1 {
    ($payload:ty, $type_name:literal) => {
        impl $crate::events::Payload for $payload {
            const TYPE_NAME: &'static str = $type_name;
            const SCHEMA_VERSION: u16 = 1;

            fn upcast(
                from_version: u16,
                _payload: serde_json::Value,
            ) -> Result<serde_json::Value, $crate::events::DecodeError> {
                Err($crate::events::DecodeError::unsupported::<Self>(from_version))
            }
        }
    };
}
pub(crate) use payload_v1;

#[cfg(test)]
mod tests {
    //! The upcasting hook, exercised with a made-up v2 (no real type has a v2 yet).

    use serde_json::json;

    use super::*;

    /// `penalty_waived` v2 as it might be one day: v1 plus who asked for the waiver.
    #[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct PenaltyWaivedV2 {
        reason: String,
        decided_on: chrono::NaiveDate,
        requested_by: String,
    }

    impl Payload for PenaltyWaivedV2 {
        const TYPE_NAME: &'static str = "penalty_waived";
        const SCHEMA_VERSION: u16 = 2;

        fn upcast(from_version: u16, mut payload: Value) -> Result<Value, DecodeError> {
            match from_version {
                1 => {
                    payload["requested_by"] = json!("unknown");
                    Ok(payload)
                }
                _ => Err(DecodeError::unsupported::<Self>(from_version)),
            }
        }
    }

    #[test]
    fn it_reads_an_old_version_through_its_upcaster_and_refuses_unknown_versions() {
        let v1 = json!({"reason": "Défaillance de la SIAE", "decided_on": "2025-07-16"});
        let expected = PenaltyWaivedV2 {
            reason: "Défaillance de la SIAE".to_owned(),
            decided_on: chrono::NaiveDate::from_ymd_opt(2025, 7, 16).expect("a date"),
            requested_by: "unknown".to_owned(),
        };
        assert_eq!(PenaltyWaivedV2::decode(1, &v1), Ok(expected));
        assert!(PenaltyWaivedV2::decode(2, &v1).is_err(), "v1 JSON is not valid v2");
        for version in [0, 3] {
            assert_eq!(
                PenaltyWaivedV2::decode(version, &v1),
                Err(DecodeError::UnsupportedVersion {
                    type_name: "penalty_waived".to_owned(),
                    schema_version: version,
                    current: 2
                })
            );
        }
    }

    #[test]
    fn it_reports_the_stored_version_and_serde_message_of_an_invalid_payload() {
        let error = Event::decode("penalty_waived", 1, &json!({"reason": "x"})).expect_err("no decided_on");
        assert_eq!(error.to_string(), "invalid penalty_waived v1 payload: missing field `decided_on`");
    }
}
