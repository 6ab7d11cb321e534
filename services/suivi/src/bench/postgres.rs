//! Event-store appends against raw single-row INSERT commits, at the same concurrency.

use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use suivi_proto::{Actor, TenantId};
use suivi_store::{database, AppendRequest, EventStore};
use uuid::Uuid;

use super::sample;

/// A database created for the run, with Suivi's migrations and a plain table for the baseline.
pub struct ScratchDatabase {
    admin: PgPool,
    name: String,
    options: PgConnectOptions,
}

impl ScratchDatabase {
    pub async fn create(database_url: &str) -> anyhow::Result<Self> {
        let options: PgConnectOptions = database_url.parse()?;
        let name = format!("{}_bench", options.get_database().unwrap_or("suivi"));
        let admin = PgPoolOptions::new().max_connections(1).connect_with(options.clone().database("postgres")).await?;
        sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&admin).await?;
        sqlx::query(&format!("create database \"{name}\"")).execute(&admin).await?;
        let scratch = ScratchDatabase { admin, options: options.database(&name), name };
        let pool = scratch.pool(1).await?;
        database::migrate(&pool).await?;
        sqlx::query(
            "create table bench_raw (id bigint generated always as identity primary key,
                                     stream_id uuid not null, payload json not null)",
        )
        .execute(&pool)
        .await?;
        Ok(scratch)
    }

    pub async fn pool(&self, connections: u32) -> anyhow::Result<PgPool> {
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .min_connections(connections)
            // As the product's pool (`suivi_store::database::connect`): no ping before each query,
            // so neither the baseline nor the measured path pays a round trip they would not.
            .test_before_acquire(false)
            .connect_with(self.options.clone().disable_statement_logging())
            .await?;
        Ok(pool)
    }

    /// A URL for child processes.
    pub fn url(&self) -> String {
        format!(
            "postgres://{}@{}:{}/{}",
            self.options.get_username(),
            self.options.get_host(),
            self.options.get_port(),
            self.name
        )
    }

    pub async fn drop_it(self) -> anyhow::Result<()> {
        sqlx::query(&format!("drop database if exists \"{}\" with (force)", self.name)).execute(&self.admin).await?;
        Ok(())
    }
}

/// Single-row INSERT commits per second with `clients` connections.
pub async fn raw_inserts(scratch: &ScratchDatabase, clients: usize, duration: Duration) -> anyhow::Result<f64> {
    let pool = scratch.pool(clients as u32).await?;
    let payload = sample::payload().to_string();
    let counts = run_clients(clients, duration, move |_| {
        let pool = pool.clone();
        let payload = payload.clone();
        async move {
            sqlx::query("insert into bench_raw (stream_id, payload) values ($1, $2::json)")
                .bind(Uuid::now_v7())
                .bind(&payload)
                .execute(&pool)
                .await
                .map(|_| ())
        }
    })
    .await?;
    Ok(counts as f64 / duration.as_secs_f64())
}

/// Event-store appends (one event, expected version checked) per second with `clients` connections.
pub async fn appends(scratch: &ScratchDatabase, clients: usize, duration: Duration) -> anyhow::Result<f64> {
    let store = EventStore::new(scratch.pool(clients as u32).await?);
    let tenant = TenantId::parse("bench")?;
    let actor = Actor::system("bench");
    let payload = sample::payload();
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (store, tenant, actor, payload) = (store.clone(), tenant.clone(), actor.clone(), payload.clone());
        tasks.push(tokio::spawn(async move {
            // Each client works on its own streams, so every append is expected to succeed.
            let mut streams: Vec<(Uuid, i64)> = (0..50).map(|_| (Uuid::now_v7(), 0)).collect();
            let mut count = 0u64;
            while Instant::now() < deadline {
                let slot = (count as usize) % streams.len();
                let (stream_id, version) = streams[slot];
                let events = [sample::event(&payload)];
                store
                    .append(AppendRequest {
                        tenant: &tenant,
                        stream_id,
                        expected_version: version,
                        actor: &actor,
                        correlation_id: Uuid::now_v7(),
                        causation_id: None,
                        idempotency_key: None,
                        request_digest: None,
                        events: &events,
                    })
                    .await?;
                streams[slot].1 = version + 1;
                count += 1;
            }
            anyhow::Ok(count)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / duration.as_secs_f64())
}

async fn run_clients<F, Fut>(clients: usize, duration: Duration, make_op: F) -> anyhow::Result<u64>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), sqlx::Error>> + Send,
{
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let make_op = make_op.clone();
        tasks.push(tokio::spawn(async move {
            let mut count = 0u64;
            while Instant::now() < deadline {
                make_op(client).await?;
                count += 1;
            }
            anyhow::Ok(count)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total)
}
