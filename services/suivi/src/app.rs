//! The HTTP application: every service's routes behind one listener.
//!
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves (`crate::server`,
//! with its connection limits) until the shutdown signal, letting in-flight requests finish.

use std::net::SocketAddr;
use std::num::NonZeroU32;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use serde_json::json;
use sqlx::PgPool;
use suivi_http::routes::{Doc, Routes, Success};
use suivi_http::throttle::AuthThrottle;
use suivi_http::timeouts::RequestLimits;
use suivi_http::AppState;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

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
                "200 when the database answers and the read models are less than 10 000 events and \
                 60 seconds behind the log; 503 otherwise. Also reports the events the read models could \
                 not take and the contracts they quarantined: one bad event stops its own contract only, \
                 so it does not make the service unready.",
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

/// The application: [`routes`] (only they: a route added here, outside them, would be
/// undocumented) behind the body limit and timeouts, the failed-authentication throttle,
/// tracing and request ids.
pub fn router(state: AppState, limits: RequestLimits) -> Router {
    routes()
        .into_router()
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

/// Ready when the database answers and the read models are less than this far behind the log.
pub const READY_MAX_LAG_EVENTS: i64 = 10_000;
pub const READY_MAX_LAG_SECONDS: f64 = 60.0;

/// Events the projector could not project are reported, but do not make the service unready:
/// they stop their own contract only, and every other contract is served up to date.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let unreachable = || (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "database": "unreachable" })));
    let Ok(schema) = suivi_projector::target::active(&state.pool).await else { return unreachable() };
    let (Ok(lag), Ok(failed)) = (
        suivi_projector::lag(&state.pool, schema).await,
        suivi_projector::failures::summary(&state.pool, schema).await,
    ) else {
        return unreachable();
    };
    let ready = lag.events <= READY_MAX_LAG_EVENTS && lag.seconds <= READY_MAX_LAG_SECONDS;
    let body = json!({
        "database": "ok",
        "projector": {
            "lag_events": lag.events,
            "lag_seconds": lag.seconds,
            "failed_events": failed.events,
            "quarantined_contracts": failed.contracts,
            "ready": ready,
        }
    });
    (if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
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
    /// Requests per minute and client without a token this server has verified.
    pub auth_failures_per_minute: NonZeroU32,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connections: ConnectionLimits::default(),
            requests: RequestLimits::default(),
            auth_failures_per_minute: NonZeroU32::new(suivi_http::throttle::DEFAULT_PER_MINUTE)
                .unwrap_or(NonZeroU32::MIN),
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
        Ok(Application { listener, router: router(state, limits.requests), connections: limits.connections, runner })
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
