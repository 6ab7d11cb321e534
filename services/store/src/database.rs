//! Connection pool and migrations.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

/// The migrations of `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Opens a pool on `database_url` (e.g. `postgres://postgres@127.0.0.1:5432/suivi`).
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options: PgConnectOptions = database_url.parse()?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        // sqlx pings a connection before handing it out by default: a round trip per query, the
        // one that doubled a command's. A connection that died is found by its next query
        // instead, which fails (503, retried by the client) and is closed by the pool.
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.application_name("suivi"))
        .await
}

/// Creates the database named in `database_url` if it does not exist yet, so that a new
/// installation needs nothing but `suivi migrate`.
pub async fn create_if_missing(database_url: &str) -> Result<bool, sqlx::Error> {
    let options: PgConnectOptions = database_url.parse()?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(false);
    };
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists: bool = sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        let quoted = name.replace('"', "\"\"");
        sqlx::query(&format!("create database \"{quoted}\"")).execute(&mut admin).await?;
    }
    admin.close().await?;
    Ok(!exists)
}

/// Applies every pending migration.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// How long (seconds) the oldest transaction of this database that holds the log's readers back
/// has been running, leaving out the asking connection; `None` when there is none.
///
/// Readers (the relay, the projector) only read events of transactions below the oldest one
/// still running ([`crate::EventStore::read_all_after`]): a transaction left open with an id
/// (`backend_xid`: it wrote, or asked for one) stops them however little it does. A transaction
/// with a snapshot only (`backend_xmin`, e.g. a long repeatable-read report) holds back vacuum
/// but not `pg_current_snapshot()`'s xmin, so not the readers: it is left out. Only this
/// database's backends are looked at: transaction ids are cluster-wide, so another database's
/// open transaction holds readers back too, but it is another service's to watch.
pub async fn oldest_blocking_transaction(pool: &PgPool) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar(
        "select extract(epoch from clock_timestamp() - min(xact_start))::float8 from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null",
    )
    .fetch_one(pool)
    .await
}
