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
