//! Suivi's storage edge: the PostgreSQL event store (the source of truth and the outbox) and the
//! relay that publishes its log, in canonical order, to a NATS JetStream stream.

pub mod database;
pub mod event_store;
pub mod relay;

pub use event_store::{
    AppendError, AppendRequest, Appended, CommandRead, EventStore, ReadError, Remembered, StoredEvent,
};
pub use relay::{Relay, RelayConfig, RelayError};
