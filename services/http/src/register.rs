//! The edge of the participants' register: requests that record something outside contract
//! streams (a participant registered, erased), and the participant code in a path.
//!
//! They are not contract commands — no `If-Match` (a participant has no version a client
//! edits), no `Idempotency-Key` (registering the same person twice is refused with the code it
//! already has, which is what a retry needs) — so they have their own extractor,
//! [`Registrar`], and answer [`Registered`] (201 with `Location`) or JSON.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use suivi_proto::codes::ParticipantCode;

use crate::auth::{Authorized, Policy};
use crate::request_id::RequestId;
use crate::state::AppState;
use crate::{Problem, ProblemCode};

/// Who records, authorised by policy `P` (the token checked against the database), and the
/// request id the recorded event carries as its correlation id.
pub struct Registrar<P: Policy> {
    pub caller: Authorized<P>,
    pub request_id: RequestId,
}

impl<P: Policy> FromRequestParts<AppState> for Registrar<P> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Authorized::<P>::from_request_parts(parts, state).await?;
        let Ok(request_id) = RequestId::from_request_parts(parts, state).await;
        Ok(Registrar { caller, request_id })
    }
}

/// A participant code in the path (`/api/participants/{code}`), read as typed (lower case
/// forgiven); a malformed one is a 400 naming it.
#[derive(Debug, Clone)]
pub struct CodePath(pub ParticipantCode);

impl<S: Send + Sync> FromRequestParts<S> for CodePath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| CodePath::refusal(&rejection.body_text()))?;
        ParticipantCode::read_typed(&raw).map(CodePath).map_err(|e| CodePath::refusal(&e.to_string()))
    }
}

impl CodePath {
    fn refusal(reason: &str) -> Problem {
        Problem::of(ProblemCode::InvalidPath)
            .detail(
                format!("un code de participant compte 8 caractères (chiffres et lettres sauf I, L, O, U) : {reason}"),
                format!("a participant code is 8 characters (digits and letters but I, L, O, U): {reason}"),
            )
            .field("code")
    }
}

/// 201 Created with `Location` and the JSON of what was created.
pub struct Registered<T> {
    pub location: String,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Registered<T> {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::CREATED, Json(&self.body)).into_response();
        if let Ok(location) = HeaderValue::from_str(&self.location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}
