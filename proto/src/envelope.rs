//! The envelope every stored and published event travels in.
//!
//! The envelope is the part of the wire contract that never changes shape: payloads evolve
//! through `schema_version` and upcasters (see [`crate::events`]), the envelope does not.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{Actor, TenantId};

/// Where an event sits in the store's canonical order.
///
/// Positions come from a PostgreSQL sequence, handed out before commit, so they are unique but
/// not in commit order. The canonical order is `(transaction_id, position)`: the id of the
/// transaction that wrote the event, then the position. Readers of the store only read below the
/// oldest transaction still running, which is what makes this order safe to follow (no event
/// is ever skipped). On NATS the JetStream stream sequence is the same order without gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct LogPosition {
    /// PostgreSQL transaction id (`xid8`) of the transaction that appended the event.
    pub transaction_id: u64,
    /// Unique sequence number of the event in the store.
    pub position: i64,
}

impl LogPosition {
    /// The position before every event.
    pub const START: LogPosition = LogPosition { transaction_id: 0, position: 0 };
}

/// An event as recorded in the store and published on NATS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventEnvelope {
    /// Unique id of the event (UUID v7). Also the `Nats-Msg-Id` header on JetStream.
    pub event_id: Uuid,
    /// The stream the event belongs to: the contract id.
    pub stream_id: Uuid,
    /// 1 for the first event of a stream, then +1 per event, without gaps.
    pub stream_version: i64,
    /// Canonical position in the store's log.
    #[serde(flatten)]
    pub log_position: LogPosition,
    /// snake_case name of the event, e.g. `contract_awarded`.
    pub event_type: String,
    /// Version of the payload's schema for this event type (starts at 1).
    pub schema_version: u16,
    /// When the fact happened in the business world (UTC).
    pub occurred_at: DateTime<Utc>,
    /// When the store recorded it (UTC).
    pub recorded_at: DateTime<Utc>,
    /// The buyer organisation whose data this is.
    pub tenant: TenantId,
    /// Who caused the event.
    pub actor: Actor,
    /// Shared by every event and message that stems from one original request.
    pub correlation_id: Uuid,
    /// The event or message that directly caused this one, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// The event's data, shaped by `event_type` and `schema_version`.
    pub payload: serde_json::Value,
}

/// An event about to be appended: everything but what the store assigns
/// (stream version, log position, recorded_at).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u16,
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

impl NewEvent {
    /// Wraps a typed event, with a fresh UUID v7.
    pub fn from_event(event: &crate::events::Event, occurred_at: DateTime<Utc>) -> Self {
        NewEvent {
            event_id: Uuid::now_v7(),
            event_type: event.event_type().to_owned(),
            schema_version: event.schema_version(),
            occurred_at,
            payload: event.to_payload(),
        }
    }

    /// Wraps a participant's event, with a fresh UUID v7.
    pub fn from_participant_event(event: &crate::events::ParticipantEvent, occurred_at: DateTime<Utc>) -> Self {
        NewEvent {
            event_id: Uuid::now_v7(),
            event_type: event.event_type().to_owned(),
            schema_version: event.schema_version(),
            occurred_at,
            payload: event.to_payload(),
        }
    }
}
