//! Slow and greedy clients: header, body and request deadlines, the connection limit, the
//! failed-authentication throttle, and `/metrics` kept off the API's port.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use suivi::app::HttpLimits;
use suivi::server::ConnectionLimits;
use suivi_e2e::app::{award_body, TestApp};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

fn limits(change: impl FnOnce(&mut HttpLimits)) -> HttpLimits {
    let mut limits =
        HttpLimits { auth_failures_per_minute: NonZeroU32::new(100_000).unwrap(), ..HttpLimits::default() };
    change(&mut limits);
    limits
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or resets it); what it sent before.
async fn until_closed(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// 1 000 connections that never finish their headers (half send nothing, half a request line
/// and one header) are all closed once the header timeout has passed, and the API keeps
/// answering meanwhile.
#[tokio::test]
async fn a_thousand_connections_that_never_finish_their_headers_are_closed_within_the_timeout() {
    let header_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(limits(|l| l.connections.header_timeout = header_timeout)).await;
    let address = host(&app);
    let mut slow = Vec::new();
    for i in 0..1000 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        if i % 2 == 0 {
            stream.write_all(b"GET /api/contracts HTTP/1.1\r\nHost: suivi\r\n").await.unwrap();
        }
        slow.push(stream);
    }
    let opened = Instant::now();
    let healthy = app.request(Method::GET, "/healthz", None).send().await.unwrap();
    assert_eq!(healthy.status(), StatusCode::OK, "served beside 1 000 idle connections");

    let closing = futures::future::join_all(slow.into_iter().map(until_closed));
    let answers = tokio::time::timeout(header_timeout + Duration::from_secs(5), closing)
        .await
        .expect("every idle connection closed by the server within the header timeout (plus a margin)");
    assert_eq!(answers.len(), 1000);
    assert!(opened.elapsed() >= header_timeout - Duration::from_millis(300), "closed by the timeout, not at once");
    // On a new connection: the one `/healthz` used sat idle in the client's pool past the header
    // timeout too, so the server closes it, possibly just as the client reuses it
    // (`IncompleteMessage`, about one run in three).
    let fresh = reqwest::Client::new();
    let listed =
        fresh.get(format!("{}/api/contracts", app.address)).bearer_auth(&app.tokens.buyer).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(listed.json::<serde_json::Value>().await.unwrap(), serde_json::json!([]), "no contract yet");
}

/// Beyond the connection limit, a new client waits to be accepted until a slot frees up (here
/// when the idle connections time out); it is then served.
#[tokio::test]
async fn beyond_the_connection_limit_a_client_waits_for_a_free_slot() {
    let header_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(limits(|l| {
        l.connections = ConnectionLimits { header_timeout, max_connections: 4, ..ConnectionLimits::default() }
    }))
    .await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(host(&app)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let response = app.request(Method::GET, "/healthz", None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= header_timeout / 2,
        "the fifth connection was served before a slot freed up ({:?})",
        started.elapsed()
    );
    drop(idle);
}

/// A body that stops arriving is answered 408 `request_timeout` once the body timeout passes,
/// and nothing is written.
#[tokio::test]
async fn a_body_that_stops_arriving_gets_408_and_writes_nothing() {
    let app = TestApp::spawn_with(limits(|l| l.requests.body_timeout = Duration::from_secs(1))).await;
    let before = app.event_count().await;
    let head = format!(
        "POST /api/contracts HTTP/1.1\r\nHost: suivi\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"buyer_siret\":",
        app.tokens.buyer
    );
    let answer = app.raw_exchange(&head, Duration::from_secs(6)).await;
    assert!(answer.starts_with("http/1.1 408"), "{answer}");
    assert!(answer.contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/request_timeout"), "{answer}");
    assert_eq!(app.event_count().await, before);
}

/// A command held up (here by a lock on the log) past the request deadline is answered 503
/// `deadline_exceeded`; retried with the same key once the lock is gone, it is recorded once.
#[tokio::test]
async fn a_command_past_its_deadline_gets_503_and_a_retry_records_it_once() {
    let app = TestApp::spawn_with(limits(|l| l.requests.request_timeout = Duration::from_secs(1))).await;
    let mut lock = app.db.pool.begin().await.unwrap();
    sqlx::query("lock table events in exclusive mode").execute(&mut *lock).await.unwrap();

    let send = || {
        app.request(Method::POST, "/api/contracts", Some(&app.tokens.buyer))
            .header("idempotency-key", "award-once")
            .json(&award_body())
            .send()
    };
    let started = Instant::now();
    let late = send().await.unwrap();
    assert_eq!(late.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(5), "answered at the deadline: {:?}", started.elapsed());
    let problem: Value = late.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/deadline_exceeded");
    assert_eq!(problem["title"], "La requête a pris trop de temps et a été abandonnée");

    lock.commit().await.unwrap();
    let retried = send().await.unwrap();
    let status = retried.status();
    assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{status}: {}", retried.text().await.unwrap());
    let awards: i64 = sqlx::query_scalar("select count(*) from events where event_type = 'contract_awarded'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(awards, 1, "the command is recorded exactly once, whether or not the first try landed");
}

/// Requests without a verified token spend the client's budget; once spent they get 429 with
/// `Retry-After` (the token is not even looked up), while a token already verified is served.
#[tokio::test]
async fn repeated_failed_authentications_are_answered_429() {
    let app = TestApp::spawn_with(limits(|l| l.auth_failures_per_minute = NonZeroU32::new(3).unwrap())).await;
    let list = |token: Option<&str>| app.request(Method::GET, "/api/contracts", token).send();
    assert_eq!(list(Some(&app.tokens.buyer)).await.unwrap().status(), StatusCode::OK, "first use of a token: 1 spent");
    assert_eq!(list(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(list(Some("suivi_guessed")).await.unwrap().status(), StatusCode::UNAUTHORIZED);

    for token in [None, Some("suivi_guessed"), Some(app.tokens.facilitator.as_str())] {
        let refused = list(token).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{token:?}");
        let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=20).contains(&wait), "one attempt comes back every 20 s: {wait}");
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/too_many_requests");
        assert_eq!(problem["status"], 429);
    }

    assert_eq!(list(Some(&app.tokens.buyer)).await.unwrap().status(), StatusCode::OK, "a verified token is not slowed");
    let created = app.post("/api/contracts", &app.tokens.buyer, &award_body()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let health = app.request(Method::GET, "/healthz", None).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "routes without a token are not throttled");
}

/// `/metrics` shows every tenant's activity: it is not served on the API's port, but on its own.
#[tokio::test]
async fn metrics_are_not_on_the_api_port() {
    let app = TestApp::spawn().await;
    let on_api = app.request(Method::GET, "/metrics", None).send().await.unwrap();
    assert_eq!(on_api.status(), StatusCode::NOT_FOUND);
    let problem: Value = on_api.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/not_found");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum_serve(listener).await });
    let metrics = reqwest::get(format!("http://{address}/metrics")).await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
}

async fn axum_serve(listener: tokio::net::TcpListener) {
    let (_running, shutdown) = tokio::sync::watch::channel(false);
    let _ = suivi::server::serve(listener, suivi::app::metrics_router(), ConnectionLimits::default(), shutdown).await;
}
