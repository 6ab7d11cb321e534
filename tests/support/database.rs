//! One fresh, migrated database per test, cloned from a template migrated once per schema.

use std::hash::{DefaultHasher, Hash, Hasher};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use suivi_store::database::{self, MIGRATOR};
use uuid::Uuid;

/// The server tests use: `SUIVI_TEST_DATABASE_URL`, by default the local PostgreSQL.
fn server_options() -> PgConnectOptions {
    let url = std::env::var("SUIVI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    url.parse::<PgConnectOptions>().expect("SUIVI_TEST_DATABASE_URL is a PostgreSQL URL").disable_statement_logging()
}

/// A database that exists for one test and is dropped with it.
pub struct TestDatabase {
    pub name: String,
    pub pool: PgPool,
    options: PgConnectOptions,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let template = ensure_template().await;
        let name = format!("suivi_test_{}", Uuid::new_v4().simple());
        let mut admin = admin_connection().await;
        sqlx::query(&format!("create database \"{name}\" template \"{template}\""))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let options = server_options().database(&name);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options.clone())
            .await
            .expect("connect to the test database");
        TestDatabase { name, pool, options }
    }

    /// `postgres://…/<name>` for a child process.
    pub fn url(&self) -> String {
        let port = self.options.get_port();
        let host = self.options.get_host();
        let user = self.options.get_username();
        format!("postgres://{user}@{host}:{port}/{}", self.name)
    }

    /// The server's `(host, port)`.
    pub fn server_address(&self) -> (String, u16) {
        (self.options.get_host().to_owned(), self.options.get_port())
    }

    /// A pool reaching this database through `port` on the loopback (a [`crate::TcpProxy`]),
    /// connecting lazily and giving up on a connection after `acquire_timeout`.
    pub fn pool_through(&self, port: u16, acquire_timeout: std::time::Duration) -> PgPool {
        PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(self.options.clone().host("127.0.0.1").port(port))
    }

    pub async fn pool_with(&self, connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(self.options.clone())
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context guarantees: use a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = admin_connection().await;
                sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&mut admin).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}

async fn admin_connection() -> PgConnection {
    PgConnection::connect_with(&server_options().database("postgres"))
        .await
        .expect("connect to PostgreSQL (is it running? see README)")
}

/// A template database holding the current migrations, named after their checksums so a new
/// migration gets a new template. Created once, under an advisory lock, by whichever test
/// comes first.
async fn ensure_template() -> String {
    let mut hasher = DefaultHasher::new();
    for migration in MIGRATOR.iter() {
        migration.checksum.hash(&mut hasher);
    }
    let name = format!("suivi_template_{:016x}", hasher.finish());
    let mut admin = admin_connection().await;
    sqlx::query("select pg_advisory_lock(872634)").execute(&mut admin).await.expect("lock");
    let exists: bool = sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .expect("look up the template");
    if !exists {
        let building = format!("{name}_building");
        sqlx::query(&format!("drop database if exists \"{building}\"")).execute(&mut admin).await.expect("drop");
        sqlx::query(&format!("create database \"{building}\"")).execute(&mut admin).await.expect("create");
        {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(server_options().database(&building))
                .await
                .expect("connect to the template");
            database::migrate(&pool).await.expect("migrate the template");
            pool.close().await;
        }
        sqlx::query(&format!("alter database \"{building}\" rename to \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("publish the template");
    }
    sqlx::query("select pg_advisory_unlock(872634)").execute(&mut admin).await.expect("unlock");
    name
}
