//! Who may do what: 401 without a valid token, 403 for the wrong role, 404 for another
//! tenant's or another contractor's contract — and a refused request writes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};

async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_and_write_nothing() {
    let app = TestApp::spawn().await;
    let before = app.event_count().await;
    let anonymous = app.request(Method::POST, "/api/contracts", None).json(&award_body()).send().await.unwrap();
    let body = problem(anonymous, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["type"], "/problems/unauthorized");
    for bad in ["nonsense", "suivi_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        let response = app.post("/api/contracts", bad, &award_body()).await;
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    let listing = app.request(Method::GET, "/api/contracts", None).send().await.unwrap();
    problem(listing, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn each_role_is_refused_what_it_may_not_do_with_403() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let before = app.event_count().await;
    let t = &app.tokens;
    let refused: Vec<(&str, String, Value)> = vec![
        (&t.contractor, "/api/contracts".into(), award_body()),
        (&t.facilitator, "/api/contracts".into(), award_body()),
        (&t.finance, "/api/contracts".into(), award_body()),
        (&t.facilitator, format!("/api/contracts/{id}/instalments"), instalment_body(1, "10000.00", &[])),
        (&t.finance, format!("/api/contracts/{id}/instalments"), instalment_body(1, "10000.00", &[])),
        (
            &t.contractor,
            format!("/api/contracts/{id}/settlement"),
            json!({"final_amount_ht": "1.00", "settled_on": "2025-02-01"}),
        ),
        (&t.buyer, format!("/api/contracts/{id}/statement-reviews"), json!({"instalment_number": 1, "decisions": []})),
        (&t.contractor, format!("/api/contracts/{id}/advance-payments"), json!({})),
        (&t.buyer, format!("/api/contracts/{id}/instalment-payments"), json!({})),
        (&t.contractor, format!("/api/contracts/{id}/penalty-adjustment"), json!({})),
        (&t.buyer, format!("/api/contracts/{id}/penalty-waiver"), json!({})),
        (&t.finance, format!("/api/contracts/{id}/penalty-confirmation"), json!({})),
        (&t.contractor, format!("/api/contracts/{id}/penalty-notification"), json!({})),
        (&t.buyer, format!("/api/contracts/{id}/penalty-observations"), json!({})),
        (&t.finance, format!("/api/contracts/{id}/penalty-observations"), json!({})),
    ];
    for (token, path, body) in refused {
        let response = app.post(&path, token, &body).await;
        let problem = problem(response, StatusCode::FORBIDDEN).await;
        assert_eq!(problem["type"], "/problems/forbidden", "{path}");
    }
    let queue = app.get("/api/review-queue", &t.contractor).await;
    problem(queue, StatusCode::FORBIDDEN).await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn another_tenants_or_another_contractors_contract_is_not_found() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let before = app.event_count().await;
    let t = &app.tokens;

    for token in [&t.other_tenant_buyer, &t.other_contractor] {
        let read = app.get(&format!("/api/contracts/{id}"), token).await;
        problem(read, StatusCode::NOT_FOUND).await;
    }
    let foreign_amend = app
        .post(
            &format!("/api/contracts/{id}/amendments"),
            &t.other_tenant_buyer,
            &json!({"amendment_number": 1, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00", "reason": "travaux supplémentaires"}),
        )
        .await;
    problem(foreign_amend, StatusCode::NOT_FOUND).await;
    let foreign_statement = app
        .post(
            &format!("/api/contracts/{id}/instalments"),
            &t.other_contractor,
            &instalment_body(1, "50000.00", &[("A-1", "35")]),
        )
        .await;
    problem(foreign_statement, StatusCode::NOT_FOUND).await;
    let unknown = app.get(&format!("/api/contracts/{}", uuid::Uuid::now_v7()), &t.buyer).await;
    problem(unknown, StatusCode::NOT_FOUND).await;

    // Lists show only one's own contracts.
    app.catch_up().await;
    for (token, expected) in [(&t.buyer, 1), (&t.contractor, 1), (&t.other_contractor, 0), (&t.other_tenant_buyer, 0)] {
        let list: Vec<Value> = app.get("/api/contracts", token).await.json().await.unwrap();
        assert_eq!(list.len(), expected);
    }
    assert_eq!(app.event_count().await, before);
}

/// A server keeps the principals of tokens it saw, for commands; a revocation (by any process,
/// here straight in the database) is still refused by the very next command and read.
#[tokio::test]
async fn a_revoked_token_is_refused_at_once_although_servers_keep_tokens_in_memory() {
    let app = TestApp::spawn().await;
    for round in 0..10 {
        let token = suivi_http::auth::create_token(&app.db.pool, suivi_http::Role::Buyer, &app.tenant, None, "t")
            .await
            .unwrap();
        for _ in 0..2 {
            // The second command takes its principal from memory.
            let awarded = app.post("/api/contracts", &token.token, &award_body()).await;
            assert_eq!(awarded.status(), StatusCode::CREATED, "round {round}");
        }
        let before = app.event_count().await;
        sqlx::query("update api_tokens set revoked_at = now() where id = $1")
            .bind(token.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let command = app.post("/api/contracts", &token.token, &award_body()).await;
        let body = problem(command, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["type"], "/problems/unauthorized", "round {round}");
        problem(app.get("/api/contracts", &token.token).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(app.event_count().await, before, "round {round}: nothing written");
    }
}

/// Every error is problem+json, the router's own too; a 401 names the scheme it wants.
#[tokio::test]
async fn unknown_paths_wrong_methods_and_missing_tokens_get_problems() {
    let app = TestApp::spawn().await;
    let unknown = app.get("/api/contrats", &app.tokens.buyer).await;
    let body = problem(unknown, StatusCode::NOT_FOUND).await;
    assert_eq!(body["type"], "/problems/not_found");
    assert_eq!(body["detail"], "aucune ressource à cette adresse");

    let wrong_method = app.request(Method::DELETE, "/api/contracts", Some(&app.tokens.buyer)).send().await.unwrap();
    let allow = wrong_method.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let body = problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(body["type"], "/problems/method_not_allowed");
    let english = app
        .request(Method::PUT, "/api/contracts", Some(&app.tokens.buyer))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    assert_eq!(problem(english, StatusCode::METHOD_NOT_ALLOWED).await["title"], "This method is not allowed here");

    let anonymous = app.request(Method::GET, "/api/contracts", None).send().await.unwrap();
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
}
