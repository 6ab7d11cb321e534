//! Another tenant's staff never reach a contract: statement reviews, payments and penalty
//! decisions by another tenant's facilitator, finance or contractor answer 404 (as for an
//! unknown contract: a 403 would confirm the contract exists), and write nothing. An admin
//! token reads but writes nothing: no write policy admits the admin role.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp, CONTRACTOR_SIRET};
use suivi_http::auth::create_token;
use suivi_http::Role;
use suivi_proto::TenantId;

fn today() -> String {
    suivi_application::business_today().to_string()
}

/// A token of the other tenant (`other-agglo`, created by `TestApp`).
async fn other_tenant(app: &TestApp, role: Role, siret: Option<&str>) -> String {
    let other = TenantId::parse("other-agglo").unwrap();
    create_token(&app.db.pool, role, &other, siret, "other tenant").await.unwrap().token
}

/// The refusal a caller who may not know the contract gets: 404 problem+json, nothing written.
async fn assert_not_found(app: &TestApp, path: &str, token: &str, body: &Value) {
    let before = app.event_count().await;
    let response = app.post(path, token, body).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/not_found", "{path}: {problem}");
    assert_eq!(app.event_count().await, before, "{path}: nothing written");
}

/// The same body by the contract's own staff is accepted: the 404 above was about who asked.
async fn assert_accepted(app: &TestApp, path: &str, token: &str, body: &Value) {
    let response = app.post(path, token, body).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}: {}", response.text().await.unwrap());
}

#[tokio::test]
async fn another_tenants_staff_get_404_on_reviews_payments_and_penalty_decisions() {
    let app = TestApp::spawn().await;
    let (facilitator, finance) =
        (other_tenant(&app, Role::Facilitator, None).await, other_tenant(&app, Role::Finance, None).await);
    // The same firm, holding a token with another tenant: it sees only that tenant's contracts.
    let contractor = other_tenant(&app, Role::Contractor, Some(CONTRACTOR_SIRET)).await;
    let t = &app.tokens;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");

    let statement = instalment_body(1, "700000.00", &[("EMP-1", "140"), ("EMP-2", "60.5")]);
    assert_not_found(&app, &format!("{contract}/instalments"), &contractor, &statement).await;
    assert_accepted(&app, &format!("{contract}/instalments"), &t.contractor, &statement).await;

    let review = json!({ "instalment_number": 1, "decisions": [
        { "line_id": 1, "decision": { "kind": "validated" } },
        { "line_id": 2, "decision": { "kind": "rejected", "reason": "Pas de justificatif" } } ] });
    assert_not_found(&app, &format!("{contract}/statement-reviews"), &facilitator, &review).await;
    assert_accepted(&app, &format!("{contract}/statement-reviews"), &t.facilitator, &review).await;

    let advance = json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                          "finance_reference": "MANDAT-1" });
    assert_not_found(&app, &format!("{contract}/advance-payments"), &finance, &advance).await;
    assert_accepted(&app, &format!("{contract}/advance-payments"), &t.finance, &advance).await;

    let approval = json!({ "number": 1, "approved_on": today(), "other_deductions_ttc": "0.00" });
    assert_accepted(&app, &format!("{contract}/instalment-approvals"), &t.buyer, &approval).await;
    let payment = json!({ "number": 1, "amount_ttc": "820000.00", "paid_on": today(), "finance_reference": "M-2" });
    assert_not_found(&app, &format!("{contract}/instalment-payments"), &finance, &payment).await;
    assert_accepted(&app, &format!("{contract}/instalment-payments"), &t.finance, &payment).await;

    let settlement = json!({ "final_amount_ht": "1000000.00", "settled_on": today() });
    assert_accepted(&app, &format!("{contract}/settlement"), &t.buyer, &settlement).await;
    // 833 h committed, 140 validated: 693 h short at 60 € = 41 580.00 € HT.
    let penalty = app.get(&format!("{contract}/penalty"), &facilitator).await;
    assert_eq!(penalty.status(), StatusCode::NOT_FOUND);
    let view: Value = app.get(&format!("{contract}/penalty"), &t.facilitator).await.json().await.unwrap();
    assert_eq!(view["proposed_amount_ht"], "41580.00", "{view}");

    let confirmation = json!({ "amount_ht": "41580.00", "decided_on": today() });
    let adjustment = json!({ "amount_ht": "20000.00", "reason": "Arrêt de chantier", "decided_on": today() });
    let waiver = json!({ "reason": "Observations admises", "decided_on": today() });
    assert_not_found(&app, &format!("{contract}/penalty-confirmation"), &facilitator, &confirmation).await;
    assert_not_found(&app, &format!("{contract}/penalty-adjustment"), &facilitator, &adjustment).await;
    assert_not_found(&app, &format!("{contract}/penalty-waiver"), &facilitator, &waiver).await;
    let notice = json!({ "amount_ht": "41580.00", "notified_on": today() });
    let answer = json!({ "observations": "Heures de tutorat oubliées", "received_on": today() });
    assert_not_found(&app, &format!("{contract}/penalty-notification"), &facilitator, &notice).await;
    assert_accepted(&app, &format!("{contract}/penalty-notification"), &t.facilitator, &notice).await;
    assert_not_found(&app, &format!("{contract}/penalty-observations"), &contractor, &answer).await;
    assert_not_found(&app, &format!("{contract}/penalty-observations"), &facilitator, &answer).await;
    assert_accepted(&app, &format!("{contract}/penalty-observations"), &t.contractor, &answer).await;
    assert_accepted(&app, &format!("{contract}/penalty-confirmation"), &t.facilitator, &confirmation).await;

    let view: Value = app.get(&contract, &t.buyer).await.json().await.unwrap();
    assert_eq!(
        view["version"], 10,
        "award, request, review, advance, approval, payment, settlement, notification, observations, decision"
    );
    for token in [&facilitator, &finance, &contractor] {
        assert_eq!(app.get(&contract, token).await.status(), StatusCode::NOT_FOUND);
    }
}

/// An admin token reads every contract of its tenant but no write route admits the admin role
/// (`suivi_http::auth::policies`): each answers 403 naming the roles admitted, and writes nothing.
#[tokio::test]
async fn an_admin_token_reads_but_every_write_route_refuses_it() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let admin = &app.tokens.admin;

    let view = app.get(&contract, admin).await;
    assert_eq!(view.status(), StatusCode::OK);
    assert_eq!(view.json::<Value>().await.unwrap()["amount_ht"], "1000000.00");

    let before = app.event_count().await;
    let writes: [(String, &str, Value); 14] = [
        ("/api/contracts".into(), "buyer", award_body()),
        (
            format!("{contract}/amendments"),
            "buyer",
            json!({ "amendment_number": 1, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00", "reason": "travaux" }),
        ),
        (
            format!("{contract}/termination"),
            "buyer",
            json!({ "terminated_on": "2025-06-30", "value_executed_ht": "0.00", "reason": "x" }),
        ),
        (
            format!("{contract}/instalment-approvals"),
            "buyer",
            json!({ "number": 1, "approved_on": today(), "other_deductions_ttc": "0.00" }),
        ),
        (format!("{contract}/settlement"), "buyer", json!({ "final_amount_ht": "1.00", "settled_on": today() })),
        (format!("{contract}/instalments"), "contractor, buyer", instalment_body(1, "10000.00", &[("A-1", "10")])),
        (format!("{contract}/statement-reviews"), "facilitator", json!({ "instalment_number": 1, "decisions": [] })),
        (format!("{contract}/advance-payments"), "finance", json!({})),
        (format!("{contract}/instalment-payments"), "finance", json!({})),
        (format!("{contract}/penalty-notification"), "facilitator", json!({})),
        (format!("{contract}/penalty-observations"), "contractor, facilitator", json!({})),
        (format!("{contract}/penalty-confirmation"), "facilitator", json!({})),
        (format!("{contract}/penalty-adjustment"), "facilitator", json!({})),
        (format!("{contract}/penalty-waiver"), "facilitator", json!({})),
    ];
    for (path, allowed, body) in writes {
        let response = app
            .request(reqwest::Method::POST, &path, Some(admin))
            .header("accept-language", "en")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/forbidden", "{path}");
        assert_eq!(problem["detail"], format!("role admin may not do this; allowed: {allowed}"), "{path}: {problem}");
    }
    assert_eq!(app.event_count().await, before, "nothing written");
}
