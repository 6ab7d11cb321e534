//! One round of readiness checks, as `/readyz` answers it and as gauges.

use async_nats::connection::State;
use chrono::Utc;
use serde_json::{json, Value};
use sqlx::PgPool;
use suivi_store::relay::RelayProgress;
use suivi_store::EventStore;

use super::ReadinessSettings;

/// Events behind the committed log, and the age of the oldest of them (the projector's and the
/// relay's alike).
use suivi_projector::Lag;

fn within(lag: &Lag, settings: &ReadinessSettings) -> bool {
    lag.events <= settings.max_lag_events && lag.seconds <= settings.max_lag_seconds
}

#[derive(Debug, Clone)]
pub struct Report {
    body: Value,
    failed: Vec<&'static str>,
    gauges: Vec<(&'static str, f64)>,
}

impl Report {
    pub fn ready(&self) -> bool {
        self.failed.is_empty()
    }

    /// The names of the checks that failed.
    pub fn failed(&self) -> &[&'static str] {
        &self.failed
    }

    /// The JSON body of `/readyz`.
    pub fn body(&self) -> Value {
        let mut body = self.body.clone();
        body["ready"] = json!(self.ready());
        body["failed"] = json!(self.failed);
        body
    }

    pub(super) fn set_gauges(&self) {
        for (name, value) in &self.gauges {
            metrics::gauge!(*name).set(*value);
        }
        metrics::gauge!("suivi_ready").set(if self.ready() { 1.0 } else { 0.0 });
    }

    fn fail(&mut self, check: &'static str) {
        self.failed.push(check);
    }
}

pub(super) async fn gather(
    pool: &PgPool,
    settings: &ReadinessSettings,
    relay: Option<Option<RelayProgress>>,
    nats: Option<&async_nats::Client>,
) -> Report {
    let mut report = Report { body: json!({}), failed: Vec::new(), gauges: Vec::new() };
    if let Some(client) = nats {
        let state = client.connection_state();
        let connected = state == State::Connected;
        report.body["nats"] = json!({ "state": state_name(&state), "ready": connected });
        report.gauges.push(("suivi_nats_connected", if connected { 1.0 } else { 0.0 }));
        if !connected {
            report.fail("nats");
        }
    }
    let store = EventStore::new(pool.clone());
    let relay_lag = async {
        match relay {
            Some(Some(head)) => Some(store.lag_after(head.position).await.map(|lag| Some((head, lag)))),
            Some(None) => Some(Ok(None)),
            None => None,
        }
    };
    let (projector, blocking, relay_lag) =
        tokio::join!(projector(pool), suivi_store::database::oldest_blocking_transaction(pool), relay_lag);
    let (Ok((projector, failed_events, quarantined)), Ok(blocking)) = (projector, blocking) else {
        report.body["database"] = json!("unreachable");
        report.fail("database");
        return report;
    };
    report.body["database"] = json!("ok");

    let projector_ready = within(&projector, settings);
    report.body["projector"] = json!({
        "lag_events": projector.events,
        "lag_seconds": projector.seconds,
        "failed_events": failed_events,
        "quarantined_contracts": quarantined,
        "ready": projector_ready,
    });
    report.gauges.extend([
        ("suivi_projector_lag_events", projector.events as f64),
        ("suivi_projector_lag_seconds", projector.seconds),
    ]);
    if !projector_ready {
        report.fail("projector");
    }

    let blocking_ready = blocking.is_none_or(|seconds| seconds <= settings.max_blocking_seconds);
    report.body["blocking_transaction"] = json!({ "seconds": blocking, "ready": blocking_ready });
    report.gauges.push(("suivi_db_oldest_blocking_transaction_seconds", blocking.unwrap_or(0.0)));
    if !blocking_ready {
        report.fail("blocking_transaction");
    }

    match relay_lag {
        None => {}
        // The relay has not read the stream's head yet: nothing says what is published.
        Some(Ok(None)) => {
            report.body["relay"] = json!({ "started": false, "ready": false });
            report.fail("relay");
        }
        Some(Ok(Some((head, (events, oldest))))) => {
            let lag = Lag { events, seconds: age(oldest) };
            let ready = within(&lag, settings);
            report.body["relay"] = json!({
                "started": true,
                "lag_events": lag.events,
                "lag_seconds": lag.seconds,
                "last_sequence": head.last_sequence,
                "ready": ready,
            });
            report
                .gauges
                .extend([("suivi_relay_lag_events", lag.events as f64), ("suivi_relay_lag_seconds", lag.seconds)]);
            if !ready {
                report.fail("relay");
            }
        }
        Some(Err(_)) => {
            report.body["database"] = json!("unreachable");
            report.fail("database");
        }
    }
    report
}

/// The projector's lag behind the committed log, with its failed events and quarantined
/// contracts.
async fn projector(pool: &PgPool) -> Result<(Lag, i64, i64), suivi_projector::ProjectorError> {
    let schema = suivi_projector::target::active(pool).await?;
    let failed = async { suivi_projector::failures::summary(pool, schema).await.map_err(Into::into) };
    let (lag, failed) = tokio::try_join!(suivi_projector::lag(pool, schema), failed)?;
    Ok((lag, failed.events, failed.contracts))
}

fn age(recorded_at: Option<chrono::DateTime<Utc>>) -> f64 {
    recorded_at.map_or(0.0, |at| (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0)
}

fn state_name(state: &State) -> &'static str {
    match state {
        State::Connected => "connected",
        State::Disconnected => "disconnected",
        State::Pending => "pending",
    }
}
