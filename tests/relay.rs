//! The relay against the shared NATS server, on a stream of the test's own.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use async_nats::jetstream;
use suivi_e2e::{
    append_history, assert_stream_mirrors_store, test_tenant, wait_for_messages, TestDatabase, TestStream,
};
use suivi_proto::TenantId;
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;

fn relay_for(store: &EventStore, client: async_nats::Client, stream: &TestStream) -> Relay {
    let config =
        RelayConfig { subjects: stream.subjects.clone(), max_in_flight: 64, batch_size: 100, ..RelayConfig::default() };
    Relay::new(store.clone(), client, config)
}

/// Runs a relay until `until` completes.
async fn run_relay_while<F: std::future::Future>(relay: &Relay, until: F) -> F::Output {
    let (stop, stopped) = watch::channel(false);
    let (_, output) = tokio::join!(relay.run(stopped), async {
        let output = until.await;
        stop.send(true).unwrap();
        output
    });
    output
}

#[tokio::test]
async fn it_publishes_every_event_once_in_canonical_order_with_its_id_on_its_subject() {
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let stream = TestStream::shared();
    let mut total = append_history(&store, &test_tenant(), 20, 10, 3).await;
    total += append_history(&store, &TenantId::parse("another").unwrap(), 5, 4, 4).await;

    let client = async_nats::connect(&stream.url).await.unwrap();
    let relay = relay_for(&store, client.clone(), &stream);
    run_relay_while(
        &relay,
        wait_for_messages(&stream.url, &stream.stream_name(), total as u64, Duration::from_secs(30)),
    )
    .await;

    assert_stream_mirrors_store(&store, &stream).await;
}

#[tokio::test]
async fn its_stream_is_durable_and_refuses_deletion() {
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let stream = TestStream::shared();
    append_history(&store, &test_tenant(), 1, 2, 2).await;
    let client = async_nats::connect(&stream.url).await.unwrap();
    let relay = relay_for(&store, client.clone(), &stream);
    run_relay_while(&relay, wait_for_messages(&stream.url, &stream.stream_name(), 2, Duration::from_secs(30))).await;

    let js = jetstream::new(client);
    let mut nats_stream = js.get_stream(stream.stream_name()).await.unwrap();
    let config = nats_stream.info().await.unwrap().config.clone();
    assert_eq!(config.storage, jetstream::stream::StorageType::File);
    assert!(config.deny_delete && config.deny_purge);
    assert_eq!(config.max_age, Duration::ZERO, "kept forever");
    assert_eq!(config.duplicate_window, Duration::from_secs(120));
    assert_eq!(config.subjects, [stream.subjects.all_events()]);
    assert!(nats_stream.delete_message(1).await.is_err(), "deleting a message is refused");
    assert!(nats_stream.purge().await.is_err(), "purging is refused");
    assert_eq!(nats_stream.info().await.unwrap().state.messages, 2);
}

#[tokio::test]
async fn it_follows_new_events_and_resumes_after_a_restart_without_publishing_twice() {
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let stream = TestStream::shared();
    let tenant = test_tenant();
    let client = async_nats::connect(&stream.url).await.unwrap();

    // Live: events appended while the relay runs are published.
    let relay = relay_for(&store, client.clone(), &stream);
    let first = run_relay_while(&relay, async {
        let appended = append_history(&store, &tenant, 10, 5, 2).await;
        wait_for_messages(&stream.url, &stream.stream_name(), appended as u64, Duration::from_secs(30)).await;
        appended
    })
    .await;

    // Stopped: events pile up; a new relay resumes from the stream's last message.
    let second = append_history(&store, &tenant, 10, 5, 5).await;
    let relay = relay_for(&store, client.clone(), &stream);
    run_relay_while(
        &relay,
        wait_for_messages(&stream.url, &stream.stream_name(), (first + second) as u64, Duration::from_secs(30)),
    )
    .await;
    // Give a relay that would wrongly republish a moment to do so, then check.
    let relay = relay_for(&store, client, &stream);
    run_relay_while(&relay, tokio::time::sleep(Duration::from_millis(300))).await;

    assert_stream_mirrors_store(&store, &stream).await;
}
