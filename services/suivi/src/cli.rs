//! Command line and configuration. Every setting has an environment variable and a local
//! default, documented in `.env.example`.

use std::num::NonZeroU32;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use suivi_http::timeouts::RequestLimits;

use crate::app::HttpLimits;
use crate::server::ConnectionLimits;

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
    #[command(flatten)]
    pub http: HttpSettings,
    #[command(flatten)]
    pub readiness: ReadinessArgs,
    /// File holding the key-encryption key ring (one base64 key per line, the active one first):
    /// it opens the keys that seal participants' identities. Keep it outside the database and
    /// its backups (docs/privacy.md).
    #[arg(long, env = "SUIVI_KEK_FILE", global = true)]
    pub kek_file: Option<std::path::PathBuf>,
    /// The key-encryption key ring itself, keys separated by commas (instead of a file).
    #[arg(long, env = "SUIVI_KEK", hide_env_values = true, global = true)]
    pub kek: Option<String>,
}

impl Config {
    /// The key-encryption key ring, when one is configured (`--kek-file`, else `--kek`).
    pub fn key_ring(&self) -> anyhow::Result<Option<suivi_privacy::KeyRing>> {
        let text = match (&self.kek_file, &self.kek) {
            (Some(path), _) => std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading the key-encryption key file {}: {e}", path.display()))?,
            (None, Some(text)) => text.clone(),
            (None, None) => return Ok(None),
        };
        Ok(Some(suivi_privacy::KeyRing::parse(&text)?))
    }

    /// The key ring, which this command cannot do without.
    pub fn required_key_ring(&self) -> anyhow::Result<suivi_privacy::KeyRing> {
        self.key_ring()?.ok_or_else(|| anyhow::anyhow!(suivi_privacy::KekError::Empty))
    }
}

/// The HTTP server's limits (see `crate::server` and `suivi_http::{timeouts, throttle}`).
#[derive(Debug, Clone, Args)]
pub struct HttpSettings {
    /// Address of the Prometheus `/metrics` endpoint, apart from the API (empty: none).
    #[arg(long, env = "SUIVI_METRICS_ADDR", default_value = "127.0.0.1:9464", global = true)]
    pub metrics_addr: String,
    /// Seconds a client has to send a request's headers in full.
    #[arg(long, env = "SUIVI_HTTP_HEADER_TIMEOUT", default_value_t = 10, global = true)]
    pub header_timeout: u64,
    /// Seconds a request body may pause between two pieces.
    #[arg(long, env = "SUIVI_HTTP_BODY_TIMEOUT", default_value_t = 10, global = true)]
    pub body_timeout: u64,
    /// Seconds from a request's headers to its answer.
    #[arg(long, env = "SUIVI_HTTP_REQUEST_TIMEOUT", default_value_t = 30, global = true)]
    pub request_timeout: u64,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, env = "SUIVI_HTTP_MAX_CONNECTIONS", default_value_t = 1024, global = true)]
    pub max_connections: usize,
    /// Requests per minute and client IP without a token this server has verified; beyond, 429.
    #[arg(long, env = "SUIVI_AUTH_FAILURES_PER_MINUTE", default_value_t = NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN), global = true)]
    pub auth_failures_per_minute: NonZeroU32,
    /// Mark the web interface's cookies `Secure` (sent over HTTPS only): set it whenever people
    /// reach Suivi over HTTPS, directly or through a reverse proxy.
    #[arg(long, env = "SUIVI_SECURE_COOKIES", default_value_t = false, global = true)]
    pub secure_cookies: bool,
}

impl HttpSettings {
    pub fn limits(&self) -> HttpLimits {
        HttpLimits {
            connections: ConnectionLimits {
                header_timeout: Duration::from_secs(self.header_timeout),
                max_connections: self.max_connections.max(1),
                drain_timeout: Duration::from_secs(self.request_timeout),
            },
            requests: RequestLimits {
                body_timeout: Duration::from_secs(self.body_timeout),
                request_timeout: Duration::from_secs(self.request_timeout),
            },
            auth_failures_per_minute: self.auth_failures_per_minute,
            web: suivi_web::WebSettings { secure_cookies: self.secure_cookies },
        }
    }
}

/// When `/readyz` answers 503 (see `crate::health`).
#[derive(Debug, Clone, Args)]
pub struct ReadinessArgs {
    /// Events the projector or the relay may be behind the committed log.
    #[arg(long, env = "SUIVI_READY_MAX_LAG_EVENTS", default_value_t = 10_000, global = true)]
    pub ready_max_lag_events: i64,
    /// Seconds the oldest event not yet projected, or not yet relayed, may wait.
    #[arg(long, env = "SUIVI_READY_MAX_LAG_SECONDS", default_value_t = 60.0, global = true)]
    pub ready_max_lag_seconds: f64,
    /// Seconds a transaction of the database holding the log's readers back may run.
    #[arg(long, env = "SUIVI_READY_MAX_BLOCKING_SECONDS", default_value_t = 60.0, global = true)]
    pub ready_max_blocking_seconds: f64,
}

impl ReadinessArgs {
    pub fn settings(&self) -> crate::health::ReadinessSettings {
        crate::health::ReadinessSettings {
            max_lag_events: self.ready_max_lag_events,
            max_lag_seconds: self.ready_max_lag_seconds,
            max_blocking_seconds: self.ready_max_blocking_seconds,
        }
    }
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
    /// Dated reference data: gross hourly SMIC, ECB main refinancing rate, national plans (PNAD).
    #[command(subcommand)]
    Reference(crate::admin::ReferenceCommand),
    /// Manage tenants (buyer organisations) and their buyer SIRETs.
    #[command(subcommand)]
    Tenant(crate::admin::TenantCommand),
    /// The key-encryption key ring: make a key, rewrap every stored key under the active one.
    #[command(subcommand)]
    Kek(crate::admin::KekCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(crate::admin::TokenCommand),
    /// Manage the web interface's accounts (people; programs use API tokens).
    #[command(subcommand)]
    User(crate::users::UserCommand),
    /// Import data from other systems.
    #[command(subcommand)]
    Import(crate::import::ImportCommand),
    /// Measure throughput against baselines taken in the same run.
    Bench(crate::bench::BenchArgs),
}
