//! The projector: follows the event log in canonical order and keeps the read models of one
//! schema up to date, one batch per transaction together with its checkpoint.
//!
//! Exactly-once effects: a batch's rows and the checkpoint that covers them commit together, and
//! the next batch starts after the checkpoint, so an event is never applied twice nor skipped —
//! whatever happens between two batches (a crash, a kill, a restart). Two projectors on the same
//! schema are harmless: each batch locks the checkpoint and gives up if it moved.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use suivi_proto::LogPosition;
use suivi_store::{EventStore, ReadError};
use tokio::sync::watch;
use uuid::Uuid;

use crate::cache::{self, CacheError, CachedContract, ContractCache};
use crate::calculations::References;
use crate::rows::{self, RowSet, Touched};
use crate::target::{self, Schema};
use crate::write;

/// How often the running projector measures its lag for the metrics.
const LAG_REPORT_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct ProjectorConfig {
    /// Events per batch (and per transaction) while following the log.
    pub batch_size: i64,
    /// Events per batch during a rebuild: larger, because a contract's rows are written once per
    /// batch however many of its events the batch holds, and nobody reads the schema yet.
    pub rebuild_batch_size: i64,
    /// Events read from the log at a time, within a batch.
    pub page_size: i64,
    /// Contract aggregates kept in memory between batches.
    pub cache_capacity: usize,
    /// Wait between looks at the log when it has nothing new.
    pub idle_poll: Duration,
}

impl Default for ProjectorConfig {
    fn default() -> Self {
        ProjectorConfig {
            batch_size: 2_000,
            rebuild_batch_size: 25_000,
            page_size: 2_000,
            cache_capacity: 4_000,
            idle_poll: Duration::from_millis(50),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("reference data: {0}")]
    References(#[from] suivi_store::ReferenceRatesError),
}

/// Where a schema's projection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub position: LogPosition,
    pub events: i64,
    pub last_recorded_at: Option<DateTime<Utc>>,
}

pub async fn checkpoint(pool: &PgPool, schema: Schema) -> Result<Checkpoint, sqlx::Error> {
    let row = sqlx::query(&format!(
        "select transaction_id::text::bigint as transaction_id, position, events, last_recorded_at
         from {}.checkpoint",
        schema.name()
    ))
    .fetch_one(pool)
    .await?;
    Ok(Checkpoint {
        position: LogPosition {
            transaction_id: row.try_get::<i64, _>("transaction_id")? as u64,
            position: row.try_get("position")?,
        },
        events: row.try_get("events")?,
        last_recorded_at: row.try_get("last_recorded_at")?,
    })
}

/// What one call to [`Projector::project_batch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// This many events were applied and committed.
    Applied(usize),
    /// Nothing new in the log.
    CaughtUp,
    /// Another projector moved the checkpoint first; nothing was written.
    Superseded,
}

/// A contract a batch is applying events to.
struct Working {
    tenant: String,
    state: CachedContract,
    /// What the batch's events changed, so that only those rows are written again.
    touched: Touched,
}

pub struct Projector {
    pool: PgPool,
    store: EventStore,
    config: ProjectorConfig,
    cache: ContractCache,
    references: References,
}

impl Projector {
    pub async fn new(pool: PgPool, config: ProjectorConfig) -> Result<Self, ProjectorError> {
        let references = suivi_store::reference_rates::load(&pool).await?;
        Ok(Projector {
            store: EventStore::new(pool.clone()),
            cache: ContractCache::new(config.cache_capacity),
            pool,
            config,
            references,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the next batch of events to `schema`.
    #[tracing::instrument(skip(self), fields(schema = schema.name()), err)]
    pub async fn project_batch(&mut self, schema: Schema) -> Result<BatchOutcome, ProjectorError> {
        self.try_batch(schema, self.config.batch_size).await
    }

    /// Applies up to `limit` events after the checkpoint, read page by page, then writes the
    /// rows of every contract they touched — once per contract, whatever its number of events —
    /// and the new checkpoint, in one transaction.
    async fn try_batch(&mut self, schema: Schema, limit: i64) -> Result<BatchOutcome, ProjectorError> {
        let start = checkpoint(&self.pool, schema).await?;
        let (mut position, mut last_recorded_at, mut applied) = (start.position, None, 0_i64);
        // Contracts touched by the batch, out of the cache until it commits, in first-touch order.
        let mut working: HashMap<Uuid, Working> = HashMap::new();
        let mut order: Vec<Uuid> = Vec::new();
        while applied < limit {
            let wanted = (limit - applied).min(self.config.page_size);
            let page = self.store.read_stored_after(position, wanted).await?;
            let Some(last) = page.last() else { break };
            (position, last_recorded_at) = (last.log_position, Some(last.recorded_at));
            for stored in &page {
                let id = stored.stream_id;
                let event = stored.decode_event().map_err(|e| CacheError::Decode(id, e))?;
                let before = stored.stream_version - 1;
                let work = match working.entry(id) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => {
                        order.push(id);
                        let state = self.cache.take(&self.store, id, before).await?;
                        entry.insert(Working { tenant: stored.tenant.to_string(), state, touched: Touched::default() })
                    }
                };
                if work.state.version != before {
                    // Not expected (a stream's events are in version order in the log), but cheap to mend.
                    work.state = cache::load(&self.store, id, before).await?;
                }
                work.state.contract.apply(&event);
                work.state.version = stored.stream_version;
                work.touched.note(&event);
            }
            applied += page.len() as i64;
            if (page.len() as i64) < wanted {
                break;
            }
        }
        let Some(last_recorded_at) = last_recorded_at else { return Ok(BatchOutcome::CaughtUp) };

        let mut rows = RowSet::default();
        for id in &order {
            if let Some(work) = working.get(id) {
                self.rows_of(*id, work, &mut rows);
            }
        }

        let mut tx = self.pool.begin().await?;
        let locked: (i64, i64) = sqlx::query_as(&format!(
            "select transaction_id::text::bigint, position from {}.checkpoint for update",
            schema.name()
        ))
        .fetch_one(&mut *tx)
        .await?;
        if (locked.0 as u64, locked.1) != (start.position.transaction_id, start.position.position) {
            return Ok(BatchOutcome::Superseded);
        }
        write::write(&mut tx, schema, &rows).await?;
        sqlx::query(&format!(
            "update {}.checkpoint set transaction_id = $1::text::xid8, position = $2, events = events + $3,
                    last_recorded_at = $4, updated_at = now()",
            schema.name()
        ))
        .bind(position.transaction_id.to_string())
        .bind(position.position)
        .bind(applied)
        .bind(last_recorded_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Only committed states go back: after a failure the cache holds nothing the read models lack.
        for (id, work) in working {
            self.cache.put(id, work.state);
        }
        Ok(BatchOutcome::Applied(applied as usize))
    }

    /// The rows a batch rewrites for one contract: its summary, and what the batch touched.
    fn rows_of(&self, id: Uuid, work: &Working, rows: &mut RowSet) {
        let Some(contract) = work.state.contract.awarded() else { return };
        let tenant = work.tenant.as_str();
        rows.contracts.push(rows::contract_row(id, tenant, contract, work.state.version));
        for number in &work.touched.instalments {
            if let Some(instalment) = contract.instalment(*number) {
                rows.instalments.push(rows::instalment_row(id, tenant, contract, instalment, &self.references));
            }
        }
        for number in &work.touched.statements {
            if let Some(instalment) = contract.instalment(*number) {
                rows.lines.extend(rows::line_rows(id, tenant, instalment));
            }
        }
        if work.touched.penalty {
            rows.penalties.extend(rows::penalty_row(id, tenant, contract, &self.references));
        }
    }

    /// Follows the log into the active schema until `shutdown`, switching schema when a
    /// rebuild switched it.
    pub async fn run(&mut self, mut shutdown: watch::Receiver<bool>) {
        let mut current: Option<Schema> = None;
        let mut last_lag_report = std::time::Instant::now() - LAG_REPORT_EVERY;
        while !*shutdown.borrow() {
            let outcome = match target::active(&self.pool).await {
                Ok(schema) => {
                    if current != Some(schema) {
                        self.cache.clear();
                        current = Some(schema);
                    }
                    self.project_batch(schema).await
                }
                Err(e) => Err(e.into()),
            };
            if last_lag_report.elapsed() >= LAG_REPORT_EVERY {
                if let Some(schema) = current {
                    if let Ok(behind) = crate::lag::lag(&self.pool, schema).await {
                        metrics::gauge!("suivi_projector_lag_events").set(behind.events as f64);
                        metrics::gauge!("suivi_projector_lag_seconds").set(behind.seconds);
                    }
                }
                last_lag_report = std::time::Instant::now();
            }
            let pause = match outcome {
                Ok(BatchOutcome::Applied(count)) => {
                    metrics::counter!("suivi_projector_events_total").increment(count as u64);
                    continue;
                }
                Ok(BatchOutcome::CaughtUp | BatchOutcome::Superseded) => self.config.idle_poll,
                Err(error) => {
                    tracing::warn!(%error, "projection batch failed; retrying");
                    Duration::from_millis(500)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Replays the whole log into the inactive schema, then makes it the active one once it has
    /// caught up. Readers keep reading the active schema all along.
    pub async fn rebuild(&mut self) -> Result<Schema, ProjectorError> {
        let target = target::active(&self.pool).await?.other();
        let name = target.name();
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "truncate {name}.contracts, {name}.instalments, {name}.statement_lines, {name}.penalties"
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "update {name}.checkpoint set transaction_id = '0', position = 0, events = 0,
                    last_recorded_at = null, updated_at = now()"
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.cache.clear();
        let batch = self.config.rebuild_batch_size;
        loop {
            match self.try_batch(target, batch).await? {
                BatchOutcome::Applied(_) => continue,
                BatchOutcome::Superseded => continue,
                BatchOutcome::CaughtUp => break,
            }
        }
        // Switch only if nothing arrived since the last batch, under the state row's lock.
        loop {
            let mut tx = self.pool.begin().await?;
            sqlx::query("select active from read_model_state for update").execute(&mut *tx).await?;
            let caught_up = checkpoint(&self.pool, target).await?;
            let behind = self.store.count_after(caught_up.position).await?;
            if behind == 0 {
                sqlx::query("update read_model_state set active = $1, switched_at = now()")
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(target);
            }
            tx.rollback().await?;
            while let BatchOutcome::Applied(_) = self.try_batch(target, batch).await? {}
        }
    }
}
