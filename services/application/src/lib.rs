//! The application layer: what every edge (HTTP, NATS, the DECP import, the demo) calls to act
//! on contracts, with no transport in it.
//!
//! ```text
//! edge: parse, authenticate → Principal, CommandRequest
//!   → Application::execute: load (cache + one round trip: key and new events) → visible? →
//!     If-Match? → decide (pure domain; today and the reference tables, a minute old at most)
//!     → append (expected version, idempotency key + digest)
//!   ← Accepted | ApplicationError
//! edge: map the answer (problem+json, NATS rejection)
//! ```
//!
//! Reads for lists come from the projector's read models ([`lists`]); a single contract is folded
//! from its own stream, exact to the last event.

mod aggregates;
mod error;
pub mod lists;
pub mod penalty_lists;
mod principal;
pub mod references;
mod runner;
pub mod tenancy;

pub use error::ApplicationError;
pub use principal::{Principal, Role};
pub use runner::{
    business_today, Accepted, Application, CommandRequest, Expected, Idempotency, LoadedContract,
    DEFAULT_AGGREGATE_CACHE,
};
