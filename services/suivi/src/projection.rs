//! `suivi projector run | rebuild | status`.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use suivi_projector::{failures, lag, target, Projector, ProjectorConfig};
use suivi_store::database;

use crate::cli::Config;

/// Quarantined contracts `suivi projector status` lists, the most recent first.
const STATUS_MAX_CONTRACTS: i64 = 20;

#[derive(Debug, Subcommand)]
pub enum ProjectorCommand {
    /// Follow the log into the active read models until interrupted.
    Run(ProjectorArgs),
    /// Replay the whole log into fresh read models, then switch readers to them.
    Rebuild(ProjectorArgs),
    /// Which read models are active, how far behind the log they are, and the events they could
    /// not take (with the contracts quarantined).
    Status,
}

#[derive(Debug, Clone, Args)]
pub struct ProjectorArgs {
    /// Events per batch (one transaction each) while following the log.
    #[arg(long, env = "SUIVI_PROJECTOR_BATCH", default_value_t = ProjectorConfig::default().batch_size)]
    pub batch_size: i64,
    /// Events per batch during a rebuild.
    #[arg(long, env = "SUIVI_PROJECTOR_REBUILD_BATCH", default_value_t = ProjectorConfig::default().rebuild_batch_size)]
    pub rebuild_batch_size: i64,
    /// Contract aggregates kept in memory between batches.
    #[arg(long, env = "SUIVI_PROJECTOR_CACHE", default_value_t = ProjectorConfig::default().cache_capacity)]
    pub cache_capacity: usize,
}

impl ProjectorArgs {
    pub fn config(&self) -> ProjectorConfig {
        ProjectorConfig {
            batch_size: self.batch_size.max(1),
            rebuild_batch_size: self.rebuild_batch_size.max(1),
            cache_capacity: self.cache_capacity,
            ..ProjectorConfig::default()
        }
    }
}

pub async fn run(config: &Config, command: ProjectorCommand) -> anyhow::Result<()> {
    let pool = database::connect(&config.database_url, 4).await.context("connecting to PostgreSQL")?;
    match command {
        ProjectorCommand::Run(args) => {
            let mut projector = Projector::new(pool, args.config()).await?;
            projector.run(crate::shutdown::on_signal()).await;
        }
        ProjectorCommand::Rebuild(args) => {
            let started = std::time::Instant::now();
            let mut projector = Projector::new(pool.clone(), args.config()).await?;
            let schema = projector.rebuild().await?;
            let at = suivi_projector::checkpoint(&pool, schema).await?;
            println!(
                "rebuilt {} from {} events in {:.3} s; readers now use it; peak RSS {} kB",
                schema.name(),
                at.events,
                started.elapsed().as_secs_f64(),
                peak_rss_kb().map_or("unknown".to_owned(), |kb| kb.to_string())
            );
        }
        ProjectorCommand::Status => {
            let schema = target::active(&pool).await?;
            let behind = lag(&pool, schema).await?;
            println!(
                "active read models: {}; {} events and {:.1} s behind the log",
                schema.name(),
                behind.events,
                behind.seconds
            );
            let failed = failures::summary(&pool, schema).await?;
            println!(
                "{} not projected, {} quarantined (their later events are not applied)",
                counted(failed.events, "event"),
                counted(failed.contracts, "contract")
            );
            for contract in failures::quarantined_contracts(&pool, schema, STATUS_MAX_CONTRACTS).await? {
                println!(
                    "quarantined contract {} (tenant {}): event {} (version {}, {}) {}: {}; {} not projected",
                    contract.contract_id,
                    contract.tenant,
                    contract.position,
                    contract.stream_version,
                    contract.event_type,
                    contract.cause,
                    contract.error,
                    counted(contract.events, "event")
                );
            }
            if failed.contracts > STATUS_MAX_CONTRACTS {
                println!(
                    "… and {} more (see {}.projection_failures)",
                    failed.contracts - STATUS_MAX_CONTRACTS,
                    schema.name()
                );
            }
        }
    }
    Ok(())
}

/// "1 event", "2 events".
fn counted(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// This process's peak resident set size (Linux: `VmHWM` in /proc/self/status).
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
