//! `suivi serve` as operations see it: it stops cleanly on SIGTERM, answering the request in
//! flight; and while its database is unreachable, requests get 503 problem+json (nothing
//! written) until the database is back, with no restart.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use suivi_e2e::app::{award_body, TestApp, BUYER_SIRET};
use suivi_e2e::{free_port, SuiviProcess, TcpProxy, TestDatabase, TestStream};
use suivi_http::auth::create_token;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::TenantId;

/// Waits until a backend of `db` (other than ours) waits on a lock: the request is in flight.
async fn wait_for_a_blocked_backend(db: &TestDatabase) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let blocked: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity
             where datname = $1 and pid <> pg_backend_pid() and wait_event_type = 'Lock'",
        )
        .bind(&db.name)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if blocked > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the request never reached the database");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_the_request_in_flight_then_exits_0_on_sigterm() {
    let db = TestDatabase::new().await;
    let stream = TestStream::shared();
    let tenant = TenantId::parse("grand-agglo").unwrap();
    create_tenant(&db.pool, &tenant, "Grand Agglo", &[BUYER_SIRET.to_owned()]).await.unwrap();
    let token = create_token(&db.pool, Role::Buyer, &tenant, None, "test").await.unwrap().token;
    let address = format!("127.0.0.1:{}", free_port());
    let env = [
        ("DATABASE_URL", db.url()),
        ("NATS_URL", stream.url.clone()),
        ("SUIVI_SUBJECT_PREFIX", stream.subjects.prefix().to_owned()),
        ("SUIVI_HTTP_ADDR", address.clone()),
        // Not the default port: a second server on this machine would already hold it.
        ("SUIVI_METRICS_ADDR", format!("127.0.0.1:{}", free_port())),
    ];
    let mut server = SuiviProcess::spawn(&["serve"], &env);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("http://{address}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "suivi serve did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Hold the award's insert back, so the request is in flight when the signal comes.
    let mut blocker = db.pool.begin().await.unwrap();
    sqlx::query("lock table events in exclusive mode").execute(&mut *blocker).await.unwrap();
    let request = tokio::spawn({
        let (client, url) = (client.clone(), format!("http://{address}/api/contracts"));
        async move { client.post(url).bearer_auth(token).json(&award_body()).send().await }
    });
    wait_for_a_blocked_backend(&db).await;

    server.terminate();
    assert_eq!(server.wait_for_exit(Duration::from_millis(500)), None, "it waits for the request in flight");
    blocker.rollback().await.unwrap();

    let response = request.await.unwrap().expect("the request in flight is answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["events"], serde_json::json!(["contract_awarded"]));
    let status = server.wait_for_exit(Duration::from_secs(5)).expect("suivi serve exits within 5 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "a clean exit: {status}");
    let written: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(written, 1, "the award answered during shutdown was written");
}

/// A request while the database is unreachable: 503 problem+json, quickly, whatever the route.
async fn assert_unavailable(response: reqwest::Response, started: Instant) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(10), "answered without hanging: {:?}", started.elapsed());
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unavailable", "{problem}");
    assert_eq!(problem["status"], 503, "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_get_503_while_the_database_is_down_and_succeed_once_it_is_back() {
    let mut proxy = None;
    let app = TestApp::spawn_with_pool(|db| {
        let through = TcpProxy::start(db.server_address());
        let pool = db.pool_through(through.port, Duration::from_secs(2));
        proxy = Some(through);
        pool
    })
    .await;
    let mut proxy = proxy.unwrap();
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");

    suivi::telemetry::install_metrics();
    let refused_unavailable = || {
        suivi::telemetry::render_metrics()
            .lines()
            .find_map(|line| line.strip_prefix("suivi_requests_refused_total{reason=\"unavailable\"} "))
            .map_or(0, |value| value.trim().parse::<u64>().unwrap())
    };
    let refused_before = refused_unavailable();
    proxy.down().await;
    let before = app.event_count().await;
    // The buyer's token is in the server's memory (it awarded above); the facilitator's is not.
    let started = Instant::now();
    assert_unavailable(app.post("/api/contracts", &app.tokens.buyer, &award_body()).await, started).await;
    let started = Instant::now();
    let amendment = serde_json::json!({ "amendment_number": 1, "signed_on": "2025-02-01",
                                        "new_amount_ht": "1100000.00", "reason": "travaux supplémentaires" });
    assert_unavailable(app.post(&format!("{contract}/amendments"), &app.tokens.buyer, &amendment).await, started).await;
    let started = Instant::now();
    assert_unavailable(app.get(&contract, &app.tokens.facilitator).await, started).await;
    assert_eq!(refused_unavailable(), refused_before + 1, "the facilitator's token could not be checked: counted");
    let ready = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json::<Value>().await.unwrap()["database"], "unreachable");
    assert_eq!(app.event_count().await, before, "nothing written while the database was down");

    proxy.up();
    // The pool drops the connections that died with the proxy and opens new ones.
    let deadline = Instant::now() + Duration::from_secs(20);
    let response = loop {
        let response = app.post(&format!("{contract}/amendments"), &app.tokens.buyer, &amendment).await;
        if response.status() != StatusCode::SERVICE_UNAVAILABLE || Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(response.status(), StatusCode::OK, "recovered: {}", response.text().await.unwrap());
    assert_eq!(response.json::<Value>().await.unwrap()["version"], 2);
    let view: Value = app.get(&contract, &app.tokens.facilitator).await.json().await.unwrap();
    assert_eq!(view["amount_ht"], "1100000.00");
    assert_eq!(app.event_count().await, before + 1, "only the amendment accepted after recovery");
}
