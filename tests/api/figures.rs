//! `GET /api/contracts/{id}`: the figures a client needs to check each amount, worked out by
//! hand from the scenario.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};

/// Records `command` as `token` and insists it is accepted.
async fn accepted(app: &TestApp, path: &str, token: &str, body: Value) {
    let response = app.post(path, token, &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}: {}", response.text().await.unwrap());
}

/// Instalment 1 of the sample contract (1 000 000 € HT, VAT 20 %, term 30 days), 700 000 € HT
/// executed, received on paper on 3 March 2025, approved, and paid on `paid_on`.
async fn paid_instalment(app: &TestApp, amount_ttc: &str, paid_on: &str) -> String {
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let mut request = instalment_body(1, "700000.00", &[]);
    request["received_on"] = "2025-03-03".into();
    accepted(app, &format!("{contract}/instalments"), &app.tokens.buyer, request).await;
    let approval = json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" });
    accepted(app, &format!("{contract}/instalment-approvals"), &app.tokens.buyer, approval).await;
    let payment = json!({ "number": 1, "amount_ttc": amount_ttc, "paid_on": paid_on, "finance_reference": "M-1" });
    accepted(app, &format!("{contract}/instalment-payments"), &app.tokens.finance, payment).await;
    contract
}

/// A late payment whose half-year has no ECB rate in the table: the interest is "cannot
/// compute" with its reason, never 0, and the days late and the 40 € flat fee stand.
#[tokio::test]
async fn a_late_payment_without_its_ecb_rate_shows_its_flat_fee_and_why_the_interest_is_missing() {
    let app = TestApp::spawn().await;
    // The table as if it started after the first half of 2025 (before any command reads it).
    sqlx::query("delete from reference_rates where kind = 'ecb_main_refinancing' and in_force_from < '2025-06-01'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Received 3 March, term 30 days: due 2 April; paid 12 April, 10 days late; the interest
    // starts on 3 April, in the half-year from 1 January 2025, whose rate is missing.
    let contract = paid_instalment(&app, "820000.00", "2025-04-12").await;
    let view: Value = app.get(&contract, &app.tokens.buyer).await.json().await.unwrap();
    let instalment = &view["instalments"][0];
    assert_eq!(instalment["due_on"], "2025-04-02");
    assert_eq!(
        instalment["payment"],
        json!({
            "paid_on": "2025-04-12",
            "amount_ttc": "820000.00",
            "days_to_pay": 40,
            "days_late": 10,
            "interest_starts_on": "2025-04-03",
            "half_year_start": "2025-01-01",
            "interest": {
                "status": "unavailable",
                "missing_table": "ecb_main_refinancing_rate",
                "in_force_on": "2025-01-01",
                "reason": "aucun taux des opérations principales de refinancement de la BCE en vigueur au 01/01/2025 : \
                           un administrateur doit compléter la table (suivi reference add)"
            },
            "flat_fee_ttc": "40.00",
            "total_ttc": null
        })
    );
}
