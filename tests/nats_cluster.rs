//! A three-node NATS cluster with JetStream, started from the shipped `deploy/nats/cluster/`
//! configurations (on free loopback ports, stores in temporary directories): the relay and the
//! finance integration keep three replicas of their streams; events are appended and finance
//! reports payments while the leader of the event stream is killed (SIGKILL). Every event ends
//! up in the stream once and in order, and every payment is recorded once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use suivi_application::Application;
use suivi_e2e::finance::{approved_contract, finance_headers, payment_reported, recorded_payments, PayableInstalment};
use suivi_e2e::{
    append_history, assert_stream_mirrors_store, free_port, stream_message_count, test_tenant, NatsServer,
    TestDatabase, TestStream,
};
use suivi_finance::{Finance, FinanceConfig};
use suivi_proto::TenantId;
use suivi_store::relay::StreamSettings;
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;

const TENANT: &str = "cluster-tenant";

/// Three nodes, `suivi-nats-1` to `-3` as their configurations name them.
struct Cluster {
    nodes: Vec<Option<NatsServer>>,
}

impl Cluster {
    fn start() -> Self {
        let mut ports = BTreeSet::new();
        while ports.len() < 6 {
            ports.insert(free_port());
        }
        let ports: Vec<u16> = ports.into_iter().collect();
        let (client_ports, route_ports) = ports.split_at(3);
        let routes = route_ports.iter().map(|port| format!("nats://127.0.0.1:{port}")).collect::<Vec<_>>().join(",");
        let config_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/cluster");
        let nodes = (0..3)
            .map(|index| {
                let config = config_dir.join(format!("node-{}.conf", index + 1));
                Some(NatsServer::start_with(
                    client_ports[index],
                    vec![
                        "-c".to_owned(),
                        config.display().to_string(),
                        "--cluster".to_owned(),
                        format!("nats://127.0.0.1:{}", route_ports[index]),
                        "--routes".to_owned(),
                        routes.clone(),
                    ],
                ))
            })
            .collect();
        Cluster { nodes }
    }

    /// The running nodes' URLs, comma-separated (as `NATS_URL` takes them).
    fn urls(&self) -> String {
        self.nodes.iter().flatten().map(NatsServer::url).collect::<Vec<_>>().join(",")
    }

    fn kill(&mut self, server_name: &str) {
        let index: usize = server_name.strip_prefix("suivi-nats-").and_then(|n| n.parse().ok()).expect("a node's name");
        let mut node = self.nodes[index - 1].take().expect("a running node");
        node.kill();
    }

    /// Waits until JetStream answers through `client` (`$JS.API.INFO` without an error): the
    /// meta leader is elected.
    async fn wait_for_jetstream(client: &async_nats::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = tokio::time::timeout(Duration::from_secs(2), client.request("$JS.API.INFO", "".into())).await;
            let info = answer
                .ok()
                .and_then(Result::ok)
                .and_then(|answer| serde_json::from_slice::<serde_json::Value>(&answer.payload).ok());
            match info {
                Some(info) if info.get("error").is_none() => return,
                other => assert!(Instant::now() < deadline, "the cluster elects a JetStream meta leader: {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Publishes one payment until JetStream acknowledges it, resending the same message (same
/// `Nats-Msg-Id`) after a failure or a timeout, as a finance system does during an election.
async fn report(js: &jetstream::Context, subject: String, id: &str, instalment: &PayableInstalment) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let body = payment_reported(instalment, id);
        if let Ok(ack) = js.publish_with_headers(subject.clone(), finance_headers(id), body.into()).await {
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(5), ack).await {
                return attempts;
            }
        }
        assert!(Instant::now() < deadline, "payment {id} acknowledged within a minute");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_event_and_payment_is_kept_once_when_the_event_streams_leader_is_killed() {
    let mut cluster = Cluster::start();
    let mut stream = TestStream::new(&cluster.urls());
    let db = TestDatabase::new().await;
    let store = EventStore::new(db.pool.clone());
    let tenant = TenantId::parse(TENANT).unwrap();
    let mut payable = Vec::new();
    for _ in 0..12 {
        payable.extend(approved_contract(&db.pool, TENANT, 3).await);
    }

    // Suivi, and finance, connected to the three nodes.
    let suivi_client = suivi::connect_nats(&cluster.urls()).await.unwrap();
    Cluster::wait_for_jetstream(&suivi_client).await;
    let relay = Relay::new(
        store.clone(),
        suivi_client.clone(),
        RelayConfig {
            subjects: stream.subjects.clone(),
            stream: StreamSettings { replicas: 3, ..StreamSettings::default() },
            retry_delay: Duration::from_millis(200),
            ..RelayConfig::default()
        },
    );
    let finance = Finance::new(
        Arc::new(Application::new(store.clone())),
        suivi::connect_nats(&cluster.urls()).await.unwrap(),
        FinanceConfig {
            subjects: stream.subjects.clone(),
            streams: suivi_finance::StreamSettings { replicas: 3, ..Default::default() },
        },
    );
    let (stop, stopped) = watch::channel(false);
    let relay_stopped = stopped.clone();
    let relay_task = tokio::spawn(async move { relay.run(relay_stopped).await });
    let finance_task = tokio::spawn(async move { finance.run(stopped).await });
    let finance_client = suivi::connect_nats(&cluster.urls()).await.unwrap();
    let finance_js = jetstream::ContextBuilder::new().timeout(Duration::from_secs(5)).build(finance_client);

    // The streams exist with three replicas before the scenario starts.
    let js = jetstream::new(suivi_client.clone());
    let deadline = Instant::now() + Duration::from_secs(30);
    for name in [stream.stream_name(), stream.subjects.finance_inbound_stream_name()] {
        loop {
            if let Ok(mut nats_stream) = js.get_stream(&name).await {
                let info = nats_stream.info().await.unwrap();
                assert_eq!(info.config.num_replicas, 3, "{name} has three replicas");
                break;
            }
            assert!(Instant::now() < deadline, "{name} is created");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Events keep being appended during the whole scenario.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (store, writing) = (store.clone(), writing.clone());
        tokio::spawn(async move {
            let mut appended = 0;
            while writing.load(Ordering::Relaxed) {
                appended += append_history(&store, &test_tenant(), 4, 10, 2).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            appended
        })
    };

    // Finance reports every payment; a third of the way through, the node leading the event
    // stream is killed.
    let subject = stream.subjects.finance_inbound(&tenant, "payment_reported");
    let mut resent = 0;
    let mut killed = None;
    for (index, instalment) in payable.iter().enumerate() {
        if index == payable.len() / 3 {
            let info = js.get_stream(stream.stream_name()).await.unwrap().info().await.unwrap().clone();
            let leader = info.cluster.and_then(|cluster| cluster.leader).expect("the event stream has a leader");
            let mut events = js.get_stream(stream.stream_name()).await.unwrap();
            let before = events.info().await.unwrap().state.messages;
            assert!(before > 0, "events were flowing when the leader was killed");
            cluster.kill(&leader);
            eprintln!("killed {leader}, the event stream's leader, at {before} events");
            killed = Some(leader);
        }
        let id = format!("pay-{}-{}", instalment.contract_id, instalment.number);
        resent += report(&finance_js, subject.clone(), &id, instalment).await - 1;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    writing.store(false, Ordering::Relaxed);
    writer.await.unwrap();
    let killed = killed.expect("a node was killed");

    // Everything arrives, on the two nodes left.
    let survivor = cluster.urls().split(',').next().unwrap().to_owned();
    stream.url = survivor.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let expected: BTreeSet<(uuid::Uuid, u32)> = payable.iter().map(|p| (p.contract_id, p.number)).collect();
    let payments = loop {
        let payments = recorded_payments(&db.pool).await;
        if payments.len() >= expected.len() {
            break payments;
        }
        assert!(Instant::now() < deadline, "{} of {} payments recorded", payments.len(), expected.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let logged: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while stream_message_count(&survivor, &stream.stream_name()).await < logged as u64 {
        assert!(Instant::now() < deadline, "the relay publishes every event after the election");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A relay or a finance inbound that would wrongly publish or record twice gets a moment to.
    eprintln!("{logged} events, {} payments ({resent} resent)", payments.len());
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    stop_all(&stop, relay_task, finance_task).await;

    let recorded: BTreeSet<(uuid::Uuid, u32)> = recorded_payments(&db.pool).await.into_iter().collect();
    assert_eq!(payments.len(), expected.len(), "each payment recorded once (resent {resent} times in all)");
    assert_eq!(recorded, expected, "every payment reported is recorded");
    assert_eq!(recorded_payments(&db.pool).await.len(), expected.len(), "and none twice");
    let mut dead = js_on(&survivor).await.get_stream(stream.subjects.finance_dead_letter_stream_name()).await.unwrap();
    assert_eq!(dead.info().await.unwrap().state.messages, 0, "no payment was rejected (e.g. as a second payment)");
    let mut events = js_on(&survivor).await.get_stream(stream.stream_name()).await.unwrap();
    let info = events.info().await.unwrap().clone();
    let cluster_info = info.cluster.expect("cluster info");
    assert_ne!(cluster_info.leader.as_deref(), Some(killed.as_str()), "a new leader took over");
    assert_stream_mirrors_store(&store, &stream).await;
}

async fn stop_all(
    stop: &watch::Sender<bool>,
    relay: tokio::task::JoinHandle<()>,
    finance: tokio::task::JoinHandle<()>,
) {
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        relay.await.unwrap();
        finance.await.unwrap();
    })
    .await
    .expect("relay and finance stop");
}

async fn js_on(url: &str) -> jetstream::Context {
    jetstream::new(async_nats::connect(url).await.expect("connect to a surviving node"))
}
