//! A buyer signs in through the form and reads a contract's timeline.

use reqwest::StatusCode;
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;

use crate::chrome::Chrome;
use crate::{contract_with_history, OBJECT};

const BUYER: &str = "acheteuse@grand-agglo.example";

#[tokio::test]
async fn a_buyer_signs_in_opens_a_contract_and_reads_its_timeline() {
    let app = TestApp::spawn().await;
    let id = contract_with_history(&app).await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let chrome = Chrome::start(&app).await;

    chrome.open("/").await;
    assert_eq!(chrome.path().await, "/connexion", "signed out, the home page is the sign-in form");
    assert_eq!(chrome.heading().await, "Connexion");
    chrome.fill("Adresse électronique", BUYER).await;
    chrome.fill("Mot de passe", PASSWORD).await;
    chrome.click("Se connecter").await;

    assert_eq!(chrome.path().await, "/marches");
    assert_eq!(chrome.status().await, StatusCode::OK);
    let list = chrome.text().await;
    assert!(list.contains("Connecté·e en tant que acheteur") && list.contains(OBJECT), "{list}");

    chrome.click_link(OBJECT).await;
    assert_eq!(chrome.path().await, format!("/marches/{id}"));
    assert_eq!(chrome.heading().await, OBJECT);
    let page = chrome.text().await;
    // WebDriver's text turns no-break spaces into spaces.
    assert!(page.contains("Heures validées\n140 h") && page.contains("Heures rejetées\n60,5 h"), "{page}");
    // The timeline, oldest first: the award, the advance, the instalment request, the review.
    let operations = chrome
        .script("return [...document.querySelectorAll('#historique ~ table tbody th')].map(th => th.innerText);")
        .await;
    let expected =
        ["Notification du marché", "Avance versée", "Demande d'acompte et relevé d'heures", "Relevé d'heures examiné"];
    assert_eq!(operations, serde_json::json!(expected), "{page}");
    let shot = chrome.screenshot("marche").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a real picture at {}", shot.display());

    chrome.click("Se déconnecter").await;
    assert_eq!(chrome.path().await, "/connexion");
    chrome.open(&format!("/marches/{id}")).await;
    assert_eq!(chrome.path().await, "/connexion", "signed out, the contract is out of reach");
    chrome.close().await;
}
