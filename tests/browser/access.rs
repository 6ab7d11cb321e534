//! Who sees what: another firm's contract, another tenant's, are "not found" in the browser too.

use reqwest::StatusCode;
use suivi_e2e::app::{CONTRACTOR_SIRET, OTHER_CONTRACTOR_SIRET};
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;
use suivi_proto::TenantId;

use crate::chrome::Chrome;
use crate::{contract_with_history, OBJECT};

/// `chrome`, signed in, opens the contract `id` and finds nothing, and the server said 404.
async fn finds_nothing(chrome: &Chrome, id: &str) {
    let path = format!("/marches/{id}");
    chrome.open(&path).await;
    assert_eq!(chrome.status().await, StatusCode::NOT_FOUND);
    assert_eq!(chrome.heading().await, "Marché introuvable");
    let page = chrome.text().await;
    assert!(!page.contains(OBJECT) && !page.contains("Historique"), "{page}");
    let (status, html) = chrome.fetch_with_session(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Marché introuvable") && !html.contains(OBJECT), "{html}");

    chrome.open("/marches").await;
    assert_eq!(chrome.status().await, StatusCode::OK);
    let list = chrome.text().await;
    assert!(list.contains("Aucun marché") && !list.contains(OBJECT), "{list}");
}

#[tokio::test]
async fn a_contractor_opening_another_firms_contract_finds_nothing() {
    let app = TestApp::spawn().await;
    let id = contract_with_history(&app).await;
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), "titulaire@btp.example").await;
    user(&app, &app.tenant, Role::Contractor, Some(OTHER_CONTRACTOR_SIRET), "autre@paysages.example").await;

    let holder = Chrome::start(&app).await;
    holder.sign_in("titulaire@btp.example", PASSWORD).await;
    holder.open(&format!("/marches/{id}")).await;
    assert_eq!((holder.status().await, holder.heading().await), (StatusCode::OK, OBJECT.to_owned()));
    holder.close().await;

    let other = Chrome::start(&app).await;
    other.sign_in("autre@paysages.example", PASSWORD).await;
    assert_eq!(other.path().await, "/marches");
    finds_nothing(&other, &id).await;
    other.close().await;
}

#[tokio::test]
async fn another_tenants_buyer_never_sees_the_contract() {
    let app = TestApp::spawn().await;
    let id = contract_with_history(&app).await;
    let other_tenant = TenantId::parse("other-agglo").unwrap();
    user(&app, &other_tenant, Role::Buyer, None, "acheteur@other-agglo.example").await;

    let chrome = Chrome::start(&app).await;
    chrome.sign_in("acheteur@other-agglo.example", PASSWORD).await;
    assert_eq!(chrome.path().await, "/marches");
    finds_nothing(&chrome, &id).await;
    // Nor by searching for it.
    chrome.open("/marches?q=gymnase").await;
    assert!(!chrome.text().await.contains(OBJECT));
    chrome.close().await;
}
