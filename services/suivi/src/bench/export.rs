//! The XLSX export of 10 000 contracts through the HTTP API: its time against the baseline of
//! one raw SELECT of the same rows (the least any export must do), and the process's peak RSS
//! while it runs.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Days, NaiveDate};
use suivi_http::auth::create_token;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::events::Event;
use suivi_proto::TenantId;
use tokio::process::Command;
use tokio::sync::watch;

use super::postgres::ScratchDatabase;
use crate::generate::{histories, insert_histories, History, BUYER_SIRETS};

pub struct ExportFigures {
    pub contracts: usize,
    pub raw_select: Duration,
    pub export: Duration,
    pub bytes: usize,
    pub rss_before_kb: u64,
    pub peak_rss_kb: u64,
}

/// The year every contract is notified in, so that one export holds them all.
const YEAR: i32 = 2025;

pub async fn xlsx_export(scratch: &ScratchDatabase, contracts: usize) -> anyhow::Result<ExportFigures> {
    let pool = scratch.pool(4).await?;
    let tenant = TenantId::parse("bench-export")?;
    let sirets: Vec<String> = BUYER_SIRETS.iter().map(|s| (*s).to_owned()).collect();
    create_tenant(&pool, &tenant, "Bench export", &sirets).await?;
    write_awards(&pool, &tenant, contracts).await?;
    rebuild_read_models(scratch).await?;

    // Baseline: the same rows, read raw in one query.
    let schema = suivi_projector::target::active(&pool).await?;
    let sql = format!(
        "select * from {}.contracts where tenant = $1
           and notification_date >= make_date($2, 1, 1) and notification_date < make_date($2 + 1, 1, 1)",
        schema.name()
    );
    let started = Instant::now();
    let rows = sqlx::query(&sql).bind(tenant.as_str()).bind(YEAR).fetch_all(&pool).await?;
    let raw_select = started.elapsed();
    anyhow::ensure!(rows.len() == contracts, "{} contracts in the read models, {contracts} written", rows.len());
    drop(rows);

    let token = create_token(&pool, Role::Buyer, &tenant, None, "bench").await?.token;
    let app = crate::app::Application::build(pool.clone(), "127.0.0.1:0").await?;
    let url = format!("http://{}/api/exports/contracts.xlsx?year={YEAR}", app.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(app.run_until_stopped(stopped));

    let rss_before_kb = rss_kb("VmRSS:").unwrap_or_default();
    // Linux: writing 5 to clear_refs resets the peak (VmHWM) to the current RSS, so the peak read
    // after is the export's, not the data generation's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let response = reqwest::Client::new().get(&url).bearer_auth(&token).send().await?.error_for_status()?;
    let bytes = response.bytes().await?.len();
    let export = started.elapsed();
    let peak_rss_kb = crate::projection::peak_rss_kb().unwrap_or_default();
    let _ = stop.send(true);
    server.await??;
    Ok(ExportFigures { contracts, raw_select, export, bytes, rss_before_kb, peak_rss_kb })
}

/// `contracts` awards (the generator's, alone: no instalment follows), notified through the year.
async fn write_awards(pool: &sqlx::PgPool, tenant: &TenantId, contracts: usize) -> anyhow::Result<()> {
    let references = suivi_store::reference_rates::load(pool).await?;
    let first_day = NaiveDate::from_ymd_opt(YEAR, 1, 1).context("a date")?;
    let mut written = 0;
    for (seed, chunk) in (1u64..).zip(0..contracts.div_ceil(2_000)) {
        let size = (contracts - chunk * 2_000).min(2_000);
        let awards: Vec<History> = histories(seed, size, crate::demo_today(), &references)
            .into_iter()
            .enumerate()
            .filter_map(|(i, history)| match history.events.into_iter().next() {
                Some(Event::ContractAwarded(mut award)) => {
                    award.notification_date = first_day + Days::new(((written + i) % 365) as u64);
                    Some(History { contract_id: history.contract_id, events: vec![Event::ContractAwarded(award)] })
                }
                _ => None,
            })
            .collect();
        written += awards.len();
        insert_histories(pool, tenant, &awards).await?;
    }
    Ok(())
}

pub(super) async fn rebuild_read_models(scratch: &ScratchDatabase) -> anyhow::Result<()> {
    let rebuild = Command::new(std::env::current_exe()?)
        .args(["projector", "rebuild"])
        .env("DATABASE_URL", scratch.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await?;
    anyhow::ensure!(rebuild.status.success(), "rebuild failed: {}", String::from_utf8_lossy(&rebuild.stderr));
    Ok(())
}

/// A line of /proc/self/status, in kB.
fn rss_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|line| line.starts_with(key))?.split_whitespace().nth(1)?.parse().ok()
}
