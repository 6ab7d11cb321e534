//! The `suivi` binary from the outside: help and migrations.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use sqlx::{Connection, PgConnection};

#[path = "../../../tests/support/guide_blocks.rs"]
mod guide_blocks;
use guide_blocks::{is_administrators, shell_blocks};

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

/// The administrator's commands of the user guides (`docs/guides/*.md`: the ```` ```sh ````
/// blocks with a `suivi …` line; `tests/guides.rs` plays the others, the readers' requests), run
/// verbatim by `bash`, guide after guide, on a fresh database: a guide cannot show a command, a
/// flag or a value the CLI refuses.
#[test]
fn the_administrators_commands_of_the_guides_run_on_a_fresh_database() {
    let server = std::env::var("SUIVI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("suivi_cli_{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guides");
    let mut guides: Vec<_> = std::fs::read_dir(&directory).unwrap().map(|entry| entry.unwrap().path()).collect();
    guides.sort(); // acheteur.md first: it creates the tenant the others use
    let mut commands = String::new();
    for guide in guides {
        let text = std::fs::read_to_string(&guide).unwrap();
        for block in shell_blocks(&text).into_iter().filter(|block| is_administrators(block)) {
            commands.push_str(&block);
        }
    }
    // Commands at the start of a line, and inside `$(…)`; not the word in a comment.
    let shown = commands.lines().filter(|line| line.trim_start().starts_with("suivi ")).count()
        + commands.matches("$(suivi ").count();
    assert!(shown >= 8, "only {shown} commands found: is the extraction broken?\n{commands}");

    let log = std::env::temp_dir().join(format!("{name}.log"));
    let prelude = "set -euo pipefail\n\
                   suivi() { echo \"suivi $*\" >> \"$SUIVI_COMMANDS\"; \"$SUIVI_BIN\" \"$@\"; }\n\
                   \"$SUIVI_BIN\" migrate\n";
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{commands}"))
        .env("SUIVI_BIN", env!("CARGO_BIN_EXE_suivi"))
        .env("SUIVI_COMMANDS", &log)
        .env("DATABASE_URL", &url)
        .env("SUIVI_USER_PASSWORD", "un mot de passe de démonstration")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let ran = std::fs::read_to_string(&log).unwrap_or_default();
    std::fs::remove_file(&log).ok();
    drop_database(&server, &name);
    let transcript =
        format!("{}\n--- stderr\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{commands}\n--- stdout\n{transcript}");
    assert_eq!(ran.lines().count(), shown, "every command shown ran:\n{ran}\n{transcript}");
}

fn drop_database(server: &str, name: &str) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let mut admin = PgConnection::connect(server).await.unwrap();
        sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&mut admin).await.unwrap();
    });
}
