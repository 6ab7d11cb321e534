//! One id per request, to follow it from the HTTP log to the events it appended (their
//! `correlation_id`) and the NATS messages relayed from them.
//!
//! Taken from the W3C `traceparent` header's trace id when a caller sends one, else from
//! `X-Request-Id` when it is a UUID, else made here (UUID v7). Returned in `X-Request-Id`.

use axum::extract::{FromRequestParts, Request};
use axum::http::{request::Parts, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;
use uuid::Uuid;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const TRACEPARENT: &str = "traceparent";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

impl RequestId {
    fn of(request: &Request) -> RequestId {
        let headers = request.headers();
        let from_traceparent = headers.get(TRACEPARENT).and_then(|v| v.to_str().ok()).and_then(trace_id);
        let from_header =
            || headers.get(X_REQUEST_ID).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        RequestId(from_traceparent.or_else(from_header).unwrap_or_else(Uuid::now_v7))
    }
}

/// The trace id of a `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), unless all zeros.
fn trace_id(traceparent: &str) -> Option<Uuid> {
    let mut parts = traceparent.trim().split('-');
    let (version, trace, parent) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = version.len() == 2
        && trace.len() == 32
        && parent.len() == 16
        && trace.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let id = Uuid::from_u128(u128::from_str_radix(trace, 16).ok()?);
    (valid && !id.is_nil()).then_some(id)
}

/// Middleware: gives the request its id, runs it in a span naming it, returns it in a header.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = RequestId::of(&request);
    request.extensions_mut().insert(id);
    let span =
        tracing::info_span!("http", request_id = %id.0, method = %request.method(), path = %request.uri().path());
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id.0.to_string()) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Outside the middleware (a unit test's router), a fresh id still correlates the events.
        Ok(parts.extensions.get::<RequestId>().copied().unwrap_or_else(|| RequestId(Uuid::now_v7())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_gives_its_trace_id() {
        let id = trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assert_eq!(id, Some(Uuid::from_u128(0x4bf92f3577b34da6a3ce929d0e0e4736)));
    }

    #[test]
    fn a_malformed_or_zero_traceparent_gives_nothing() {
        assert_eq!(trace_id("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), None);
        assert_eq!(trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), None);
        assert_eq!(trace_id("garbage"), None);
        assert_eq!(trace_id("00-4bf92f35-00f067aa0ba902b7-01"), None);
    }
}
