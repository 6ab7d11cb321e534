//! The ledger publisher: follows the log and publishes, for each event finance acts on, its
//! fact with every figure computed (see [`suivi_proto::ledger`]).
//!
//! Exactly once, in the log's order, the way the relay does it (`suivi_store::relay`): the
//! ledger stream's last message names the event it came from, so after a restart the publisher
//! resumes right after that event; each publish expects the stream's last sequence, so two
//! publishers (two Suivi processes) cannot both append; and the fact's `Nats-Msg-Id` is its
//! event's id.

mod facts;
mod head;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::PublishMessage};
use suivi_application::{tenancy, Application};
use suivi_domain::Contract;
use suivi_proto::ledger::{LedgerFact, LEDGER_SCHEMA_VERSION};
use suivi_proto::messages::SCHEMA_VERSION_HEADER;
use suivi_proto::{LogPosition, Subjects};
use suivi_store::StoredEvent;
use tokio::sync::watch;

pub use facts::{fact_of, FACT_EVENTS};

use crate::{streams, FinanceError};

/// Events read from the log per query.
const BATCH: i64 = 1_000;
/// How long to wait when the log has nothing new.
const IDLE_POLL: Duration = Duration::from_millis(50);
/// How often new tenants get their finance consumers.
const CONSUMERS_REFRESH: Duration = Duration::from_secs(30);

pub struct Ledger {
    app: Arc<Application>,
    js: jetstream::Context,
    subjects: Subjects,
    settings: streams::StreamSettings,
    progress: watch::Sender<Option<LogPosition>>,
}

impl Ledger {
    pub fn new(
        app: Arc<Application>,
        js: jetstream::Context,
        subjects: Subjects,
        settings: streams::StreamSettings,
    ) -> Self {
        Ledger { app, js, subjects, settings, progress: watch::channel(None).0 }
    }

    /// The log position the publisher has read up to (for tests and health).
    pub fn progress(&self) -> watch::Receiver<Option<LogPosition>> {
        self.progress.subscribe()
    }

    /// Publishes until `shutdown` turns true, starting again after every failure.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) {
        crate::restarting("ledger", Duration::from_millis(500), shutdown, |_| self.run_once()).await;
    }

    async fn run_once(&self) -> Result<(), FinanceError> {
        let mut stream = streams::ensure_ledger(&self.js, &self.subjects, self.settings).await?;
        let dead_letters = streams::ensure_dead_letters(&self.js, &self.subjects, self.settings).await?;
        let (mut last_sequence, mut cursor) = head::read_head(&mut stream, self.app.store()).await?;
        tracing::info!(last_sequence, position = ?cursor, "ledger resuming");
        let mut consumers_checked: Option<Instant> = None;
        // Tenants whose finance consumers exist: a tenant's consumer is there before its first
        // fact, so `DeliverPolicy::All` gives finance every fact from the start.
        let mut with_consumers = HashSet::new();
        loop {
            if consumers_checked.is_none_or(|at| at.elapsed() >= CONSUMERS_REFRESH) {
                let tenants = tenancy::tenant_ids(self.app.store().pool()).await.map_err(FinanceError::database)?;
                streams::ensure_tenant_consumers(&stream, &dead_letters, &self.subjects, &tenants).await?;
                with_consumers.extend(tenants);
                consumers_checked = Some(Instant::now());
            }
            let batch = self.app.store().read_stored_after(cursor, BATCH).await.map_err(FinanceError::database)?;
            if batch.is_empty() {
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            }
            for stored in &batch {
                if let Some(fact) = self.fact(stored).await? {
                    if !with_consumers.contains(&fact.tenant) {
                        let tenant = [fact.tenant.clone()];
                        streams::ensure_tenant_consumers(&stream, &dead_letters, &self.subjects, &tenant).await?;
                        with_consumers.insert(fact.tenant.clone());
                    }
                    last_sequence = self.publish(&fact, last_sequence).await?;
                }
                cursor = stored.log_position;
            }
            self.progress.send_replace(Some(cursor));
        }
    }

    /// The fact of `stored`, folded from the contract's events up to it.
    async fn fact(&self, stored: &StoredEvent) -> Result<Option<LedgerFact>, FinanceError> {
        if !FACT_EVENTS.contains(&stored.event_type.as_str()) {
            return Ok(None);
        }
        let store = self.app.store();
        let history = store.read_stored_stream(stored.stream_id, stored.stream_version).await;
        let history = history.map_err(FinanceError::database)?;
        let mut events = Vec::with_capacity(history.len());
        for past in &history {
            match past.decode_event() {
                Ok(event) => events.push(event),
                // A stored event the code cannot read is a bug to fix, not a reason to stop
                // every tenant's ledger: reported, and that contract's fact is skipped.
                Err(error) => {
                    tracing::error!(event_id = %past.event_id, %error, "ledger: unreadable event, fact skipped");
                    return Ok(None);
                }
            }
        }
        let Some(event) = events.last() else { return Ok(None) };
        let contract = Contract::from_events(&events);
        let Some(awarded) = contract.awarded() else { return Ok(None) };
        let references = self.app.references().await.map_err(FinanceError::database)?;
        Ok(fact_of(stored, event, awarded, &references))
    }

    async fn publish(&self, fact: &LedgerFact, last_sequence: u64) -> Result<u64, FinanceError> {
        let subject = self.subjects.ledger(&fact.tenant, fact.body.fact(), fact.contract_id);
        let body = serde_json::to_vec(fact).map_err(|e| FinanceError::Nats(format!("encoding a fact: {e}")))?;
        let message = PublishMessage::build()
            .payload(body.into())
            .message_id(fact.source.event_id.to_string())
            .header(SCHEMA_VERSION_HEADER, LEDGER_SCHEMA_VERSION.to_string().as_str())
            .expected_last_sequence(last_sequence);
        let ack = self
            .js
            .send_publish(subject, message)
            .await
            .map_err(|e| FinanceError::Nats(format!("publishing a fact: {e}")))?
            .await
            .map_err(|e| FinanceError::Nats(format!("fact not stored: {e}")))?;
        if ack.duplicate || ack.sequence != last_sequence + 1 {
            return Err(FinanceError::Nats(format!(
                "ledger sequence {} (duplicate: {}) where {} was expected",
                ack.sequence,
                ack.duplicate,
                last_sequence + 1
            )));
        }
        metrics::counter!("suivi_ledger_published_total").increment(1);
        Ok(ack.sequence)
    }
}
