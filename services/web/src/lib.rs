//! Suivi's web interface, in French, rendered on the server: no JavaScript, no resource from
//! elsewhere, one small style sheet.
//!
//! People sign in with an address and a password (`suivi user create`) and get a server-side
//! session ([`sessions`]); programs keep using API tokens. Every page reads what the API reads,
//! with the same rules: a contractor sees its own contracts only, nobody sees another tenant's.

pub mod accounts;
mod charts;
mod csrf;
mod format;
mod labels;
mod pages;
pub mod sessions;

use axum::extract::Request;
use axum::http::{header, request::Parts, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use suivi_http::AppState;

/// How the web interface is served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebSettings {
    /// Cookies only over TLS (`Secure`, and the `__Host-` prefix that forbids a sibling domain
    /// to set them). On whenever users reach Suivi over HTTPS, even through a proxy.
    pub secure_cookies: bool,
}

impl WebSettings {
    fn of(parts: &Parts) -> Self {
        parts.extensions.get::<WebSettings>().copied().unwrap_or_default()
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-suivi_session"
        } else {
            "suivi_session"
        }
    }

    /// The sign-in form's own CSRF cookie (there is no session yet to hold its token).
    pub fn sign_in_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-suivi_connexion"
        } else {
            "suivi_connexion"
        }
    }
}

/// The pages, to merge into the application's router.
pub fn router(settings: WebSettings) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/connexion", get(pages::signin::form).post(pages::signin::submit))
        .route("/deconnexion", post(pages::signin::sign_out))
        .route("/marches", get(pages::list::page))
        .route("/marches/{id}", get(pages::contract::page))
        .route("/marches/{id}/penalite", get(pages::penalty::page).post(pages::penalty::submit))
        .route("/penalites", get(pages::penalties::page))
        .route("/tableau-de-bord", get(pages::dashboard::page))
        .route("/rapport", get(pages::report::page))
        .route("/telecharger/{file}", get(pages::downloads::file))
        .route("/marches/{id}/acompte", get(pages::instalment::form).post(pages::instalment::submit))
        .route("/a-valider", get(pages::review::queue))
        .route("/a-valider/{id}/{number}", get(pages::review::form).post(pages::review::submit))
        .route("/static/suivi.css", get(stylesheet))
        // Route layers: with `layer`, the pages' marker would also reach the router's fallback,
        // and an unknown API path would get an empty 404 instead of its problem document.
        .route_layer(axum::middleware::from_fn(protect))
        .route_layer(Extension(settings))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/suivi.css"),
    )
}

/// Headers every page gets: nothing but this origin's style sheet may load, no page may frame
/// these (clickjacking), forms post here only; and pages with people's data are not cached.
async fn protect(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    // A page's 404 or 403 is a page, not one of the API's problem documents.
    response.extensions_mut().insert(suivi_http::language::OwnBody);
    let headers = response.headers_mut();
    let policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                  frame-ancestors 'none'; base-uri 'none'";
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
