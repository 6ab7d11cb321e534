//! Contractors' hour statements, the facilitators' queue and review, finance.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};

async fn payloads(app: &TestApp, event_type: &str) -> Vec<String> {
    sqlx::query_scalar("select payload::text from events where event_type = $1 order by position")
        .bind(event_type)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn implausible_statements_are_refused_with_the_line_at_fault() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let c = &app.tokens.contractor;
    let cases = [
        (instalment_body(1, "10000.00", &[("EMP-1", "150"), ("EMP-1", "90")]), "too_many_hours_per_person_per_month"),
        (instalment_body(1, "10000.00", &[("EMP-1", "0")]), "not_positive"),
        (instalment_body(2, "10000.00", &[("EMP-1", "10")]), "instalment_out_of_sequence"),
        (instalment_body(1, "2000000.00", &[("EMP-1", "10")]), "above_contract_amount"),
    ];
    for (body, kind) in cases {
        let response = app.post(&path, c, &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], format!("/problems/{kind}"), "{problem}");
        assert!(problem["field"].is_string(), "{problem}");
    }
    let mut outside = instalment_body(1, "10000.00", &[("EMP-1", "10")]);
    outside["statement"]["lines"][0]["period"] = json!({ "start": "2024-12-01", "end": "2024-12-31" });
    let response = app.post(&path, c, &outside).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.json::<Value>().await.unwrap()["field"], "statement.lines[0].period");
    let mut stamped = instalment_body(1, "10000.00", &[("EMP-1", "10")]);
    stamped["received_on"] = "2025-03-01".into();
    let response = app.post(&path, c, &stamped).await;
    assert_eq!(response.json::<Value>().await.unwrap()["field"], "received_on");
    assert_eq!(app.event_count().await, 1, "only the award");
}

#[tokio::test]
async fn statements_flow_from_contractor_to_facilitator_to_buyer_and_finance() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let t = &app.tokens;
    let contract = format!("/api/contracts/{id}");

    let paid = app
        .post(
            &format!("{contract}/advance-payments"),
            &t.finance,
            &json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false, "finance_reference": "MANDAT-2025-0031" }),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK, "{}", paid.text().await.unwrap());
    let requested = app
        .post(
            &format!("{contract}/instalments"),
            &t.contractor,
            &instalment_body(1, "700000.00", &[("EMP-1", "140"), ("EMP-2", "60.5")]),
        )
        .await;
    assert_eq!(requested.status(), StatusCode::OK);

    app.catch_up().await;
    let queue: Vec<Value> = app.get("/api/review-queue", &t.facilitator).await.json().await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["contract_id"], id.as_str());
    assert_eq!(queue[0]["lines"].as_array().unwrap().len(), 2);
    let reviewed = app
        .post(
            &format!("{contract}/statement-reviews"),
            &t.facilitator,
            &json!({ "instalment_number": 1, "decisions": [
                { "line_id": 1, "decision": { "kind": "validated" } },
                { "line_id": 2, "decision": { "kind": "rejected", "reason": "Pas de justificatif ETTI" } }
            ]}),
        )
        .await;
    assert_eq!(reviewed.status(), StatusCode::OK, "{}", reviewed.text().await.unwrap());
    app.catch_up().await;
    let queue: Vec<Value> = app.get("/api/review-queue", &t.facilitator).await.json().await.unwrap();
    assert!(queue.is_empty());

    let mine: Vec<Value> = app.get("/api/contracts", &t.contractor).await.json().await.unwrap();
    assert_eq!(
        mine[0]["hours"],
        json!({ "committed": "833", "declared": "200.5", "validated": "140", "rejected": "60.5", "pending": "0", "remaining": "693" })
    );

    // The advance base is 12 months of a 24-month contract: 10 % of 600 000 € TTC = 60 000 €.
    // 70 % executed with recovery between 65 % and 80 %: a third of it, 20 000 €.
    // The request was received today (stamped by the service), so it is approved and paid today.
    let today = suivi_application::business_today().to_string();
    let approved = app
        .post(
            &format!("{contract}/instalment-approvals"),
            &t.buyer,
            &json!({ "number": 1, "approved_on": today, "other_deductions_ttc": "0.00" }),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK, "{}", approved.text().await.unwrap());
    let view: Value = app.get(&contract, &t.buyer).await.json().await.unwrap();
    let approval = &view["instalments"][0]["approval"];
    assert_eq!(approval["gross_ttc"], "840000.00");
    assert_eq!(approval["advance_recovery_ttc"], "20000.00");
    assert_eq!(approval["net_to_pay_ttc"], "820000.00");
    assert_eq!(view["advance_outstanding_ttc"], "40000.00");

    let paid = app
        .post(
            &format!("{contract}/instalment-payments"),
            &t.finance,
            &json!({ "number": 1, "amount_ttc": "820000.00", "paid_on": today, "finance_reference": "MANDAT-2025-0107" }),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let view: Value = app.get(&contract, &t.contractor).await.json().await.unwrap();
    assert_eq!(view["instalments"][0]["paid_on"], today.as_str());
    assert_eq!(view["version"], 6);
}

/// Statements are kept to the hundredth of an hour: a third decimal is refused where the body is
/// read, naming the line's hours, and nothing is written; two decimals go through as sent.
#[tokio::test]
async fn hours_with_a_third_decimal_are_refused_naming_the_line_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let c = &app.tokens.contractor;

    let too_precise = instalment_body(1, "10000.00", &[("EMP-1", "7.5"), ("EMP-2", "1.255")]);
    let response = app.post(&path, c, &too_precise).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invalid_field", "{problem}");
    assert_eq!(problem["field"], "statement.lines[1].hours", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("\"1.255\": hours have at most two decimals"), "{detail}");
    assert_eq!(app.event_count().await, 1, "only the award");

    let to_the_hundredth = instalment_body(1, "10000.00", &[("EMP-1", "7.5"), ("EMP-2", "1.25")]);
    let response = app.post(&path, c, &to_the_hundredth).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let stored: Value = serde_json::from_str(&payloads(&app, "instalment_requested").await[0]).unwrap();
    let hours: Vec<&Value> = stored["statement"]["lines"].as_array().unwrap().iter().map(|l| &l["hours"]).collect();
    assert_eq!(hours, [&json!("7.5"), &json!("1.25")]);
}

/// An hour statement stored before the two-decimal rule (written here straight into the log, as
/// an older version of Suivi did) stays readable: the contract, its statement and the review
/// queue show its hours as written.
#[tokio::test]
async fn hours_stored_with_a_third_decimal_before_the_rule_are_still_read_as_written() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let stream_id: uuid::Uuid = id.parse().unwrap();
    let old_request = json!({
        "number": 1,
        "period": { "start": "2025-03-01", "end": "2025-03-31" },
        "cumulative_value_ht": "10000.00",
        "received_on": "2025-04-02",
        "statement": { "lines": [{
            "line_id": 1,
            "beneficiary": "ab".repeat(32),
            "category": "long_term_jobseeker",
            "modality": "direct_hire",
            "hours": "1.255",
            "period": { "start": "2025-03-01", "end": "2025-03-31" }
        }]}
    });
    let event = suivi_proto::NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: "instalment_requested".to_owned(),
        schema_version: 1,
        occurred_at: chrono::Utc::now(),
        payload: old_request,
    };
    let actor = suivi_proto::Actor { kind: suivi_proto::ActorKind::Contractor, id: "token-old".to_owned() };
    suivi_store::EventStore::new(app.db.pool.clone())
        .append(suivi_store::AppendRequest {
            tenant: &app.tenant,
            stream_id,
            expected_version: 1,
            actor: &actor,
            correlation_id: uuid::Uuid::now_v7(),
            causation_id: None,
            idempotency_key: None,
            request_digest: None,
            events: &[event],
        })
        .await
        .unwrap();

    let response = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let contract: Value = response.json().await.unwrap();
    assert_eq!(contract["hours"]["declared"], "1.255", "{contract}");
    assert_eq!(contract["instalments"][0]["lines"][0]["hours"], "1.255", "{contract}");

    app.catch_up().await;
    let queue: Vec<Value> = app.get("/api/review-queue", &app.tokens.facilitator).await.json().await.unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["lines"][0]["hours"], "1.255", "{queue:?}");
}
