//! Forms posted to the web interface, their CSRF token checked before anything else is done.
//!
//! A signed-in person's forms carry the session's synchronizer token (`sessions.csrf_token`);
//! the sign-in form, posted before any session exists, carries the token of its own cookie
//! (double submit). A form without the token, or with another, is refused (403). `SameSite=Strict`
//! already keeps other sites' forms from sending the cookies; the token does not rely on it.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use subtle::ConstantTimeEq as _;
use suivi_http::AppState;

use crate::pages::PageError;
use crate::sessions::{self, Session};
use crate::WebSettings;

/// The name of the token's field in every form.
pub const FIELD: &str = "csrf";

/// A posted `application/x-www-form-urlencoded` body.
#[derive(Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_owned()
    }

    /// Every field, in the order posted.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    fn parse(body: &[u8]) -> Self {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }
}

/// Whether the posted token is `expected` (in constant time: no guessing it byte by byte).
fn matches(fields: &Fields, expected: &str) -> bool {
    let posted = fields.get(FIELD).unwrap_or_default();
    !expected.is_empty() && bool::from(posted.as_bytes().ct_eq(expected.as_bytes()))
}

async fn body(request: Request, state: &AppState) -> Result<Fields, PageError> {
    let bytes = Bytes::from_request(request, state).await.map_err(|_| PageError::BadForm)?;
    Ok(Fields::parse(&bytes))
}

/// A form a signed-in person posted, its token the session's.
pub struct SessionForm {
    pub session: Session,
    /// The session cookie's value (to close the session, say).
    pub session_id: String,
    pub fields: Fields,
}

impl FromRequest<AppState> for SessionForm {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body_stream) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let settings = WebSettings::of(&parts);
        let session_id = sessions::cookie(&parts.headers, settings.session_cookie()).unwrap_or_default().to_owned();
        let fields = body(Request::from_parts(parts, body_stream), state).await?;
        if !matches(&fields, &session.csrf_token) {
            tracing::info!("form refused: CSRF token missing or wrong");
            return Err(PageError::Forbidden);
        }
        Ok(SessionForm { session, session_id, fields })
    }
}

/// The sign-in form, its token the one of the sign-in cookie.
pub struct SignInForm(pub Fields);

impl FromRequest<AppState> for SignInForm {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let settings = request.extensions().get::<WebSettings>().copied().unwrap_or_default();
        let expected = sessions::cookie(request.headers(), settings.sign_in_cookie()).unwrap_or_default().to_owned();
        let fields = body(request, state).await?;
        if !matches(&fields, &expected) {
            tracing::info!("sign-in refused: CSRF token missing or wrong");
            return Err(PageError::Forbidden);
        }
        Ok(SignInForm(fields))
    }
}
