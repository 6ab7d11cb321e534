//! Lists served from the read models: pages, filters, the lag headers; and request ids.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp, MEMBER_COMMUNE_SIRET};

/// The `Link: <…>; rel="next"` target of a response, if any.
fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?;
    let target = link.strip_prefix('<')?.split_once(">; rel=\"next\"")?.0;
    Some(target.to_owned())
}

#[tokio::test]
async fn the_contract_list_pages_with_a_cursor_and_filters_from_the_read_models() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.award(&award_body()).await);
    }
    let mut commune = award_body();
    commune["buyer_siret"] = json!(MEMBER_COMMUNE_SIRET);
    commune["notification_date"] = json!("2024-06-03");
    let commune_id = app.award(&commune).await;
    app.catch_up().await;

    // Two by two, in id order, every contract once; the lag headers say the lists are current.
    let mut seen = Vec::new();
    let mut path = "/api/contracts?limit=2".to_owned();
    loop {
        let response = app.get(&path, &app.tokens.buyer).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["suivi-lag-events"], "0");
        let next = next_link(&response);
        let page: Vec<Value> = response.json().await.unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|c| c["contract_id"].as_str().unwrap().to_owned()));
        match next {
            Some(next) => {
                assert!(next.contains("limit=2"), "the next link keeps the filters: {next}");
                path = next;
            }
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.push(commune_id.clone());
    expected.sort();
    assert_eq!(seen, expected);

    let by_buyer: Vec<Value> =
        app.get(&format!("/api/contracts?buyer={MEMBER_COMMUNE_SIRET}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(by_buyer.len(), 1);
    assert_eq!(by_buyer[0]["contract_id"], commune_id.as_str());
    let of_2024: Vec<Value> = app.get("/api/contracts?year=2024", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(of_2024.len(), 1);
    let settled: Vec<Value> = app.get("/api/contracts?status=settled", &app.tokens.buyer).await.json().await.unwrap();
    assert!(settled.is_empty());
    let not_at_risk: Vec<Value> =
        app.get("/api/contracts?at_risk=false&status=awarded", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(not_at_risk.len(), 4);
    assert_eq!(not_at_risk[0]["at_risk"], false);
}

#[tokio::test]
async fn the_contract_list_finds_contracts_by_words_of_their_object_and_by_clause() {
    let app = TestApp::spawn().await;
    let gymnase = app.award(&award_body()).await;
    let mut cleaning = award_body();
    cleaning["object"] = json!("Nettoyage des bâtiments communaux");
    cleaning.as_object_mut().unwrap().remove("insertion_clause");
    let cleaning = app.award(&cleaning).await;
    app.catch_up().await;
    let ids = |page: Vec<Value>| page.iter().map(|c| c["contract_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.get(&format!("/api/contracts?{query}"), &app.tokens.buyer).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            ids(response.json().await.unwrap())
        }
    };
    assert_eq!(list("q=NETTOYAGE%20des").await, [cleaning.as_str()], "case ignored, words in order");
    assert_eq!(list("q=b%C3%A2timents").await, [cleaning.as_str()], "accented letters, percent-encoded");
    assert!(list("q=des%20nettoyage").await.is_empty(), "the words in another order");
    assert!(list("q=100%25").await.is_empty(), "a % is a character, not a wildcard");
    assert_eq!(list("q=%20%20").await.len(), 2, "blank is no filter");
    assert_eq!(list("has_clause=true").await, [gymnase.as_str()]);
    assert_eq!(list("has_clause=false&q=nettoyage").await, [cleaning.as_str()]);
}

#[tokio::test]
async fn a_list_shows_how_far_behind_the_log_it_is() {
    let app = TestApp::spawn().await;
    app.catch_up().await; // the harness's participants
    app.award(&award_body()).await;
    // Nothing projected yet: the award is in the log, not in the list, and the headers say so.
    let response = app.get("/api/contracts", &app.tokens.buyer).await;
    assert_eq!(response.headers()["suivi-lag-events"], "1");
    let seconds: f64 = response.headers()["suivi-lag-seconds"].to_str().unwrap().parse().unwrap();
    assert!(seconds >= 0.0);
    assert_eq!(response.json::<Vec<Value>>().await.unwrap().len(), 0);
}

#[tokio::test]
async fn bad_list_parameters_and_path_ids_get_problems_naming_them() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("status=open", "status"),
        ("colour=red", "colour"),
        ("year=1999", "year"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=%%%", "cursor"),
        ("year=2024&year=2025", "year"),
        ("has_clause=yes", "has_clause"),
        ("q=a%00b", "q"),
    ] {
        let response = app.get(&format!("/api/contracts?{query}"), &app.tokens.buyer).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{query}");
    }
    let queue = app.get("/api/review-queue?limit=abc", &app.tokens.facilitator).await;
    assert_eq!(queue.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let malformed = app.get("/api/contracts/not-a-uuid", &app.tokens.buyer).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(malformed.headers()["content-type"], "application/problem+json");
    let problem: Value = malformed.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invalid_path");
    assert_eq!(problem["field"], "id");
}

#[tokio::test]
async fn the_review_queue_pages_statements_oldest_received_first() {
    let app = TestApp::spawn().await;
    let mut expected = Vec::new();
    for _ in 0..3 {
        let id = app.award(&award_body()).await;
        let response = app
            .post(
                &format!("/api/contracts/{id}/instalments"),
                &app.tokens.contractor,
                &instalment_body(1, "50000.00", &[("EMP-1", "35"), ("EMP-2", "12.5")]),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        expected.push(id);
    }
    app.catch_up().await;
    let first = app.get("/api/review-queue?limit=2", &app.tokens.facilitator).await;
    let next = next_link(&first).expect("a second page");
    let first: Vec<Value> = first.json().await.unwrap();
    let second = app.get(&next, &app.tokens.facilitator).await;
    assert!(next_link(&second).is_none());
    let second: Vec<Value> = second.json().await.unwrap();
    let queued: Vec<&Value> = first.iter().chain(&second).collect();
    // Received the same day: then in contract id order, which is the order they were awarded.
    let ids: Vec<&str> = queued.iter().map(|s| s["contract_id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    assert_eq!(queued[0]["lines"][1]["hours"], "12.5");
    assert_eq!(queued[0]["lines"][1]["period"], json!({ "start": "2025-03-01", "end": "2025-03-31" }));
    assert_eq!(queued[0]["version"], 2);
}

#[tokio::test]
async fn a_request_id_is_returned_and_written_into_the_events_it_appends() {
    let app = TestApp::spawn().await;
    // From a W3C traceparent: its trace id.
    let traced = app
        .request(Method::POST, "/api/contracts", Some(&app.tokens.buyer))
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .json(&award_body())
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-request-id"], "4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
    let id = traced.json::<Value>().await.unwrap()["contract_id"].as_str().unwrap().to_owned();
    let correlation: uuid::Uuid = sqlx::query_scalar("select correlation_id from events where stream_id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(correlation.to_string(), "4bf92f35-77b3-4da6-a3ce-929d0e0e4736");

    // From X-Request-Id when it is a UUID; otherwise one is made and returned.
    let given = "0193b5a0-1111-7222-8333-444455556666";
    let named = app
        .request(Method::GET, "/api/contracts", Some(&app.tokens.buyer))
        .header("x-request-id", given)
        .send()
        .await
        .unwrap();
    assert_eq!(named.headers()["x-request-id"], given);
    let made = app.request(Method::GET, "/healthz", None).header("x-request-id", "my-own-id").send().await.unwrap();
    let made: uuid::Uuid = made.headers()["x-request-id"].to_str().unwrap().parse().unwrap();
    assert_ne!(made.to_string(), given);
}
