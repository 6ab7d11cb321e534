//! Erasing a participant, end to end on a real database and a real JetStream stream: register,
//! declare hours, erase, rebuild the read models; then nothing the operator holds — a dump of the
//! database, the stream, the rebuilt read models — says who the participant was, while its hours
//! and the indicators stay as they were.

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, registration_body};
use suivi_e2e::{project_everything, read_all_messages, wait_for_messages, TestApp, TestStream};
use suivi_privacy::{context, Identity, WrappedKey};
use suivi_projector::{yearly_indicators, Projector, ProjectorConfig};
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;

const FAMILY_NAME: &str = "Quillebeuf";
const GIVEN_NAMES: &str = "Zéphyrine";
const BIRTH_DATE: &str = "1987-09-13";

/// The database as `pg_dump` writes it: what a backup holds.
fn dump(url: &str) -> String {
    let output = Command::new("pg_dump").args(["--data-only", "--no-owner", url]).output().expect("run pg_dump");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("a text dump")
}

fn reveals(text: &str) -> Vec<&'static str> {
    [FAMILY_NAME, GIVEN_NAMES, "Zephyrine", BIRTH_DATE, "13/09/1987"].into_iter().filter(|s| text.contains(s)).collect()
}

/// Relays the whole log to `stream` and returns every message as text.
async fn relayed(app: &TestApp, stream: &TestStream) -> String {
    let total: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&app.db.pool).await.unwrap();
    let client = async_nats::connect(&stream.url).await.unwrap();
    let config = RelayConfig { subjects: stream.subjects.clone(), ..RelayConfig::default() };
    let relay = Relay::new(EventStore::new(app.db.pool.clone()), client, config);
    let (stop, stopped) = watch::channel(false);
    tokio::join!(relay.run(stopped), async {
        wait_for_messages(&stream.url, &stream.stream_name(), total as u64, Duration::from_secs(30)).await;
        stop.send(true).unwrap();
    });
    let messages = read_all_messages(&stream.url, &stream.stream_name()).await;
    assert_eq!(messages.len() as i64, total);
    messages.iter().map(|m| serde_json::to_string(&m.envelope).unwrap()).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_erasure_no_dump_stream_or_rebuild_tells_who_the_participant_was_and_the_hours_stay() {
    let app = TestApp::spawn().await;
    let stream = TestStream::shared();
    let mut person = registration_body(FAMILY_NAME, GIVEN_NAMES, BIRTH_DATE);
    person["category"] = json!("minimum_income_recipient");
    let code = app.register(&person).await;
    let id = app.award(&award_body()).await;
    let mut statement = instalment_body(1, "10000.00", &[("EMP-1", "120")]);
    statement["statement"]["lines"][0]["participant"] = json!(code);
    let declared = app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &statement).await;
    assert_eq!(declared.status(), StatusCode::OK, "{}", declared.text().await.unwrap());
    let review =
        json!({ "instalment_number": 1, "decisions": [{ "line_id": 1, "decision": { "kind": "validated" } }] });
    let reviewed = app.post(&format!("/api/contracts/{id}/statement-reviews"), &app.tokens.facilitator, &review).await;
    assert_eq!(reviewed.status(), StatusCode::OK);
    project_everything(&app.db.pool).await;
    let schema = suivi_projector::target::active(&app.db.pool).await.unwrap();
    let before = yearly_indicators(&app.db.pool, schema, &app.tenant, 2025).await.unwrap();
    assert_eq!(before.consolidated.beneficiaries, 1);

    // Before erasure a dump holds the identity sealed only: unreadable without the KEK, which
    // is not in the database. With the KEK (the operator's), it opens: the data is there.
    let dumped = dump(&app.db.url());
    assert_eq!(reveals(&dumped), Vec::<&str>::new(), "a dump alone reveals nobody");
    let sealed: (uuid::Uuid, Vec<u8>, Vec<u8>, String) = sqlx::query_as(
        "select participant_id, identity, wrapped_key, kek_id from participant_identities i
         join participants p using (participant_id) where p.code = $1",
    )
    .bind(&code)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let opened = |sealed: &(uuid::Uuid, Vec<u8>, Vec<u8>, String)| {
        let id = sealed.0.to_string();
        let wrapped = WrappedKey { kek_id: sealed.3.clone(), sealed: sealed.2.clone() };
        let key = app.vault.unwrap(&wrapped, &context::participant_data_key(&id)).unwrap();
        Identity::open(&key, &context::participant_identity(&id), &sealed.1).unwrap()
    };
    assert_eq!(opened(&sealed).family_name, FAMILY_NAME);

    let erased = app
        .post(
            &format!("/api/participants/{code}/erasure"),
            &app.tokens.facilitator,
            &json!({ "reason": "Demande de la personne" }),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let mut rebuilder = Projector::new(app.db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    let rebuilt = rebuilder.rebuild().await.unwrap();

    // After: nothing in the dump, nothing left to open even with the KEK, nothing in the stream.
    let dumped = dump(&app.db.url());
    assert_eq!(reveals(&dumped), Vec::<&str>::new());
    assert!(!dumped.contains(&hex_of(&sealed.1)), "the sealed identity itself is gone");
    let left: i64 = sqlx::query_scalar("select count(*) from participant_identities where participant_id = $1")
        .bind(sealed.0)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "no sealed identity, no wrapped data key");
    let messages = relayed(&app, &stream).await;
    assert!(messages.contains(&code), "the stream carries the code");
    assert!(messages.contains("participant_erased"));
    assert_eq!(reveals(&messages), Vec::<&str>::new(), "the stream never carried the identity");

    // The hours and the indicators are as they were, from the rebuilt read models too.
    let after = yearly_indicators(&app.db.pool, rebuilt, &app.tenant, 2025).await.unwrap();
    assert_eq!(after.consolidated.beneficiaries, before.consolidated.beneficiaries);
    assert_eq!(after.consolidated.beneficiary_profile, before.consolidated.beneficiary_profile);
    assert_eq!(after.consolidated.hours, before.consolidated.hours);
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["hours"]["validated"], "120");
}

/// `bytea` as `pg_dump` writes it: `\x` and lowercase hex.
fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
