//! `POST /api/contracts/{id}/termination`: a buyer records an early termination once; anyone
//! else is refused and nothing is written.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, TestApp};

fn termination() -> Value {
    json!({ "terminated_on": "2025-06-30", "value_executed_ht": "400000.00", "reason": "Défaillance du titulaire" })
}

/// Posts as `token` and checks the refusal: its status, problem type, and that no event was written.
async fn assert_refused(app: &TestApp, path: &str, token: &str, body: &Value, status: StatusCode, kind: &str) -> Value {
    let before = app.event_count().await;
    let response = app.post(path, token, body).await;
    assert_eq!(response.status(), status, "{path}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], kind, "{problem}");
    assert_eq!(problem["status"], status.as_u16(), "{problem}");
    assert_eq!(app.event_count().await, before, "a refused termination writes nothing: {problem}");
    problem
}

#[tokio::test]
async fn a_buyer_terminates_a_contract_once_and_everyone_reads_it_terminated() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/termination");

    let response = app.post(&path, &app.tokens.buyer, &termination()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"v2\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "contract_id": id, "version": 2, "events": ["contract_terminated"] }));

    let stored: (String, Value) = sqlx::query_as(
        "select event_type, payload::jsonb from events where stream_id = $1::uuid and stream_version = 2",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(stored, ("contract_terminated".to_owned(), termination()));

    for token in [&app.tokens.buyer, &app.tokens.contractor, &app.tokens.facilitator] {
        let view: Value = app.get(&format!("/api/contracts/{id}"), token).await.json().await.unwrap();
        assert_eq!(view["status"], "terminated", "{view}");
        assert_eq!(view["version"], 2);
    }

    let again = assert_refused(
        &app,
        &path,
        &app.tokens.buyer,
        &termination(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/already_terminated",
    )
    .await;
    assert!(again["detail"].as_str().unwrap().contains("30/06/2025"), "{again}");
}

#[tokio::test]
async fn a_termination_by_anyone_but_the_contracts_buyer_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/termination");
    let t = &app.tokens;

    // Wrong role: refused before the contract is even looked up.
    for token in [&t.contractor, &t.facilitator, &t.finance, &t.admin] {
        let problem =
            assert_refused(&app, &path, token, &termination(), StatusCode::FORBIDDEN, "/problems/forbidden").await;
        assert!(problem["detail"].as_str().unwrap().contains("buyer"), "{problem}");
    }
    // A buyer of another tenant may terminate contracts, but not this one: it does not exist for them.
    assert_refused(&app, &path, &t.other_tenant_buyer, &termination(), StatusCode::NOT_FOUND, "/problems/not_found")
        .await;
    let unknown = format!("/api/contracts/{}/termination", uuid::Uuid::now_v7());
    assert_refused(&app, &unknown, &t.buyer, &termination(), StatusCode::NOT_FOUND, "/problems/not_found").await;

    // Bad values name their field.
    let mut future = termination();
    future["terminated_on"] = "2099-01-01".into();
    let problem =
        assert_refused(&app, &path, &t.buyer, &future, StatusCode::UNPROCESSABLE_ENTITY, "/problems/date_in_future")
            .await;
    assert_eq!(problem["field"], "terminated_on", "{problem}");
    let mut above = termination();
    above["value_executed_ht"] = "1000000.01".into();
    let problem = assert_refused(
        &app,
        &path,
        &t.buyer,
        &above,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/above_contract_amount",
    )
    .await;
    assert_eq!(problem["field"], "value_executed_ht", "{problem}");

    let view: Value = app.get(&format!("/api/contracts/{id}"), &t.buyer).await.json().await.unwrap();
    assert_eq!((view["status"].as_str(), view["version"].as_i64()), (Some("awarded"), Some(1)));
}
