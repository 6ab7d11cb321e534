//! The HTTP application: every service's routes behind one listener.
//!
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves (`crate::server`,
//! with its connection limits) until the shutdown signal, letting in-flight requests finish.

use std::net::SocketAddr;
use std::num::NonZeroU32;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::{Extension, Json, Router};
use sqlx::PgPool;
use suivi_http::routes::{Doc, Routes, Success};
use suivi_http::throttle::AuthThrottle;
use suivi_http::timeouts::RequestLimits;
use suivi_http::AppState;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::health::Readiness;
use crate::server::ConnectionLimits;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413: an hour statement of a few hundred lines
/// is well under it.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Every route of the application, with its documentation: the one source of the OpenAPI
/// document's operations (`crate::openapi`).
pub fn routes() -> Routes {
    Routes::new()
        .merge(suivi_contracts::routes())
        .merge(suivi_declarations::routes())
        .merge(suivi_participants::routes())
        .merge(suivi_payments::routes())
        .merge(suivi_reporting::routes())
        .get(
            "/healthz",
            || async { "ok" },
            Doc::other(
                "checkAlive",
                "operations",
                "Liveness",
                "Answers `ok` while the process serves HTTP; it checks nothing else.",
                Success::Alive,
            ),
        )
        .get(
            "/readyz",
            readyz,
            Doc::other(
                "checkReady",
                "operations",
                "Readiness",
                "200 when every check passes; 503 otherwise, `failed` naming the checks that did not: \
                 `database` (it does not answer), `projector` and `relay` (more than 10 000 committed events \
                 behind the log, or the oldest of them waiting more than 60 seconds; the relay's only where \
                 this process runs it, and until it has read the stream's head), `nats` (the client is not \
                 connected), `blocking_transaction` (a transaction of the database has held the log's readers \
                 back for more than 60 seconds). The thresholds are settings. Also reports the events the \
                 read models could not take and the contracts they quarantined: one bad event stops its own \
                 contract only, so it does not make the service unready.",
                Success::Ready,
            ),
        )
        .get(
            "/api/openapi.json",
            openapi,
            Doc::other(
                "getOpenApiDocument",
                "operations",
                "This OpenAPI document",
                "The OpenAPI 3.1 document of this API, as checked in at `services/suivi/openapi.json`.",
                Success::Document,
            ),
        )
}

/// The application: [`routes`] (the API: a route of the API added here, outside them, would be
/// undocumented) and the web interface's pages (`suivi_web`, HTML for people, not in the OpenAPI
/// document), behind the body limit and timeouts, the failed-authentication throttle, tracing
/// and request ids.
pub fn router(state: AppState, limits: RequestLimits, web: suivi_web::WebSettings) -> Router {
    routes()
        .into_router()
        .merge(suivi_web::router(web))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A body announced larger than the limit is refused (413) before any of it is read: a
        // client announcing a gigabyte and sending a byte does not hold a connection open.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // A body that stops arriving fails its read (408) instead of holding the request.
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), suivi_http::throttle::throttle_unverified))
        .layer(axum::middleware::from_fn_with_state(limits, suivi_http::timeouts::deadline))
        .layer(axum::middleware::from_fn(suivi_http::language::negotiate_problems))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(suivi_http::request_id::assign))
        .with_state(state)
}

/// The checks of [`crate::health`]: 200 when all pass, else 503 naming those that failed.
/// Without the application's [`Readiness`] (a router driven in-process), the database's checks
/// only, with the default thresholds.
async fn readyz(
    State(state): State<AppState>,
    readiness: Option<Extension<Readiness>>,
) -> (StatusCode, Json<serde_json::Value>) {
    let report = readiness.map(|Extension(readiness)| readiness).unwrap_or_default().check(&state.pool).await;
    (if report.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(report.body()))
}

async fn openapi() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], crate::openapi::DOCUMENT)
}

/// `/metrics` on its own listener (`SUIVI_METRICS_ADDR`, loopback by default): it shows every
/// tenant's activity, so it is not on the public API's port.
pub fn metrics_router() -> Router {
    Router::new().route("/metrics", axum::routing::get(|| async { crate::telemetry::render_metrics() }))
}

/// Every limit the HTTP server enforces; each has a setting (`crate::cli::HttpSettings`).
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    pub connections: ConnectionLimits,
    pub requests: RequestLimits,
    /// Requests per minute and client without a token this server has verified (sign-in
    /// attempts on the web interface included).
    pub auth_failures_per_minute: NonZeroU32,
    /// The web interface's cookies (`Secure` or not).
    pub web: suivi_web::WebSettings,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connections: ConnectionLimits::default(),
            requests: RequestLimits::default(),
            auth_failures_per_minute: NonZeroU32::new(suivi_http::throttle::DEFAULT_PER_MINUTE)
                .unwrap_or(NonZeroU32::MIN),
            web: suivi_web::WebSettings::default(),
        }
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    connections: ConnectionLimits,
    runner: std::sync::Arc<suivi_application::Application>,
}

impl Application {
    pub async fn build(pool: PgPool, address: &str) -> anyhow::Result<Self> {
        Self::build_with(pool, address, HttpLimits::default()).await
    }

    pub async fn build_with(pool: PgPool, address: &str, limits: HttpLimits) -> anyhow::Result<Self> {
        Self::build_serving(pool, address, limits, None).await
    }

    /// The application with the key-encryption key ring of the participants' register (`None`:
    /// the register answers 503).
    pub async fn build_serving(
        pool: PgPool,
        address: &str,
        limits: HttpLimits,
        vault: Option<std::sync::Arc<suivi_privacy::KeyRing>>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let state = AppState::new(pool)
            .with_auth_throttle(AuthThrottle::per_minute(limits.auth_failures_per_minute))
            .with_vault(vault);
        let runner = state.app.clone();
        Ok(Application {
            listener,
            router: router(state, limits.requests, limits.web),
            connections: limits.connections,
            runner,
        })
    }

    /// `/readyz` with the relay and NATS client of this process, and these thresholds.
    pub fn with_readiness(mut self, readiness: Readiness) -> Self {
        self.router = self.router.layer(Extension(readiness));
        self
    }

    /// The command runner the HTTP API uses, for the other edges to share (one aggregate cache).
    pub fn command_runner(&self) -> std::sync::Arc<suivi_application::Application> {
        self.runner.clone()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self, shutdown: watch::Receiver<bool>) -> std::io::Result<()> {
        crate::server::serve(self.listener, self.router, self.connections, shutdown).await
    }
}
