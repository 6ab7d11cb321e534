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
//!   [`plausibility`], [`payment_term`];
//! - the projector's calculations, with their reference tables passed in ([`reference`](mod@reference)):
//!   the insertion penalty proposal ([`penalty`], shown as [`penalty_view::ProposedPenalty`]) and
//!   late-payment interest ([`late_payment`](mod@late_payment)).
//!
//! Where the rules leave room, the choice is documented where it is made (module docs of
//! `decide::*`, [`advance_recovery`], [`plausibility`], [`payment_term`], [`penalty`],
//! [`late_payment`](mod@late_payment)).

pub mod advance_recovery;
mod command;
pub mod contract;
mod decide;
mod error;
pub mod late_payment;
pub mod money;
pub mod payment_term;
pub mod penalty;
pub mod penalty_view;
pub mod plausibility;
pub mod reference;

pub use command::{Command, DecisionContext};
pub use contract::{AwardedContract, Contract, ContractStatus};
pub use decide::decide;
pub use error::{french, DomainError, Lang};
pub use late_payment::{late_payment, LatePayment, LatePaymentInput};
pub use penalty::{compute_penalty, propose_penalty, PenaltyInput, PenaltyProposal};
pub use penalty_view::ProposedPenalty;
pub use reference::{DatedRates, NoValueInForce};
