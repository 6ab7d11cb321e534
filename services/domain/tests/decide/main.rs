//! The contract aggregate, command by command: every happy path and every rejection, written
//! given/when/then (see `support`). One test binary, so the suite builds once.
#![allow(clippy::unwrap_used)]

mod support;

mod advance;
mod amendment;
mod approval;
mod award;
mod correction;
mod errors;
mod payment;
mod penalty;
mod read_model;
mod request;
mod review;
mod settlement;
mod termination;
