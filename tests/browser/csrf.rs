//! A form whose CSRF token was taken out is refused, and changes nothing.

use reqwest::StatusCode;
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;

use crate::chrome::Chrome;

const BUYER: &str = "acheteuse@grand-agglo.example";

async fn sessions(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from sessions").fetch_one(&app.db.pool).await.unwrap()
}

/// Removes the hidden `csrf` input of the form posting to `action`. WebDriver's scripts are not
/// page scripts: the pages' `Content-Security-Policy` (no script at all) does not stop them.
async fn remove_csrf_input(chrome: &Chrome, action: &str) {
    let script = format!(
        "const input = document.querySelector('form[action=\"{action}\"] input[name=csrf]');
         if (!input) return false;
         input.remove();
         return document.querySelectorAll('input[name=csrf]').length;"
    );
    let left = chrome.script(&script).await;
    assert_ne!(left, false, "the form to {action} has a csrf input");
}

#[tokio::test]
async fn a_form_submitted_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let chrome = Chrome::start(&app).await;

    // The sign-in form, with the right password but no token: no session.
    chrome.open("/connexion").await;
    remove_csrf_input(&chrome, "/connexion").await;
    chrome.fill("Adresse électronique", BUYER).await;
    chrome.fill("Mot de passe", PASSWORD).await;
    chrome.click("Se connecter").await;
    assert_eq!(chrome.status().await, StatusCode::FORBIDDEN);
    assert_eq!(chrome.heading().await, "Formulaire refusé");
    assert_eq!(sessions(&app).await, 0, "not signed in");
    assert_eq!(chrome.cookie("suivi_session").await, None);

    // Signed in, the sign-out form without its token: still signed in.
    chrome.sign_in(BUYER, PASSWORD).await;
    assert_eq!(chrome.path().await, "/marches");
    remove_csrf_input(&chrome, "/deconnexion").await;
    chrome.click("Se déconnecter").await;
    assert_eq!(chrome.status().await, StatusCode::FORBIDDEN);
    assert_eq!(chrome.heading().await, "Formulaire refusé");
    assert_eq!(sessions(&app).await, 1, "the session was not ended");
    chrome.open("/marches").await;
    assert_eq!((chrome.path().await, chrome.status().await), ("/marches".to_owned(), StatusCode::OK));

    // With its token, the same form works.
    chrome.click("Se déconnecter").await;
    assert_eq!(chrome.path().await, "/connexion");
    assert_eq!(sessions(&app).await, 0);
    chrome.close().await;
}
