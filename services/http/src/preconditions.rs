//! `Idempotency-Key` and `If-Match` / `ETag`: retries and optimistic concurrency over HTTP.
//!
//! A contract's ETag is its stream version, `"v7"`. A command sent with `If-Match: "v7"` is
//! decided only if the contract is still at version 7 (412 otherwise); without `If-Match` it is
//! decided on the version just read, and a concurrent change between reading and appending is a
//! 409. A POST carrying an `Idempotency-Key` already used (by the same tenant) appends nothing and
//! answers what the first request answered.

use axum::extract::FromRequestParts;
use axum::http::{request::Parts, HeaderValue, StatusCode};

use crate::problem::Problem;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"v0\""))
}

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else { return Ok(IdempotencyKey(None)) };
        let key = value.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= 255);
        match key {
            Some(key) if key.bytes().all(|b| b.is_ascii_graphic()) => Ok(IdempotencyKey(Some(key.to_owned()))),
            _ => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_header",
                "Idempotency-Key is 1 to 255 visible ASCII characters",
            )
            .field("Idempotency-Key")),
        }
    }
}

/// The optional `If-Match` header, as the stream version it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(axum::http::header::IF_MATCH) else { return Ok(IfMatch(None)) };
        let version = value
            .to_str()
            .ok()
            .map(str::trim)
            .map(|v| v.strip_prefix("W/").unwrap_or(v))
            .and_then(|v| v.strip_prefix("\"v"))
            .and_then(|v| v.strip_suffix('"'))
            .and_then(|v| v.parse::<i64>().ok());
        match version {
            Some(version) => Ok(IfMatch(Some(version))),
            None => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_header",
                "If-Match must be an ETag of this API, e.g. \"v3\"",
            )
            .field("If-Match")),
        }
    }
}

impl IfMatch {
    /// 412 when the contract moved on since the caller read it.
    pub fn check(self, current: i64) -> Result<(), Problem> {
        match self.0 {
            Some(expected) if expected != current => Err(Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The contract changed since you read it",
            )
            .detail(format!("If-Match names version {expected}; the contract is at version {current}"))
            .field("If-Match")),
            _ => Ok(()),
        }
    }
}
