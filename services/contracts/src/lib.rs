//! Buyers' command service: award, amend, terminate, approve instalments, settle; the contract
//! views every role reads; DECP import.

pub mod decp;
mod routes;
mod views;

pub use routes::{list_query, routes, ApprovalBody};
pub use views::{ContractSummary, ContractView, InstalmentView, PenaltyRateView};
