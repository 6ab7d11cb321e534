//! The HTTP application: every service's routes behind one listener.
//!
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves until the
//! shutdown signal, letting in-flight requests finish.

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sqlx::PgPool;
use suivi_http::AppState;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413: an hour statement of a few hundred lines
/// is well under it.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(suivi_contracts::router())
        .merge(suivi_declarations::router())
        .merge(suivi_payments::router())
        .merge(suivi_reporting::router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(|| async { crate::telemetry::render_metrics() }))
        .route("/api/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(suivi_http::language::negotiate_problems))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(suivi_http::request_id::assign))
        .with_state(state)
}

/// Ready when the database answers and the read models are less than this far behind the log.
pub const READY_MAX_LAG_EVENTS: i64 = 10_000;
pub const READY_MAX_LAG_SECONDS: f64 = 60.0;

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let lag = match suivi_projector::target::active(&state.pool).await {
        Ok(schema) => suivi_projector::lag(&state.pool, schema).await.ok(),
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "database": "unreachable" }))),
    };
    let Some(lag) = lag else {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "database": "unreachable" })));
    };
    let ready = lag.events <= READY_MAX_LAG_EVENTS && lag.seconds <= READY_MAX_LAG_SECONDS;
    let body = json!({
        "database": "ok",
        "projector": { "lag_events": lag.events, "lag_seconds": lag.seconds, "ready": ready }
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
