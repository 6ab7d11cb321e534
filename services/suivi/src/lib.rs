//! The `suivi` binary's wiring, kept out of `main.rs` so tests can drive it.

pub mod admin;
pub mod app;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod generate;
pub mod health;
pub mod import;
pub mod nats;
pub mod openapi;
pub mod plans;
pub mod projection;
pub mod server;
pub mod shutdown;
pub mod telemetry;
pub mod users;

use anyhow::Context as _;
use suivi_proto::Subjects;
use suivi_store::relay::StreamSettings;
use suivi_store::{database, EventStore, Relay, RelayConfig};

use cli::{Cli, Command, Config};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => migrate(&cli.config).await,
        Command::Relay => relay(&cli.config).await,
        Command::Serve => serve(&cli.config).await,
        Command::Bench(args) => bench::run(&cli.config, args).await,
        Command::Projector(command) => projection::run(&cli.config, command).await,
        Command::Reference(command) => admin::reference(&pool(&cli.config).await?, command).await,
        Command::Demo => demo::run(&pool(&cli.config).await?, &cli.config.required_key_ring()?).await,
        Command::Kek(command) => admin::kek(&cli.config, command).await,
        Command::Tenant(command) => admin::tenant(&pool(&cli.config).await?, command).await,
        Command::Token(command) => admin::token(&pool(&cli.config).await?, command).await,
        Command::User(command) => users::run(&pool(&cli.config).await?, command).await,
        Command::Import(command) => import::run(&pool(&cli.config).await?, command).await,
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    if database::create_if_missing(&config.database_url).await.context("creating the database")? {
        tracing::info!("database created");
    }
    let pool = database::connect(&config.database_url, 2).await.context("connecting to PostgreSQL")?;
    database::migrate(&pool).await.context("applying migrations")?;
    tracing::info!("database migrated");
    Ok(())
}

async fn pool(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    database::connect(&config.database_url, 4).await.context("connecting to PostgreSQL")
}

/// Every service in one process: the HTTP API, the relay, the projector and the finance
/// integration over NATS, stopped together on a signal.
async fn serve(config: &Config) -> anyhow::Result<()> {
    migrate(config).await?;
    let pool = database::connect(&config.database_url, 16).await.context("connecting to PostgreSQL")?;
    let nats = connect_nats(&config.nats_url).await?;
    let shutdown = shutdown::on_signal();
    let vault = config.key_ring()?.map(std::sync::Arc::new);
    if vault.is_none() {
        tracing::warn!(
            "no key-encryption key (SUIVI_KEK_FILE or SUIVI_KEK): the participants' register answers 503 until one is set"
        );
    }
    let app = app::Application::build_serving(pool.clone(), &config.http_addr, config.http.limits(), vault)
        .await
        .with_context(|| format!("listening on {}", config.http_addr))?;
    let address = app.local_addr()?;
    tracing::info!(%address, "HTTP API listening");
    // For the person who just started it: where Suivi really is (the port may have been chosen
    // by the system) and the page to open first. On stdout, not in the logs.
    println!("Suivi est en service : ouvrez {}connexion dans votre navigateur", browser_url(address));
    telemetry::install_metrics();
    serve_metrics(&config.http.metrics_addr, shutdown.clone()).await?;
    let finance = suivi_finance::Finance::new(app.command_runner(), nats.clone(), finance_config(config));
    let relay = Relay::new(EventStore::new(pool.clone()), nats.clone(), relay_config(config));
    let readiness = health::Readiness::new(config.readiness.settings()).with_relay(relay.progress()).with_nats(nats);
    let app = app.with_readiness(readiness.clone());
    let mut projector =
        suivi_projector::Projector::new(pool.clone(), suivi_projector::ProjectorConfig::default()).await?;
    let (served, (), (), (), ()) = tokio::join!(
        app.run_until_stopped(shutdown.clone()),
        relay.run(shutdown.clone()),
        finance.run(shutdown.clone()),
        readiness.report_every(pool.clone(), HEALTH_REPORT_EVERY, shutdown.clone()),
        projector.run(shutdown)
    );
    served.context("serving HTTP")
}

/// The address a browser on this machine reaches the server at: a wildcard listener is reached
/// through the loopback.
fn browser_url(address: std::net::SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
        ip if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}/", address.port())
}

/// How often `suivi serve` refreshes the health gauges of `/metrics` (`/readyz` also does).
const HEALTH_REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// `/metrics` on its own address, in the background, until `shutdown`.
async fn serve_metrics(address: &str, mut shutdown: tokio::sync::watch::Receiver<bool>) -> anyhow::Result<()> {
    if address.is_empty() {
        return Ok(());
    }
    let listener =
        tokio::net::TcpListener::bind(address).await.with_context(|| format!("listening on {address} for metrics"))?;
    tracing::info!(address = %listener.local_addr()?, "metrics listening");
    tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, app::metrics_router()).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "metrics endpoint stopped");
        }
    });
    Ok(())
}

async fn relay(config: &Config) -> anyhow::Result<()> {
    let pool = database::connect(&config.database_url, 4).await.context("connecting to PostgreSQL")?;
    let nats = connect_nats(&config.nats_url).await?;
    let relay = Relay::new(EventStore::new(pool), nats, relay_config(config));
    relay.run(shutdown::on_signal()).await;
    Ok(())
}

pub fn relay_config(config: &Config) -> RelayConfig {
    RelayConfig {
        subjects: Subjects::new(config.subject_prefix.clone()),
        stream: StreamSettings { replicas: config.stream_replicas, ..StreamSettings::default() },
        ..RelayConfig::default()
    }
}

pub fn finance_config(config: &Config) -> suivi_finance::FinanceConfig {
    suivi_finance::FinanceConfig {
        subjects: Subjects::new(config.subject_prefix.clone()),
        streams: suivi_finance::StreamSettings {
            replicas: config.stream_replicas,
            ..suivi_finance::StreamSettings::default()
        },
    }
}

pub use nats::connect_nats;

/// The business day the demo and generated histories are dated against.
pub fn demo_today() -> chrono::NaiveDate {
    suivi_application::business_today()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_printed_address_is_one_a_browser_reaches() {
        let url = |text: &str| super::browser_url(text.parse().expect("an address"));
        assert_eq!(url("127.0.0.1:8080"), "http://127.0.0.1:8080/");
        assert_eq!(url("0.0.0.0:41234"), "http://127.0.0.1:41234/");
        assert_eq!(url("[::]:8081"), "http://[::1]:8081/");
        assert_eq!(url("[::1]:8081"), "http://[::1]:8081/");
        assert_eq!(url("192.0.2.7:80"), "http://192.0.2.7:80/");
    }
}
