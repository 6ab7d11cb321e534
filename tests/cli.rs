//! The `suivi` binary's administrative commands against a real database: tenants, tokens, and
//! the DECP import.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;
use suivi_e2e::app::{TestApp, CONTRACTOR_SIRET};
use suivi_e2e::process::suivi_binary;
use suivi_e2e::TestDatabase;
use suivi_projector::indicators::{NationalTargets, YearlyIndicators};
use suivi_proto::TenantId;
use uuid::Uuid;

fn suivi(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(suivi_binary()).args(args).env("DATABASE_URL", db.url()).env("RUST_LOG", "warn").output().unwrap()
}

/// The reason a refused command gives on standard error (and that it was refused).
fn stderr_of_refusal(output: &Output) -> String {
    assert!(!output.status.success(), "refused: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr.clone()).unwrap()
}

async fn count(db: &TestDatabase, query: &str) -> i64 {
    sqlx::query_scalar(query).fetch_one(&db.pool).await.unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The official DECP files, vendored in `tests/data/decp/` (see its README).
fn decp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/decp")
}

#[tokio::test]
async fn a_token_created_on_the_command_line_opens_the_api_for_its_role() {
    let db = TestDatabase::new().await;
    stdout(&suivi(
        &db,
        &["tenant", "create", "--id", "vichy", "--name", "Vichy Communauté", "--buyer-siret", "20004869500015"],
    ));
    let token =
        stdout(&suivi(&db, &["token", "create", "--role", "facilitator", "--tenant", "vichy"])).trim().to_owned();
    assert!(token.starts_with("suivi_") && token.len() > 40);
    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from api_tokens").fetch_one(&db.pool).await.unwrap();
    assert_ne!(stored, token.as_bytes(), "only the hash is stored");

    let principal = suivi_http::auth::authenticate(&db.pool, &token).await.unwrap().unwrap();
    assert_eq!(principal.role, suivi_http::Role::Facilitator);
    assert_eq!(principal.tenant.as_str(), "vichy");

    let refused = suivi(&db, &["token", "create", "--role", "contractor", "--tenant", "vichy"]);
    let reason = stderr_of_refusal(&refused);
    assert!(reason.contains("a contractor token needs --siret"), "{reason}");
    assert_eq!(count(&db, "select count(*) from api_tokens").await, 1, "no token written");
    let refused = suivi(&db, &["tenant", "create", "--id", "x", "--name", "X", "--buyer-siret", "20004869500016"]);
    let reason = stderr_of_refusal(&refused);
    assert!(reason.contains("20004869500016: this SIRET fails its check digit"), "{reason}");
    assert_eq!(count(&db, "select count(*) from tenants where id = 'x'").await, 0, "no tenant written");
}

/// `token list` shows a tenant's tokens without their secret; `token revoke` makes a running
/// server refuse the token from its next request, is idempotent, and fails on an unknown id.
#[tokio::test]
async fn a_token_revoked_on_the_command_line_is_refused_at_once_by_a_running_server() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant.as_str();
    let token =
        stdout(&suivi(&app.db, &["token", "create", "--role", "finance", "--tenant", tenant, "--label", "ERP export"]))
            .trim()
            .to_owned();
    let (id, hash): (Uuid, String) =
        sqlx::query_as("select id, encode(token_hash, 'hex') from api_tokens where label = 'ERP export'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(app.get("/api/contracts", &token).await.status(), StatusCode::OK);

    let listing = stdout(&suivi(&app.db, &["token", "list", "--tenant", tenant]));
    let line = listing.lines().find(|l| l.starts_with(&id.to_string())).unwrap_or_else(|| panic!("{listing}"));
    let columns: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(columns[1..3], ["finance", "-"], "role, and no SIRET: {line}");
    assert!(columns[3].starts_with("20") && columns[3].ends_with('Z'), "created, in UTC: {line}");
    assert_eq!(columns[4], "-", "not revoked: {line}");
    assert!(line.ends_with("ERP export"), "{line}");
    let secret = token.strip_prefix("suivi_").unwrap();
    assert!(!listing.contains(secret) && !listing.contains(&hash), "neither the secret nor its hash: {listing}");
    assert!(listing.lines().any(|l| l.contains(" contractor ") && l.contains(CONTRACTOR_SIRET)), "{listing}");
    let other_tenants: Uuid = sqlx::query_scalar("select id from api_tokens where tenant <> $1")
        .bind(tenant)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(!listing.contains(&other_tenants.to_string()), "another tenant's token is not listed: {listing}");

    let revoked = stdout(&suivi(&app.db, &["token", "revoke", "--id", &id.to_string()]));
    assert!(revoked.starts_with(&format!("token {id} revoked at ")), "{revoked}");
    let refused = app.get("/api/contracts", &token).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unauthorized");
    assert_eq!(problem["status"], 401);
    assert_eq!(app.get("/api/contracts", &app.tokens.buyer).await.status(), StatusCode::OK, "other tokens live on");

    let again = stdout(&suivi(&app.db, &["token", "revoke", "--id", &id.to_string()]));
    assert!(again.starts_with(&format!("token {id} was already revoked at ")), "{again}");
    let first_at = revoked.trim().rsplit(' ').next().unwrap();
    assert!(again.trim().ends_with(first_at), "the first revocation time stays: {again}");
    let listing = stdout(&suivi(&app.db, &["token", "list", "--tenant", tenant]));
    let line = listing.lines().find(|l| l.starts_with(&id.to_string())).unwrap();
    assert_eq!(line.split_whitespace().nth(4), Some(first_at), "{line}");

    let unknown = Uuid::now_v7().to_string();
    let failed = suivi(&app.db, &["token", "revoke", "--id", &unknown]);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains(&format!("no token with id {unknown}")), "{stderr}");
    let failed = suivi(&app.db, &["token", "list", "--tenant", "nobody"]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("unknown tenant nobody"));
}

#[tokio::test]
async fn importing_the_official_decp_example_twice_records_its_valid_contract_once() {
    let db = TestDatabase::new().await;
    stdout(&suivi(&db, &["tenant", "create", "--id", "paris", "--name", "Paris", "--buyer-siret", "21750001630040"]));
    let file = decp_dir().join("marches_avec_modifications.json");
    let file = file.to_str().unwrap();

    let first = stdout(&suivi(&db, &["import", "decp", file, "--tenant", "paris"]));
    assert!(first.contains("imported   TEST2022Bis"), "{first}");
    assert!(
        first.contains("rejected   DECP record \"TEST2022\""),
        "the record whose buyer SIRET fails its check: {first}"
    );
    assert!(first.contains("1 imported, 0 already imported, 1 rejected"), "{first}");
    let second = stdout(&suivi(&db, &["import", "decp", file, "--tenant", "paris"]));
    assert!(second.contains("0 imported, 1 already imported, 1 rejected"), "{second}");

    let awards: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(awards, 1);
    let amount: String =
        sqlx::query_scalar("select payload->>'amount_ht' from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(amount, "575000");
}

#[tokio::test]
async fn a_malformed_decp_file_reports_each_bad_record_and_imports_the_good_ones() {
    let db = TestDatabase::new().await;
    stdout(&suivi(&db, &["tenant", "create", "--id", "rennes", "--name", "Rennes", "--buyer-siret", "24350013900189"]));
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../services/contracts/tests/fixtures");
    let records = fixtures.join("decp_malformed_records.json");
    let output = stdout(&suivi(&db, &["import", "decp", records.to_str().unwrap(), "--tenant", "rennes"]));
    for (id, reason) in [
        ("2024-NC-MONTANT", "\"NC\""),
        ("2024-STR-DUREE", "dureeMois"),
        ("2024-NO-CPV", "codeCPV"),
        ("2024-BAD-SIRET", "acheteur.id"),
        ("2024-LUHN", "titulaires"),
        ("2024-INNOVANT", "`marcheInnovant`: expected true or false"),
        ("2024-FORME", "`formePrix`"),
    ] {
        let line = output
            .lines()
            .find(|l| l.starts_with("rejected") && l.contains(id))
            .unwrap_or_else(|| panic!("{id} in {output}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(output.contains("imported   2024-OK-1"), "{output}");
    let imported: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(imported as usize, output.lines().filter(|l| l.starts_with("imported")).count());

    let not_json =
        suivi(&db, &["import", "decp", fixtures.join("decp_not_json.json").to_str().unwrap(), "--tenant", "rennes"]);
    let reason = stderr_of_refusal(&not_json);
    assert!(reason.contains("not a JSON document"), "{reason}");
    assert_eq!(count(&db, "select count(*) from events").await, imported, "nothing more written");
}

#[tokio::test]
async fn two_tenants_listing_the_same_buyer_each_import_its_own_contracts() {
    let db = TestDatabase::new().await;
    let buyer = "21750001630040";
    for (id, name) in [("paris", "Paris"), ("grand-paris", "Grand Paris")] {
        stdout(&suivi(&db, &["tenant", "create", "--id", id, "--name", name, "--buyer-siret", buyer]));
    }
    let file = decp_dir().join("marches_avec_modifications.json");
    let file = file.to_str().unwrap();

    for tenant in ["paris", "grand-paris"] {
        let output = stdout(&suivi(&db, &["import", "decp", file, "--tenant", tenant]));
        assert!(output.contains("imported   TEST2022Bis"), "{tenant}: {output}");
        assert!(output.contains("1 imported, 0 already imported, 1 rejected"), "{tenant}: {output}");
    }
    let again = stdout(&suivi(&db, &["import", "decp", file, "--tenant", "grand-paris"]));
    assert!(again.contains("0 imported, 1 already imported, 1 rejected"), "{again}");

    let streams: Vec<(String, Uuid)> =
        sqlx::query_as("select tenant, stream_id from events where event_type = 'contract_awarded' order by tenant")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let tenants: Vec<&str> = streams.iter().map(|(tenant, _)| tenant.as_str()).collect();
    assert_eq!(tenants, ["grand-paris", "paris"], "one contract each");
    assert_ne!(streams[0].1, streams[1].1);
}

/// The official example with `acheteur.nom` (DECP v1's field, still often published) set on
/// every record, written to a file of its own.
fn decp_file_naming_the_buyer(name: &str) -> (PathBuf, PathBuf) {
    let mut example: Value =
        serde_json::from_slice(&std::fs::read(decp_dir().join("marches_avec_modifications.json")).unwrap()).unwrap();
    for record in example["marches"]["marche"].as_array_mut().unwrap() {
        record["acheteur"]["nom"] = name.into();
    }
    let dir = std::env::temp_dir().join(format!("suivi-decp-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("marches_avec_nom.json");
    std::fs::write(&path, serde_json::to_vec(&example).unwrap()).unwrap();
    (dir, path)
}

/// Buyers are named by their name beside their SIRET in the indicators: from the `acheteur.nom`
/// of an imported DECP file, or by an administrator, whose name an import never replaces. Each
/// tenant's names are its own.
#[tokio::test]
async fn buyers_are_named_from_decp_imports_and_by_an_administrator_and_the_indicators_show_it() {
    let db = TestDatabase::new().await;
    let buyer = "21750001630040";
    for (id, name) in [("paris", "Paris"), ("grand-paris", "Grand Paris")] {
        stdout(&suivi(&db, &["tenant", "create", "--id", id, "--name", name, "--buyer-siret", buyer]));
    }
    let listed = stdout(&suivi(&db, &["tenant", "buyers", "--id", "paris"]));
    assert_eq!(listed, format!("{buyer}  -              -\n"));

    let (dir, file) = decp_file_naming_the_buyer(" Ville de Paris ");
    let imported = stdout(&suivi(&db, &["import", "decp", file.to_str().unwrap(), "--tenant", "paris"]));
    assert!(imported.contains("1 imported, 0 already imported, 1 rejected"), "{imported}");
    let listed = stdout(&suivi(&db, &["tenant", "buyers", "--id", "paris"]));
    assert_eq!(listed, format!("{buyer}  decp_import    Ville de Paris\n"));
    suivi_e2e::project_everything(&db.pool).await;
    let paris = TenantId::parse("paris").unwrap();
    // TEST2022Bis was notified on 2024-05-15.
    let named = indicators(&db, &paris, 2024).await;
    assert_eq!(named.buyers.len(), 1);
    assert_eq!(
        (named.buyers[0].buyer_siret.as_str(), named.buyers[0].buyer_name.as_deref()),
        (buyer, Some("Ville de Paris"))
    );
    // The other tenant listing the same commune imported nothing and named nothing: no name.
    stdout(&suivi(
        &db,
        &[
            "import",
            "decp",
            decp_dir().join("marches_avec_modifications.json").to_str().unwrap(),
            "--tenant",
            "grand-paris",
        ],
    ));
    suivi_e2e::project_everything(&db.pool).await;
    let other = indicators(&db, &TenantId::parse("grand-paris").unwrap(), 2024).await;
    assert_eq!((other.buyers.len(), other.buyers[0].buyer_name.as_deref()), (1, None), "paris's names are its own");

    // An administrator's name replaces the import's, and a later import does not replace it.
    let named_by_admin = stdout(&suivi(
        &db,
        &["tenant", "name-buyer", "--id", "paris", "--buyer-siret", buyer, "--name", "Commune de Paris"],
    ));
    assert_eq!(named_by_admin.trim(), format!("buyer {buyer} of paris is named Commune de Paris"));
    std::fs::remove_dir_all(&dir).unwrap();
    let (dir, file) = decp_file_naming_the_buyer("VILLE DE PARIS");
    let again = stdout(&suivi(&db, &["import", "decp", file.to_str().unwrap(), "--tenant", "paris"]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(again.contains("0 imported, 1 already imported, 1 rejected"), "{again}");
    let listed = stdout(&suivi(&db, &["tenant", "buyers", "--id", "paris"]));
    assert_eq!(listed, format!("{buyer}  administrator  Commune de Paris\n"));
    assert_eq!(indicators(&db, &paris, 2024).await.buyers[0].buyer_name.as_deref(), Some("Commune de Paris"));

    for (args, refusal) in [
        (
            ["--id", "paris", "--buyer-siret", "21000000000013", "--name", "Dijon"],
            "21000000000013 is not among tenant paris's buyers: add it first (suivi tenant add-buyer)",
        ),
        (["--id", "nobody", "--buyer-siret", buyer, "--name", "Paris"], "unknown tenant nobody"),
        (["--id", "paris", "--buyer-siret", buyer, "--name", "  "], "a buyer's name cannot be blank"),
        (["--id", "paris", "--buyer-siret", buyer, "--name", "Paris\u{1b}[2J"], "a buyer's name is one line"),
        (
            ["--id", "paris", "--buyer-siret", "21750001630041", "--name", "Paris"],
            "21750001630041: this SIRET fails its check digit",
        ),
    ] {
        let reason = stderr_of_refusal(&suivi(&db, &[&["tenant", "name-buyer"][..], &args[..]].concat()));
        assert!(reason.contains(refusal), "{args:?}: {reason}");
    }
    let names: Vec<Option<String>> =
        sqlx::query_scalar("select name from tenant_buyers order by tenant").fetch_all(&db.pool).await.unwrap();
    assert_eq!(names, [None, Some("Commune de Paris".to_owned())], "nothing written by the refusals");
    assert!(stderr_of_refusal(&suivi(&db, &["tenant", "buyers", "--id", "nobody"])).contains("unknown tenant nobody"));
}

/// The peak resident memory (VmHWM, in kB) of a running process, read until it exits: a lower
/// bound of its true peak, since the last moments before exit go unseen, but the import's peak
/// is while it reads the file, long before.
fn run_measuring_peak_memory(mut command: Command) -> (std::process::ExitStatus, u64) {
    let mut child = command.spawn().unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak_kb);
        }
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status.lines().find_map(|line| line.strip_prefix("VmHWM:"));
            if let Some(kb) = hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()) {
                peak_kb = peak_kb.max(kb);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A ~50 MB file, streamed: the peak memory of the import stays far below the file's size.
/// One record in 50 is for the tenant's buyer and imported through the command path; the
/// others break the schema (`marcheInnovant: "non"`), so they are rejected by the mapper
/// without touching the database and the test measures parsing, not PostgreSQL.
#[tokio::test]
async fn a_50_mb_decp_file_is_imported_record_by_record_in_bounded_memory() {
    use std::io::Write as _;

    let db = TestDatabase::new().await;
    stdout(&suivi(&db, &["tenant", "create", "--id", "rennes", "--name", "Rennes", "--buyer-siret", "24350013900189"]));
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../services/contracts/tests/fixtures");
    let sample: Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("decp_malformed_records.json")).unwrap()).unwrap();
    let mut record = sample["marches"]["marche"][0].clone();
    record["objet"] = Value::String("Entretien des espaces verts, lot unique. ".repeat(24));

    let dir = std::env::temp_dir().join(format!("suivi-decp-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("decp_50mb.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(br#"{"marches": {"marche": ["#).unwrap();
    let (mut written, mut records, mut good) = (0_usize, 0_usize, 0_usize);
    while written < 50 * 1024 * 1024 {
        record["id"] = Value::String(format!("BIG-{records:06}"));
        let importable = records % 50 == 0;
        record["marcheInnovant"] = if importable { Value::Bool(false) } else { Value::String("non".into()) };
        let bytes = serde_json::to_vec_pretty(&record).unwrap();
        if records > 0 {
            file.write_all(b",\n").unwrap();
        }
        file.write_all(&bytes).unwrap();
        written += bytes.len() + 2;
        records += 1;
        good += usize::from(importable);
    }
    file.write_all(b"]}}\n").unwrap();
    file.flush().unwrap();
    drop(file);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size >= 50 * 1024 * 1024, "{size}");

    let output_path = dir.join("output.txt");
    let mut command = Command::new(suivi_binary());
    command
        .args(["import", "decp", path.to_str().unwrap(), "--tenant", "rennes"])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(&output_path).unwrap())
        .stderr(std::process::Stdio::inherit());
    let started = std::time::Instant::now();
    let (status, peak_kb) = run_measuring_peak_memory(command);
    let elapsed = started.elapsed();
    let output = std::fs::read_to_string(&output_path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(status.success(), "{status}: {}", output.lines().last().unwrap_or_default());
    eprintln!("{records} records, {size} bytes: peak RSS {peak_kb} kB, {elapsed:?}");
    assert!(peak_kb > 0, "the process was measured");
    assert!(peak_kb < 100 * 1024, "peak RSS {peak_kb} kB for a {size}-byte file");
    let summary = output.lines().last().unwrap();
    assert_eq!(summary, format!("{good} imported, 0 already imported, {} rejected, 0 skipped", records - good));
    let imported: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(imported as usize, good);
    let rejected = output.lines().filter(|l| l.starts_with("rejected") && l.contains("`marcheInnovant`")).count();
    assert_eq!(rejected, records - good, "every other record rejected for its schema fault");
}

#[tokio::test]
async fn the_demo_seeds_participants_and_contracts_once_and_prints_working_tokens() {
    let db = TestDatabase::new().await;
    let without_key = stderr_of_refusal(&suivi(&db, &["demo"]));
    assert!(without_key.contains("SUIVI_KEK_FILE"), "the register needs its key: {without_key}");
    let kek = suivi_privacy::KeyRing::generate().to_text();
    let demo = || {
        Command::new(suivi_binary())
            .args(["demo"])
            .env("DATABASE_URL", db.url())
            .env("SUIVI_KEK", kek.trim())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let first = stdout(&demo());
    assert_eq!(first.lines().filter(|l| l.starts_with("demo participant")).count(), 7, "{first}");
    assert_eq!(first.lines().filter(|l| l.starts_with("demo contract")).count(), 5, "{first}");
    let named = "select count(*) from tenant_buyers where tenant = 'demo' and named_by = 'administrator'";
    assert_eq!(count(&db, named).await, 2, "both demo buyers named, as the indicators show them");
    // A believable demo: nobody above 230 h in a month, one person on two contracts.
    let busiest: rust_decimal::Decimal =
        sqlx::query_scalar("select max(hours) from participant_month_hours").fetch_one(&db.pool).await.unwrap();
    assert!(busiest <= rust_decimal::Decimal::from(230), "{busiest}");
    let on_two: i64 = sqlx::query_scalar(
        "select count(*) from (select l->'beneficiary'->>'code' as code
                               from events, json_array_elements(payload->'statement'->'lines') l
                               where event_type = 'instalment_requested'
                               group by 1 having count(distinct stream_id) > 1) people",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(on_two >= 1, "someone works for two contracts");
    let buyer_token = first.lines().find_map(|l| l.trim().strip_prefix("buyer")).unwrap().trim().to_owned();
    let principal = suivi_http::auth::authenticate(&db.pool, &buyer_token).await.unwrap().unwrap();
    assert_eq!(principal.tenant.as_str(), "demo");
    let events_after_first: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert!(events_after_first >= 6, "awards, statements and a review: {events_after_first}");
    assert_demo_has_a_penalty_to_decide(&db).await;

    let password_of = |output: &str| {
        let line = output.lines().find(|l| l.contains("acheteur@demo.example")).expect("the buyer's web account");
        line.split_whitespace().last().unwrap().to_owned()
    };
    let first_password = password_of(&first);
    let signed_in = suivi_web::accounts::check_password(&db.pool, "acheteur@demo.example", &first_password);
    assert_eq!(signed_in.await.unwrap().unwrap().tenant.as_str(), "demo", "the printed password signs in");

    let second = stdout(&demo());
    assert!(second.contains("already exists"), "{second}");
    let second_password = password_of(&second);
    assert_ne!(second_password, first_password, "a second run prints a fresh password");
    let old = suivi_web::accounts::check_password(&db.pool, "acheteur@demo.example", &first_password);
    assert!(old.await.unwrap().is_none(), "and the old one no longer works");
    let events_after_second: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&db.pool).await.unwrap();
    assert_eq!(events_after_second, events_after_first);
}

/// The settled demo contract: 200 h committed, 125 h validated, its proposal waiting for a decision.
async fn assert_demo_has_a_penalty_to_decide(db: &TestDatabase) {
    let settled: Vec<uuid::Uuid> =
        sqlx::query_scalar("select stream_id from events where event_type = 'contract_settled' order by stream_id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(settled.len(), 2, "one penalty to notify, one notified");
    let store = suivi_store::EventStore::new(db.pool.clone());
    let references = suivi_store::reference_rates::load(&db.pool).await.unwrap();
    let mut notified = 0;
    for id in settled {
        let stored = store.read_stored_stream(id, i64::MAX).await.unwrap();
        let events: Vec<_> = stored.iter().map(|e| e.decode_event().unwrap()).collect();
        let contract = suivi_domain::Contract::from_events(events.iter());
        let view = suivi_reporting::PenaltyView::of(id, events.len() as i64, contract.awarded().unwrap(), &references)
            .expect("a proposal");
        let suivi_domain::ProposedPenalty::Computed { steps } = &view.proposal else { panic!("{view:?}") };
        assert_eq!(steps.committed_hours.value(), rust_decimal::Decimal::from(200));
        assert_eq!(steps.counted_hours.value(), rust_decimal::Decimal::from(125));
        let expected = suivi_proto::MoneyHt::new(rust_decimal::Decimal::from(4500)); // 75 h short × 60 €
        assert_eq!(view.proposed_amount_ht, expected, "{view:?}");
        assert!(view.decision.is_none());
        if let Some(notice) = &view.notice {
            assert_eq!(notice.amount_ht, view.proposed_amount_ht, "the notice gives the proposal");
            notified += 1;
        }
    }
    assert_eq!(notified, 1, "the contractor has one notice to answer");
}

#[tokio::test]
async fn reference_values_are_added_with_their_source_and_never_edited() {
    let db = TestDatabase::new().await;
    let added = stdout(&suivi(
        &db,
        &[
            "reference",
            "add",
            "--kind",
            "smic_hourly_gross",
            "--from",
            "2027-01-01",
            "--value",
            "12.30",
            "--source",
            "Décret test",
        ],
    ));
    assert!(added.contains("recorded"), "{added}");
    let listed = stdout(&suivi(&db, &["reference", "list"]));
    assert!(listed.contains("2027-01-01") && listed.contains("Décret test"), "{listed}");
    let again = suivi(
        &db,
        &["reference", "add", "--kind", "smic_hourly_gross", "--from", "2027-01-01", "--value", "99", "--source", "x"],
    );
    let reason = stderr_of_refusal(&again);
    assert!(
        reason.contains("smic_hourly_gross already has a value from 2027-01-01: values are never edited"),
        "{reason}"
    );
    let no_source = suivi(
        &db,
        &[
            "reference",
            "add",
            "--kind",
            "ecb_main_refinancing",
            "--from",
            "2027-01-01",
            "--value",
            "2",
            "--source",
            " ",
        ],
    );
    let reason = stderr_of_refusal(&no_source);
    assert!(reason.contains("every reference value needs its source"), "{reason}");
    let unsourced =
        "select count(*) from reference_rates where in_force_from = '2027-01-01' and kind = 'ecb_main_refinancing'";
    assert_eq!(count(&db, unsourced).await, 0, "nothing written");
    let value: String =
        sqlx::query_scalar("select value::text from reference_rates where in_force_from = '2027-01-01'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(value, "12.30");
}

/// A later national plan is recorded by an administrator, with its period, targets and source,
/// and the indicators of the years it covers compare with it: no release needed. Plans are never
/// edited and never overlap, so a year has one plan or none.
#[tokio::test]
async fn a_national_plan_is_added_with_its_period_and_source_and_the_indicators_compare_with_it() {
    let db = TestDatabase::new().await;
    let listed = stdout(&suivi(&db, &["reference", "list"]));
    assert!(listed.contains("2022-01-01 to 2025-12-31  social 0.30  environmental 1.00  PNAD 2022-2025: "), "{listed}");
    let agglo = TenantId::parse("agglo").unwrap();
    let before = indicators(&db, &agglo, 2026).await;
    assert!(matches!(before.national_targets, NationalTargets::NoPlan { .. }), "{:?}", before.national_targets);

    let plan = |name: &'static str, from: &'static str, until: &'static str, shares: &[&'static str]| {
        let mut args = vec!["reference", "add-plan", "--name", name, "--from", from, "--until", until];
        args.extend_from_slice(shares);
        args.extend_from_slice(&["--source", "Plan de test, publié au JORF"]);
        args
    };
    let shares = ["--social-share", "0.35", "--environmental-share", "1"];
    let added = stdout(&suivi(&db, &plan("Plan de test 2026-2030", "2026-01-01", "2030-12-31", &shares)));
    assert!(added.starts_with("Plan de test 2026-2030 recorded, from 2026-01-01 to 2030-12-31"), "{added}");
    let listed = stdout(&suivi(&db, &["reference", "list"]));
    assert!(listed.contains("2026-01-01 to 2030-12-31  social 0.35  environmental 1  Plan de test 2026-2030: Plan de test, publié au JORF"), "{listed}");
    let after = indicators(&db, &agglo, 2026).await;
    let NationalTargets::InForce { plan: in_force } = &after.national_targets else { panic!("{after:?}") };
    assert_eq!(in_force.name, "Plan de test 2026-2030");
    assert_eq!(after.consolidated.social.target_share, Some("0.35".parse().unwrap()));
    let plan_2025 = indicators(&db, &agglo, 2025).await.national_targets;
    assert!(matches!(&plan_2025, NationalTargets::InForce { plan } if plan.name == "PNAD 2022-2025"), "{plan_2025:?}");

    for (args, refusal) in [
        (
            plan("Plan de test 2026-2030", "2031-01-01", "2035-12-31", &shares),
            "Plan de test 2026-2030 is already recorded: plans are never edited",
        ),
        (
            plan("Chevauchement", "2025-07-01", "2026-06-30", &shares),
            "Chevauchement (2025-07-01 to 2026-06-30) overlaps PNAD 2022-2025 (2022-01-01 to 2025-12-31)",
        ),
        (
            plan("Envers", "2035-12-31", "2031-01-01", &shares),
            "the plan ends (2031-01-01) before it starts (2035-12-31)",
        ),
        (plan("Sans objectif", "2031-01-01", "2035-12-31", &[]), "a plan sets at least one target"),
        (
            plan("En pourcentage", "2031-01-01", "2035-12-31", &["--social-share", "30"]),
            "--social-share is a fraction of 1 (0.30 is 30 %): got 30",
        ),
    ] {
        let reason = stderr_of_refusal(&suivi(&db, &args));
        assert!(reason.contains(refusal), "{args:?}: {reason}");
    }
    let mut unsourced = plan("Sans source", "2031-01-01", "2035-12-31", &shares);
    *unsourced.last_mut().unwrap() = " ";
    assert!(stderr_of_refusal(&suivi(&db, &unsourced)).contains("every reference value needs its source"));
    assert_eq!(count(&db, "select count(*) from pnad_targets").await, 2, "nothing written by the refusals");
}

async fn indicators(db: &TestDatabase, tenant: &TenantId, year: i32) -> YearlyIndicators {
    let schema = suivi_projector::target::active(&db.pool).await.unwrap();
    suivi_projector::yearly_indicators(&db.pool, schema, tenant, year).await.unwrap()
}

/// `reference_rates` is the one source of the SMIC and ECB tables: once migrated it covers every
/// day from 2013 to today — so every date the tests, the demo and the generator use (notified
/// 2024-03-01 in the domain's fixtures, 2025-01-15 in the API's, up to 43 months before today in
/// generated histories, decided on `decision_day`) — with the published values.
#[tokio::test]
async fn the_migrated_reference_tables_cover_every_day_since_2013_with_the_published_values() {
    use chrono::{Datelike, Months, NaiveDate};
    use rust_decimal::Decimal;

    let db = TestDatabase::new().await;
    let references = suivi_store::reference_rates::load(&db.pool).await.unwrap();
    let date = |text: &str| text.parse::<NaiveDate>().unwrap();
    let dec = |text: &str| text.parse::<Decimal>().unwrap();

    let last = suivi_application::business_today().max(suivi_e2e::history::decision_day());
    let mut month = date("2013-01-01");
    while month <= last {
        assert!(references.smic.in_force_on(month).is_some(), "no SMIC in force on {month}");
        if month.month() == 1 || month.month() == 7 {
            assert!(references.ecb.in_force_on(month).is_some(), "no ECB rate on the half-year's first day {month}");
        }
        month = month + Months::new(1);
    }
    for used in ["2024-03-01", "2025-01-15"] {
        assert!(references.smic.in_force_on(date(used)).is_some(), "{used}");
    }

    let smic = [
        ("2013-01-01", "9.43"),
        ("2014-01-01", "9.53"),
        ("2015-01-01", "9.61"),
        ("2016-01-01", "9.67"),
        ("2017-01-01", "9.76"),
        ("2018-01-01", "9.88"),
        ("2019-01-01", "10.03"),
        ("2020-01-01", "10.15"),
        ("2021-01-01", "10.25"),
        ("2021-10-01", "10.48"),
        ("2022-01-01", "10.57"),
        ("2022-05-01", "10.85"),
        ("2022-08-01", "11.07"),
        ("2023-01-01", "11.27"),
        ("2023-05-01", "11.52"),
        ("2024-01-01", "11.65"),
        ("2024-03-01", "11.65"),
        ("2024-11-01", "11.88"),
        ("2025-01-01", "11.88"),
        ("2025-12-31", "11.88"),
        ("2026-01-01", "12.02"),
    ];
    for (day, value) in smic {
        assert_eq!(references.smic.in_force_on(date(day)), Some(dec(value)), "SMIC on {day}");
    }
    // Percent in the table, fractions of 1 in the domain.
    let ecb = [
        ("2013-01-01", "0.75"),
        ("2013-05-08", "0.50"),
        ("2013-11-13", "0.25"),
        ("2014-06-11", "0.15"),
        ("2014-09-10", "0.05"),
        ("2016-03-16", "0.00"),
        ("2022-07-01", "0.00"),
        ("2022-07-27", "0.50"),
        ("2022-09-14", "1.25"),
        ("2022-11-02", "2.00"),
        ("2022-12-21", "2.50"),
        ("2023-02-08", "3.00"),
        ("2023-03-22", "3.50"),
        ("2023-05-10", "3.75"),
        ("2023-06-21", "4.00"),
        ("2023-08-02", "4.25"),
        ("2023-09-20", "4.50"),
        ("2024-01-01", "4.50"),
        ("2024-06-12", "4.25"),
        ("2024-09-18", "3.65"),
        ("2024-10-23", "3.40"),
        ("2024-12-18", "3.15"),
        ("2025-02-05", "2.90"),
        ("2025-03-12", "2.65"),
        ("2025-04-23", "2.40"),
        ("2025-06-11", "2.15"),
    ];
    for (day, percent) in ecb {
        assert_eq!(references.ecb.in_force_on(date(day)), Some(dec(percent) / Decimal::ONE_HUNDRED), "ECB on {day}");
    }
    let unsourced: i64 = sqlx::query_scalar("select count(*) from reference_rates where btrim(source) = ''")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(unsourced, 0, "every reference value has its source");
}

/// A value added with `suivi reference add` counts for the application once its copy of the
/// tables is `REFERENCES_MAX_AGE` old (a minute), with no restart.
#[tokio::test]
async fn a_reference_value_added_on_the_command_line_counts_once_the_copy_in_memory_expires() {
    use std::time::Duration;

    use suivi_application::Application;
    use suivi_store::EventStore;

    let db = TestDatabase::new().await;
    let day = "2027-03-01".parse().unwrap();
    let cached = Application::new(EventStore::new(db.pool.clone()));
    let expiring = Application::new(EventStore::new(db.pool.clone())).with_reference_max_age(Duration::ZERO);
    assert_eq!(cached.references().await.unwrap().smic.in_force_on(day), Some("12.02".parse().unwrap()));
    assert_eq!(expiring.references().await.unwrap().smic.in_force_on(day), Some("12.02".parse().unwrap()));

    let args = ["reference", "add", "--kind", "smic_hourly_gross", "--from", "2027-03-01", "--value", "12.50"];
    stdout(&suivi(&db, &[&args[..], &["--source", "Décret test"]].concat()));

    assert_eq!(expiring.references().await.unwrap().smic.in_force_on(day), Some("12.50".parse().unwrap()));
    assert_eq!(
        cached.references().await.unwrap().smic.in_force_on(day),
        Some("12.02".parse().unwrap()),
        "read less than a minute ago: the copy in memory is still used"
    );
}
