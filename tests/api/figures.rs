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

/// The view of a contract followed to its termination shows every figure a buyer needs to check
/// the amounts: the award's terms, the commitment pro-rated by the termination and the hours
/// remaining from it, the value executed with VAT, and per instalment its due date, days late,
/// the ECB rate used, the interest and the flat fee.
#[tokio::test]
async fn the_contract_view_shows_the_terms_and_the_figures_each_amount_is_computed_from() {
    let app = TestApp::spawn().await;
    let t = &app.tokens;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let advance = json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                          "finance_reference": "M-0" });
    accepted(&app, &format!("{contract}/advance-payments"), &t.finance, advance).await;
    let mut request = instalment_body(1, "700000.00", &[("EMP-1", "100")]);
    request["received_on"] = "2025-03-03".into();
    accepted(&app, &format!("{contract}/instalments"), &t.buyer, request).await;
    let review =
        json!({ "instalment_number": 1, "decisions": [{ "line_id": 1, "decision": { "kind": "validated" } }] });
    accepted(&app, &format!("{contract}/statement-reviews"), &t.facilitator, review).await;
    let approval = json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" });
    accepted(&app, &format!("{contract}/instalment-approvals"), &t.buyer, approval).await;
    let payment =
        json!({ "number": 1, "amount_ttc": "820000.00", "paid_on": "2025-04-12", "finance_reference": "M-1" });
    accepted(&app, &format!("{contract}/instalment-payments"), &t.finance, payment).await;
    let termination = json!({ "terminated_on": "2025-06-30", "value_executed_ht": "700000.00",
                              "reason": "Défaillance du titulaire" });
    accepted(&app, &format!("{contract}/termination"), &t.buyer, termination).await;

    let view: Value = app.get(&contract, &t.buyer).await.json().await.unwrap();
    // The award's terms (award_body): VAT 20 %, 30 days; an advance of 10 % of 12 months of a
    // 24-month contract: 10 % × 1 200 000 × 12 ÷ 24 = 60 000 € TTC, recovered from 65 % to 80 %;
    // 60 € HT per missing hour, validated hours, no tolerance, pro-rated on termination. Shares
    // are written with four decimals, amounts with two, whatever the award's were typed as.
    assert_eq!(
        view["terms"],
        json!({
            "vat_rate": "0.2000",
            "payment_term_days": 30,
            "advance": { "rate": "0.1000", "granted_ttc": "60000.00", "with_guarantee": false,
                         "recovery": { "kind": "thresholds", "start_share": "0.6500", "end_share": "0.8000" } },
            "penalty": { "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" }, "basis": "validated",
                         "tolerance_share": "0.0000", "pro_rata_on_termination": true }
        })
    );
    // 833 h × 700 000 ÷ 1 000 000 = 583.1 h held to after the termination; 100 validated. Hours
    // are written without trailing zeros.
    assert_eq!(view["hours"]["committed"], "833");
    assert_eq!(view["hours"]["pro_rated_committed"], "583.1");
    assert_eq!(view["hours"]["validated"], "100");
    assert_eq!(view["hours"]["remaining"], "483.1");
    // 700 000 × 1.2 = 840 000 € TTC, the one gross.
    assert_eq!(view["executed_value_ttc"], "840000.00");
    let instalment = &view["instalments"][0];
    assert_eq!(instalment["approval"]["gross_ttc"], "840000.00");
    // Received 3 March, due 2 April, paid 12 April: 10 days late. The interest starts 3 April,
    // half-year from 1 January 2025: ECB rate then 3.15 % (since 18 December 2024) + 8 points;
    // 820 000 × 10 × 0.1115 ÷ 365 = 2 504.931… → 2 504.93, plus 40.
    assert_eq!(instalment["due_on"], "2025-04-02");
    let payment = &instalment["payment"];
    assert_eq!((payment["days_to_pay"].as_i64(), payment["days_late"].as_i64()), (Some(40), Some(10)));
    assert_eq!(
        payment["interest"],
        json!({ "status": "computed", "ecb_rate": "0.0315", "applied_rate": "0.1115", "amount_ttc": "2504.93" })
    );
    assert_eq!((payment["flat_fee_ttc"].as_str(), payment["total_ttc"].as_str()), (Some("40.00"), Some("2544.93")));

    // The list, from the read models, holds the same commitment.
    app.catch_up().await;
    let list: Vec<Value> = app.get("/api/contracts", &t.buyer).await.json().await.unwrap();
    assert_eq!(list[0]["hours"], view["hours"]);
}
