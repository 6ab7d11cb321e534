//! Finance over NATS, against the shared server and a database of each test's own: payments
//! reported in, rejections kept, the ledger finance follows, the balance query.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::pull, publish::PublishAck};
use futures::StreamExt as _;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use suivi_application::Application;
use suivi_e2e::{stream_message_count, ContractHistory, TestDatabase, TestStream};
use suivi_finance::{Finance, FinanceConfig, StreamSettings};
use suivi_proto::messages::FinanceRejection;
use suivi_proto::TenantId;
use suivi_store::EventStore;
use tokio::sync::watch;
use uuid::Uuid;

const TENANT: &str = "grand-agglo";
const OTHER_TENANT: &str = "other-agglo";

/// Suivi's finance integration running on a test database and a test prefix.
struct Harness {
    db: TestDatabase,
    stream: TestStream,
    client: async_nats::Client,
    js: jetstream::Context,
    stop: watch::Sender<bool>,
    streams: StreamSettings,
}

fn run_finance(
    db: &TestDatabase,
    stream: &TestStream,
    client: &async_nats::Client,
    streams: StreamSettings,
) -> watch::Sender<bool> {
    let app = Arc::new(Application::new(EventStore::new(db.pool.clone())));
    let config = FinanceConfig { subjects: stream.subjects.clone(), streams };
    let finance = Finance::new(app, client.clone(), config);
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move { finance.run(stopped).await });
    stop
}

impl Harness {
    async fn start() -> Self {
        Self::start_with(StreamSettings::default()).await
    }

    async fn start_with(streams: StreamSettings) -> Self {
        let db = TestDatabase::new().await;
        let stream = TestStream::shared();
        let client = async_nats::connect(&stream.url).await.unwrap();
        let stop = run_finance(&db, &stream, &client, streams);
        let harness = Harness { js: jetstream::new(client.clone()), db, stream, client, stop, streams };
        harness.wait_for_streams().await;
        harness
    }

    /// Stops Suivi's finance integration and starts a new one, as a restarted process would.
    fn restart(&mut self) {
        let _ = self.stop.send(true);
        self.stop = run_finance(&self.db, &self.stream, &self.client, self.streams);
    }

    async fn wait_for_streams(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let names = [
            self.stream.subjects.finance_inbound_stream_name(),
            self.stream.subjects.finance_dead_letter_stream_name(),
            self.stream.subjects.ledger_stream_name(),
        ];
        for name in names {
            while self.js.get_stream(&name).await.is_err() {
                assert!(Instant::now() < deadline, "stream {name} created");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    fn inbound_subject(&self, tenant: &str) -> String {
        format!("{}.{tenant}.fin.payment_reported", self.stream.subjects.prefix())
    }

    /// Publishes `body` as finance of `tenant` would, and waits for JetStream's ack.
    async fn report(&self, tenant: &str, message_id: Option<&str>, body: Vec<u8>) -> PublishAck {
        let mut headers = async_nats::HeaderMap::new();
        if let Some(id) = message_id {
            headers.insert("Nats-Msg-Id", id);
        }
        self.js.publish_with_headers(self.inbound_subject(tenant), headers, body.into()).await.unwrap().await.unwrap()
    }

    /// Waits until Suivi took every message of the inbound stream (a work queue).
    async fn wait_until_taken(&self) {
        let name = self.stream.subjects.finance_inbound_stream_name();
        let deadline = Instant::now() + Duration::from_secs(15);
        while stream_message_count(&self.stream.url, &name).await > 0 {
            assert!(Instant::now() < deadline, "finance messages taken");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn events_of_type(&self, event_type: &str) -> Vec<Value> {
        sqlx::query_scalar("select payload from events where event_type = $1 order by transaction_id, position")
            .bind(event_type)
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }

    async fn event_count(&self) -> i64 {
        sqlx::query_scalar("select count(*) from events").fetch_one(&self.db.pool).await.unwrap()
    }

    /// Every message of stream `name`, decoded as JSON, with its subject.
    async fn stream_messages(&self, name: &str) -> Vec<(String, Value)> {
        let mut stream = self.js.get_stream(name).await.unwrap();
        let count = stream.info().await.unwrap().state.last_sequence;
        let mut messages = Vec::new();
        for sequence in 1..=count {
            if let Ok(message) = stream.get_raw_message(sequence).await {
                messages.push((message.subject.to_string(), serde_json::from_slice(&message.payload).unwrap()));
            }
        }
        messages
    }

    async fn wait_for_ledger(&self, count: usize) -> Vec<(String, Value)> {
        let name = self.stream.subjects.ledger_stream_name();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let messages = self.stream_messages(&name).await;
            if messages.len() >= count {
                return messages;
            }
            assert!(Instant::now() < deadline, "{count} ledger facts published, {} so far", messages.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn award(object: &str) -> Value {
    json!({
        "buyer_siret": "20004869500015", "buyer_kind": "local_authority",
        "contractors": [{ "siret": "73282932000074", "size": "pme", "role": "sole" }],
        "object": object, "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert",
        "amount_ht": "100000.00", "vat_rate": "0.20", "duration_months": 12, "notification_date": "2025-01-15",
        "social_considerations": ["clause_sociale"], "environmental_considerations": ["clause_environnementale"],
        "insertion_clause": { "committed_hours": "100", "penalty_terms": {
            "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" }, "basis": "validated",
            "tolerance_share": "0", "pro_rata_on_termination": true } },
        "advance_terms": { "rate": "0.05", "with_guarantee": false, "recovery": { "kind": "proportional" } },
        "payment_term_days": 30 })
}

/// A contract of `tenant` with its advance (1 000 €) paid and instalment 1 (30 000 € HT
/// executed, received 3 March 2025, due 2 April) approved on 10 March 2025.
async fn approved_contract(db: &TestDatabase, tenant: &str) -> ContractHistory {
    let mut contract = ContractHistory::new(&db.pool, tenant);
    contract.run("award", award("Gymnase")).await;
    contract
        .run(
            "advance",
            json!({ "amount_ttc": "1000.00", "paid_on": "2025-02-03", "with_guarantee": false, "finance_reference": "M-1" }),
        )
        .await;
    contract
        .run(
            "request",
            json!({
                "number": 1, "period": { "start": "2025-02-01", "end": "2025-02-28" },
                "cumulative_value_ht": "30000.00", "received_on": "2025-03-03", "statement": { "lines": [{
                    "line_id": 1, "beneficiary": "a", "category": "long_term_jobseeker", "modality": "direct_hire",
                    "hours": "20", "period": { "start": "2025-02-01", "end": "2025-02-28" } }] } }),
        )
        .await;
    let decisions = json!([{ "line_id": 1, "decision": { "kind": "validated" } }]);
    contract.run("review", json!({ "instalment_number": 1, "decisions": decisions })).await;
    contract.run("approve", json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" })).await;
    contract
}

fn payment(contract_id: Uuid, amount: &str, reference: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "contract_id": contract_id, "item": { "kind": "instalment", "number": 1 },
        "amount_ttc": amount, "paid_on": "2025-04-12", "finance_reference": reference
    }))
    .unwrap()
}

fn dec(value: &Value) -> Decimal {
    value.as_str().unwrap_or_else(|| panic!("{value} is a decimal string")).parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_reported_is_recorded_once_even_when_sent_again_after_the_duplicate_window() {
    let streams = StreamSettings { duplicate_window: Duration::from_secs(1), ..StreamSettings::default() };
    let harness = Harness::start_with(streams).await;
    let contract = approved_contract(&harness.db, TENANT).await;

    let first = harness.report(TENANT, Some("MANDAT-2025-0412"), payment(contract.id, "30000.00", "M-2")).await;
    assert!(!first.duplicate);
    harness.wait_until_taken().await;
    let paid = harness.events_of_type("instalment_paid").await;
    assert_eq!(paid.len(), 1, "the payment is recorded");
    assert_eq!(paid[0]["amount_ttc"], "30000.00");
    assert_eq!(paid[0]["paid_on"], "2025-04-12");
    assert_eq!(paid[0]["finance_reference"], "M-2");
    let actor: (String, String) =
        sqlx::query_as("select actor_kind, actor_id from events where event_type = 'instalment_paid'")
            .fetch_one(&harness.db.pool)
            .await
            .unwrap();
    assert_eq!(actor.1, "nats-finance", "recorded as finance's: {actor:?}");

    // JetStream has forgotten the id: the message is stored again, and Suivi answers it as the
    // retry it is instead of recording a second payment.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = harness.report(TENANT, Some("MANDAT-2025-0412"), payment(contract.id, "30000.00", "M-2")).await;
    assert!(!again.duplicate, "beyond JetStream's duplicate window");
    harness.wait_until_taken().await;
    assert_eq!(harness.events_of_type("instalment_paid").await.len(), 1, "recorded once");

    // Within the window JetStream itself drops it.
    let within = harness.report(TENANT, Some("MANDAT-2025-0412"), payment(contract.id, "30000.00", "M-2")).await;
    assert!(within.duplicate);

    // The same id with another body is refused, and nothing is recorded.
    let dead_letters = harness.stream.subjects.finance_dead_letter_stream_name();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    harness.report(TENANT, Some("MANDAT-2025-0412"), payment(contract.id, "29000.00", "M-2")).await;
    harness.wait_until_taken().await;
    let rejections = harness.stream_messages(&dead_letters).await;
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].1["code"], "message_id_reused");
    assert_eq!(harness.events_of_type("instalment_paid").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_suivi_cannot_take_gets_a_rejection_with_its_reason_and_is_kept() {
    let harness = Harness::start().await;
    let contract = approved_contract(&harness.db, TENANT).await;
    let elsewhere = approved_contract(&harness.db, OTHER_TENANT).await;
    let prefix = harness.stream.subjects.prefix().to_owned();
    let mut rejections = harness.client.subscribe(format!("{prefix}.*.fin.rejected.>")).await.unwrap();
    let before = harness.event_count().await;

    let missing_amount = serde_json::to_vec(&json!({
        "contract_id": contract.id, "item": { "kind": "instalment", "number": 1 },
        "paid_on": "2025-04-12", "finance_reference": "M-2"
    }))
    .unwrap();
    // (tenant, message id, body, rejection code, field at fault)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (TENANT, Some("R-1"), b"{ not json".to_vec(), "not_json", None),
        (TENANT, Some("R-2"), missing_amount, "invalid_message", Some("amount_ttc")),
        (TENANT, Some("R-3"), payment(Uuid::now_v7(), "10.00", "M-3"), "unknown_contract", Some("contract_id")),
        // Tenant B's finance names tenant A's contract: unknown there.
        (OTHER_TENANT, Some("R-4"), payment(contract.id, "10.00", "M-4"), "unknown_contract", Some("contract_id")),
        (TENANT, Some("R-5"), payment(contract.id, "99999.00", "M-5"), "payment_above_approved", Some("amount_ttc")),
        (TENANT, None, payment(contract.id, "10.00", "M-6"), "missing_message_id", None),
    ];
    for (tenant, id, body, code, field) in &cases {
        harness.report(tenant, *id, body.clone()).await;
        let message = tokio::time::timeout(Duration::from_secs(10), rejections.next())
            .await
            .unwrap_or_else(|_| panic!("a rejection for {code}"))
            .unwrap();
        assert_eq!(message.subject.as_str(), format!("{prefix}.{tenant}.fin.rejected.payment_reported"));
        let version =
            message.headers.as_ref().and_then(|h| h.get("Suivi-Schema-Version")).map(|v| v.as_str().to_owned());
        assert_eq!(version.as_deref(), Some("1"));
        let rejection: FinanceRejection = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(rejection.code, *code, "{rejection:?}");
        assert_eq!(rejection.field.as_deref(), *field, "{rejection:?}");
        assert_eq!(rejection.message_id.as_deref(), *id);
        assert_eq!(rejection.subject, harness.inbound_subject(tenant));
        assert_eq!(rejection.payload.as_bytes(), body.as_slice(), "the message is quoted as sent");
        assert!(!rejection.detail.is_empty() && !rejection.detail_fr.is_empty(), "{rejection:?}");
    }
    harness.wait_until_taken().await;

    assert_eq!(harness.event_count().await, before, "nothing recorded");
    let kept = harness.stream_messages(&harness.stream.subjects.finance_dead_letter_stream_name()).await;
    let codes: Vec<&str> = kept.iter().map(|(_, rejection)| rejection["code"].as_str().unwrap()).collect();
    assert_eq!(codes, cases.iter().map(|case| case.3).collect::<Vec<_>>(), "every rejection kept, in order");
    let above = &kept[4].1;
    assert!(above["detail_fr"].as_str().unwrap().contains("dépasse le net à payer"), "{above}");
    drop(elsewhere);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_follows_the_facts_it_acts_on_with_every_figure_computed() {
    let mut harness = Harness::start().await;
    let mut contract = approved_contract(&harness.db, TENANT).await;
    // Received 3 March, term 30 days: due 2 April; paid 12 April, 10 days late.
    contract
        .run(
            "pay",
            json!({ "number": 1, "amount_ttc": "30000.00", "paid_on": "2025-04-12", "finance_reference": "M-2" }),
        )
        .await;
    contract.run("settle", json!({ "final_amount_ht": "100000.00", "settled_on": "2026-03-01" })).await;
    let mut elsewhere = ContractHistory::new(&harness.db.pool, OTHER_TENANT);
    elsewhere.run("award", award("Piscine")).await;

    let facts = harness.wait_for_ledger(5).await;
    let prefix = harness.stream.subjects.prefix();
    let ours: Vec<&(String, Value)> = facts.iter().filter(|(_, fact)| fact["tenant"] == TENANT).collect();
    let kinds: Vec<&str> = ours.iter().map(|(_, fact)| fact["fact"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["contract_awarded", "instalment_approved", "late_payment_owed", "contract_settled"]);
    for (subject, fact) in &ours {
        assert_eq!(subject, &format!("{prefix}.{TENANT}.ledger.{}.{}", fact["fact"].as_str().unwrap(), contract.id));
        assert_eq!(fact["contract_id"], contract.id.to_string());
        assert_eq!(fact["buyer_siret"], "20004869500015");
    }

    let awarded = &ours[0].1;
    assert_eq!(awarded["amount_ttc"], "120000.00");
    assert_eq!(awarded["advance_due_ttc"], "6000.00", "5 % of 120 000 € TTC");
    assert_eq!(awarded["payment_term_days"], 30);

    let approved = &ours[1].1;
    assert_eq!(approved["gross_ttc"], "36000.00");
    assert_eq!(approved["due_on"], "2025-04-02");
    let net =
        dec(&approved["gross_ttc"]) - dec(&approved["advance_recovery_ttc"]) - dec(&approved["other_deductions_ttc"]);
    assert_eq!(dec(&approved["net_to_pay_ttc"]), net, "{approved}");
    assert!(dec(&approved["advance_recovery_ttc"]) > Decimal::ZERO, "part of the advance recovered: {approved}");

    // 30 000 × 10 ÷ 365 × (3.15 % + 8 points) = 91.64, plus the 40 € flat fee.
    let late = &ours[2].1;
    assert_eq!(late["days_late"], 10);
    assert_eq!(late["applied_rate"], "0.1115");
    assert_eq!(late["interest_ttc"], "91.64");
    assert_eq!(late["flat_fee_ttc"], "40.00");
    assert_eq!(late["total_ttc"], "131.64");

    let settled = &ours[3].1;
    assert_eq!(settled["final_amount_ttc"], "120000.00");
    assert_eq!(settled["instalments_gross_ttc"], "36000.00");
    let balance = dec(&settled["final_amount_ttc"])
        - dec(&settled["instalments_gross_ttc"])
        - dec(&settled["advance_recovered_at_settlement_ttc"]);
    assert_eq!(dec(&settled["balance_ttc"]), balance, "{settled}");

    // Each fact names its event, which is its message id.
    let event_ids: Vec<String> = sqlx::query_scalar(
        "select event_id::text from events where stream_id = $1 and event_type in
         ('contract_awarded', 'instalment_approved', 'instalment_paid', 'contract_settled') order by transaction_id, position",
    )
    .bind(contract.id)
    .fetch_all(&harness.db.pool)
    .await
    .unwrap();
    let sources: Vec<&str> = ours.iter().map(|(_, fact)| fact["source"]["event_id"].as_str().unwrap()).collect();
    assert_eq!(sources, event_ids);
    let ledger = harness.js.get_stream(harness.stream.subjects.ledger_stream_name()).await.unwrap();
    let stored = ledger.get_raw_message(2).await.unwrap();
    let header = |name: &str| stored.headers.get(name).map(|v| v.as_str().to_owned());
    let fact: Value = serde_json::from_slice(&stored.payload).unwrap();
    assert_eq!(header("Nats-Msg-Id"), fact["source"]["event_id"].as_str().map(str::to_owned));
    assert_eq!(header("Nats-Expected-Last-Sequence").as_deref(), Some("1"), "the documented headers are kept");
    assert_eq!(header("Suivi-Schema-Version").as_deref(), Some("1"));

    // Restarted, the publisher resumes after the last fact: the decision is published once,
    // and nothing before it again. 100 h committed, 20 validated: 80 h × 60 € = 4 800 €.
    harness.restart();
    contract.hear("4800.00", "2026-03-20").await;
    contract.run("confirm", json!({ "amount_ht": "4800.00", "decided_on": "2026-03-20" })).await;
    let facts = harness.wait_for_ledger(6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let facts_now = harness.stream_messages(&harness.stream.subjects.ledger_stream_name()).await;
    assert_eq!(facts_now.len(), facts.len(), "nothing published twice");
    let decided = &facts.last().unwrap().1;
    assert_eq!(decided["fact"], "penalty_decided");
    assert_eq!(decided["decision"], "confirmed");
    assert_eq!(decided["deduction"], "4800.00");
    assert_eq!(decided["decided_on"], "2026-03-20");
}

/// Finance reads its facts through its own durable consumer: what it did not acknowledge
/// before going down is delivered when it comes back, with what was published meanwhile; it
/// never sees another tenant's facts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finance_consumer_that_was_down_catches_up_from_its_durable_consumer() {
    let harness = Harness::start().await;
    let mut contract = approved_contract(&harness.db, TENANT).await;
    let mut elsewhere = ContractHistory::new(&harness.db.pool, OTHER_TENANT);
    elsewhere.run("award", award("Piscine")).await;
    harness.wait_for_ledger(3).await;

    let ledger = harness.stream.subjects.ledger_stream_name();
    let consumer_name = harness.stream.subjects.finance_consumer(&TenantId::parse(TENANT).unwrap());
    let read = |count: usize| {
        let (js, ledger, consumer_name) = (harness.js.clone(), ledger.clone(), consumer_name.clone());
        async move {
            let consumer: jetstream::consumer::Consumer<pull::Config> =
                js.get_stream(&ledger).await.unwrap().get_consumer(&consumer_name).await.unwrap();
            let mut batch =
                consumer.fetch().max_messages(count).expires(Duration::from_secs(2)).messages().await.unwrap();
            let mut facts = Vec::new();
            while let Some(message) = batch.next().await {
                let message = message.unwrap();
                message.ack().await.unwrap();
                facts.push(serde_json::from_slice::<Value>(&message.payload).unwrap());
            }
            facts
        }
    };
    let first = read(1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["fact"], "contract_awarded");

    // Finance is down while the contract is settled.
    contract
        .run(
            "pay",
            json!({ "number": 1, "amount_ttc": "30000.00", "paid_on": "2025-03-20", "finance_reference": "M-2" }),
        )
        .await;
    contract.run("settle", json!({ "final_amount_ht": "100000.00", "settled_on": "2026-03-01" })).await;
    harness.wait_for_ledger(4).await;

    let rest = read(10).await;
    let kinds: Vec<&str> = rest.iter().map(|fact| fact["fact"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["instalment_approved", "contract_settled"], "paid on time: no late-payment fact");
    assert!(rest.iter().all(|fact| fact["tenant"] == TENANT));
    assert!(read(10).await.is_empty(), "nothing delivered twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_query_answers_with_the_nats_service_protocol() {
    let harness = Harness::start().await;
    let contract = approved_contract(&harness.db, TENANT).await;
    let elsewhere = approved_contract(&harness.db, OTHER_TENANT).await;
    let prefix = harness.stream.subjects.prefix().to_owned();
    let balance_subject = format!("{prefix}.{TENANT}.query.balance");
    let ask = |subject: String, body: Value| {
        let client = harness.client.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match client.request(subject.clone(), serde_json::to_vec(&body).unwrap().into()).await {
                    Ok(answer) => return answer,
                    // The service may still be starting.
                    Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
                    Err(error) => panic!("no answer on {subject}: {error}"),
                }
            }
        }
    };

    let answer = ask(balance_subject.clone(), json!({ "contract_id": contract.id })).await;
    let balance: Value = serde_json::from_slice(&answer.payload).unwrap();
    assert_eq!(balance["status"], "awarded");
    assert_eq!(balance["approved_gross_ttc"], "36000.00");
    assert_eq!(balance["approved_unpaid_ttc"], balance["approved_net_ttc"]);
    assert_eq!(balance["unpaid_instalments"], json!([1]));
    assert_eq!(balance["instalments_paid_ttc"], "0.00");
    assert_eq!(balance["advance_paid_ttc"], "1000.00");
    let outstanding = dec(&balance["advance_outstanding_ttc"]);
    assert!(outstanding > Decimal::ZERO && outstanding < Decimal::from(1000), "{balance}");
    assert_eq!(balance["penalty_deduction"], Value::Null);

    // Another tenant's contract is not found on this tenant's subject.
    let answer = ask(balance_subject.clone(), json!({ "contract_id": elsewhere.id })).await;
    let headers = answer.headers.expect("an error is told in the headers");
    assert_eq!(headers.get("Nats-Service-Error-Code").map(|v| v.as_str()), Some("404"));
    let answer = ask(balance_subject.clone(), json!({ "contract": "x" })).await;
    assert_eq!(answer.headers.unwrap().get("Nats-Service-Error-Code").map(|v| v.as_str()), Some("400"));

    // Discovery: this test's service among those on the server, by its endpoint's subject.
    let infos = gather(&harness.client, "$SRV.INFO.suivi-finance").await;
    let ours = infos
        .iter()
        .find(|info| info["endpoints"][0]["subject"] == format!("{prefix}.*.query.balance"))
        .unwrap_or_else(|| panic!("this test's service answers $SRV.INFO: {infos:?}"));
    assert_eq!(ours["name"], "suivi-finance");
    let id = ours["id"].as_str().unwrap();
    let pings = gather(&harness.client, "$SRV.PING.suivi-finance").await;
    assert!(pings.iter().any(|ping| ping["id"] == id), "{pings:?}");
    let stats = gather(&harness.client, &format!("$SRV.STATS.suivi-finance.{id}")).await;
    let endpoint = &stats[0]["endpoints"][0];
    assert_eq!(endpoint["num_requests"], 3, "{stats:?}");
    assert_eq!(endpoint["num_errors"], 2, "{stats:?}");
}

/// Every answer to a request on `subject` within half a second (services on the shared server
/// answer for each test running).
async fn gather(client: &async_nats::Client, subject: &str) -> Vec<Value> {
    let inbox = client.new_inbox();
    let mut answers = client.subscribe(inbox.clone()).await.unwrap();
    client.publish_with_reply(subject.to_owned(), inbox, "".into()).await.unwrap();
    client.flush().await.unwrap();
    let mut gathered = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(Some(answer)) = tokio::time::timeout_at(deadline, answers.next()).await {
        gathered.push(serde_json::from_slice(&answer.payload).unwrap());
    }
    gathered
}

/// A message someone else put on a ledger subject (a fact claiming a far position) does not
/// make the publisher skip what follows, nor publish anything twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_in_the_ledger_is_walked_over() {
    let mut harness = Harness::start().await;
    let mut contract = approved_contract(&harness.db, TENANT).await;
    let facts = harness.wait_for_ledger(2).await;
    let mut forged = facts.last().unwrap().1.clone();
    let forged_id = Uuid::now_v7();
    forged["source"]["event_id"] = json!(forged_id);
    forged["source"]["transaction_id"] = json!(u32::MAX);
    forged["source"]["position"] = json!(i64::MAX);
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", forged_id.to_string().as_str());
    let subject = harness.stream.subjects.ledger(&TenantId::parse(TENANT).unwrap(), "instalment_approved", contract.id);
    harness
        .js
        .publish_with_headers(subject, headers, serde_json::to_vec(&forged).unwrap().into())
        .await
        .unwrap()
        .await
        .unwrap();

    harness.restart();
    contract
        .run(
            "pay",
            json!({ "number": 1, "amount_ttc": "30000.00", "paid_on": "2025-03-20", "finance_reference": "M-2" }),
        )
        .await;
    contract.run("settle", json!({ "final_amount_ht": "100000.00", "settled_on": "2026-03-01" })).await;
    harness.wait_for_ledger(4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let facts = harness.stream_messages(&harness.stream.subjects.ledger_stream_name()).await;
    let genuine: Vec<&str> = facts
        .iter()
        .filter(|(_, fact)| fact["source"]["event_id"] != json!(forged_id))
        .map(|(_, fact)| fact["fact"].as_str().unwrap())
        .collect();
    assert_eq!(genuine, ["contract_awarded", "instalment_approved", "contract_settled"], "nothing skipped or repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_reported_paid_is_recorded_with_finances_reference() {
    let harness = Harness::start().await;
    let mut contract = ContractHistory::new(&harness.db.pool, TENANT);
    contract.run("award", award("Gymnase")).await;
    let body = json!({
        "contract_id": contract.id, "item": { "kind": "advance" },
        "amount_ttc": "6000.00", "paid_on": "2025-02-03", "finance_reference": "MANDAT-2025-0031"
    });
    harness.report(TENANT, Some("MANDAT-2025-0031"), serde_json::to_vec(&body).unwrap()).await;
    harness.wait_until_taken().await;
    let paid = harness.events_of_type("advance_paid").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["amount_ttc"], "6000.00");
    assert_eq!(paid[0]["finance_reference"], "MANDAT-2025-0031");

    // Above the advance granted (5 % of 120 000 € TTC): refused, nothing recorded.
    let mut rejections = harness
        .client
        .subscribe(format!("{}.{TENANT}.fin.rejected.>", harness.stream.subjects.prefix()))
        .await
        .unwrap();
    let mut other = ContractHistory::new(&harness.db.pool, TENANT);
    other.run("award", award("Piscine")).await;
    let above = json!({
        "contract_id": other.id, "item": { "kind": "advance" },
        "amount_ttc": "6000.01", "paid_on": "2025-02-03", "finance_reference": "MANDAT-2025-0032"
    });
    harness.report(TENANT, Some("MANDAT-2025-0032"), serde_json::to_vec(&above).unwrap()).await;
    let rejection = tokio::time::timeout(Duration::from_secs(10), rejections.next()).await.unwrap().unwrap();
    let rejection: FinanceRejection = serde_json::from_slice(&rejection.payload).unwrap();
    assert_eq!((rejection.code.as_str(), rejection.field.as_deref()), ("advance_above_granted", Some("amount_ttc")));
    assert_eq!(harness.events_of_type("advance_paid").await.len(), 1);
}
