//! The OpenAPI 3.1 document, generated here, checked in at `services/suivi/openapi.json` and
//! served at `/api/openapi.json`.
//!
//! - the operations are the router's own ([`crate::app::routes`], see `suivi_http::routes`):
//!   path, method, roles, path id, headers, body and response types, each registered with its
//!   route and read from its handler's extractors;
//! - [`paths`]: what each operation answers, derived from its shape;
//! - [`schemas`]: `components/schemas` generated from the Rust types by schemars (2020-12);
//! - [`problems`]: every problem `type`, the edge's and the domain's;
//! - [`examples`]: one contract's life, played through the domain to make the examples, found
//!   by operation id;
//! - [`indicator_example`]: that contract's year in the indicators.
//!
//! `SUIVI_BLESS=1 cargo test -p suivi --test openapi` rewrites the checked-in file; the same
//! test fails when it drifts from this code.
//!
//! The generator is behind the `openapi` feature, which the crate's tests turn on: the served
//! binary has only [`DOCUMENT`], the checked-in file, and the router's registry of operations.

#[cfg(feature = "openapi")]
pub mod examples;
#[cfg(feature = "openapi")]
pub mod indicator_example;
#[cfg(feature = "openapi")]
pub mod participant_examples;
#[cfg(feature = "openapi")]
mod paths;
#[cfg(feature = "openapi")]
mod problem_examples;
pub mod problems;
#[cfg(feature = "openapi")]
pub mod schemas;

#[cfg(feature = "openapi")]
pub use generator::*;

pub use suivi_http::routes::{Access, Body, Method, Operation, Query, Success};

/// The checked-in document, as served.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// Where the checked-in document lives, from the crate's root.
pub const FILE: &str = "openapi.json";

/// The generator: [`document`] and [`render`].
#[cfg(feature = "openapi")]
mod generator;
