//! The projector: rebuild throughput against a set-based INSERT of the same rows, the rebuild's
//! peak memory, and the steady lag while events arrive at 1 000 per second.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use suivi_projector::{lag, target};
use suivi_proto::TenantId;
use tokio::process::Command;

use super::postgres::ScratchDatabase;
use crate::generate::{histories, insert_histories, insert_rows, interleaved};

pub struct ProjectorFigures {
    pub events: usize,
    pub insert_rows_per_second: f64,
    pub rebuild_events_per_second: f64,
    pub rebuild_peak_rss_kb: u64,
    pub lag_p50: Duration,
    pub lag_p99: Duration,
    pub lag_rate: f64,
}

const CONTRACTS_PER_CHUNK: usize = 2_000;

pub async fn projector(
    scratch: &ScratchDatabase,
    target_events: usize,
    lag_seconds: u64,
) -> anyhow::Result<ProjectorFigures> {
    let pool = scratch.pool(4).await?;
    let tenant = TenantId::parse("bench")?;
    let today = crate::demo_today();
    let references = suivi_store::reference_rates::load(&pool).await?;

    // The log, written set-based: this is also the baseline (rows per second of INSERT).
    let (mut events, mut inserting, mut seed) = (0, Duration::ZERO, 1);
    while events < target_events {
        let chunk = histories(seed, CONTRACTS_PER_CHUNK, today, &references);
        let started = Instant::now();
        events += insert_histories(&pool, &tenant, &chunk).await?;
        inserting += started.elapsed();
        seed += 1;
    }

    let rebuild = Command::new(std::env::current_exe()?)
        .args(["projector", "rebuild"])
        .env("DATABASE_URL", scratch.url())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .output()
        .await?;
    anyhow::ensure!(
        rebuild.status.success(),
        "rebuild failed ({}): {}",
        rebuild.status,
        String::from_utf8_lossy(&rebuild.stderr)
    );
    let report = String::from_utf8(rebuild.stdout)?;
    let seconds: f64 = between(&report, "events in ", " s").context("rebuild time")?.parse()?;
    let rss: u64 = between(&report, "peak RSS ", " kB").context("rebuild RSS")?.parse()?;

    let (lag_p50, lag_p99, lag_rate) = steady_lag(scratch, &pool, &tenant, seed, lag_seconds).await?;
    Ok(ProjectorFigures {
        events,
        insert_rows_per_second: events as f64 / inserting.as_secs_f64(),
        rebuild_events_per_second: events as f64 / seconds,
        rebuild_peak_rss_kb: rss,
        lag_p50,
        lag_p99,
        lag_rate,
    })
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// Runs `suivi projector run`, appends new contracts' events at 1 000 per second for `seconds`,
/// and samples every 10 ms how old the oldest unprojected event is.
async fn steady_lag(
    scratch: &ScratchDatabase,
    pool: &sqlx::PgPool,
    tenant: &TenantId,
    seed: u64,
    seconds: u64,
) -> anyhow::Result<(Duration, Duration, f64)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["projector", "run"])
        .env("DATABASE_URL", scratch.url())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()?;
    let schema = target::active(pool).await?;
    while lag(pool, schema).await?.events > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let references = suivi_store::reference_rates::load(pool).await?;
    let fresh = histories(seed + 1_000, 2_000, crate::demo_today(), &references);
    let rows = interleaved(&fresh);
    let (started, mut sent, mut samples) = (Instant::now(), 0usize, Vec::new());
    while started.elapsed() < Duration::from_secs(seconds) && sent < rows.len() {
        let due = ((started.elapsed().as_secs_f64() * 1_000.0) as usize).min(rows.len());
        if due > sent {
            insert_rows(pool, tenant, &rows[sent..due]).await?;
            sent = due;
        }
        if let Ok(now) = lag(pool, schema).await {
            samples.push(Duration::from_secs_f64(now.seconds));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let rate = sent as f64 / started.elapsed().as_secs_f64();
    child.kill().await.ok();
    samples.sort();
    let at = |q: f64| samples.get(((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1))).copied();
    Ok((at(0.5).unwrap_or_default(), at(0.99).unwrap_or_default(), rate))
}
