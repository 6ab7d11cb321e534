//! The NATS users and permissions shipped in `deploy/nats/`: a server started with the
//! configuration `add-service.sh` and `add-tenant.sh` generate (the shipped scripts and
//! `suivi.conf`, run into a directory of the test's own, with nkeys the test generates), Suivi
//! (relay and finance integration) connected as the service user, and each tenant's finance
//! connected as its own user.
//!
//! A tenant's finance reports payments, reads its ledger and rejections through its consumer
//! and asks for balances; it can neither read another tenant's subjects (nor its replies) nor
//! the events, nor publish events, another tenant's messages or rejections, nor touch streams.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::pull};
use async_nats::{Event, ServerError};
use futures::StreamExt as _;
use serde_json::Value;
use suivi_application::Application;
use suivi_e2e::finance::{approved_contract, finance_headers, payment_reported, recorded_payments, PayableInstalment};
use suivi_e2e::{free_port, NatsServer, TestDatabase};
use suivi_finance::{Finance, FinanceConfig, StreamSettings};
use suivi_proto::{Subjects, TenantId};
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

const TENANT_A: &str = "tenant-a";
const TENANT_B: &str = "tenant-b";

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats")
}

/// Runs a shipped script of `deploy/nats/` into `conf_dir`, for `prefix`.
fn run_script(conf_dir: &Path, prefix: &str, script: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(deploy_dir().join(script))
        .args(args)
        .env("SUIVI_NATS_CONF_DIR", conf_dir)
        .env("SUIVI_SUBJECT_PREFIX", prefix)
        .output()
        .expect("run a deploy/nats script")
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A finance client of one tenant, with the server's errors (permission violations) it got.
struct FinanceClient {
    client: async_nats::Client,
    js: jetstream::Context,
    errors: mpsc::UnboundedReceiver<String>,
}

impl FinanceClient {
    async fn connect(url: &str, tenant: &str, key: &nkeys::KeyPair) -> Self {
        let (sender, errors) = mpsc::unbounded_channel();
        let client = async_nats::ConnectOptions::with_nkey(key.seed().unwrap())
            .name(format!("finance-{tenant}"))
            .custom_inbox_prefix(format!("_INBOX_{tenant}"))
            .event_callback(move |event| {
                let sender = sender.clone();
                async move {
                    if let Event::ServerError(ServerError::Other(error)) = event {
                        let _ = sender.send(error);
                    }
                }
            })
            .connect(url)
            .await
            .expect("finance connects with its nkey");
        let js = jetstream::ContextBuilder::new().timeout(Duration::from_secs(3)).build(client.clone());
        FinanceClient { client, js, errors }
    }

    /// Waits for the server's permission violation about `operation` ("Subscription" or
    /// "Publish") on `subject`.
    async fn expect_violation(&mut self, operation: &str, subject: &str) {
        let expected =
            format!("permissions violation for {} to \"{}\"", operation.to_lowercase(), subject.to_lowercase());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.errors.recv()).await {
                Ok(Some(error)) if error.to_lowercase().contains(&expected) => return,
                Ok(Some(_other)) => continue,
                _ => panic!("no permission violation for {operation} to {subject:?}"),
            }
        }
    }
}

/// Suivi (relay and finance integration, as the service user) against a server started with
/// the shipped configuration, over a database with a contract of each tenant.
struct Setup {
    subjects: Subjects,
    db: TestDatabase,
    server: NatsServer,
    service: async_nats::Client,
    keys: [nkeys::KeyPair; 2],
    a: Vec<PayableInstalment>,
    b: Vec<PayableInstalment>,
    stop: watch::Sender<bool>,
    _conf: TempDir,
}

impl Setup {
    async fn start() -> Self {
        let prefix = format!("t{}", Uuid::new_v4().simple());
        let subjects = Subjects::new(prefix.clone());
        let conf = TempDir(std::env::temp_dir().join(format!("suivi-nats-conf-{}", Uuid::new_v4().simple())));
        let service_key = nkeys::KeyPair::new_user();
        let keys = [nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user()];
        let runs = [
            run_script(&conf.0, &prefix, "add-service.sh", &[&service_key.public_key()]),
            run_script(&conf.0, &prefix, "add-tenant.sh", &[TENANT_A, &keys[0].public_key()]),
            run_script(&conf.0, &prefix, "add-tenant.sh", &[TENANT_B, &keys[1].public_key()]),
        ];
        for run in &runs {
            assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        }
        let config = conf.0.join("suivi.conf");
        let server = NatsServer::start_with(free_port(), vec!["-c".to_owned(), config.display().to_string()]);

        let db = TestDatabase::new().await;
        let a = approved_contract(&db.pool, TENANT_A, 2).await;
        let b = approved_contract(&db.pool, TENANT_B, 1).await;

        let service = async_nats::ConnectOptions::with_nkey(service_key.seed().unwrap())
            .name("suivi")
            .connect(server.url())
            .await
            .expect("Suivi connects with its nkey");
        let (stop, stopped) = watch::channel(false);
        let store = EventStore::new(db.pool.clone());
        let relay = Relay::new(
            store.clone(),
            service.clone(),
            RelayConfig { subjects: subjects.clone(), ..RelayConfig::default() },
        );
        let finance = Finance::new(
            Arc::new(Application::new(store)),
            service.clone(),
            FinanceConfig { subjects: subjects.clone(), streams: StreamSettings::default() },
        );
        let relay_stopped = stopped.clone();
        tokio::spawn(async move { relay.run(relay_stopped).await });
        tokio::spawn(async move { finance.run(stopped).await });

        let setup = Setup { subjects, db, server, service, keys, a, b, stop, _conf: conf };
        // Suivi made its streams and the tenants' consumers with the service user's rights.
        let js = jetstream::new(setup.service.clone());
        let deadline = Instant::now() + Duration::from_secs(30);
        for tenant in [TENANT_A, TENANT_B] {
            let name = setup.subjects.finance_consumer(&TenantId::parse(tenant).unwrap());
            for stream in [setup.subjects.ledger_stream_name(), setup.subjects.finance_dead_letter_stream_name()] {
                while js.get_consumer_from_stream::<pull::Config, _, _>(&name, &stream).await.is_err() {
                    assert!(Instant::now() < deadline, "Suivi creates consumer {name} on {stream}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let events: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&setup.db.pool).await.unwrap();
        setup.wait_for_stream(&setup.subjects.event_stream_name(), events as u64).await;
        setup
    }

    async fn finance(&self, tenant: &str) -> FinanceClient {
        let key = if tenant == TENANT_A { &self.keys[0] } else { &self.keys[1] };
        FinanceClient::connect(&self.server.url(), tenant, key).await
    }

    fn tenant(&self, tenant: &str) -> TenantId {
        TenantId::parse(tenant).unwrap()
    }

    /// The stream's last sequence, read as Suivi.
    async fn last_sequence(&self, stream: &str) -> u64 {
        let mut stream = jetstream::new(self.service.clone()).get_stream(stream).await.expect("the stream");
        stream.info().await.expect("stream info").state.last_sequence
    }

    async fn wait_for_stream(&self, stream: &str, last_sequence: u64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.last_sequence(stream).await < last_sequence {
            assert!(Instant::now() < deadline, "{stream} reaches sequence {last_sequence}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_for_payments(&self, count: usize) -> Vec<(Uuid, u32)> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let payments = recorded_payments(&self.db.pool).await;
            if payments.len() >= count {
                return payments;
            }
            assert!(Instant::now() < deadline, "{count} payments recorded, found {payments:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Messages a pull from `consumer` of `stream` gets within a second or two, acknowledged.
async fn pull_all(js: &jetstream::Context, stream: &str, consumer: &str) -> Vec<async_nats::jetstream::Message> {
    let consumer: jetstream::consumer::PullConsumer =
        js.get_consumer_from_stream(consumer, stream).await.expect("its consumer");
    let mut batch =
        consumer.fetch().max_messages(100).expires(Duration::from_secs(2)).messages().await.expect("a pull");
    let mut messages = Vec::new();
    while let Some(message) = batch.next().await {
        let message = message.expect("a message");
        message.double_ack().await.expect("its acknowledgement is accepted");
        messages.push(message);
    }
    messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenants_finance_reports_payments_reads_its_ledger_and_rejections_and_asks_its_balances() {
    let setup = Setup::start().await;
    let finance = setup.finance(TENANT_A).await;
    let tenant = setup.tenant(TENANT_A);
    let paid = &setup.a[0];

    // A payment, acknowledged by JetStream (the ack comes back on the tenant's own inbox).
    let ack = finance
        .js
        .publish_with_headers(
            setup.subjects.finance_inbound(&tenant, "payment_reported"),
            finance_headers("fin-a-1"),
            payment_reported(paid, "MANDAT-A-1").into(),
        )
        .await
        .expect("published")
        .await
        .expect("stored by JetStream");
    assert_eq!(ack.stream, setup.subjects.finance_inbound_stream_name());
    assert_eq!(setup.wait_for_payments(1).await, [(paid.contract_id, paid.number)]);

    // A payment Suivi refuses (an instalment that does not exist) gets a rejection.
    let mut wrong = paid.clone();
    wrong.number = 9;
    finance
        .js
        .publish_with_headers(
            setup.subjects.finance_inbound(&tenant, "payment_reported"),
            finance_headers("fin-a-2"),
            payment_reported(&wrong, "MANDAT-A-2").into(),
        )
        .await
        .expect("published")
        .await
        .expect("stored by JetStream");

    // Its ledger, through its consumer: its contract's facts, nothing of tenant B.
    let consumer = setup.subjects.finance_consumer(&tenant);
    let ledger = setup.subjects.ledger_stream_name();
    let mut facts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !facts.iter().any(|(_, fact): &(String, String)| fact == "instalment_paid") {
        assert!(Instant::now() < deadline, "the payment's fact reaches the ledger; got {facts:?}");
        for message in pull_all(&finance.js, &ledger, &consumer).await {
            let fact: Value = serde_json::from_slice(&message.payload).unwrap();
            assert_eq!(fact["tenant"], TENANT_A);
            facts.push((message.subject.to_string(), fact["source"]["event_type"].as_str().unwrap().to_owned()));
        }
    }
    let types: Vec<&str> = facts.iter().map(|(_, fact)| fact.as_str()).collect();
    assert_eq!(types, ["contract_awarded", "instalment_approved", "instalment_approved", "instalment_paid"]);
    for (subject, _) in &facts {
        assert!(subject.starts_with(&format!("{}.{TENANT_A}.ledger.", setup.subjects.prefix())), "{subject}");
    }

    // Its rejections, through its consumer on the dead letters.
    let dead = setup.subjects.finance_dead_letter_stream_name();
    let deadline = Instant::now() + Duration::from_secs(30);
    let rejection = loop {
        if let Some(message) = pull_all(&finance.js, &dead, &consumer).await.pop() {
            break serde_json::from_slice::<Value>(&message.payload).unwrap();
        }
        assert!(Instant::now() < deadline, "the rejection reaches the dead letters");
    };
    assert_eq!(rejection["message_id"], "fin-a-2");
    assert_eq!(rejection["field"], "item.number", "{rejection}");

    // Its balance query, answered by Suivi on the tenant's inbox.
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        finance.client.request(
            setup.subjects.query(&tenant, "balance"),
            serde_json::to_vec(&serde_json::json!({ "contract_id": paid.contract_id })).unwrap().into(),
        ),
    )
    .await
    .expect("answered in time")
    .expect("an answer");
    let balance: Value = serde_json::from_slice(&answer.payload).unwrap();
    assert_eq!(balance["instalments_paid_ttc"], paid.net_to_pay_ttc, "{balance}");
    assert_eq!(balance["unpaid_instalments"], serde_json::json!([2]), "{balance}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenants_finance_cannot_read_another_tenants_subjects_replies_or_consumer_nor_the_events() {
    let setup = Setup::start().await;
    let mut finance = setup.finance(TENANT_A).await;
    let (a, b) = (setup.tenant(TENANT_A), setup.tenant(TENANT_B));
    let prefix = setup.subjects.prefix().to_owned();

    // Subscriptions outside its tenant, or to events (even its own tenant's), are refused.
    let b_ledger = setup.subjects.tenant_ledger(&b);
    let mut on_b_ledger = finance.client.subscribe(b_ledger.clone()).await.unwrap();
    finance.expect_violation("Subscription", &b_ledger).await;
    let a_events = setup.subjects.tenant_events(&a);
    let mut on_a_events = finance.client.subscribe(a_events.clone()).await.unwrap();
    finance.expect_violation("Subscription", &a_events).await;
    let all_events = setup.subjects.all_events();
    let _on_all_events = finance.client.subscribe(all_events.clone()).await.unwrap();
    finance.expect_violation("Subscription", &all_events).await;
    let b_inbox = format!("_INBOX_{TENANT_B}.>");
    let mut on_b_inbox = finance.client.subscribe(b_inbox.clone()).await.unwrap();
    finance.expect_violation("Subscription", &b_inbox).await;
    let everything = ">".to_owned();
    let _on_everything = finance.client.subscribe(everything.clone()).await.unwrap();
    finance.expect_violation("Subscription", &everything).await;

    // Tenant B's finance works while A listens: B's new facts, B's events and B's replies
    // reach nobody but B (which does get its facts live on the same subject).
    let finance_b = setup.finance(TENANT_B).await;
    let mut b_on_b_ledger = finance_b.client.subscribe(b_ledger.clone()).await.unwrap();
    finance_b.client.flush().await.unwrap();
    let paid = &setup.b[0];
    finance_b
        .js
        .publish_with_headers(
            setup.subjects.finance_inbound(&b, "payment_reported"),
            finance_headers("fin-b-1"),
            payment_reported(paid, "MANDAT-B-1").into(),
        )
        .await
        .expect("published")
        .await
        .expect("B's payment is stored");
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(fact) = b_on_b_ledger.next().await {
            assert!(fact.subject.as_str().starts_with(&format!("{prefix}.{TENANT_B}.ledger.")));
            let fact: Value = serde_json::from_slice(&fact.payload).unwrap();
            if fact["source"]["event_type"] == "instalment_paid" && fact["contract_id"] == paid.contract_id.to_string()
            {
                return;
            }
        }
    })
    .await
    .expect("B's payment reaches B's ledger, live");
    setup.wait_for_payments(1).await;
    let quiet = async {
        tokio::select! {
            message = on_b_ledger.next() => panic!("A read B's ledger: {message:?}"),
            message = on_a_events.next() => panic!("A read events: {message:?}"),
            message = on_b_inbox.next() => panic!("A read B's replies: {message:?}"),
            _ = tokio::time::sleep(Duration::from_millis(1_500)) => {}
        }
    };
    quiet.await;

    // B's consumers, and stream management, are out of A's reach.
    let b_consumer = setup.subjects.finance_consumer(&b);
    let ledger = setup.subjects.ledger_stream_name();
    assert!(finance.js.get_consumer_from_stream::<pull::Config, _, _>(&b_consumer, &ledger).await.is_err());
    finance.expect_violation("Publish", &format!("$JS.API.CONSUMER.INFO.{ledger}.{b_consumer}")).await;
    let next_of_b = format!("$JS.API.CONSUMER.MSG.NEXT.{ledger}.{b_consumer}");
    finance.client.publish_with_reply(next_of_b.clone(), format!("_INBOX_{TENANT_A}.steal"), "1".into()).await.unwrap();
    finance.expect_violation("Publish", &next_of_b).await;
    assert!(finance.js.delete_stream(&ledger).await.is_err(), "finance cannot delete the ledger");
    finance.expect_violation("Publish", &format!("$JS.API.STREAM.DELETE.{ledger}")).await;
    let own = setup.subjects.finance_consumer(&a);
    let stream = jetstream::new(setup.service.clone()).get_stream(&ledger).await.unwrap();
    assert!(stream.get_consumer::<pull::Config>(&b_consumer).await.is_ok(), "B's consumer is still there");
    assert!(stream.get_consumer::<pull::Config>(&own).await.is_ok());
    let created = finance
        .js
        .create_stream(jetstream::stream::Config {
            name: "STOLEN".to_owned(),
            subjects: vec![format!("{prefix}.{TENANT_B}.>")],
            ..Default::default()
        })
        .await;
    assert!(created.is_err(), "finance cannot create a stream capturing B's subjects");
    finance.expect_violation("Publish", "$JS.API.STREAM.CREATE.STOLEN").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenants_finance_cannot_publish_events_another_tenants_messages_or_rejections() {
    let setup = Setup::start().await;
    let mut finance = setup.finance(TENANT_A).await;
    let (a, b) = (setup.tenant(TENANT_A), setup.tenant(TENANT_B));
    let events = setup.subjects.event_stream_name();
    let inbound = setup.subjects.finance_inbound_stream_name();
    let dead = setup.subjects.finance_dead_letter_stream_name();
    let (events_before, inbound_before, dead_before) =
        (setup.last_sequence(&events).await, setup.last_sequence(&inbound).await, setup.last_sequence(&dead).await);

    // An event, even on its own tenant's subjects.
    let event_subject = setup.subjects.event(&a, "instalment_paid", setup.a[1].contract_id);
    let forged = finance.js.publish(event_subject.clone(), "{}".into()).await.unwrap();
    assert!(tokio::time::timeout(Duration::from_secs(5), forged).await.map_or(true, |ack| ack.is_err()));
    finance.expect_violation("Publish", &event_subject).await;

    // Tenant B's payment, sent by A's finance.
    let b_subject = setup.subjects.finance_inbound(&b, "payment_reported");
    let stolen = finance
        .js
        .publish_with_headers(
            b_subject.clone(),
            finance_headers("fin-a-as-b"),
            payment_reported(&setup.b[0], "X").into(),
        )
        .await
        .unwrap();
    assert!(tokio::time::timeout(Duration::from_secs(5), stolen).await.map_or(true, |ack| ack.is_err()));
    finance.expect_violation("Publish", &b_subject).await;

    // A rejection, on its own tenant's dead-letter subjects (only Suivi writes them).
    let rejected = setup.subjects.finance_rejected(&a, "payment_reported");
    finance.client.publish(rejected.clone(), "{}".into()).await.unwrap();
    finance.expect_violation("Publish", &rejected).await;
    let bare = format!("{}.{TENANT_A}.fin.rejected", setup.subjects.prefix());
    finance.client.publish(bare.clone(), "{}".into()).await.unwrap();
    finance.expect_violation("Publish", &bare).await;

    // A query of tenant B.
    let b_query = setup.subjects.query(&b, "balance");
    let asked =
        tokio::time::timeout(Duration::from_secs(3), finance.client.request(b_query.clone(), "{}".into())).await;
    assert!(asked.map_or(true, |answer| answer.is_err()), "no answer to another tenant's query");
    finance.expect_violation("Publish", &b_query).await;

    // Nothing landed anywhere, and nothing was recorded.
    finance.client.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(setup.last_sequence(&events).await, events_before, "no forged event in the event stream");
    assert_eq!(setup.last_sequence(&inbound).await, inbound_before, "no message for B from A");
    assert_eq!(setup.last_sequence(&dead).await, dead_before, "no forged rejection");
    assert!(recorded_payments(&setup.db.pool).await.is_empty());

    // The same finance's own payment still goes through (the violations cut nothing).
    finance
        .js
        .publish_with_headers(
            setup.subjects.finance_inbound(&a, "payment_reported"),
            finance_headers("fin-a-3"),
            payment_reported(&setup.a[1], "MANDAT-A-3").into(),
        )
        .await
        .expect("published")
        .await
        .expect("stored by JetStream");
    assert_eq!(setup.wait_for_payments(1).await, [(setup.a[1].contract_id, 2)]);
    assert_eq!(setup.last_sequence(&inbound).await, inbound_before + 1);
}

/// `NATS_URL` may carry the service user's password (`nats://user:pass@host`), which
/// async-nats alone ignores: Suivi signs in with it, and a wrong one leaves it outside.
#[tokio::test]
async fn suivi_signs_in_with_the_credentials_written_in_its_nats_url() {
    let args = ["--user", "suivi", "--pass", "s3cr%t:x"].map(String::from).to_vec();
    let server = suivi_e2e::NatsServer::start_with(suivi_e2e::free_port(), args);
    let with = |credentials: &str| server.url().replace("nats://", &format!("nats://{credentials}@"));

    let client = suivi::connect_nats(&with("suivi:s3cr%25t%3Ax")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), client.flush()).await.expect("signed in").unwrap();
    assert_eq!(client.connection_state(), async_nats::connection::State::Connected);

    let refused = suivi::connect_nats(&with("suivi:wrong")).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_ne!(refused.connection_state(), async_nats::connection::State::Connected);
}
