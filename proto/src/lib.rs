//! Suivi's wire contract: what integrators (finance, other services) rely on.
//!
//! - [`envelope`]: the envelope of every event;
//! - [`events`]: the payload catalogue, versioned, with upcasting of old versions;
//! - [`messages`]: what finance sends in;
//! - [`ledger`]: what finance acts on, every figure computed;
//! - [`codes`], [`decimal`], [`date`]: SIRET, CPV, pseudonyms; decimals as strings; strict dates;
//! - [`quantities`]: the typed amounts the payloads carry ([`MoneyHt`], [`MoneyTtc`], [`Hours`],
//!   [`Share`]), so that an amount excluding VAT cannot be passed where one including VAT is due;
//! - [`shown`]: the one format of the figures Suivi computes and shows (views, read models,
//!   indicators): amounts with two decimals, shares with four, hours without trailing zeros;
//! - [`subjects`]: NATS subject naming;
//! - [`text`]: free text, without control characters;
//! - [`schema`]: JSON Schemas generated from these types (checked in under `proto/schemas/`,
//!   referenced by `proto/asyncapi.yaml`).

pub mod codes;
pub mod date;
pub mod decimal;
pub mod envelope;
pub mod events;
pub mod ids;
pub mod ledger;
pub mod messages;
pub mod quantities;
pub mod schema;
pub mod shown;
pub mod subjects;
pub mod text;

pub use envelope::{EventEnvelope, LogPosition, NewEvent};
pub use events::{DecodeError, Event, Payload, EVENT_TYPES};
pub use ids::{Actor, ActorKind, TenantId};
pub use messages::{FinanceMessage, FinanceRejection, PaymentReportedV1, FINANCE_MESSAGE_TYPES};
pub use quantities::{Hours, MoneyHt, MoneyTtc, Share};
pub use subjects::Subjects;
