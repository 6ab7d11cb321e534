//! The projector against a real database: exactly-once effects across kills, rebuilds equal to
//! live projection row by row, and the figures of the read models.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use suivi::generate::{histories, insert_histories};
use suivi_e2e::{ContractHistory, SuiviProcess, TestDatabase};
use suivi_projector::{checkpoint, target, BatchOutcome, Projector, ProjectorConfig, Schema};
use suivi_proto::TenantId;

const TABLES: [&str; 4] = ["contracts", "instalments", "statement_lines", "penalties"];

/// Generated histories dated back from a fixed day, so the data (and what the tests below count
/// in it) is the same whatever day the suite runs.
async fn seed(db: &TestDatabase, contracts: usize) -> usize {
    let today = suivi_e2e::history::decision_day();
    let references = suivi_store::reference_rates::load(&db.pool).await.unwrap();
    let generated = histories(42, contracts, today, &references);
    insert_histories(&db.pool, &TenantId::parse("gen").unwrap(), &generated).await.unwrap()
}

/// Projects until the schema's checkpoint covers every event in the log. "Caught up" alone is
/// not enough: another test's transaction anywhere in the cluster can hold readers back a moment.
async fn project_until_caught_up(projector: &mut Projector, schema: Schema) {
    let pool = projector_pool(projector);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        while let BatchOutcome::Applied(_) = projector.project_batch(schema).await.unwrap() {}
        let total: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&pool).await.unwrap();
        if checkpoint(&pool, schema).await.unwrap().events >= total {
            return;
        }
        assert!(Instant::now() < deadline, "the projector never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn projector_pool(projector: &Projector) -> sqlx::PgPool {
    projector.pool().clone()
}

/// Rebuilds into the inactive schema, then makes sure it covers every event.
async fn rebuild(db: &TestDatabase) -> Schema {
    let mut rebuilder = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    let rebuilt = rebuilder.rebuild().await.unwrap();
    project_until_caught_up(&mut rebuilder, rebuilt).await;
    rebuilt
}

/// Every row of both schemas' tables, compared in both directions.
async fn assert_same_rows(db: &TestDatabase, left: Schema, right: Schema) {
    for table in TABLES {
        let (l, r) = (left.name(), right.name());
        let differing: i64 = sqlx::query_scalar(&format!(
            "select count(*) from ((select * from {l}.{table} except all select * from {r}.{table})
                                   union all
                                   (select * from {r}.{table} except all select * from {l}.{table})) d"
        ))
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(differing, 0, "{table} differs between {l} and {r}");
    }
}

async fn count(db: &TestDatabase, schema: Schema, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {}.{table}", schema.name())).fetch_one(&db.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_projection_equals_a_clean_rebuild_row_by_row() {
    let db = TestDatabase::new().await;
    let total = seed(&db, 150).await;
    assert!(total > 5_000, "a large history: {total} events");

    // Live: small batches read in several pages, and a small cache, so contracts are evicted and
    // read back; the rebuild then takes the whole history in one batch (its default size).
    let config = ProjectorConfig { batch_size: 300, page_size: 70, cache_capacity: 40, ..ProjectorConfig::default() };
    let mut live = Projector::new(db.pool.clone(), config).await.unwrap();
    project_until_caught_up(&mut live, Schema::ReadA).await;
    assert_eq!(checkpoint(&db.pool, Schema::ReadA).await.unwrap().events, total as i64);

    let rebuilt = rebuild(&db).await;
    assert_eq!(rebuilt, Schema::ReadB);
    assert_eq!(target::active(&db.pool).await.unwrap(), Schema::ReadB, "readers switched once caught up");

    assert_eq!(count(&db, Schema::ReadA, "contracts").await, 150);
    assert!(count(&db, Schema::ReadA, "penalties").await > 0, "some generated contracts are settled");
    assert!(count(&db, Schema::ReadA, "statement_lines").await > 1_000);
    assert_same_rows(&db, Schema::ReadA, Schema::ReadB).await;
}

/// A batch the projector had begun (its transaction open, the checkpoint locked, rows being
/// written) when it was killed: found in `pg_stat_activity`, blocked on a lock this test holds
/// on the rows' table, so the kill lands inside it every time.
struct OpenBatch {
    pid: i32,
    /// The batch transaction's id, as `pg_xact_status` takes it.
    xid: String,
}

/// Holds back every write to `read_a.contracts` until the returned transaction ends, and waits
/// until the projector's batch transaction is blocked on it.
async fn catch_a_batch_open(db: &TestDatabase) -> (sqlx::Transaction<'static, sqlx::Postgres>, OpenBatch) {
    let mut blocker = db.pool.begin().await.unwrap();
    sqlx::query("lock table read_a.contracts in share mode").execute(&mut *blocker).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // An xid is assigned once a transaction locks or writes rows: the batch locked its checkpoint.
        let open: Option<(i32, String)> = sqlx::query_as(
            "select pid, ((pg_snapshot_xmax(pg_current_snapshot())::text::bigint >> 32 << 32)
                          + backend_xid::text::bigint)::text
             from pg_stat_activity
             where datname = $1 and pid <> pg_backend_pid() and backend_xid is not null
               and wait_event_type = 'Lock'",
        )
        .bind(&db.name)
        .fetch_optional(&db.pool)
        .await
        .unwrap();
        if let Some((pid, xid)) = open {
            return (blocker, OpenBatch { pid, xid });
        }
        assert!(Instant::now() < deadline, "no projector batch reached its writes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The killed process's batch ended without committing: its backend is gone, its transaction
/// aborted, and the checkpoint is where it was before the batch.
async fn assert_batch_rolled_back(db: &TestDatabase, batch: &OpenBatch, checkpoint_before: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let alive: bool = sqlx::query_scalar("select exists(select 1 from pg_stat_activity where pid = $1)")
            .bind(batch.pid)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if !alive {
            break;
        }
        assert!(Instant::now() < deadline, "the killed projector's backend never ended");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status: Option<String> =
        sqlx::query_scalar("select pg_xact_status($1::text::xid8)").bind(&batch.xid).fetch_one(&db.pool).await.unwrap();
    assert_eq!(status.as_deref(), Some("aborted"), "the batch open at the kill never committed");
    assert_eq!(checkpoint(&db.pool, Schema::ReadA).await.unwrap().events, checkpoint_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_killed_mid_batch_resumes_to_the_state_of_a_clean_rebuild() {
    let db = TestDatabase::new().await;
    let total = seed(&db, 200).await as i64;
    let env = [("DATABASE_URL", db.url()), ("SUIVI_PROJECTOR_BATCH", "40".to_owned())];

    let deadline = Instant::now() + Duration::from_secs(120);
    for round in 1..=3 {
        let mut process = SuiviProcess::spawn(&["projector", "run"], &env);
        let before = checkpoint(&db.pool, Schema::ReadA).await.unwrap().events;
        // Let it commit a few batches, then catch it inside the next one and kill it there.
        while checkpoint(&db.pool, Schema::ReadA).await.unwrap().events < before + 200 {
            assert!(Instant::now() < deadline, "the projector makes progress");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (blocker, batch) = catch_a_batch_open(&db).await;
        let at_kill = checkpoint(&db.pool, Schema::ReadA).await.unwrap().events;
        assert!(at_kill < total, "round {round}: events were left to project ({at_kill} of {total})");
        process.kill();
        blocker.rollback().await.unwrap();
        assert_batch_rolled_back(&db, &batch, at_kill).await;
    }
    let mut last = SuiviProcess::spawn(&["projector", "run"], &env);
    while checkpoint(&db.pool, Schema::ReadA).await.unwrap().events < total {
        assert!(Instant::now() < deadline, "the projector catches up after the kills");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    last.kill();
    let at = checkpoint(&db.pool, Schema::ReadA).await.unwrap();
    assert_eq!(at.events, total, "every event applied exactly once");

    rebuild(&db).await;
    assert_same_rows(&db, Schema::ReadA, Schema::ReadB).await;
}

/// The read models' day counts are the domain's, computed once: every instalment's due date, and
/// every payment's days to pay and days late, equal `suivi_domain::late_payment::payment_delay`
/// on the request's receipt, the contract's payment term and the payment date — whether the ECB
/// rate of the half-year is known (interest computed) or not. Without the rate a late payment
/// still owes its 40 € flat fee, and its interest is not a 0 but null, with the rate it lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_models_day_counts_are_the_domain_functions() {
    use chrono::{Datelike, NaiveDate};
    use suivi_domain::late_payment::{due_date, payment_delay};

    let db = TestDatabase::new().await;
    seed(&db, 80).await;
    let mut with_rates = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    project_until_caught_up(&mut with_rates, Schema::ReadA).await;
    // Without any ECB rate, late payments take the projector's other path: same delay and fee,
    // the interest not computable.
    sqlx::query("delete from reference_rates where kind = 'ecb_main_refinancing'").execute(&db.pool).await.unwrap();
    let without_rates = rebuild(&db).await;

    for (schema, rates_known) in [(Schema::ReadA, true), (without_rates, false)] {
        type Row = (NaiveDate, NaiveDate, Option<NaiveDate>, Option<i32>, Option<i32>, String);
        type Interest = (Option<String>, Option<String>, Option<String>, Option<NaiveDate>);
        let rows: Vec<(Row, Interest)> = sqlx::query_as::<
            _,
            (
                NaiveDate,
                NaiveDate,
                Option<NaiveDate>,
                Option<i32>,
                Option<i32>,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<NaiveDate>,
            ),
        >(&format!(
            "select i.received_on, i.due_on, i.paid_on, i.days_to_pay, i.days_late,
                    e.payload->>'payment_term_days',
                    i.interest_ttc::text, i.flat_fee::text, i.interest_missing_table, i.interest_missing_on
             from {}.instalments i
             join events e on e.stream_id = i.contract_id and e.event_type = 'contract_awarded'",
            schema.name()
        ))
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(a, b, c, d, e, f, g, h, i, j)| ((a, b, c, d, e, f), (g, h, i, j)))
        .collect();
        let (mut paid, mut late) = (0, 0);
        for ((received_on, due_on, paid_on, days_to_pay, days_late, term), interest) in rows {
            let term: u16 = term.parse().unwrap();
            assert_eq!(due_on, due_date(received_on, term), "due date of a request received on {received_on}");
            let Some(paid_on) = paid_on else { continue };
            let delay = payment_delay(received_on, term, paid_on);
            assert_eq!(
                (days_to_pay, days_late),
                (Some(delay.days_to_pay as i32), Some(delay.days_late as i32)),
                "received on {received_on}, term {term} days, paid on {paid_on}"
            );
            paid += 1;
            let (amount, flat_fee, missing_table, missing_on) = interest;
            if delay.days_late == 0 {
                assert_eq!((amount.as_deref(), flat_fee.as_deref(), missing_on), (Some("0.00"), Some("0.00"), None));
                continue;
            }
            late += 1;
            assert_eq!(flat_fee.as_deref(), Some("40.00"), "the flat fee is owed whatever the rate table holds");
            let starts = delay.due_date.succ_opt().unwrap();
            let half_year = NaiveDate::from_ymd_opt(starts.year(), if starts.month() <= 6 { 1 } else { 7 }, 1);
            if rates_known {
                assert!(amount.as_deref().is_some_and(|amount| amount != "0.00"), "interest {amount:?}");
                assert_eq!((missing_table, missing_on), (None, None));
            } else {
                assert_eq!(amount, None, "not computable is not 0");
                assert_eq!((missing_table.as_deref(), missing_on), (Some("ecb_main_refinancing_rate"), half_year));
            }
        }
        assert!(late > 0 && paid > late, "{}: {paid} payments, {late} late", schema.name());
    }
}

/// One number format in the read models, as in the API (`suivi_proto::shown`): every amount with
/// two decimals (a zero too: `0.00`, never `0`), the ECB rate a fraction of 1 with four, hours
/// without trailing zeros — on a generated history, so every kind of row is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_models_write_one_number_format() {
    let db = TestDatabase::new().await;
    seed(&db, 40).await;
    let mut projector = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    project_until_caught_up(&mut projector, Schema::ReadA).await;

    let decimals = |text: &str| text.split_once('.').map_or(0, |(_, decimals)| decimals.len());
    let columns: [(&str, &[&str], usize); 4] = [
        (
            "contracts",
            &[
                "initial_amount_ht",
                "amount_ht",
                "executed_value_ht",
                "final_amount_ht",
                "paid_ttc",
                "advance_paid_ttc",
                "advance_outstanding_ttc",
            ],
            2,
        ),
        (
            "instalments",
            &[
                "cumulative_value_ht",
                "gross_ttc",
                "advance_recovery_ttc",
                "advance_outstanding_ttc",
                "other_deductions_ttc",
                "net_to_pay_ttc",
                "amount_paid_ttc",
                "interest_ttc",
                "flat_fee",
            ],
            2,
        ),
        ("penalties", &["proposed_amount_ht", "decided_amount_ht"], 2),
        ("instalments", &["ecb_rate"], 4),
    ];
    let mut zeros = 0;
    for (table, names, expected) in columns {
        for name in names {
            let values: Vec<String> =
                sqlx::query_scalar(&format!("select {name}::text from read_a.{table} where {name} is not null"))
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
            assert!(!values.is_empty(), "{table}.{name}: the history has such figures");
            for value in values {
                assert_eq!(decimals(&value), expected, "{table}.{name} = {value}");
                zeros += usize::from(value.trim_start_matches(['0', '.']).is_empty());
            }
        }
    }
    assert!(zeros > 0, "zeros are among them");
    for (table, name) in [
        ("contracts", "committed_hours"),
        ("contracts", "declared_hours"),
        ("contracts", "validated_hours"),
        ("contracts", "pending_hours"),
        ("contracts", "remaining_hours"),
        ("statement_lines", "hours"),
    ] {
        let values: Vec<String> =
            sqlx::query_scalar(&format!("select {name}::text from read_a.{table} where {name} is not null"))
                .fetch_all(&db.pool)
                .await
                .unwrap();
        for value in values {
            assert!(!value.contains('.') || !value.ends_with('0'), "{table}.{name} = {value}: a trailing zero");
        }
    }
}

/// A contract whose figures are computed by hand: 1 000 000 € HT, 1 000 h committed at 60 €/h,
/// cap 20 %; 800 h validated; an advance of 60 000 € recovered between 65 % and 80 %; an
/// instalment paid 10 days late.
#[tokio::test]
async fn the_read_models_carry_the_hand_computed_figures_and_the_penalty_explanation() {
    use serde_json::json;
    let db = TestDatabase::new().await;
    let mut gymnase = ContractHistory::new(&db.pool, "figures");
    let id = gymnase.id;
    gymnase
        .run(
            "award",
            json!({
        "buyer_siret": "20004869500015", "buyer_kind": "local_authority",
        "contractors": [{ "siret": "73282932000074", "size": "pme", "role": "sole" }],
        "object": "Gymnase", "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert",
        "amount_ht": "1000000.00", "vat_rate": "0.20", "duration_months": 24, "notification_date": "2025-01-15",
        "social_considerations": ["clause_sociale"], "environmental_considerations": ["clause_environnementale"],
        "insertion_clause": { "committed_hours": "1000", "penalty_terms": {
            "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" }, "basis": "validated",
            "tolerance_share": "0", "cap_share": "0.20", "pro_rata_on_termination": true } },
        "advance_terms": { "rate": "0.10", "with_guarantee": false,
            "recovery": { "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" } },
        "payment_term_days": 30 }),
        )
        .await;
    gymnase
        .run(
            "advance",
            json!({
        "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false, "finance_reference": "M-1" }),
        )
        .await;
    let lines: Vec<_> = (1..=4)
        .map(|p| {
            json!({
        "line_id": p, "beneficiary": format!("{p}").repeat(64), "category": "long_term_jobseeker",
        "modality": "direct_hire", "hours": "200", "period": { "start": "2025-02-01", "end": "2025-02-28" } })
        })
        .collect();
    gymnase
        .run(
            "request",
            json!({
        "number": 1, "period": { "start": "2025-02-01", "end": "2025-02-28" }, "cumulative_value_ht": "700000.00",
        "received_on": "2025-03-03", "statement": { "lines": lines } }),
        )
        .await;
    let decisions: Vec<_> = (1..=4).map(|p| json!({ "line_id": p, "decision": { "kind": "validated" } })).collect();
    gymnase.run("review", json!({ "instalment_number": 1, "decisions": decisions })).await;
    gymnase
        .run(
            "approve",
            json!({
        "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" }),
        )
        .await;
    // Received 3 March, term 30 days: due 2 April; paid 12 April, 10 days late.
    gymnase
        .run(
            "pay",
            json!({
        "number": 1, "amount_ttc": "820000.00", "paid_on": "2025-04-12", "finance_reference": "M-2" }),
        )
        .await;
    gymnase.run("settle", json!({ "final_amount_ht": "1000000.00", "settled_on": "2026-03-01" })).await;

    let mut projector = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    project_until_caught_up(&mut projector, Schema::ReadA).await;

    let contract: (String, String, String, String, String, bool) = sqlx::query_as(
        "select status, committed_hours::text, validated_hours::text, remaining_hours::text,
                advance_outstanding_ttc::text, at_risk
         from read_a.contracts where contract_id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(contract, ("settled".into(), "1000".into(), "800".into(), "200".into(), "40000.00".into(), false));

    // 70 % executed, recovery from 65 % to 80 %: 60 000 × (0.70 − 0.65) ÷ 0.15 = 20 000.
    // Late: interest starts 3 April 2025, half-year from 1 January 2025, ECB rate then 3.15 %
    // (in force since 18 December 2024) + 8 points = 11.15 %;
    // 820 000 × 10 ÷ 365 × 0.1115 = 2 504.931… → 2 504.93, plus the 40 € flat fee.
    let instalment: (String, String, String, i32, i32, String, String, String) = sqlx::query_as(
        "select gross_ttc::text, advance_recovery_ttc::text, advance_outstanding_ttc::text, days_to_pay, days_late,
                ecb_rate::text, interest_ttc::text, flat_fee::text
         from read_a.instalments where contract_id = $1 and number = 1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        instalment,
        (
            "840000.00".into(),
            "20000.00".into(),
            "40000.00".into(),
            40,
            10,
            "0.0315".into(),
            "2504.93".into(),
            "40.00".into()
        )
    );

    // Shortfall 1 000 − 800 = 200 h × 60 € = 12 000 €, under the cap of 20 % × 1 000 000.
    let (proposed, proposal): (String, serde_json::Value) =
        sqlx::query_as("select proposed_amount_ht::text, proposal from read_a.penalties where contract_id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(proposed, "12000.00");
    assert_eq!(proposal["shortfall_hours"], "200");
    assert_eq!(proposal["cap_applied"], false);
    let explanation: Vec<String> = serde_json::from_value(proposal["explanation"].clone()).unwrap();
    assert!(explanation.iter().any(|line| line.contains("1000 h") || line.contains("1 000 h")), "{explanation:?}");
    assert!(
        explanation.last().unwrap().contains("12000.00") || explanation.last().unwrap().contains("12 000,00"),
        "{explanation:?}"
    );

    // The decision is reflected.
    gymnase.hear("12000.00", "2026-03-20").await;
    gymnase.run("confirm", json!({ "amount_ht": "12000.00", "decided_on": "2026-03-20" })).await;
    project_until_caught_up(&mut projector, Schema::ReadA).await;
    let decision: (String, String) =
        sqlx::query_as("select decision, decided_amount_ht::text from read_a.penalties where contract_id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(decision, ("confirmed".into(), "12000.00".into()));
}

/// An award whose figures are easy to check: 100 000 € HT, 100 h committed.
fn small_award(object: &str) -> serde_json::Value {
    serde_json::json!({
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

fn advance(reference: &str) -> serde_json::Value {
    serde_json::json!({ "amount_ttc": "1000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                        "finance_reference": reference })
}

/// Instalment `number` covers the `number`-th month from February 2025 (a period is requested
/// once) and is received on the 3rd of the next; its line declares hours of February.
fn instalment_request(number: u32, cumulative: &str) -> serde_json::Value {
    use chrono::{Days, Months, NaiveDate};
    let start = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap() + Months::new(number - 1);
    let next = start + Months::new(1);
    let (end, received_on) = (next - Days::new(1), next + Days::new(2));
    serde_json::json!({
        "number": number, "period": { "start": start.to_string(), "end": end.to_string() },
        "cumulative_value_ht": cumulative, "received_on": received_on.to_string(), "statement": { "lines": [{
            "line_id": 1, "beneficiary": "a".repeat(64), "category": "long_term_jobseeker",
            "modality": "direct_hire", "hours": "20", "period": { "start": "2025-02-01", "end": "2025-02-28" } }] } })
}

/// Appends one event as it is, bypassing the domain and the HTTP validation: what an older
/// release (or a bug) may have left in the log.
async fn append_raw(
    db: &TestDatabase,
    tenant: &str,
    stream_id: uuid::Uuid,
    event_type: &str,
    payload: serde_json::Value,
) {
    let store = suivi_store::EventStore::new(db.pool.clone());
    let expected_version = store.stream_version(stream_id).await.unwrap();
    let event = suivi_proto::NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        occurred_at: chrono::Utc::now(),
        payload,
    };
    store
        .append(suivi_store::AppendRequest {
            tenant: &TenantId::parse(tenant).unwrap(),
            stream_id,
            expected_version,
            actor: &suivi_e2e::test_actor(),
            correlation_id: uuid::Uuid::now_v7(),
            causation_id: None,
            idempotency_key: None,
            request_digest: None,
            events: &[event],
        })
        .await
        .unwrap();
}

/// `(stream_version, cause, error)` of every failure recorded for `contract`, in log order.
async fn failures_of(db: &TestDatabase, schema: Schema, contract: uuid::Uuid) -> Vec<(i64, String, String)> {
    sqlx::query_as(&format!(
        "select stream_version, cause, error from {}.projection_failures where stream_id = $1 order by position",
        schema.name()
    ))
    .bind(contract)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// The failures of both schemas are the same (when they were recorded aside).
async fn assert_same_failures(db: &TestDatabase, left: Schema, right: Schema) {
    let columns = "position, event_id, stream_id, stream_version, tenant, event_type, schema_version, cause, error";
    let (l, r) = (left.name(), right.name());
    let differing: i64 = sqlx::query_scalar(&format!(
        "select count(*) from ((select {columns} from {l}.projection_failures except all
                                select {columns} from {r}.projection_failures)
                               union all
                               (select {columns} from {r}.projection_failures except all
                                select {columns} from {l}.projection_failures)) d"
    ))
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(differing, 0, "projection_failures differs between {l} and {r}");
}

async fn contract_version(db: &TestDatabase, schema: Schema, contract: uuid::Uuid) -> Option<i64> {
    sqlx::query_scalar(&format!("select version from {}.contracts where contract_id = $1", schema.name()))
        .bind(contract)
        .fetch_optional(&db.pool)
        .await
        .unwrap()
}

/// The issue "one bad value must not stop everyone": an award whose object holds a NUL was
/// accepted, then the projector retried it for ever and every tenant's read models stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_whose_rows_cannot_be_written_is_quarantined_and_the_others_go_on() {
    let db = TestDatabase::new().await;
    let mut healthy = ContractHistory::new(&db.pool, "healthy");
    let broken = uuid::Uuid::now_v7();
    healthy.run("award", small_award("Gymnase")).await;
    append_raw(&db, "broken", broken, "contract_awarded", small_award("Voirie\u{0} communale")).await;
    healthy.run("advance", advance("M-1")).await;
    append_raw(&db, "broken", broken, "advance_paid", advance("M-2")).await;
    healthy.run("request", instalment_request(1, "30000.00")).await;

    // Small batches read in small pages: the bad event shares batches with good ones.
    let config = ProjectorConfig { batch_size: 3, page_size: 2, ..ProjectorConfig::default() };
    let mut live = Projector::new(db.pool.clone(), config.clone()).await.unwrap();
    project_until_caught_up(&mut live, Schema::ReadA).await;

    // Five contract events, and the registration of the participant the statement names.
    assert_eq!(checkpoint(&db.pool, Schema::ReadA).await.unwrap().events, 6, "the checkpoint reached the end");
    assert_eq!(contract_version(&db, Schema::ReadA, healthy.id).await, Some(3), "the healthy contract is projected");
    assert_eq!(count(&db, Schema::ReadA, "instalments").await, 1);
    assert_eq!(contract_version(&db, Schema::ReadA, broken).await, None, "nothing half-written for the broken one");
    let failures = failures_of(&db, Schema::ReadA, broken).await;
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!((failures[0].0, failures[0].1.as_str()), (1, "unwritable"));
    assert!(failures[0].2.contains("invalid byte sequence for encoding \"UTF8\": 0x00"), "{failures:?}");
    assert_eq!((failures[1].0, failures[1].1.as_str()), (2, "quarantined"), "later events are skipped too");
    assert!(failures_of(&db, Schema::ReadA, healthy.id).await.is_empty());

    // Later events: the broken contract's are recorded, the others applied.
    append_raw(&db, "broken", broken, "instalment_requested", instalment_request(1, "10000.00")).await;
    healthy.run("request", instalment_request(2, "60000.00")).await;
    project_until_caught_up(&mut live, Schema::ReadA).await;
    assert_eq!(contract_version(&db, Schema::ReadA, healthy.id).await, Some(4));
    assert_eq!(failures_of(&db, Schema::ReadA, broken).await.len(), 3);

    // A rebuild, in one batch, finds the same failures and the same rows.
    let rebuilt = rebuild(&db).await;
    assert_same_rows(&db, Schema::ReadA, rebuilt).await;
    assert_same_failures(&db, Schema::ReadA, rebuilt).await;
    // And so does a projector that takes the log one event at a time, after the rebuild.
    let single = ProjectorConfig { rebuild_batch_size: 1, page_size: 1, ..ProjectorConfig::default() };
    let mut replay = Projector::new(db.pool.clone(), single).await.unwrap();
    let again = replay.rebuild().await.unwrap();
    assert_eq!(again, Schema::ReadA);
    project_until_caught_up(&mut replay, again).await;
    assert_same_rows(&db, Schema::ReadA, Schema::ReadB).await;
    assert_same_failures(&db, Schema::ReadA, Schema::ReadB).await;
}

/// A payload that does not decode, and an event that does not fit its contract (here: before
/// its award), are recorded with their reason; their contracts stop at their last good state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_and_inconsistent_events_are_recorded_and_skip_their_contract_only() {
    let db = TestDatabase::new().await;
    let mut healthy = ContractHistory::new(&db.pool, "healthy");
    let (garbled, orphan) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    healthy.run("award", small_award("Gymnase")).await;
    append_raw(&db, "garbled", garbled, "contract_awarded", small_award("Voirie")).await;
    append_raw(&db, "garbled", garbled, "advance_paid", serde_json::json!({ "amount_ttc": 1000 })).await;
    append_raw(&db, "orphan", orphan, "advance_paid", advance("M-9")).await;
    healthy.run("advance", advance("M-1")).await;
    append_raw(&db, "garbled", garbled, "contract_signed", serde_json::json!({})).await;
    append_raw(&db, "orphan", orphan, "contract_awarded", small_award("Piscine")).await;
    healthy.run("request", instalment_request(1, "30000.00")).await;

    let mut live = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    project_until_caught_up(&mut live, Schema::ReadA).await;

    // Eight contract events, and the registration of the participant the statement names.
    assert_eq!(checkpoint(&db.pool, Schema::ReadA).await.unwrap().events, 9);
    assert_eq!(contract_version(&db, Schema::ReadA, healthy.id).await, Some(3));
    assert_eq!(contract_version(&db, Schema::ReadA, garbled).await, Some(1), "its last good state");
    assert_eq!(contract_version(&db, Schema::ReadA, orphan).await, None);

    let garbled_failures = failures_of(&db, Schema::ReadA, garbled).await;
    let causes: Vec<(i64, &str)> = garbled_failures.iter().map(|(v, cause, _)| (*v, cause.as_str())).collect();
    assert_eq!(causes, [(2, "undecodable"), (3, "quarantined")]);
    assert!(garbled_failures[0].2.starts_with("invalid advance_paid v1 payload: "), "{garbled_failures:?}");
    let orphan_failures = failures_of(&db, Schema::ReadA, orphan).await;
    let causes: Vec<(i64, &str)> = orphan_failures.iter().map(|(v, cause, _)| (*v, cause.as_str())).collect();
    assert_eq!(causes, [(1, "inconsistent"), (2, "quarantined")]);
    assert!(orphan_failures[0].2.contains("not been awarded"), "{orphan_failures:?}");

    let rebuilt = rebuild(&db).await;
    assert_same_rows(&db, Schema::ReadA, rebuilt).await;
    assert_same_failures(&db, Schema::ReadA, rebuilt).await;
}

/// What operators see: `/readyz` reports the failed events and stays ready (one bad contract
/// must not take the service down for everyone), and `suivi projector status` names the contract.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_status_report_the_quarantined_contract_without_going_unready() {
    let app = suivi_e2e::TestApp::spawn().await;
    let broken = uuid::Uuid::now_v7();
    append_raw(&app.db, "grand-agglo", broken, "contract_awarded", small_award("Voirie\u{0}")).await;
    append_raw(&app.db, "grand-agglo", broken, "advance_paid", advance("M-2")).await;
    let mut projector = Projector::new(app.db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    project_until_caught_up(&mut projector, Schema::ReadA).await;

    let response = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK, "one quarantined contract leaves the service ready");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["projector"]["failed_events"], 2, "{body}");
    assert_eq!(body["projector"]["quarantined_contracts"], 1, "{body}");
    assert_eq!(body["projector"]["lag_events"], 0, "{body}");

    let output = std::process::Command::new(suivi_e2e::process::suivi_binary())
        .args(["projector", "status"])
        .env("DATABASE_URL", app.db.url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let status = String::from_utf8(output.stdout).unwrap();
    assert!(status.contains("2 events not projected, 1 contract quarantined"), "{status}");
    assert!(status.contains(&format!("quarantined contract {broken} (tenant grand-agglo)")), "{status}");
    assert!(status.contains("unwritable: error returned from database: invalid byte sequence"), "{status}");
}

/// The database refuses a row only late in a contract's life (a NUL in the reason of a penalty
/// decision, written into `penalties.reason`): the contract's rows stay those of the event just
/// before, whatever the batches, and the decision is recorded as not projected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_refused_late_in_a_contract_leaves_its_rows_as_they_were_just_before() {
    let db = TestDatabase::new().await;
    let mut settled = ContractHistory::new(&db.pool, "healthy");
    settled.run("award", small_award("Gymnase")).await;
    settled.run("request", instalment_request(1, "30000.00")).await;
    let decisions = serde_json::json!([{ "line_id": 1, "decision": { "kind": "validated" } }]);
    settled.run("review", serde_json::json!({ "instalment_number": 1, "decisions": decisions })).await;
    let approval = serde_json::json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" });
    settled.run("approve", approval).await;
    settled.run("settle", serde_json::json!({ "final_amount_ht": "100000.00", "settled_on": "2026-03-01" })).await;
    let waiver = serde_json::json!({ "reason": "Défaillance\u{0} de la SIAE", "decided_on": "2026-03-20" });
    append_raw(&db, "healthy", settled.id, "penalty_waived", waiver).await;
    let mut other = ContractHistory::new(&db.pool, "other");
    other.run("award", small_award("Piscine")).await;

    // Live, in batches that cut the contract's history in two.
    let config = ProjectorConfig { batch_size: 3, page_size: 3, ..ProjectorConfig::default() };
    let mut live = Projector::new(db.pool.clone(), config).await.unwrap();
    project_until_caught_up(&mut live, Schema::ReadA).await;

    assert_eq!(contract_version(&db, Schema::ReadA, settled.id).await, Some(5), "the state just before the waiver");
    assert_eq!(contract_version(&db, Schema::ReadA, other.id).await, Some(1));
    let (proposed, decision): (String, Option<String>) =
        sqlx::query_as("select proposed_amount_ht::text, decision from read_a.penalties where contract_id = $1")
            .bind(settled.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((proposed.as_str(), decision), ("4800.00", None), "80 h short at 60 €, no decision projected");
    let failures = failures_of(&db, Schema::ReadA, settled.id).await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!((failures[0].0, failures[0].1.as_str()), (6, "unwritable"));

    // One batch, then one event per batch: the same rows and failures.
    let rebuilt = rebuild(&db).await;
    assert_same_rows(&db, Schema::ReadA, rebuilt).await;
    assert_same_failures(&db, Schema::ReadA, rebuilt).await;
    let single = ProjectorConfig { rebuild_batch_size: 1, page_size: 1, ..ProjectorConfig::default() };
    let mut replay = Projector::new(db.pool.clone(), single).await.unwrap();
    let again = replay.rebuild().await.unwrap();
    project_until_caught_up(&mut replay, again).await;
    assert_same_rows(&db, again, rebuilt).await;
    assert_same_failures(&db, again, rebuilt).await;
}
