//! The HTTP application: every service's routes behind one listener.
//!
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves until the
//! shutdown signal, letting in-flight requests finish.

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use serde_json::json;
use sqlx::PgPool;
use suivi_http::routes::{Doc, Routes, Success};
use suivi_http::AppState;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::limit::RequestBodyLimitLayer;
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
            "/metrics",
            || async { crate::telemetry::render_metrics() },
            Doc::other(
                "metrics",
                "operations",
                "Prometheus metrics",
                "Counters of commands (by outcome), events relayed, projected and not projected \
                 (`suivi_projector_failed_events_total`); gauges of the projector's lag in events and \
                 seconds and of the contracts it quarantined (`suivi_projector_quarantined_contracts`).",
                Success::Metrics,
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
/// undocumented) behind the body limit, tracing and request ids.
pub fn router(state: AppState) -> Router {
    routes()
        .into_router()
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A body announced larger than the limit is refused (413) before any of it is read: a
        // client announcing a gigabyte and sending a byte does not hold a connection open.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
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

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(pool: PgPool, address: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        Ok(Application { listener, router: router(AppState::new(pool)) })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self, mut shutdown: watch::Receiver<bool>) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await
    }
}
