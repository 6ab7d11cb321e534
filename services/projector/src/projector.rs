//! The projector: follows the event log in canonical order and keeps the read models of one
//! schema up to date, one batch per transaction together with its checkpoint.
//!
//! Exactly-once effects: a batch's rows and the checkpoint that covers them commit together, and
//! the next batch starts after the checkpoint, so an event is never applied twice nor skipped —
//! whatever happens between two batches (a crash, a kill, a restart). Two projectors on the same
//! schema are harmless: each batch locks the checkpoint and gives up if it moved.
//!
//! One event cannot stop it: an event it cannot project is recorded with its reason in
//! `projection_failures`, in the same transaction, and only its contract stops (see
//! [`crate::failures`]); every other contract keeps being projected.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{Acquire as _, PgConnection, PgPool, Postgres, Row, Transaction};
use suivi_domain::Contract;
use suivi_proto::events::ParticipantEvent;
use suivi_proto::LogPosition;
use suivi_store::{EventStore, ReadError, StoredEvent};
use tokio::sync::watch;
use uuid::Uuid;

use crate::cache::{self, CacheError, CachedContract, ContractCache};
use crate::calculations::References;
use crate::failures::{self, Cause, Failure};
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
    /// This many events were taken and committed: applied, or recorded as not projected.
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
    /// Stream versions of the contract's first and last events in the batch (applied or not).
    first_version: i64,
    last_version: i64,
    /// Set when one of its events could not be projected: the version of that event. Its later
    /// events are recorded, not applied, and `state` does not go back to the cache.
    failed: Option<i64>,
}

/// What a batch gathered before it writes.
#[derive(Default)]
struct Batch {
    /// Contracts touched by the batch, out of the cache until it commits.
    working: HashMap<Uuid, Working>,
    /// The same, in first-touch order.
    order: Vec<Uuid>,
    /// Events of the batch that could not be projected.
    failures: Vec<Failure>,
    /// Rows of the participants' events of the batch (their streams are not contracts).
    participants: RowSet,
}

impl Batch {
    /// Records that `event` of the contract `work` could not be projected: the contract stops
    /// there for this batch and, once committed, for good.
    fn fail(failures: &mut Vec<Failure>, work: &mut Working, event: &StoredEvent, cause: Cause, error: &str) {
        work.failed = Some(event.stream_version);
        failures.push(Failure::of(event, cause, error));
    }
}

/// Quarantined contracts of one schema, as committed: contract id → version of its failed event.
type Quarantine = HashMap<Uuid, i64>;

pub struct Projector {
    pool: PgPool,
    store: EventStore,
    config: ProjectorConfig,
    cache: ContractCache,
    references: References,
    /// The quarantined contracts of the schema last projected into (read again when another
    /// schema is projected, after a rebuild empties it, or when another projector moved first).
    quarantine: Option<(Schema, Quarantine)>,
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
            quarantine: None,
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

    /// The committed quarantine of `schema`, taken out of `self` for the batch (put back when the
    /// batch commits; after a failure it is simply read again).
    async fn take_quarantine(&mut self, schema: Schema) -> Result<Quarantine, ProjectorError> {
        match self.quarantine.take() {
            Some((of, quarantine)) if of == schema => Ok(quarantine),
            _ => Ok(failures::quarantined(&self.pool, schema).await?),
        }
    }

    /// Applies up to `limit` events after the checkpoint, read page by page, then writes the
    /// rows of every contract they touched — once per contract, whatever its number of events —
    /// the events it could not project, and the new checkpoint, in one transaction.
    ///
    /// An event that cannot be projected (its payload does not decode, it does not fit its
    /// contract, or the database refuses its rows) is recorded in `projection_failures` and its
    /// contract quarantined; the batch goes on. Writing stays one statement per table on the
    /// fast path; only when the database refuses a batch's data are its contracts written again
    /// under savepoints to find the ones at fault (see [`Projector::isolate`]).
    async fn try_batch(&mut self, schema: Schema, limit: i64) -> Result<BatchOutcome, ProjectorError> {
        let start = checkpoint(&self.pool, schema).await?;
        let mut quarantine = self.take_quarantine(schema).await?;
        let (mut position, mut last_recorded_at, mut applied) = (start.position, None, 0_i64);
        let mut batch = Batch::default();
        while applied < limit {
            let wanted = (limit - applied).min(self.config.page_size);
            let page = self.store.read_stored_after(position, wanted).await?;
            let Some(last) = page.last() else { break };
            (position, last_recorded_at) = (last.log_position, Some(last.recorded_at));
            for stored in &page {
                self.take_event(stored, &quarantine, &mut batch).await?;
            }
            applied += page.len() as i64;
            if (page.len() as i64) < wanted {
                break;
            }
        }
        let Some(last_recorded_at) = last_recorded_at else {
            self.quarantine = Some((schema, quarantine));
            return Ok(BatchOutcome::CaughtUp);
        };

        let mut rows = RowSet::default();
        for id in &batch.order {
            if let Some(work) = batch.working.get(id) {
                self.rows_of(*id, &work.tenant, &work.state, &work.touched, &mut rows);
            }
        }

        let Some(mut tx) = self.lock_checkpoint(schema, start.position).await? else {
            return Ok(BatchOutcome::Superseded);
        };
        match write::write(&mut tx, schema, &rows).await {
            Ok(()) => {}
            Err(refused) if failures::refused_data(&refused) => {
                tx.rollback().await?;
                tracing::warn!(error = %refused, "the database refused a batch's rows; finding the contracts at fault");
                let Some(retry) = self.lock_checkpoint(schema, start.position).await? else {
                    return Ok(BatchOutcome::Superseded);
                };
                tx = retry;
                self.isolate(&mut tx, schema, &mut batch).await?;
            }
            Err(other) => return Err(other.into()),
        }
        // Participants' rows apart from the contracts': the slow path above rewrites contracts only.
        write::write(&mut tx, schema, &batch.participants).await?;
        batch.failures.sort_by_key(|f| f.position);
        failures::record(&mut tx, schema, &batch.failures).await?;
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

        if !batch.failures.is_empty() {
            metrics::counter!("suivi_projector_failed_events_total").increment(batch.failures.len() as u64);
        }
        for failure in batch.failures.iter().filter(|f| f.cause != Cause::Quarantined) {
            tracing::error!(
                contract = %failure.stream_id, tenant = %failure.tenant, position = failure.position,
                version = failure.stream_version, event_type = %failure.event_type, cause = failure.cause.as_str(),
                error = %failure.error,
                "event not projected: its contract is quarantined, the others go on"
            );
        }
        // Only committed states go back: after a failure the cache holds nothing the read models lack.
        for (id, work) in batch.working {
            match work.failed {
                Some(version) => {
                    quarantine.insert(id, version);
                }
                None => self.cache.put(id, work.state),
            }
        }
        self.quarantine = Some((schema, quarantine));
        Ok(BatchOutcome::Applied(applied as usize))
    }

    /// Begins the batch's transaction with the checkpoint locked, or `None` when another
    /// projector moved it since `start` (then the quarantine it may have extended is read again).
    async fn lock_checkpoint(
        &mut self,
        schema: Schema,
        start: LogPosition,
    ) -> Result<Option<Transaction<'static, Postgres>>, ProjectorError> {
        let mut tx = self.pool.begin().await?;
        let locked: (i64, i64) = sqlx::query_as(&format!(
            "select transaction_id::text::bigint, position from {}.checkpoint for update",
            schema.name()
        ))
        .fetch_one(&mut *tx)
        .await?;
        if (locked.0 as u64, locked.1) != (start.transaction_id, start.position) {
            self.quarantine = None;
            return Ok(None);
        }
        Ok(Some(tx))
    }

    /// Folds one event of the log into the batch, or records why it cannot be.
    async fn take_event(
        &mut self,
        stored: &StoredEvent,
        quarantine: &Quarantine,
        batch: &mut Batch,
    ) -> Result<(), ProjectorError> {
        let id = stored.stream_id;
        if ParticipantEvent::is_participant_type(&stored.event_type) {
            match ParticipantEvent::decode_str(&stored.event_type, stored.schema_version, &stored.payload) {
                Ok(event) => batch.participants.participant_event(id, stored.tenant.as_str(), &event),
                Err(e) => batch.failures.push(Failure::of(stored, Cause::Undecodable, &e.to_string())),
            }
            return Ok(());
        }
        if let Some(&failed) = quarantine.get(&id) {
            batch.failures.push(Failure::skipped(stored, failed));
            return Ok(());
        }
        let before = stored.stream_version - 1;
        let (work, unreadable) = match batch.working.entry(id) {
            Entry::Occupied(entry) => (entry.into_mut(), None),
            Entry::Vacant(entry) => {
                batch.order.push(id);
                let (state, unreadable) = match self.cache.take(&self.store, id, before).await {
                    Ok(state) => (state, None),
                    Err(CacheError::Decode(_, e)) => {
                        (CachedContract { contract: Contract::default(), version: before }, Some(e))
                    }
                    Err(e) => return Err(e.into()),
                };
                let work = Working {
                    tenant: stored.tenant.to_string(),
                    state,
                    touched: Touched::default(),
                    first_version: stored.stream_version,
                    last_version: stored.stream_version,
                    failed: None,
                };
                (entry.insert(work), unreadable)
            }
        };
        work.last_version = stored.stream_version;
        if let Some(failed) = work.failed {
            batch.failures.push(Failure::skipped(stored, failed));
            return Ok(());
        }
        let unreadable = match unreadable {
            None if work.state.version != before => {
                // Not expected (a stream's events are in version order in the log), but cheap to mend.
                match cache::load(&self.store, id, before).await {
                    Ok(state) => {
                        work.state = state;
                        None
                    }
                    Err(CacheError::Decode(_, e)) => Some(e),
                    Err(e) => return Err(e.into()),
                }
            }
            unreadable => unreadable,
        };
        if let Some(e) = unreadable {
            // An earlier event that decoded when it was projected no longer does (a release
            // changed how it is read): this contract cannot be followed any more.
            let error = format!("an earlier event of this contract does not decode any more: {e}");
            Batch::fail(&mut batch.failures, work, stored, Cause::Undecodable, &error);
            return Ok(());
        }
        let event = match stored.decode_event() {
            Ok(event) => event,
            Err(e) => {
                Batch::fail(&mut batch.failures, work, stored, Cause::Undecodable, &e.to_string());
                return Ok(());
            }
        };
        if let Some(misfit) = work.state.contract.misfit(&event) {
            Batch::fail(&mut batch.failures, work, stored, Cause::Inconsistent, &misfit.to_string());
            return Ok(());
        }
        work.state.contract.apply(&event);
        work.state.version = stored.stream_version;
        work.touched.note(&event);
        Ok(())
    }

    /// The slow path, after the database refused the data of a batch: writes the contracts'
    /// rows again under savepoints, halving the set until each contract at fault is alone (a few
    /// savepoints per bad contract, not one per contract), then finds, for each of those, the
    /// first event from which its rows cannot be written. Same transaction, same checkpoint.
    async fn isolate(&self, tx: &mut PgConnection, schema: Schema, batch: &mut Batch) -> Result<(), ProjectorError> {
        // Ranges of `batch.order` still to write, as (start, end).
        let mut pending = Vec::from([(0, batch.order.len())]);
        let mut at_fault = Vec::new();
        while let Some((start, end)) = pending.pop() {
            let mut rows = RowSet::default();
            for id in &batch.order[start..end] {
                if let Some(work) = batch.working.get(id) {
                    self.rows_of(*id, &work.tenant, &work.state, &work.touched, &mut rows);
                }
            }
            if write_under_savepoint(tx, schema, &rows).await?.is_ok() {
                continue;
            }
            if end - start == 1 {
                at_fault.push(batch.order[start]);
            } else {
                let middle = start + (end - start) / 2;
                pending.push((middle, end));
                pending.push((start, middle));
            }
        }
        for id in at_fault {
            self.find_unwritable(tx, schema, id, batch).await?;
        }
        Ok(())
    }

    /// Replays the batch's events of one contract whose rows the database refused, writing its
    /// rows after each under a savepoint: the first refused is the event at fault. The rows left
    /// are those of the state just before it, as a batch ending there would have written them;
    /// its later events of the batch are recorded as quarantined.
    async fn find_unwritable(
        &self,
        tx: &mut PgConnection,
        schema: Schema,
        id: Uuid,
        batch: &mut Batch,
    ) -> Result<(), ProjectorError> {
        let Some(work) = batch.working.get_mut(&id) else { return Ok(()) };
        let mut state = cache::load(&self.store, id, work.first_version - 1).await?;
        let events: Vec<StoredEvent> = self
            .store
            .read_stored_stream(id, work.last_version)
            .await?
            .into_iter()
            .filter(|e| e.stream_version >= work.first_version)
            .collect();
        let mut touched = Touched::default();
        let mut refused = None;
        for stored in events.iter().take_while(|e| e.stream_version <= work.state.version) {
            let event = stored.decode_event().map_err(|e| CacheError::Decode(id, e))?;
            state.contract.apply(&event);
            state.version = stored.stream_version;
            touched.note(&event);
            let mut rows = RowSet::default();
            self.rows_of(id, &work.tenant, &state, &touched, &mut rows);
            if let Err(error) = write_under_savepoint(tx, schema, &rows).await? {
                refused = Some((stored, error));
                break;
            }
        }
        // Every step was written (the database refused only the batch's combined rows): nothing to record.
        let Some((failed, error)) = refused else { return Ok(()) };
        batch.failures.retain(|f| f.stream_id != id);
        Batch::fail(&mut batch.failures, work, failed, Cause::Unwritable, &error.to_string());
        for later in events.iter().filter(|e| e.stream_version > failed.stream_version) {
            batch.failures.push(Failure::skipped(later, failed.stream_version));
        }
        Ok(())
    }

    /// The rows a batch rewrites for one contract: its summary, and what the batch touched.
    fn rows_of(&self, id: Uuid, tenant: &str, state: &CachedContract, touched: &Touched, rows: &mut RowSet) {
        let Some(contract) = state.contract.awarded() else { return };
        rows.contracts.push(rows::contract_row(id, tenant, contract, state.version));
        rows.withdrawn.extend(touched.withdrawn.iter().map(|number| (id, *number)));
        for number in &touched.instalments {
            if let Some(instalment) = contract.instalment(*number) {
                rows.instalments.push(rows::instalment_row(id, tenant, contract, instalment, &self.references));
            }
        }
        for number in &touched.statements {
            if let Some(instalment) = contract.instalment(*number) {
                rows.lines.extend(rows::line_rows(id, tenant, instalment));
            }
        }
        if touched.penalty {
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
                    if let Ok(failed) = failures::summary(&self.pool, schema).await {
                        metrics::gauge!("suivi_projector_quarantined_contracts").set(failed.contracts as f64);
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
            "truncate {name}.contracts, {name}.instalments, {name}.statement_lines, {name}.penalties,
                      {name}.projection_failures, {name}.participants"
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
        self.quarantine = None;
        let batch = self.config.rebuild_batch_size;
        loop {
            match self.try_batch(target, batch).await? {
                BatchOutcome::Applied(_) => continue,
                BatchOutcome::Superseded => continue,
                BatchOutcome::CaughtUp => break,
            }
        }
        // Fresh statistics before readers arrive: the planner would otherwise plan the lists and
        // the dashboard on a truncated table's (none), until autovacuum, if it runs, gets to it;
        // and the log's, which every page's lag query reads (a log just loaded or imported may
        // have none: a sequential scan of it per page, measured in BENCHMARKS.md).
        sqlx::query(&format!(
            "analyze events, {name}.contracts, {name}.instalments, {name}.statement_lines, {name}.penalties,
                     {name}.participants"
        ))
        .execute(&self.pool)
        .await?;
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

/// Writes `rows` under a savepoint of `tx`: `Ok(Err(refusal))`, rolled back to the savepoint,
/// when the database refused their data; `Err` for any other failure (the batch is retried).
async fn write_under_savepoint(
    tx: &mut PgConnection,
    schema: Schema,
    rows: &RowSet,
) -> Result<Result<(), sqlx::Error>, ProjectorError> {
    let mut savepoint = tx.begin().await?;
    match write::write(&mut savepoint, schema, rows).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(Ok(()))
        }
        Err(refused) if failures::refused_data(&refused) => {
            savepoint.rollback().await?;
            Ok(Err(refused))
        }
        Err(other) => Err(other.into()),
    }
}
