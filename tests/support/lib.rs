//! Shared harness for the end-to-end tests: a fresh PostgreSQL database per test, a private
//! subject prefix per test, and `nats-server` processes of the test's own for failure tests.
//!
//! Everything a test creates is removed when its handle is dropped, even if the test panics.

#![allow(clippy::unwrap_used)]

pub mod app;
mod database;
mod events;
pub mod finance;
pub mod guide_blocks;
pub mod history;
mod nats;
pub mod participants;
pub mod process;
mod proxy;
pub mod settled;
pub mod web;

pub use app::TestApp;
pub use database::TestDatabase;
pub use events::{append_history, sample_event, test_actor, test_tenant};
pub use history::ContractHistory;
pub use nats::{
    free_port, read_all_messages, read_raw_messages, stream_message_count, wait_for_messages, NatsServer,
    RawStoredMessage, StoredMessage, TestStream,
};
pub use process::SuiviProcess;
pub use proxy::TcpProxy;

use std::time::{Duration, Instant};

use suivi_projector::{checkpoint, target, BatchOutcome, Projector, ProjectorConfig};

/// Checks what a relay left in its stream against the store: every event exactly once, in
/// canonical order, on its subject, with `Nats-Msg-Id` = event id and gapless sequences.
pub async fn assert_stream_mirrors_store(store: &suivi_store::EventStore, stream: &TestStream) {
    assert_stream_mirrors_store_besides(store, stream, &[]).await;
}

/// [`assert_stream_mirrors_store`] for a stream that also holds messages someone else published
/// (at the stream sequences `foreign`): those are passed over, every other message must be the
/// next event of the log, and the sequences, foreign ones included, gapless.
pub async fn assert_stream_mirrors_store_besides(
    store: &suivi_store::EventStore,
    stream: &TestStream,
    foreign: &[u64],
) {
    let messages = read_raw_messages(&stream.url, &stream.stream_name()).await;
    let logged = store.read_all_after(suivi_proto::LogPosition::START, i64::MAX).await.expect("read the log");
    for (index, message) in messages.iter().enumerate() {
        assert_eq!(message.sequence, index as u64 + 1, "gapless stream sequences");
    }
    let relayed: Vec<_> = messages.iter().filter(|m| !foreign.contains(&m.sequence)).collect();
    assert_eq!(relayed.len(), logged.len(), "one message per stored event, besides the foreign ones");
    for (message, event) in relayed.iter().zip(&logged) {
        let envelope: suivi_proto::EventEnvelope =
            serde_json::from_slice(&message.payload).expect("the relay's messages are event envelopes");
        assert_eq!(&envelope, event, "message {} is the event at that canonical position", message.sequence);
        assert_eq!(message.msg_id.as_deref(), Some(event.event_id.to_string().as_str()));
        assert_eq!(message.subject, stream.subjects.event(&event.tenant, &event.event_type, event.stream_id));
    }
}

/// Projects until the active schema holds every event of the log. "Caught up" alone is not
/// enough: events stay invisible to readers while any older transaction of the cluster runs
/// (another test's, say), so the projector may find nothing new for a moment.
pub async fn project_everything(pool: &sqlx::PgPool) {
    let total: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(pool).await.unwrap();
    let mut projector = Projector::new(pool.clone(), ProjectorConfig::default()).await.unwrap();
    let schema = target::active(pool).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while checkpoint(pool, schema).await.unwrap().events < total {
        assert!(Instant::now() < deadline, "the projector catches up");
        if !matches!(projector.project_batch(schema).await.unwrap(), BatchOutcome::Applied(_)) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
