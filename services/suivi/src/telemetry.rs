//! Structured logs with `tracing`: human-readable by default, JSON on request.

use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the global subscriber; `RUST_LOG` filters (default `info`).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests that call it twice) is harmless: keep the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

static METRICS: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> = std::sync::OnceLock::new();

/// Installs the Prometheus recorder (once per process); `/metrics` renders it.
pub fn install_metrics() {
    if METRICS.get().is_none() {
        if let Ok(handle) = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder() {
            let _ = METRICS.set(handle);
        }
    }
}

/// The metrics in Prometheus' text format (empty when no recorder is installed).
pub fn render_metrics() -> String {
    METRICS.get().map(|handle| handle.render()).unwrap_or_default()
}
