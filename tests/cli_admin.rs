//! `suivi tenant add-buyer | rotate-key | destroy-keys` and `suivi projector rebuild` against a
//! running API: what each command prints, what it changes, and that a refused one changes nothing.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;
use suivi_e2e::app::{award_body, instalment_body, TestApp};
use suivi_e2e::process::suivi_binary;
use suivi_e2e::TestDatabase;
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

/// `(version, retired)` of the tenant's pseudonym keys, in version order.
async fn keys(db: &TestDatabase, tenant: &str) -> Vec<(i32, bool)> {
    sqlx::query_as("select version, retired_at is not null from tenant_keys where tenant = $1 order by version")
        .bind(tenant)
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

/// The pseudonym stored for the first line of each instalment request, in log order.
async fn stored_pseudonyms(db: &TestDatabase) -> Vec<String> {
    sqlx::query_scalar(
        "select payload->'statement'->'lines'->0->>'beneficiary' from events
         where event_type = 'instalment_requested' order by position",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
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
async fn rotate_key_starts_new_pseudonyms_and_destroy_keys_needs_confirmation_then_stops_statements() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let request = |number, cumulative| instalment_body(number, cumulative, &[("EMP-1", "10")]);
    let first = app.post(&path, &app.tokens.contractor, &request(1, "10000.00")).await;
    assert_eq!(first.status(), StatusCode::OK);

    let rotated = stdout(&suivi(&app.db, &["tenant", "rotate-key", "--id", "grand-agglo"]));
    assert_eq!(rotated.trim(), "tenant grand-agglo: pseudonym key version 2 is now active");
    assert_eq!(keys(&app.db, "grand-agglo").await, [(1, true), (2, false)]);
    assert_eq!(keys(&app.db, "other-agglo").await, [(1, false)], "another tenant's key is untouched");
    let second = app.post(&path, &app.tokens.contractor, &request(2, "20000.00")).await;
    assert_eq!(second.status(), StatusCode::OK);
    let pseudonyms = stored_pseudonyms(&app.db).await;
    assert_eq!(pseudonyms.len(), 2);
    assert_ne!(pseudonyms[0], pseudonyms[1], "the same reference gets a new pseudonym under the new key");

    let unconfirmed = suivi(&app.db, &["tenant", "destroy-keys", "--id", "grand-agglo"]);
    let reason = stderr_of_refusal(&unconfirmed);
    assert!(reason.contains("add --yes-really"), "{reason}");
    assert_eq!(keys(&app.db, "grand-agglo").await, [(1, true), (2, false)], "nothing destroyed");

    for (command, extra) in [("rotate-key", None), ("destroy-keys", Some("--yes-really"))] {
        let args: Vec<&str> = ["tenant", command, "--id", "nobody"].into_iter().chain(extra).collect();
        let reason = stderr_of_refusal(&suivi(&app.db, &args));
        assert!(reason.contains("suivi: unknown tenant nobody"), "{command}: {reason}");
    }
    let destroyed = stdout(&suivi(&app.db, &["tenant", "destroy-keys", "--id", "grand-agglo", "--yes-really"]));
    assert_eq!(destroyed.trim(), "tenant grand-agglo: 2 key(s) destroyed; remove them from backups too");
    assert!(keys(&app.db, "grand-agglo").await.is_empty());
    assert_eq!(keys(&app.db, "other-agglo").await, [(1, false)]);
    let before = app.event_count().await;
    let refused = app.post(&path, &app.tokens.contractor, &request(3, "30000.00")).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["type"], "/problems/no_pseudonym_key");
    assert_eq!(app.event_count().await, before, "no statement without a key");
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
    // Usually all 3; fewer when another test's transaction held the log's visible end back, and
    // then the projector goes on from the rebuilt schema's checkpoint.
    assert!(rebuilt_from <= 3, "{output}");
    app.catch_up().await;
    assert_eq!(checkpoint(&app.db.pool, Schema::ReadB).await.unwrap().events, 3);
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
    assert!(events_rebuilt(&again, "read_a") <= 3, "{again}");
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
