//! Fault tests: the relay keeps every event, once and in order, when NATS dies under it and
//! when the relay process itself is killed mid-flight.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use suivi_e2e::{
    append_history, assert_stream_mirrors_store, stream_message_count, test_tenant, wait_for_messages, NatsServer,
    SuiviProcess, TestDatabase, TestStream,
};
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_event_reaches_the_stream_once_when_nats_is_killed_and_restarted_mid_publish() {
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let mut nats = NatsServer::start();
    let stream = TestStream::new(&nats.url());
    let backlog = append_history(&store, &test_tenant(), 400, 50, 10).await;

    let client = suivi::connect_nats(&nats.url()).await.unwrap();
    let config = RelayConfig {
        subjects: stream.subjects.clone(),
        retry_delay: Duration::from_millis(200),
        ..RelayConfig::default()
    };
    let relay = Relay::new(store.clone(), client, config);
    let (stop, stopped) = watch::channel(false);
    let relay_task = async { relay.run(stopped).await };

    let scenario = async {
        // Writers keep appending during the whole scenario.
        let writer = {
            let store = store.clone();
            tokio::spawn(async move { append_history(&store, &test_tenant(), 200, 10, 2).await })
        };
        wait_for_messages(&nats.url(), &stream.stream_name(), 2_000, Duration::from_secs(60)).await;
        // The stream's count just before the kill: the relay must still have had most of the
        // backlog to publish, or the kill proved nothing about events in flight.
        let at_kill = stream_message_count(&nats.url(), &stream.stream_name()).await;
        nats.kill();
        assert!(
            at_kill >= 2_000 && at_kill < backlog as u64,
            "NATS was killed while the backlog was in flight ({at_kill} of {backlog} published)"
        );
        tokio::time::sleep(Duration::from_millis(800)).await;
        nats.restart();
        let added = writer.await.unwrap();
        let total = (backlog + added) as u64;
        wait_for_messages(&nats.url(), &stream.stream_name(), total, Duration::from_secs(120)).await;
        stop.send(true).unwrap();
    };
    tokio::join!(relay_task, scenario);

    assert_stream_mirrors_store(&store, &stream).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_event_reaches_the_stream_once_when_the_relay_process_is_killed_mid_flight() {
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let nats = NatsServer::start();
    let stream = TestStream::new(&nats.url());
    let total = append_history(&store, &test_tenant(), 1_000, 40, 20).await as u64;
    let env = [
        ("DATABASE_URL", db.url()),
        ("NATS_URL", nats.url()),
        ("SUIVI_SUBJECT_PREFIX", stream.subjects.prefix().to_owned()),
    ];

    for round in 1..=3u64 {
        let mut relay = SuiviProcess::spawn(&["relay"], &env);
        let reached =
            wait_for_messages(&nats.url(), &stream.stream_name(), round * total / 5, Duration::from_secs(60)).await;
        relay.kill();
        let after_kill = stream_message_count(&nats.url(), &stream.stream_name()).await;
        assert!(
            after_kill < total,
            "round {round}: the relay was killed mid-flight ({reached} then {after_kill} of {total})"
        );
    }
    let _relay = SuiviProcess::spawn(&["relay"], &env);
    wait_for_messages(&nats.url(), &stream.stream_name(), total, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_stream_mirrors_store(&store, &stream).await;
}
