//! RFC 9457 `application/problem+json` errors.
//!
//! Every refusal names a stable `type` (`/problems/<code>`, documented in the OpenAPI document),
//! a short title, and — when one input field is at fault — that field as a JSON path
//! (`statement.lines[2].hours`). 5xx bodies say nothing internal: the cause is logged instead.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The input field at fault, as a JSON path into the request body (or a header or query
    /// parameter name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: impl Into<String>) -> Self {
        Problem {
            type_uri: format!("/problems/{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            field: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized() -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "A valid bearer token is required")
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Your role may not do this").detail(detail)
    }

    /// Also what another tenant's or another contractor's contract looks like: it does not exist
    /// for the caller, so its existence is not disclosed.
    pub fn not_found(what: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found").detail(what)
    }

    pub fn invalid(code: &str, field: impl Into<String>, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "The request is not valid").field(field).detail(detail)
    }

    /// Logs the cause and answers a 500 that discloses nothing.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "internal error");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error")
    }

    pub fn unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "dependency unavailable");
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service temporarily unavailable")
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], body).into_response()
    }
}

/// Displays an error with its whole `source()` chain, for logs.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
