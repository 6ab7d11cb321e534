//! `suivi bench`: throughput of the event store and the relay, each against a baseline
//! measured in the same run on the same servers (raw INSERT commits, raw JetStream publishes).
//!
//! It works in a scratch database (`<database>_bench`) and on scratch subjects (`bench.<id>`),
//! and removes both at the end.

mod export;
mod http;
mod jetstream;
mod postgres;
mod projector;
mod reporting;
mod sample;

use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use crate::cli::Config;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(value_enum, default_value = "all")]
    pub what: BenchTarget,
    /// Seconds of each PostgreSQL slice; raw INSERTs and appends alternate slice by slice, so
    /// that both see the same disk (fsync times drift by a factor of several on shared disks).
    #[arg(long, default_value_t = 2)]
    pub seconds: u64,
    /// Slices of each kind per concurrency level.
    #[arg(long, default_value_t = 6)]
    pub rounds: u32,
    /// Events in the log for the projector rebuild.
    #[arg(long, default_value_t = 1_000_000)]
    pub projector_events: usize,
    /// Events relayed (and messages published for the baseline).
    #[arg(long, default_value_t = 200_000)]
    pub messages: usize,
    /// Contracts in the XLSX export.
    #[arg(long, default_value_t = 10_000)]
    pub export_contracts: usize,
    /// Contracts (with their whole history) behind the reporting pages.
    #[arg(long, default_value_t = 10_000)]
    pub reporting_contracts: usize,
    /// Keep the scratch database at the end (to replay `suivi projector rebuild` on it, say).
    #[arg(long)]
    pub keep_database: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchTarget {
    All,
    Store,
    Relay,
    /// Hour statements through the HTTP API at 8 clients.
    Statements,
    /// Projector rebuild throughput, memory and steady lag.
    Projector,
    /// The XLSX export of 10 000 contracts through the HTTP API: time and peak memory.
    Export,
    /// The dashboard, contract list and contract pages over 10 000 contracts with their history
    /// at 8 clients (`--seconds` per page kind and concurrency), then the XLSX export.
    Reporting,
}

pub async fn run(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let scratch =
        postgres::ScratchDatabase::create(&config.database_url).await.context("creating the scratch database")?;
    let outcome = measure(config, &args, &scratch).await;
    if args.keep_database {
        println!("scratch database kept: {}", scratch.url());
    } else {
        scratch.drop_it().await.context("dropping the scratch database")?;
    }
    outcome
}

async fn measure(config: &Config, args: &BenchArgs, scratch: &postgres::ScratchDatabase) -> anyhow::Result<()> {
    let duration = Duration::from_secs(args.seconds);
    println!("# suivi bench ({} cores)\n", std::thread::available_parallelism().map_or(1, |n| n.get()));
    if matches!(args.what, BenchTarget::All | BenchTarget::Store) {
        println!("| clients | raw INSERT commits/s | event-store appends/s | ratio | target |");
        println!("|---:|---:|---:|---:|---:|");
        for clients in [1, 8] {
            let (mut raw, mut appends) = (0.0, 0.0);
            for _ in 0..args.rounds {
                raw += postgres::raw_inserts(scratch, clients, duration).await?;
                appends += postgres::appends(scratch, clients, duration).await?;
            }
            let (raw, appends) = (raw / f64::from(args.rounds), appends / f64::from(args.rounds));
            println!("| {clients} | {raw:.0} | {appends:.0} | {:.2} | ≥ 0.70 |", appends / raw);
        }
        println!();
    }
    if matches!(args.what, BenchTarget::All | BenchTarget::Relay) {
        let nats = crate::connect_nats(&config.nats_url).await?;
        let raw = jetstream::raw_async_publish(&nats, args.messages).await?;
        let relayed = jetstream::relay_throughput(&nats, scratch, args.messages).await?;
        println!("| messages | raw async publish msg/s (1 024 in flight) | relay events/s | ratio | target |");
        println!("|---:|---:|---:|---:|---:|");
        println!("| {} | {raw:.0} | {relayed:.0} | {:.2} | ≥ 0.50 |", args.messages, relayed / raw);
        println!();
    }
    if matches!(args.what, BenchTarget::All | BenchTarget::Statements) {
        let figures = http::statements(scratch, duration, args.rounds).await?;
        println!("| clients | raw INSERT commits/s | statements/s (HTTP) | ratio | target | p50 | p99 | target p99 |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
        println!(
            "| 8 | {:.0} | {:.0} | {:.2} | ≥ 0.50 | {:.1} ms | {:.1} ms | < 50 ms |",
            figures.raw_inserts_per_second,
            figures.requests_per_second,
            figures.requests_per_second / figures.raw_inserts_per_second,
            figures.p50.as_secs_f64() * 1000.0,
            figures.p99.as_secs_f64() * 1000.0,
        );
        println!("({} statements of 5 lines, over {} contracts)\n", figures.requests, 8 * 40);
    }
    if matches!(args.what, BenchTarget::All | BenchTarget::Projector) {
        let f = projector::projector(scratch, args.projector_events, 20).await?;
        println!(
            "| events | set-based INSERT rows/s | rebuild events/s | ratio | target | rebuild peak RSS | target |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {:.0} | {:.0} | {:.2} | ≥ 0.30 | {:.0} MB | < 200 MB |",
            f.events,
            f.insert_rows_per_second,
            f.rebuild_events_per_second,
            f.rebuild_events_per_second / f.insert_rows_per_second,
            f.rebuild_peak_rss_kb as f64 / 1024.0
        );
        println!();
        println!("| arrival rate | lag p50 | lag p99 | target p99 |");
        println!("|---:|---:|---:|---:|");
        println!(
            "| {:.0} events/s | {:.0} ms | {:.0} ms | < 500 ms |",
            f.lag_rate,
            f.lag_p50.as_secs_f64() * 1000.0,
            f.lag_p99.as_secs_f64() * 1000.0
        );
        println!();
    }
    if matches!(args.what, BenchTarget::All | BenchTarget::Reporting) {
        let figures = reporting::reporting(scratch, args.reporting_contracts, duration).await?;
        reporting::print(&figures);
    }
    // The reporting bench's export figures are the export bench's own, run after the pages (its
    // awards go to a tenant of their own, so the pages above did not see them).
    if matches!(args.what, BenchTarget::All | BenchTarget::Export | BenchTarget::Reporting) {
        let contracts =
            if args.what == BenchTarget::Reporting { args.reporting_contracts } else { args.export_contracts };
        let f = export::xlsx_export(scratch, contracts).await?;
        println!(
            "| contracts | raw SELECT of the rows | XLSX export (HTTP) | ratio | target | peak RSS (before) | target |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {:.0} ms | {:.0} ms | {:.1} | < 2 s | {:.0} MB ({:.0} MB) | < 100 MB |",
            f.contracts,
            f.raw_select.as_secs_f64() * 1000.0,
            f.export.as_secs_f64() * 1000.0,
            f.export.as_secs_f64() / f.raw_select.as_secs_f64(),
            f.peak_rss_kb as f64 / 1024.0,
            f.rss_before_kb as f64 / 1024.0,
        );
        println!("({} bytes)\n", f.bytes);
    }
    Ok(())
}
