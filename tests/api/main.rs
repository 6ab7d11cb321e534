//! The HTTP API end to end: a real server on a free port, a real database per test.

#![allow(clippy::unwrap_used)]

mod access;
mod contracts;
mod corrections;
mod exports;
mod figures;
mod history_rules;
mod idempotency_and_concurrency;
mod limits;
mod lists;
mod logs_under_load;
mod participants;
mod penalties;
mod statements;
mod tenancy;
mod termination;
