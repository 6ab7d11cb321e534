//! The OpenAPI 3.1 document, checked in at `services/suivi/openapi.json` and served at
//! `/api/openapi.json`.

pub const DOCUMENT: &str = include_str!("../openapi.json");
