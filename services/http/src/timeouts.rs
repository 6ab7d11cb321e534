//! Time limits on a request, answered as problems: a body that stops arriving (408) and a
//! request that is not answered in time (503). The header timeout and the connection limit are
//! the listener's (`suivi::server`): no request exists yet when they apply.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::problem::{Problem, ProblemCode};

#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Longest wait for the next piece of a request body.
    pub body_timeout: Duration,
    /// Longest time from the request's headers to its answer.
    pub request_timeout: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits { body_timeout: Duration::from_secs(10), request_timeout: Duration::from_secs(30) }
    }
}

/// Middleware: answers `deadline_exceeded` (503) when the request is not answered within
/// `request_timeout`. The handler is dropped at that point; a command is one SQL statement, so
/// it was either recorded in full or not at all, and a retry with the same `Idempotency-Key`
/// tells which.
pub async fn deadline(State(limits): State<RequestLimits>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(after = ?limits.request_timeout, "request abandoned at its deadline");
            Problem::of(ProblemCode::DeadlineExceeded).into_response()
        }
    }
}

/// Whether reading a body failed because it stopped arriving (tower-http's body timeout).
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}
