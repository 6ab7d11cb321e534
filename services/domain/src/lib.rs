//! Suivi's pure domain rules: one aggregate per contract, event-sourced.
//!
//! ```text
//! state  = Contract::from_events(stored events)
//! events = decide(&state, command, &DecisionContext { today })?   // or a DomainError
//! ```
//!
//! No I/O, no clock, no randomness: the edge loads the events, passes `today`, appends what
//! [`decide`] answers with the stream version it read. The events are the wire types of
//! `suivi-proto`, so what the domain decides is exactly what is stored and published.
//!
//! - [`contract`]: the state ([`Contract`], [`AwardedContract`]) and its read-side helpers;
//! - [`decide()`] with [`Command`] and [`DecisionContext`]; refusals are [`DomainError`]s, each
//!   with the offending field's JSON path and a stable code;
//! - pure calculations, each tested on its own: [`money`], [`advance_recovery`],
//!   [`plausibility`], [`payment_term`].
//!
//! Where the rules leave room, the choice is documented where it is made (module docs of
//! `decide::*`, [`advance_recovery`], [`plausibility`], [`payment_term`]).

pub mod advance_recovery;
mod command;
pub mod contract;
mod decide;
mod error;
pub mod money;
pub mod payment_term;
pub mod plausibility;

pub use command::{Command, DecisionContext};
pub use contract::{AwardedContract, Contract, ContractStatus};
pub use decide::decide;
pub use error::DomainError;
