//! `suivi serve`'s readiness and health gauges, as an orchestrator and Prometheus see them: a
//! transaction left open holds the relay and the projector back (lag > 0, its age reported, not
//! ready past the threshold, ready again once it ends); NATS going away is reported; requests
//! refused before the command runner are counted.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use suivi_e2e::app::{award_body, BUYER_SIRET};
use suivi_e2e::{free_port, NatsServer, SuiviProcess, TestDatabase, TestStream};
use suivi_http::auth::create_token;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::TenantId;

/// A running `suivi serve` with its addresses.
struct Served {
    _process: SuiviProcess,
    api: String,
    metrics: String,
    client: reqwest::Client,
}

impl Served {
    /// Starts `suivi serve` on `db` and `stream`, with `extra` settings, and waits for `/healthz`.
    async fn start(db: &TestDatabase, stream: &TestStream, extra: &[(&str, String)]) -> Self {
        let (api, metrics) = (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
        let mut env = vec![
            ("DATABASE_URL", db.url()),
            ("NATS_URL", stream.url.clone()),
            ("SUIVI_SUBJECT_PREFIX", stream.subjects.prefix().to_owned()),
            ("SUIVI_HTTP_ADDR", api.clone()),
            ("SUIVI_METRICS_ADDR", metrics.clone()),
        ];
        env.extend(extra.iter().cloned());
        let served = Served {
            _process: SuiviProcess::spawn(&["serve"], &env),
            api: format!("http://{api}"),
            metrics: format!("http://{metrics}/metrics"),
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while served.client.get(format!("{}/healthz", served.api)).send().await.is_err() {
            assert!(Instant::now() < deadline, "suivi serve did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served
    }

    async fn readyz(&self) -> (StatusCode, Value) {
        let response = self.client.get(format!("{}/readyz", self.api)).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// Polls `/readyz` until `until` holds of its answer; fails the test after 30 s.
    async fn readyz_until(&self, what: &str, until: impl Fn(StatusCode, &Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = self.readyz().await;
            if until(status, &body) {
                return body;
            }
            assert!(Instant::now() < deadline, "{what}: /readyz still answers {status} {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The value of `metric` (with its labels, as Prometheus renders it) on `/metrics`.
    async fn metric(&self, metric: &str) -> Option<f64> {
        let text = self.client.get(&self.metrics).send().await.unwrap().text().await.unwrap();
        text.lines().find_map(|line| line.strip_prefix(metric)?.strip_prefix(' ')?.trim().parse().ok())
    }
}

async fn buyer_token(db: &TestDatabase) -> String {
    let tenant = TenantId::parse("grand-agglo").unwrap();
    create_tenant(&db.pool, &tenant, "Grand Agglo", &[BUYER_SIRET.to_owned()]).await.unwrap();
    create_token(&db.pool, Role::Buyer, &tenant, None, "test").await.unwrap().token
}

fn lag(body: &Value, reader: &str) -> i64 {
    body[reader]["lag_events"].as_i64().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_transaction_shows_as_lag_and_makes_the_service_unready_until_it_ends() {
    let db = TestDatabase::new().await;
    let stream = TestStream::shared();
    let token = buyer_token(&db).await;
    let served = Served::start(&db, &stream, &[("SUIVI_READY_MAX_BLOCKING_SECONDS", "2".to_owned())]).await;
    let award = || served.client.post(format!("{}/api/contracts", served.api)).bearer_auth(&token).json(&award_body());
    assert_eq!(award().send().await.unwrap().status(), StatusCode::CREATED);
    served.readyz_until("caught up", |status, body| status == StatusCode::OK && lag(body, "relay") == 0).await;

    // A snapshot alone (a long read-only report) holds back vacuum, not the readers.
    let mut report = db.pool.begin().await.unwrap();
    sqlx::query("set transaction isolation level repeatable read").execute(&mut *report).await.unwrap();
    sqlx::query("select count(*) from events").execute(&mut *report).await.unwrap();
    assert_eq!(award().send().await.unwrap().status(), StatusCode::CREATED);
    let caught_up = served
        .readyz_until("past a snapshot", |status, body| status == StatusCode::OK && lag(body, "relay") == 0)
        .await;
    assert_eq!(caught_up["blocking_transaction"]["seconds"], Value::Null, "{caught_up}");
    report.rollback().await.unwrap();

    // A transaction with an id, left open: every event committed after it waits behind it.
    let mut blocker = db.pool.begin().await.unwrap();
    sqlx::query("select txid_current()").execute(&mut *blocker).await.unwrap();
    for _ in 0..3 {
        assert_eq!(award().send().await.unwrap().status(), StatusCode::CREATED, "commands still commit");
    }
    let (status, body) = served.readyz().await;
    assert_eq!(lag(&body, "relay"), 3, "the relay's lag counts committed events: {body}");
    assert_eq!(lag(&body, "projector"), 3, "so does the projector's: {body}");
    let blocking = body["blocking_transaction"]["seconds"].as_f64().expect("the blocking transaction's age");
    assert!(blocking > 0.0, "{body}");
    if blocking < 1.5 {
        assert_eq!(status, StatusCode::OK, "still ready under the 2 s threshold: {body}");
    }
    let unready =
        served.readyz_until("past the threshold", |status, _| status == StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(unready["blocking_transaction"]["seconds"].as_f64().unwrap() > 2.0, "{unready}");
    assert_eq!(unready["blocking_transaction"]["ready"], false);
    assert_eq!(unready["ready"], false);
    assert!(unready["failed"].as_array().unwrap().contains(&"blocking_transaction".into()), "{unready}");
    assert_eq!(lag(&unready, "relay"), 3, "nothing relayed meanwhile: {unready}");
    assert_eq!(served.metric("suivi_relay_lag_events").await, Some(3.0));
    assert_eq!(served.metric("suivi_projector_lag_events").await, Some(3.0));
    assert!(served.metric("suivi_db_oldest_blocking_transaction_seconds").await.unwrap() > 2.0);
    assert_eq!(served.metric("suivi_ready").await, Some(0.0));

    blocker.rollback().await.unwrap();
    let ready = served
        .readyz_until("after the transaction ended", |status, body| {
            status == StatusCode::OK && lag(body, "relay") == 0 && lag(body, "projector") == 0
        })
        .await;
    assert_eq!(ready["blocking_transaction"]["seconds"], Value::Null, "{ready}");
    assert_eq!(ready["failed"], serde_json::json!([]));
    assert_eq!(served.metric("suivi_relay_lag_events").await, Some(0.0));
    assert_eq!(served.metric("suivi_ready").await, Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_going_away_is_reported_and_refused_requests_are_counted() {
    let db = TestDatabase::new().await;
    let mut nats = NatsServer::start();
    let stream = TestStream::new(&nats.url());
    let served = Served::start(&db, &stream, &[]).await;
    let ready = served.readyz_until("connected", |status, _| status == StatusCode::OK).await;
    assert_eq!(ready["nats"], serde_json::json!({ "state": "connected", "ready": true }));
    assert_eq!(ready["relay"]["started"], true, "{ready}");
    assert_eq!(served.metric("suivi_nats_connected").await, Some(1.0));
    for gauge in ["suivi_relay_lag_events", "suivi_relay_lag_seconds", "suivi_projector_lag_events"] {
        assert_eq!(served.metric(gauge).await, Some(0.0), "{gauge}");
    }
    assert!(served.metric("suivi_db_oldest_blocking_transaction_seconds").await.is_some());

    // Refused before reaching the command runner: no token, then a token nobody issued.
    let contracts = format!("{}/api/contracts", served.api);
    let no_token = served.client.post(&contracts).json(&award_body()).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let unknown = served.client.get(&contracts).bearer_auth("suivi_nobody").send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(served.metric("suivi_requests_refused_total{reason=\"unauthenticated\"}").await, Some(2.0));

    nats.kill();
    let unready = served.readyz_until("NATS stopped", |status, _| status == StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(unready["nats"]["state"], "disconnected", "{unready}");
    assert_eq!(unready["failed"], serde_json::json!(["nats"]), "only NATS fails: {unready}");
    assert_eq!(served.metric("suivi_nats_connected").await, Some(0.0));

    nats.restart();
    let ready = served.readyz_until("NATS back", |status, _| status == StatusCode::OK).await;
    assert_eq!(ready["nats"]["state"], "connected");
}
