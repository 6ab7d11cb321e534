//! Readiness (`/readyz`) and the health gauges of `/metrics`, from the same checks:
//!
//! - **projector**: committed events after the read models' checkpoint, and the age of the
//!   oldest of them;
//! - **relay**: committed events after the last one in the stream's head, and the age of the
//!   oldest of them (only in a process that runs the relay);
//! - **nats**: the client's connection state (only in a process that uses NATS);
//! - **blocking_transaction**: the age of the oldest transaction holding the readers back.
//!
//! Lag is counted against the committed log, not against what readers may read: a transaction
//! left open elsewhere holds readers back without stopping commits, so a lag counted below the
//! readers' horizon would read 0 exactly when they are stuck. An age over the threshold is
//! what "not moving" means: a reader that keeps up never leaves an event waiting that long.

mod report;

use std::time::Duration;

use sqlx::PgPool;
use suivi_store::relay::RelayProgress;
use tokio::sync::watch;

pub use report::Report;

/// When the service stops being ready.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadinessSettings {
    /// Events the projector or the relay may be behind the log.
    pub max_lag_events: i64,
    /// Seconds the oldest event not yet projected, or not yet relayed, may wait.
    pub max_lag_seconds: f64,
    /// Seconds a transaction holding the readers back may run.
    pub max_blocking_seconds: f64,
}

impl Default for ReadinessSettings {
    fn default() -> Self {
        ReadinessSettings { max_lag_events: 10_000, max_lag_seconds: 60.0, max_blocking_seconds: 60.0 }
    }
}

/// What `/readyz` looks at besides the database: the relay and the NATS client of this process,
/// when it has them.
#[derive(Clone, Default)]
pub struct Readiness {
    pub settings: ReadinessSettings,
    relay: Option<watch::Receiver<Option<RelayProgress>>>,
    nats: Option<async_nats::Client>,
}

impl Readiness {
    pub fn new(settings: ReadinessSettings) -> Self {
        Readiness { settings, ..Readiness::default() }
    }

    /// Follows this relay's head (`Relay::progress`).
    pub fn with_relay(mut self, progress: watch::Receiver<Option<RelayProgress>>) -> Self {
        self.relay = Some(progress);
        self
    }

    pub fn with_nats(mut self, client: async_nats::Client) -> Self {
        self.nats = Some(client);
        self
    }

    /// Runs every check (a few indexed queries, concurrently) and sets the gauges.
    pub async fn check(&self, pool: &PgPool) -> Report {
        let relay_head = self.relay.as_ref().map(|progress| *progress.borrow());
        let report = report::gather(pool, &self.settings, relay_head, self.nats.as_ref()).await;
        report.set_gauges();
        report
    }

    /// Checks every `period` until `shutdown`, so that `/metrics` is current even when nobody
    /// asks `/readyz`.
    pub async fn report_every(&self, pool: PgPool, period: Duration, mut shutdown: watch::Receiver<bool>) {
        let mut failed_before: Vec<&'static str> = Vec::new();
        while !*shutdown.borrow() {
            let report = self.check(&pool).await;
            // Logged when it changes, not every period.
            if report.failed() != failed_before.as_slice() {
                if report.ready() {
                    tracing::info!("ready");
                } else {
                    tracing::warn!(failed = ?report.failed(), body = %report.body(), "not ready");
                }
                failed_before = report.failed().to_vec();
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
