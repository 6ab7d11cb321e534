//! A strict JSON body extractor: wrong content type → 415, malformed JSON → 400, a value of the
//! wrong shape → 422 naming the field at fault (via `serde_path_to_error`). The `detail` of the
//! last two is serde's message, in English whatever the language asked for; their title is
//! translated.
//!
//! It also digests what was sent (method, path, body bytes): kept with an `Idempotency-Key`, the
//! digest tells a retry from another request that reuses the key.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

use crate::problem::{Problem, ProblemCode, Text};

/// The parsed body and the digest of the request that carried it.
pub struct JsonBody<T>(pub T, pub RequestDigest);

/// SHA-256 of a request's method, path and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestDigest(pub [u8; 32]);

impl RequestDigest {
    pub fn of(method: &str, path: &str, body: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        for part in [method.as_bytes(), b" ", path.as_bytes(), b"\n", body] {
            hasher.update(part);
        }
        RequestDigest(hasher.finalize().into())
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(Problem::of(ProblemCode::UnsupportedMediaType));
        }
        let (method, path) = (request.method().to_string(), request.uri().path().to_owned());
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::of(ProblemCode::BodyTooLarge)
            } else if crate::timeouts::is_body_timeout(&rejection) {
                Problem::of(ProblemCode::RequestTimeout)
            } else {
                Problem::of(ProblemCode::UnreadableBody)
            }
        })?;
        let digest = RequestDigest::of(&method, &path, &bytes);
        parse(&bytes).map(|value| JsonBody(value, digest))
    }
}

/// Parses `bytes` as `T`, reporting the path of the first field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            malformed(&inner)
        } else {
            let message = inner.to_string();
            // The path names the field at fault, but for a missing field it stops at its parent.
            let field = match (missing_field_name(&message), path.as_str()) {
                (Some(name), ".") => name,
                (Some(name), parent) => format!("{parent}.{name}"),
                (None, ".") => String::new(),
                (None, _) => path,
            };
            // serde's own words: in English whatever the language (the title is translated).
            Problem::invalid(ProblemCode::InvalidField, field, Text::untranslated(message))
        }
    })?;
    deserializer.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

/// 400: where the text stops being JSON, in serde's (English) words.
fn malformed(error: &serde_json::Error) -> Problem {
    Problem::of(ProblemCode::MalformedJson).with_detail(Text::untranslated(error.to_string()))
}

/// serde names a missing top-level field only in its message: "missing field `x` at …".
fn missing_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}
