//! The relay: publishes the store's log to JetStream, in canonical order, exactly once.
//!
//! How it stays exactly-once without a cursor table:
//!
//! 1. At start, and after any failure, it reads the stream's last message: that message carries
//!    the log position of the last event stored, so the relay resumes right after it. A message
//!    the relay did not write is skipped and reported ([`head`]): it cannot move the cursor.
//! 2. Each message carries `Nats-Expected-Last-Sequence`: the stream sequence the relay expects
//!    to be last before it. If one publish of a pipelined window is lost (NATS restarted, the
//!    connection dropped), every later one is refused by the server instead of being stored
//!    out of order, and the relay starts again at step 1. Every publish but a run's first also
//!    carries `Nats-Expected-Last-Msg-Id` = the previous event's id: a message someone else
//!    published between two of the relay's would otherwise take a refused one's sequence and let
//!    the next be stored after a gap.
//! 3. Each message also carries `Nats-Msg-Id` = event id, so any other copy that reaches the
//!    stream within the duplicate window is dropped.
//!
//! The relay's position only ever moves forward when the server acknowledged a message, since
//! the position *is* the stream's content.

mod head;
mod publisher;
pub mod stream;

use std::time::Duration;

use async_nats::jetstream;
use suivi_proto::{LogPosition, Subjects};
use tokio::sync::watch;

use crate::event_store::{EventStore, ReadError};
pub use head::{read_head, ForeignMessages, StreamHead};
pub use publisher::publish_batch;
pub use stream::{ensure_stream, StreamSettings};

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub subjects: Subjects,
    pub stream: StreamSettings,
    /// Events read from the store per query.
    pub batch_size: i64,
    /// Publishes awaiting their acknowledgement at once.
    pub max_in_flight: usize,
    /// How long to wait before looking again when the log has nothing new.
    pub idle_poll: Duration,
    /// How long to wait before starting again after a failure.
    pub retry_delay: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            subjects: Subjects::default(),
            stream: StreamSettings::default(),
            batch_size: 4_000,
            max_in_flight: 1_024,
            idle_poll: Duration::from_millis(20),
            retry_delay: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("NATS: {0}")]
    Nats(String),
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Progress the relay reports after each acknowledged batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayProgress {
    pub position: LogPosition,
    pub last_sequence: u64,
}

pub struct Relay {
    store: EventStore,
    js: jetstream::Context,
    config: RelayConfig,
    progress: watch::Sender<Option<RelayProgress>>,
    foreign: ForeignMessages,
}

impl Relay {
    pub fn new(store: EventStore, client: async_nats::Client, config: RelayConfig) -> Self {
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs(10))
            .max_ack_inflight(config.max_in_flight)
            .backpressure_on_inflight(true)
            .build(client);
        Relay { store, js, config, progress: watch::channel(None).0, foreign: ForeignMessages::default() }
    }

    /// Follows the relay's progress (for tests, metrics and `/readyz`).
    pub fn progress(&self) -> watch::Receiver<Option<RelayProgress>> {
        self.progress.subscribe()
    }

    /// Runs until `shutdown` turns true, starting again after every failure.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            tokio::select! {
                outcome = self.run_once() => {
                    if let Err(error) = outcome {
                        tracing::warn!(%error, "relay interrupted; starting again from the stream's head");
                    }
                }
                _ = shutdown.changed() => break,
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.retry_delay) => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::info!("relay stopped");
    }

    /// One uninterrupted run: find where the stream ends, then publish everything after it.
    /// Returns only on failure.
    async fn run_once(&self) -> Result<(), RelayError> {
        let mut stream = ensure_stream(&self.js, &self.config.subjects, &self.config.stream).await?;
        let mut head = read_head(&mut stream, &self.store, &self.foreign).await?;
        tracing::info!(last_sequence = head.last_sequence, position = ?head.position, "relay resuming");
        self.report(head);
        let read = |cursor| self.store.read_stored_after(cursor, self.config.batch_size);
        let mut batch = read(head.position).await?;
        loop {
            let Some(last) = batch.last() else {
                tokio::time::sleep(self.config.idle_poll).await;
                batch = read(head.position).await?;
                continue;
            };
            // Read the next batch while this one is published and acknowledged. If publishing
            // fails, that read is dropped with the rest of this run.
            let (published, next) = tokio::join!(
                publish_batch(&self.js, &self.config.subjects, head, &batch, self.config.max_in_flight),
                read(last.log_position),
            );
            head = published?;
            metrics::counter!("suivi_relay_published_total").increment(batch.len() as u64);
            self.report(head);
            batch = next?;
        }
    }

    fn report(&self, head: StreamHead) {
        self.progress.send_replace(Some(RelayProgress { position: head.position, last_sequence: head.last_sequence }));
    }
}
