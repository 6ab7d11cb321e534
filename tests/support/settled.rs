//! A contract taken to its final settlement through the API, short of its insertion hours, so
//! that a penalty is proposed: what the penalty tests, API and web, start from.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::app::{award_body, instalment_body, TestApp};

/// The business day the API dates things with.
pub fn today() -> String {
    suivi_application::business_today().to_string()
}

/// A contract of 833 h committed at 60 €/h, no tolerance nor cap, settled today with 100 h
/// validated and 50 h rejected: 733 h short, 733 × 60 = 43 980.00 € HT proposed.
pub async fn settled_contract(app: &TestApp) -> String {
    settled(app, award_body()).await
}

/// `award` awarded, then settled today with 100 h validated and 50 h rejected.
pub async fn settled(app: &TestApp, award: Value) -> String {
    let id = app.award(&award).await;
    let statement = instalment_body(1, "1000000.00", &[("EMP-1", "100"), ("EMP-2", "50")]);
    let response = app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &statement).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let review = json!({ "instalment_number": 1, "decisions": [
        { "line_id": 1, "decision": { "kind": "validated" } },
        { "line_id": 2, "decision": { "kind": "rejected", "reason": "Aucun justificatif" } } ] });
    let response = app.post(&format!("/api/contracts/{id}/statement-reviews"), &app.tokens.facilitator, &review).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    // Every instalment is approved before the settlement.
    let approval = json!({ "number": 1, "approved_on": today(), "other_deductions_ttc": "0.00" });
    let response = app.post(&format!("/api/contracts/{id}/instalment-approvals"), &app.tokens.buyer, &approval).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let settlement = json!({ "final_amount_ht": "1000000.00", "settled_on": today() });
    let response = app.post(&format!("/api/contracts/{id}/settlement"), &app.tokens.buyer, &settlement).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    id
}
