//! The pages, and what a page shows when it cannot show what was asked.

pub mod contract;
pub mod dashboard;
pub mod downloads;
mod fields;
mod figures;
pub mod instalment;
pub mod list;
pub mod penalties;
pub mod penalty;
pub mod report;
pub mod review;
pub mod signin;
mod submit;
mod yearly;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use suivi_application::ApplicationError;
use suivi_http::AppState;

use crate::sessions::{self, Session};
use crate::WebSettings;

/// What the banner shows a signed-in person, and the token of its sign-out form.
pub struct Nav {
    pub role: &'static str,
    pub siret: Option<String>,
    pub csrf: String,
    /// Contractors get their portal's menu; the sustainability service and buyers the full one.
    pub contractor: bool,
}

impl Nav {
    pub fn of(session: &Session) -> Option<Nav> {
        Some(Nav {
            role: session.principal.role.label_fr(),
            siret: session.principal.siret.clone(),
            csrf: session.csrf_token.clone(),
            contractor: session.principal.role == suivi_http::Role::Contractor,
        })
    }
}

/// A buyer as the pages name it: its name when one is recorded, its SIRET otherwise.
pub fn buyer_name(buyers: &[suivi_http::tenants::ListedBuyer], siret: &str) -> String {
    buyers
        .iter()
        .find(|buyer| buyer.siret == siret)
        .and_then(|buyer| buyer.name.clone())
        .unwrap_or_else(|| format!("SIRET {siret}"))
}

/// A rendered template, or a 500 if it could not be (it cannot fail on the data we give it,
/// but a page must never panic).
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne").into_response()
        }
    }
}

/// Why a page is not shown.
#[derive(Debug)]
pub enum PageError {
    /// No session, or an ended one: to the sign-in page.
    SignInFirst,
    /// A form without its CSRF token, or with another.
    Forbidden,
    /// A page this person's role never may use (the API's 403).
    NotAllowed,
    /// A body that is not a form.
    BadForm,
    /// No such contract for this person: another tenant's or another firm's look the same.
    NotFound,
    /// Too many sign-in attempts from this address: the seconds to wait.
    Throttled(u64),
    Unavailable,
    Internal,
}

impl PageError {
    pub fn unavailable(error: impl std::fmt::Display) -> Self {
        tracing::warn!(%error, "page unavailable");
        PageError::Unavailable
    }
}

impl From<ApplicationError> for PageError {
    fn from(error: ApplicationError) -> Self {
        match error {
            ApplicationError::NotFound { .. } => PageError::NotFound,
            ApplicationError::Unauthenticated => PageError::SignInFirst,
            ApplicationError::Unavailable(error) => PageError::unavailable(error),
            other => {
                tracing::error!(error = %other, "page failed");
                PageError::Internal
            }
        }
    }
}

#[derive(Template)]
#[template(path = "erreur.html")]
struct ErrorPage {
    nav: Option<Nav>,
    title: &'static str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::SignInFirst => return Redirect::to("/connexion").into_response(),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Formulaire refusé",
                "Ce formulaire a expiré ou ne vient pas de Suivi. Rechargez la page et recommencez.".to_owned(),
            ),
            PageError::NotAllowed => {
                (StatusCode::FORBIDDEN, "Accès refusé", "Votre rôle ne permet pas d'utiliser cette page.".to_owned())
            }
            PageError::BadForm => {
                (StatusCode::BAD_REQUEST, "Formulaire illisible", "Le formulaire envoyé est illisible.".to_owned())
            }
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Marché introuvable",
                "Ce marché n'existe pas, ou vous n'y avez pas accès.".to_owned(),
            ),
            PageError::Throttled(seconds) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Trop de tentatives",
                format!("Trop de tentatives de connexion depuis votre adresse. Réessayez dans {seconds} secondes."),
            ),
            PageError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service momentanément indisponible",
                "Suivi ne peut pas lire ses données pour l'instant. Réessayez dans quelques minutes.".to_owned(),
            ),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erreur interne",
                "Une erreur inattendue s'est produite ; elle a été consignée.".to_owned(),
            ),
        };
        let back =
            if status == StatusCode::NOT_FOUND { "Retour à la liste des marchés" } else { "Retour à l'accueil" };
        let page = ErrorPage {
            nav: None,
            title,
            message,
            back_href: if status == StatusCode::NOT_FOUND { "/marches" } else { "/" },
            back_label: back,
        };
        let mut response = render(status, &page);
        if let PageError::Throttled(seconds) = self {
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// `/`: the contracts for someone signed in, the sign-in page otherwise.
pub async fn home(
    State(state): State<AppState>,
    Extension(settings): Extension<WebSettings>,
    headers: HeaderMap,
) -> Redirect {
    match sessions::optional(&headers, &settings, &state.pool).await {
        Some(_) => Redirect::to("/marches"),
        None => Redirect::to("/connexion"),
    }
}
