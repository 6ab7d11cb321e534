//! `Idempotency-Key` on every POST, `ETag` / `If-Match` (412), and 409 on a concurrent clash.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};

#[tokio::test]
async fn a_retried_award_with_the_same_key_creates_one_contract_and_answers_the_same() {
    let app = TestApp::spawn().await;
    let send = || {
        app.request(Method::POST, "/api/contracts", Some(&app.tokens.buyer))
            .header("Idempotency-Key", "award-2025-017")
            .json(&award_body())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["location"], first_location);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry, first);
    assert_eq!(app.event_count().await, 1);
    app.catch_up().await;
    let list: Vec<Value> = app.get("/api/contracts", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn a_retried_statement_is_recorded_once_even_after_the_contract_moved_on() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let send = |number: u32, key: &'static str| {
        app.request(Method::POST, &path, Some(&app.tokens.contractor))
            .header("Idempotency-Key", key)
            .json(&instalment_body(number, "50000.00", &[("EMP-1", "35")]))
            .send()
    };
    let first: Value = send(1, "statement-1").await.unwrap().json().await.unwrap();
    assert_eq!(first["version"], 2);
    // The contract moves on; the retry still gets the first answer and writes nothing.
    let second = app
        .request(Method::POST, &path, Some(&app.tokens.contractor))
        .json(&instalment_body(2, "60000.00", &[("EMP-1", "20")]))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let retry = send(1, "statement-1").await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.headers()["etag"], "\"v2\"");
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    assert_eq!(app.event_count().await, 3);

    // The same key for another contract is refused.
    let other = app.award(&award_body()).await;
    let misuse = app
        .request(Method::POST, &format!("/api/contracts/{other}/instalments"), Some(&app.tokens.contractor))
        .header("Idempotency-Key", "statement-1")
        .json(&instalment_body(1, "50000.00", &[("EMP-1", "35")]))
        .send()
        .await
        .unwrap();
    assert_eq!(misuse.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(misuse.json::<Value>().await.unwrap()["field"], "Idempotency-Key");

    // Keys belong to the token that sent them: the buyer's "statement-1" is its own.
    let buyers = app
        .request(Method::POST, &format!("/api/contracts/{other}/amendments"), Some(&app.tokens.buyer))
        .header("Idempotency-Key", "statement-1")
        .json(&json!({ "amendment_number": 1, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00", "reason": "Travaux supplémentaires" }))
        .send()
        .await
        .unwrap();
    assert_eq!(buyers.status(), StatusCode::OK, "{}", buyers.text().await.unwrap());
}

#[tokio::test]
async fn a_stale_if_match_gets_412_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let amend = |if_match: &'static str, number: u32| {
        app.request(Method::POST, &format!("/api/contracts/{id}/amendments"), Some(&app.tokens.buyer))
            .header("If-Match", if_match)
            .json(&json!({ "amendment_number": number, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00", "reason": "Travaux supplémentaires" }))
            .send()
    };
    let fresh = amend("\"v1\"", 1).await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_eq!(fresh.headers()["etag"], "\"v2\"");
    let before = app.event_count().await;
    let stale = amend("\"v1\"", 2).await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/precondition_failed");
    assert_eq!(problem["field"], "If-Match");
    let garbage = amend("yesterday", 2).await.unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.event_count().await, before);
}

/// RFC 9110 §13.1.1: a weak ETag never satisfies If-Match (strong comparison); a list is
/// satisfied by any of its ETags; `*` by any existing contract.
#[tokio::test]
async fn if_match_compares_strongly_and_takes_a_list_or_a_star() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let amend = |if_match: &'static str, number: u32| {
        app.request(Method::POST, &format!("/api/contracts/{id}/amendments"), Some(&app.tokens.buyer))
            .header("If-Match", if_match)
            .json(&json!({ "amendment_number": number, "signed_on": "2025-02-01", "new_amount_ht": format!("{}.00", 1_100_000 + number), "reason": "Travaux supplémentaires" }))
            .send()
    };

    let before = app.event_count().await;
    let weak = amend("W/\"v1\"", 1).await.unwrap();
    assert_eq!(weak.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(weak.headers()["content-type"], "application/problem+json");
    let problem: Value = weak.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/precondition_failed");
    assert_eq!(problem["field"], "If-Match");
    assert_eq!(app.event_count().await, before, "a refused precondition writes nothing");

    let listed = amend("\"v0\", W/\"v1\", \"v1\"", 1).await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK, "{}", listed.text().await.unwrap());
    assert_eq!(listed.headers()["etag"], "\"v2\"");

    let stale_list = amend("\"v1\", \"v3\"", 2).await.unwrap();
    assert_eq!(stale_list.status(), StatusCode::PRECONDITION_FAILED);

    let any = amend("*", 2).await.unwrap();
    assert_eq!(any.status(), StatusCode::OK, "{}", any.text().await.unwrap());
    assert_eq!(any.headers()["etag"], "\"v3\"");

    let unseparated = amend("\"v3\" \"v4\"", 3).await.unwrap();
    assert_eq!(unseparated.status(), StatusCode::BAD_REQUEST);
    assert_eq!(unseparated.json::<Value>().await.unwrap()["type"], "/problems/invalid_header");
    assert_eq!(app.event_count().await, before + 2);
}

/// Holds an uncommitted event at the contract's next version, so that a command decided on
/// the current version is still deciding when the other change commits: it must get 409.
#[tokio::test]
async fn a_command_that_loses_a_concurrent_race_gets_409_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id: uuid::Uuid = app.award(&award_body()).await.parse().unwrap();
    let mut competing = app.db.pool.begin().await.unwrap();
    let competing_event = suivi_proto::events::Event::from(suivi_proto::events::AdvancePaidV1 {
        amount_ttc: "120000.00".parse().unwrap(),
        paid_on: "2025-02-01".parse().unwrap(),
        with_guarantee: false,
        finance_reference: "MANDAT-1".to_owned(),
    });
    sqlx::query(
        "insert into events (event_id, tenant, stream_id, stream_version, event_type, schema_version, occurred_at,
                             actor_kind, actor_id, correlation_id, payload)
         values ($1, $2, $3, 2, 'advance_paid', 1, now(), 'finance', 'race', $1, $4::text::json)",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(app.tenant.as_str())
    .bind(id)
    .bind(competing_event.to_payload().to_string())
    .execute(&mut *competing)
    .await
    .unwrap();

    let amend = app
        .request(Method::POST, &format!("/api/contracts/{id}/amendments"), Some(&app.tokens.buyer))
        .json(&json!({ "amendment_number": 1, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00", "reason": "Travaux supplémentaires" }))
        .send();
    let racing = tokio::spawn(amend);
    // Wait until the request, having decided on version 1, waits on the competing version 2.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the request never reached the append");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    competing.commit().await.unwrap();
    let response = racing.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/concurrent_change");
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["version"], 2, "only the competing event was written");
}

/// Eight identical requests with one key, all at once: one records, every one gets its answer.
/// (Checking the key before loading the contract let losers be decided on the winner's state.)
#[tokio::test]
async fn concurrent_retries_with_one_key_all_get_the_first_answer() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let body = instalment_body(1, "50000.00", &[("EMP-1", "35")]);
    let before = app.event_count().await;
    let sends = (0..8).map(|_| {
        app.request(Method::POST, &path, Some(&app.tokens.contractor))
            .header("Idempotency-Key", "statement-1-burst")
            .json(&body)
            .send()
    });
    let responses = futures::future::join_all(sends).await;
    let mut answers = Vec::new();
    for response in responses {
        let response = response.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        answers.push(body);
    }
    assert!(answers.iter().all(|answer| answer == &answers[0]), "{answers:?}");
    assert_eq!(answers[0]["events"], json!(["instalment_requested"]));
    assert_eq!(app.event_count().await, before + 1);
}

/// A corrected statement resent with the key of the first is another request: refused, so the
/// correction is not silently dropped.
#[tokio::test]
async fn a_key_reused_with_another_body_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let send = |hours: &'static str| {
        app.request(Method::POST, &path, Some(&app.tokens.contractor))
            .header("Idempotency-Key", "statement-1")
            .json(&instalment_body(1, "50000.00", &[("EMP-1", hours)]))
            .send()
    };
    assert_eq!(send("35").await.unwrap().status(), StatusCode::OK);
    let before = app.event_count().await;
    let corrected = send("42").await.unwrap();
    assert_eq!(corrected.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = corrected.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/idempotency_key_reused");
    assert_eq!(problem["field"], "Idempotency-Key");
    let detail = problem["detail"].as_str().unwrap();
    assert!(!detail.contains(":statement-1"), "the detail names no token id: {detail}");
    assert_eq!(app.event_count().await, before);
    // The same body again is still a retry.
    assert_eq!(send("35").await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.event_count().await, before);
}
