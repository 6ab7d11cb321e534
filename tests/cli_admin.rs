//! `suivi tenant add-buyer`, `suivi kek generate | rewrap` and `suivi projector rebuild` against a
//! running API: what each command prints, what it changes, and that a refused one changes nothing.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;
use suivi_e2e::app::{award_body, instalment_body, TestApp};
use suivi_e2e::process::suivi_binary;
use suivi_e2e::TestDatabase;
use suivi_privacy::{Identity, KeyRing, WrappedKey};
use suivi_projector::{checkpoint, target, Schema};

fn suivi(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(suivi_binary()).args(args).env("DATABASE_URL", db.url()).env("RUST_LOG", "warn").output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr_of_refusal(output: &Output) -> String {
    assert!(!output.status.success(), "refused: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// N in `rebuilt <schema> from N events in …`, what `suivi projector rebuild` prints.
fn events_rebuilt(output: &str, schema: &str) -> i64 {
    output
        .strip_prefix(&format!("rebuilt {schema} from "))
        .and_then(|rest| rest.strip_suffix('\n').unwrap_or(rest).split_once(" events in "))
        .and_then(|(count, _)| count.parse().ok())
        .unwrap_or_else(|| panic!("rebuilt {schema} from N events in …: {output}"))
}

/// A SIRET with a valid check digit that the test tenant does not cover yet.
const NEW_COMMUNE_SIRET: &str = "21750001630040";

#[tokio::test]
async fn add_buyer_lets_the_tenant_award_for_a_new_commune_and_refuses_a_bad_siret() {
    let app = TestApp::spawn().await;
    let mut award = award_body();
    award["buyer_siret"] = NEW_COMMUNE_SIRET.into();
    let refused = app.post("/api/contracts", &app.tokens.buyer, &award).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "not covered yet");
    assert_eq!(refused.json::<Value>().await.unwrap()["field"], "buyer_siret");

    let added =
        stdout(&suivi(&app.db, &["tenant", "add-buyer", "--id", "grand-agglo", "--buyer-siret", NEW_COMMUNE_SIRET]));
    assert_eq!(added.trim(), "buyers added to grand-agglo");
    let covered: Vec<String> =
        sqlx::query_scalar("select siret from tenant_buyers where tenant = 'grand-agglo' order by siret")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(covered, ["20004869500015", "21000000000013", NEW_COMMUNE_SIRET]);
    app.award(&award).await;
    // Adding it again changes nothing and is not an error.
    stdout(&suivi(&app.db, &["tenant", "add-buyer", "--id", "grand-agglo", "--buyer-siret", NEW_COMMUNE_SIRET]));

    let bad = suivi(&app.db, &["tenant", "add-buyer", "--id", "grand-agglo", "--buyer-siret", "21750001630041"]);
    let reason = stderr_of_refusal(&bad);
    assert!(reason.contains("21750001630041: this SIRET fails its check digit"), "{reason}");
    let unknown = suivi(&app.db, &["tenant", "add-buyer", "--id", "nobody", "--buyer-siret", NEW_COMMUNE_SIRET]);
    let reason = stderr_of_refusal(&unknown);
    assert!(reason.contains("suivi: unknown tenant nobody"), "{reason}");
    let count: i64 = sqlx::query_scalar("select count(*) from tenant_buyers").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(count, 4, "grand-agglo's three and other-agglo's one: nothing written by the refusals");
}

#[tokio::test]
async fn kek_generate_makes_a_key_and_rewrap_moves_every_stored_key_to_the_active_one() {
    let app = TestApp::spawn().await;
    let registered = app.post("/api/participants", &app.tokens.facilitator, &registration("Morel", "Inès")).await;
    assert_eq!(registered.status(), StatusCode::CREATED, "{}", registered.text().await.unwrap());
    let code = registered.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();

    let generated = stdout(&suivi(&app.db, &["kek", "generate"]));
    let new_key = generated.trim().to_owned();
    assert_eq!(KeyRing::parse(&new_key).map(|_| ()), Ok(()), "one base64 key of 32 bytes: {new_key:?}");
    let old_ring = app.vault.to_text();
    let rotated = KeyRing::parse(&format!("{new_key}\n{old_ring}")).unwrap();
    let new_only = KeyRing::parse(&new_key).unwrap();

    // Refused without a ring, and with a ring that lacks the key the rows were wrapped with.
    let refused = stderr_of_refusal(&suivi(&app.db, &["kek", "rewrap"]));
    assert!(refused.contains("SUIVI_KEK_FILE"), "{refused}");
    let lacking = stderr_of_refusal(&suivi_with_kek(&app.db, &new_key, &["kek", "rewrap"]));
    assert!(lacking.contains("which this ring does not hold"), "{lacking}");
    let stored = stored_kek_ids(&app.db).await;
    assert!(stored.iter().all(|id| id == app.vault.active_id()), "nothing rewrapped by a refusal: {stored:?}");

    // Every key: the tenant's blind-index key, Inès Morel's data key and those of the harness's
    // participants.
    let output = stdout(&suivi_with_kek(&app.db, &rotated.to_text(), &["kek", "rewrap"]));
    let count = stored.len();
    assert_eq!(
        output.trim(),
        format!("{count} key(s) rewrapped under key-encryption key {}, 0 already under it", rotated.active_id())
    );
    let stored = stored_kek_ids(&app.db).await;
    assert!(stored.iter().all(|id| id == rotated.active_id()), "no key left under the old KEK: {stored:?}");
    let again = stdout(&suivi_with_kek(&app.db, &rotated.to_text(), &["kek", "rewrap"]));
    assert!(
        again
            .contains(&format!("0 key(s) rewrapped under key-encryption key {}, {count} already", rotated.active_id())),
        "{again}"
    );

    // The new key alone opens the participant's identity; the old one alone no longer does.
    let code = suivi_proto::codes::ParticipantCode::parse(&code).unwrap();
    let (participant, sealed) =
        suivi_store::participants::find(&app.db.pool, &app.tenant, &code).await.unwrap().unwrap();
    let sealed = sealed.expect("not erased");
    let id = participant.participant_id.to_string();
    let wrapped = WrappedKey { kek_id: sealed.kek_id.clone(), sealed: sealed.wrapped_key.clone() };
    let context = suivi_privacy::context::participant_data_key(&id);
    let data_key = new_only.unwrap(&wrapped, &context).unwrap();
    let identity =
        Identity::open(&data_key, &suivi_privacy::context::participant_identity(&id), &sealed.identity).unwrap();
    assert_eq!(identity.family_name, "Morel");
    assert!(app.vault.unwrap(&wrapped, &context).is_err());
}

fn suivi_with_kek(db: &TestDatabase, ring: &str, args: &[&str]) -> Output {
    Command::new(suivi_binary())
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("SUIVI_KEK", ring.trim().replace('\n', ","))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The KEK id of every wrapped key the database holds (tenants' and participants').
async fn stored_kek_ids(db: &TestDatabase) -> Vec<String> {
    sqlx::query_scalar("select kek_id from tenant_index_keys union all select kek_id from participant_identities")
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

fn registration(family_name: &str, given_names: &str) -> Value {
    serde_json::json!({
        "family_name": family_name, "given_names": given_names, "birth_date": "1994-06-12",
        "category": "long_term_jobseeker", "prescriber": "france_travail",
        "eligible_from": "2025-01-01", "eligible_until": "2026-12-31",
        "gender": "female", "qualification": "level_4", "priority_neighbourhood_resident": false
    })
}

#[tokio::test]
async fn projector_rebuild_fills_the_other_schema_and_switches_readers_to_it() {
    let app = TestApp::spawn().await;
    let (first, second) = (app.award(&award_body()).await, app.award(&award_body()).await);
    let statement = instalment_body(1, "10000.00", &[("EMP-1", "10"), ("EMP-2", "5")]);
    let response = app.post(&format!("/api/contracts/{first}/instalments"), &app.tokens.contractor, &statement).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(target::active(&app.db.pool).await.unwrap(), Schema::ReadA);

    let output = stdout(&suivi(&app.db, &["projector", "rebuild"]));
    let rebuilt_from = events_rebuilt(&output, "read_b");
    assert!(output.contains("readers now use it"), "{output}");
    assert_eq!(target::active(&app.db.pool).await.unwrap(), Schema::ReadB);
    assert_eq!(checkpoint(&app.db.pool, Schema::ReadB).await.unwrap().events, rebuilt_from, "{output}");
    // Usually all 8 (the harness's five participants, two awards, a statement); fewer when
    // another test's transaction held the log's visible end back, and then the projector goes on
    // from the rebuilt schema's checkpoint.
    assert!(rebuilt_from <= 8, "{output}");
    // Analyzed before the switch: the planner knows the rebuilt tables' sizes (a truncated
    // table's estimate is -1, unknown).
    let (estimated, counted): (f32, i64) = sqlx::query_as(
        "select (select reltuples from pg_class where oid = 'read_b.statement_lines'::regclass),
                (select count(*) from read_b.statement_lines)",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(f64::from(estimated), counted as f64, "statistics of the rebuilt schema");
    app.catch_up().await;
    assert_eq!(checkpoint(&app.db.pool, Schema::ReadB).await.unwrap().events, 8);
    let rows: Vec<(uuid::Uuid, i64)> =
        sqlx::query_as("select contract_id, version from read_b.contracts order by contract_id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    let mut expected = [(first.parse().unwrap(), 2), (second.parse().unwrap(), 1)];
    expected.sort();
    assert_eq!(rows, expected);
    let lines: i64 =
        sqlx::query_scalar("select count(*) from read_b.statement_lines").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(lines, 2);

    // The lists are served from the rebuilt schema.
    let listed: Vec<Value> = app.get("/api/contracts", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(listed.len(), 2);

    // A second rebuild goes back to the first schema, with the same rows.
    let again = stdout(&suivi(&app.db, &["projector", "rebuild"]));
    assert!(events_rebuilt(&again, "read_a") <= 8, "{again}");
    assert_eq!(target::active(&app.db.pool).await.unwrap(), Schema::ReadA);
    app.catch_up().await;
    let differing: i64 = sqlx::query_scalar(
        "select count(*) from ((select * from read_a.contracts except all select * from read_b.contracts)
                               union all (select * from read_b.contracts except all select * from read_a.contracts)) d",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(differing, 0);
}
