//! `/connexion` (sign in) and `/deconnexion` (sign out).
//!
//! Each sign-in attempt spends one unit of the client address's budget of unverified requests
//! (`suivi_http::throttle`, `SUIVI_AUTH_FAILURES_PER_MINUTE`) before the password is checked,
//! so guessing passwords goes no faster than that budget, on the web as on the API.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use suivi_http::AppState;

use super::{render, Nav, PageError};
use crate::accounts;
use crate::csrf::{SessionForm, SignInForm};
use crate::sessions::{self, random_token, set_cookie, SESSION_HOURS};
use crate::WebSettings;

/// The sign-in form's token lives an hour: long enough to fetch one's password.
const SIGN_IN_TOKEN_SECONDS: i64 = 3600;

#[derive(Template)]
#[template(path = "connexion.html")]
struct SignInPage {
    nav: Option<Nav>,
    csrf: String,
    email: String,
    error: Option<&'static str>,
}

/// The sign-in form, with a fresh CSRF token in its cookie unless the browser has one.
fn sign_in_page(
    settings: &WebSettings,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<&'static str>,
) -> Response {
    let existing = sessions::cookie(headers, settings.sign_in_cookie()).filter(|token| {
        token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    let csrf = existing.map_or_else(random_token, str::to_owned);
    let mut response = render(status, &SignInPage { nav: None, csrf: csrf.clone(), email, error });
    let cookie = set_cookie(settings, settings.sign_in_cookie(), &csrf, SIGN_IN_TOKEN_SECONDS);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /connexion`.
pub async fn form(
    State(state): State<AppState>,
    Extension(settings): Extension<WebSettings>,
    headers: HeaderMap,
) -> Response {
    if sessions::optional(&headers, &settings, &state.pool).await.is_some() {
        return Redirect::to("/marches").into_response();
    }
    sign_in_page(&settings, &headers, StatusCode::OK, String::new(), None)
}

/// `POST /connexion`: to the contracts with a session cookie, or the form again.
pub async fn submit(
    State(state): State<AppState>,
    Extension(settings): Extension<WebSettings>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    SignInForm(fields): SignInForm,
) -> Result<Response, PageError> {
    if let Some(Extension(ConnectInfo(peer))) = peer {
        state.auth_throttle.spend(peer.ip()).map_err(|wait| {
            suivi_http::auth::count_refusal("throttled");
            PageError::Throttled(wait)
        })?;
    }
    let email = fields.get("courriel").unwrap_or_default();
    let password = fields.get("mot_de_passe").unwrap_or_default();
    let user = accounts::check_password(&state.pool, email, password).await.map_err(PageError::unavailable)?;
    let Some(user) = user else {
        suivi_http::auth::count_refusal("unauthenticated");
        let error = Some("Adresse électronique ou mot de passe incorrect.");
        let mut response = sign_in_page(&settings, &headers, StatusCode::UNAUTHORIZED, email.trim().to_owned(), error);
        // 401 must name a scheme; this one tells a client the credentials go through the form.
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Form realm=\"Suivi\""));
        return Ok(response);
    };
    let id = sessions::open(&state.pool, &user).await.map_err(PageError::unavailable)?;
    tracing::info!(user = %user.id, tenant = %user.tenant, "signed in");
    let session = set_cookie(&settings, settings.session_cookie(), &id, SESSION_HOURS * 3600);
    // The sign-in token has served: a new session gets a new one (no fixation).
    let spent = set_cookie(&settings, settings.sign_in_cookie(), "", 0);
    Ok(with_cookies(Redirect::to("/marches"), [session, spent]))
}

/// `POST /deconnexion`: ends the session here and in the database.
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(settings): Extension<WebSettings>,
    form: SessionForm,
) -> Result<Response, PageError> {
    sessions::close(&state.pool, &form.session_id).await.map_err(PageError::unavailable)?;
    tracing::info!(user = %form.session.user_id, "signed out");
    let cleared = set_cookie(&settings, settings.session_cookie(), "", 0);
    Ok(with_cookies(Redirect::to("/connexion"), [cleared]))
}

fn with_cookies<const N: usize>(redirect: Redirect, cookies: [String; N]) -> Response {
    let mut response = redirect.into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(HeaderName::from_static("set-cookie"), value);
        }
    }
    response
}
