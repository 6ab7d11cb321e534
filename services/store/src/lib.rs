//! Suivi's storage edge: the PostgreSQL event store (the source of truth and the outbox) and the
//! relay that publishes its log, in canonical order, to a NATS JetStream stream; and the reader of
//! the dated reference tables ([`reference_rates`]).

pub mod database;
pub mod event_store;
pub mod participants;
pub mod reference_rates;
pub mod relay;

pub use event_store::{
    AppendError, AppendRequest, Appended, CommandRead, EventStore, ReadError, Remembered, StoredEvent,
};
pub use reference_rates::ReferenceRatesError;
pub use relay::{Relay, RelayConfig, RelayError};
