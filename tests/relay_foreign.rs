//! Messages the relay did not write, on an event subject of its stream: garbage, a plausible
//! envelope claiming a position no event has, a real event's id with another event's position.
//! None may move the relay's cursor: every event still reaches the stream once and in order,
//! and the stray message is reported.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use async_nats::header::HeaderMap;
use async_nats::jetstream;
use suivi_e2e::{
    append_history, assert_stream_mirrors_store_besides, stream_message_count, test_tenant, wait_for_messages,
    TestDatabase, TestStream,
};
use suivi_proto::LogPosition;
use suivi_store::relay::StreamSettings;
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;
use uuid::Uuid;

/// Short enough that a test can resend a real event's id once it has passed (JetStream would
/// otherwise drop the stray message as a duplicate, proving nothing).
const DUPLICATE_WINDOW: Duration = Duration::from_millis(500);

fn relay_for(store: &EventStore, client: async_nats::Client, stream: &TestStream) -> Relay {
    let config = RelayConfig {
        subjects: stream.subjects.clone(),
        stream: StreamSettings { duplicate_window: DUPLICATE_WINDOW, ..StreamSettings::default() },
        batch_size: 50,
        max_in_flight: 16,
        retry_delay: Duration::from_millis(50),
        ..RelayConfig::default()
    };
    Relay::new(store.clone(), client, config)
}

/// Runs a relay until the stream holds `count` messages, then a moment longer (a relay that
/// wrongly publishes again would do so then).
async fn relay_until(relay: &Relay, stream: &TestStream, count: u64) {
    let (stop, stopped) = watch::channel(false);
    tokio::join!(relay.run(stopped), async {
        wait_for_messages(&stream.url, &stream.stream_name(), count, Duration::from_secs(30)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.send(true).unwrap();
    });
}

/// What a stray message is made of.
enum Stray {
    Garbage,
    /// A well-formed envelope with a fresh id and a position far past the log's end.
    PositionOfNoEvent,
    /// The last relayed event's envelope and id, claiming the first event's position.
    RealIdWrongPosition,
}

/// Publishes `stray` on the subject of the last event of the log; returns its stream sequence.
async fn inject(js: &jetstream::Context, store: &EventStore, stream: &TestStream, stray: Stray) -> u64 {
    let logged = store.read_stored_after(LogPosition::START, i64::MAX).await.unwrap();
    let (first, last) = (logged.first().unwrap(), logged.last().unwrap());
    let subject = stream.subjects.event(&last.tenant, &last.event_type, last.stream_id);
    let mut envelope: serde_json::Value = serde_json::from_slice(&last.to_wire_json().unwrap()).unwrap();
    let mut headers = HeaderMap::new();
    let payload = match stray {
        Stray::Garbage => b"\x00\xffnot an event".to_vec(),
        Stray::PositionOfNoEvent => {
            let id = Uuid::now_v7().to_string();
            envelope["event_id"] = id.clone().into();
            envelope["position"] = 1_000_000_000_i64.into();
            headers.insert("Nats-Msg-Id", id.as_str());
            serde_json::to_vec(&envelope).unwrap()
        }
        Stray::RealIdWrongPosition => {
            // Past the duplicate window, or JetStream would drop it as a copy of the real one.
            tokio::time::sleep(DUPLICATE_WINDOW + Duration::from_millis(300)).await;
            envelope["transaction_id"] = first.log_position.transaction_id.into();
            envelope["position"] = first.log_position.position.into();
            headers.insert("Nats-Msg-Id", last.event_id.to_string().as_str());
            serde_json::to_vec(&envelope).unwrap()
        }
    };
    let ack = js.publish_with_headers(subject, headers, payload.into()).await.unwrap().await.unwrap();
    assert!(!ack.duplicate, "the stray message is stored");
    ack.sequence
}

/// The relay's count of foreign messages in `stream`, as `/metrics` shows it.
fn foreign_messages_reported(stream: &TestStream) -> u64 {
    let wanted = format!("suivi_relay_foreign_messages_total{{stream=\"{}\"}}", stream.stream_name());
    suivi::telemetry::render_metrics()
        .lines()
        .find_map(|line| line.strip_prefix(&wanted).map(|value| value.trim().parse().unwrap()))
        .unwrap_or(0)
}

/// Relays, injects `stray`, appends more, relays again (twice: the second relay finds the
/// stray message buried), then checks the stream against the log.
async fn survives(stray: Stray) {
    suivi::telemetry::install_metrics();
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let stream = TestStream::shared();
    let client = async_nats::connect(&stream.url).await.unwrap();
    let js = jetstream::new(client.clone());

    let first = append_history(&store, &test_tenant(), 4, 5, 2).await as u64;
    relay_until(&relay_for(&store, client.clone(), &stream), &stream, first).await;
    let stray_sequence = inject(&js, &store, &stream, stray).await;
    assert_eq!(stray_sequence, first + 1);

    let second = append_history(&store, &test_tenant(), 3, 5, 3).await as u64;
    relay_until(&relay_for(&store, client.clone(), &stream), &stream, first + 1 + second).await;
    let third = append_history(&store, &test_tenant(), 1, 4, 4).await as u64;
    relay_until(&relay_for(&store, client, &stream), &stream, first + 1 + second + third).await;

    assert_eq!(stream_message_count(&stream.url, &stream.stream_name()).await, first + 1 + second + third);
    assert_stream_mirrors_store_besides(&store, &stream, &[stray_sequence]).await;
    assert_eq!(foreign_messages_reported(&stream), 1, "the stray message is reported, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_at_the_streams_head_is_passed_over() {
    survives(Stray::Garbage).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_claiming_a_position_no_event_has_does_not_skip_events() {
    survives(Stray::PositionOfNoEvent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_event_id_at_another_events_position_does_not_republish_events() {
    survives(Stray::RealIdWrongPosition).await;
}

/// A stray message between two publishes of a running relay: its next publish expects the
/// sequence before it and is refused, the relay starts again and passes over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stray_message_while_the_relay_runs_is_passed_over() {
    suivi::telemetry::install_metrics();
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let stream = TestStream::shared();
    let client = async_nats::connect(&stream.url).await.unwrap();
    let js = jetstream::new(client.clone());
    let relay = relay_for(&store, client, &stream);
    let (stop, stopped) = watch::channel(false);

    let (_, (stray_sequence, total)) = tokio::join!(relay.run(stopped), async {
        let first = append_history(&store, &test_tenant(), 4, 5, 2).await as u64;
        wait_for_messages(&stream.url, &stream.stream_name(), first, Duration::from_secs(30)).await;
        let stray_sequence = inject(&js, &store, &stream, Stray::PositionOfNoEvent).await;
        let second = append_history(&store, &test_tenant(), 3, 5, 3).await as u64;
        let total = first + 1 + second;
        wait_for_messages(&stream.url, &stream.stream_name(), total, Duration::from_secs(30)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.send(true).unwrap();
        (stray_sequence, total)
    });

    assert_eq!(stream_message_count(&stream.url, &stream.stream_name()).await, total);
    assert_stream_mirrors_store_besides(&store, &stream, &[stray_sequence]).await;
    assert_eq!(foreign_messages_reported(&stream), 1);
}
