//! The web interface in a real headless Chromium (Debian's `chromium` and `chromium-driver`),
//! driven through WebDriver: what a person does — typing, clicking — against a real server and
//! database. `tests/web.rs` checks the HTML and headers with a plain HTTP client; these tests
//! check that the pages work in a browser.
//!
//! A scenario is a module of its own, added below, whose tests read like what a person does:
//!
//! ```ignore
//! let app = TestApp::spawn().await;
//! let id = contract_with_history(&app).await;
//! user(&app, &app.tenant, Role::Facilitator, None, "facilitatrice@grand-agglo.example").await;
//! let chrome = Chrome::start(&app).await;
//! chrome.sign_in("facilitatrice@grand-agglo.example", PASSWORD).await;
//! chrome.open(&format!("/marches/{id}")).await;
//! chrome.fill("Motif", "Pas de justificatif").await; // a field, by its <label>'s text (or id)
//! chrome.click("Enregistrer").await; // a button, by its text; waits for the next page
//! assert!(chrome.text().await.contains("…"));
//! chrome.screenshot("releve-valide").await; // docs/screenshots/ with SUIVI_SCREENSHOTS=1
//! chrome.close().await;
//! ```
//!
//! Several `Chrome`s in one test are several people, each with their own cookies.

#![allow(clippy::unwrap_used)]

mod chrome;

mod access;
mod contractor;
mod csrf;
mod dashboard;
mod facilitator;
mod sign_in;

use serde_json::json;
use suivi_e2e::app::instalment_body;
use suivi_e2e::TestApp;

/// The sample contract's object (`award_body`).
pub const OBJECT: &str = "Réhabilitation du gymnase — lot 2 gros œuvre";

/// Awards the sample contract and gives it a history: the advance paid, a first instalment with
/// its statement of insertion hours, the facilitator's review. Returns the contract's id, once
/// the read models have it.
pub async fn contract_with_history(app: &TestApp) -> String {
    let id = app.award(&suivi_e2e::app::award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let t = &app.tokens;
    let advance = json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false, "finance_reference": "MANDAT-2025-0031" });
    let instalment = instalment_body(1, "250000.00", &[("EMP-1", "140"), ("EMP-2", "60.5")]);
    let review = json!({ "instalment_number": 1, "decisions": [
        { "line_id": 1, "decision": { "kind": "validated" } },
        { "line_id": 2, "decision": { "kind": "rejected", "reason": "Pas de justificatif ETTI" } }
    ]});
    for (path, token, body) in [
        (format!("{contract}/advance-payments"), &t.finance, advance),
        (format!("{contract}/instalments"), &t.contractor, instalment),
        (format!("{contract}/statement-reviews"), &t.facilitator, review),
    ] {
        let response = app.post(&path, token, &body).await;
        assert!(response.status().is_success(), "{path}: {}", response.text().await.unwrap());
    }
    app.catch_up().await;
    id
}
