//! The `suivi` binary from the outside: help and migrations.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use sqlx::{Connection, PgConnection};

fn suivi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_suivi"))
}

#[test]
fn it_lists_its_commands() {
    let output = suivi().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["migrate", "relay", "serve", "bench"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}

#[tokio::test]
async fn migrate_creates_the_database_and_the_event_store_and_is_idempotent() {
    let server = std::env::var("SUIVI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("suivi_cli_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server).await.unwrap();
    let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);

    let runs: Vec<bool> =
        (0..2).map(|_| suivi().arg("migrate").env("DATABASE_URL", &url).status().unwrap().success()).collect();
    let mut db = PgConnection::connect(&url).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "select count(*) from information_schema.tables where table_name in ('events', 'idempotency_keys')",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    sqlx::query(&format!("drop database \"{name}\" with (force)")).execute(&mut admin).await.unwrap();

    assert_eq!(runs, [true, true]);
    assert_eq!(tables, 2);
}

/// `suivi bench reporting` end to end on a few contracts for a second per phase: the pages all
/// answer 200 to the bench's signed-in account (it fails otherwise), and the tables are printed.
#[test]
fn bench_reporting_runs_on_a_few_contracts() {
    let server = std::env::var("SUIVI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("suivi_cli_{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
    // More than one list page (50 rows), so that the second page is part of the run.
    let output = suivi()
        .args(["bench", "reporting", "--reporting-contracts", "120", "--seconds", "1"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for expected in ["dashboard", "contract list", "contract page", "`/marches?apres=", "XLSX export"] {
        assert!(stdout.contains(expected), "{expected} missing from:\n{stdout}");
    }
}
