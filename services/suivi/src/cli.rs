//! Command line and configuration. Every setting has an environment variable and a local
//! default, documented in `.env.example`.

use clap::{Args, Parser, Subcommand};

use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(name = "suivi", version, about = "Suivi: follow-up of public contracts with insertion clauses")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    /// Log format on standard error.
    #[arg(long, env = "SUIVI_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// Where Suivi's servers are.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL database holding the event log and the read models.
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/suivi", global = true)]
    pub database_url: String,
    /// NATS server(s), comma-separated.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222", global = true)]
    pub nats_url: String,
    /// First token of every subject (and the JetStream stream's name: `<PREFIX>_EVENTS`).
    #[arg(long, env = "SUIVI_SUBJECT_PREFIX", default_value = "suivi", global = true)]
    pub subject_prefix: String,
    /// Replicas of the JetStream stream (3 on a cluster).
    #[arg(long, env = "SUIVI_STREAM_REPLICAS", default_value_t = 1, global = true)]
    pub stream_replicas: usize,
    /// Address the HTTP API listens on.
    #[arg(long, env = "SUIVI_HTTP_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub http_addr: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations.
    Migrate,
    /// Publish the event log to NATS JetStream (runs until interrupted).
    Relay,
    /// Migrate, then run every service (HTTP API and relay) until interrupted.
    Serve,
    /// Create the demo tenant with a few contracts, and print a token per role.
    Demo,
    /// Run the projector, rebuild the read models, or show where they stand.
    #[command(subcommand)]
    Projector(crate::projection::ProjectorCommand),
    /// Dated reference data: gross hourly SMIC, ECB main refinancing rate.
    #[command(subcommand)]
    Reference(crate::admin::ReferenceCommand),
    /// Manage tenants (buyer organisations), their buyer SIRETs and pseudonym keys.
    #[command(subcommand)]
    Tenant(crate::admin::TenantCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(crate::admin::TokenCommand),
    /// Import data from other systems.
    #[command(subcommand)]
    Import(crate::import::ImportCommand),
    /// Measure throughput against baselines taken in the same run.
    Bench(crate::bench::BenchArgs),
}
