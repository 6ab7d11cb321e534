//! Suivi's pure domain rules: one aggregate per contract, event-sourced.
//!
//! ```text
//! state  = Contract::from_events(stored events)
//! events = decide(&state, command, &DecisionContext { today, references })?   // or a DomainError
//! ```
//!
//! No I/O, no clock, no randomness: the application loads the events and the dated reference
//! tables, passes `today`, appends what [`decide`] answers with the stream version it read. The events are the wire types of
//! `suivi-proto`, so what the domain decides is exactly what is stored and published.
//!
//! - [`contract`]: the state ([`Contract`], [`AwardedContract`]) and its read-side helpers;
//! - [`decide()`] with [`Command`] and [`DecisionContext`]; refusals are [`DomainError`]s, each
//!   with the offending field's JSON path and a stable code;
//! - pure calculations, each tested on its own: [`money`], [`advance_recovery`],
//!   [`plausibility`], [`payment_term`], the settlement's [`final_balance`];
//! - calculations fed with the dated reference tables ([`reference`](mod@reference): the type and
//!   the lookup; the tables themselves are the database's `reference_rates`): the insertion
//!   penalty proposal ([`penalty`], shown as [`penalty_view::ProposedPenalty`]), which `decide`
//!   checks a confirmation against and the projector and the penalty view show, and late-payment
//!   interest ([`late_payment`](mod@late_payment)), whose day count the projector uses.
//!
//! Where the rules leave room, the choice is documented where it is made (module docs of
//! `decide::*`, [`advance_recovery`], [`plausibility`], [`payment_term`], [`penalty`],
//! [`late_payment`](mod@late_payment)).

pub mod advance_recovery;
mod command;
pub mod contract;
mod decide;
mod error;
pub mod final_balance;
pub mod late_payment;
pub mod money;
pub mod participants;
pub mod payment_term;
pub mod penalty;
pub mod penalty_view;
pub mod plausibility;
pub mod reference;

pub use command::{Command, DecisionContext};
pub use contract::{AwardedContract, Contract, ContractStatus, Misfit};
pub use decide::decide;
pub use error::{french, DomainError, Lang};
pub use late_payment::{late_payment, payment_delay, LateInterest, LatePayment, LatePaymentInput, PaymentDelay};
pub use penalty::{compute_penalty, propose_penalty, PenaltyInput, PenaltyProposal};
pub use penalty_view::ProposedPenalty;
pub use reference::{DatedRates, MissingReference, NoValueInForce, References};
