//! Hour-statement submissions through the HTTP API at 8 clients, against raw single-row INSERT
//! commits at 8 clients, in the same run.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Datelike, Months, NaiveDate};
use serde_json::{json, Value};
use suivi_http::auth::create_token;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::TenantId;
use tokio::sync::watch;

use super::postgres::{raw_inserts, ScratchDatabase};

const CLIENTS: usize = 8;
const CONTRACTS_PER_CLIENT: usize = 40;
const BUYER: &str = "20004869500015";
const CONTRACTOR: &str = "73282932000074";

pub struct StatementFigures {
    pub raw_inserts_per_second: f64,
    pub requests_per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub requests: usize,
}

pub async fn statements(
    scratch: &ScratchDatabase,
    duration: Duration,
    rounds: u32,
) -> anyhow::Result<StatementFigures> {
    let pool = scratch.pool(16).await?;
    let tenant = TenantId::parse("bench")?;
    create_tenant(&pool, &tenant, "Bench", &[BUYER.to_owned()]).await?;
    let buyer = create_token(&pool, Role::Buyer, &tenant, None, "bench").await?.token;
    let contractor = create_token(&pool, Role::Contractor, &tenant, Some(CONTRACTOR), "bench").await?.token;
    register_participants(&pool, &tenant).await?;

    let app = crate::app::Application::build(pool.clone(), "127.0.0.1:0").await?;
    let base = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(app.run_until_stopped(stopped));
    // The server closes a connection idle past its header timeout (10 s); the raw-INSERT phase
    // between rounds is longer, so the client drops idle connections first instead of racing it.
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).pool_idle_timeout(Duration::from_secs(5)).build()?;

    let today = suivi_application::business_today();
    let mut contracts = Vec::new();
    for _ in 0..CLIENTS * CONTRACTS_PER_CLIENT {
        let response =
            client.post(format!("{base}/api/contracts")).bearer_auth(&buyer).json(&award(today)).send().await?;
        let body: Value = response.error_for_status()?.json().await?;
        contracts.push(body["contract_id"].as_str().context("contract id")?.to_owned());
    }

    let (mut raw, mut latencies) = (0.0, Vec::new());
    let mut next_number = vec![1u32; contracts.len()];
    for _ in 0..rounds {
        raw += raw_inserts(scratch, CLIENTS, duration).await?;
        latencies.extend(submit_for(&client, &base, &contractor, &contracts, &mut next_number, today, duration).await?);
    }
    let _ = stop.send(true);
    server.await??;
    latencies.sort();
    let at =
        |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1))).copied();
    Ok(StatementFigures {
        raw_inserts_per_second: raw / f64::from(rounds),
        requests_per_second: latencies.len() as f64 / (duration.as_secs_f64() * f64::from(rounds)),
        p50: at(0.50).unwrap_or_default(),
        p99: at(0.99).unwrap_or_default(),
        requests: latencies.len(),
    })
}

/// 8 clients, each submitting statements on its own contracts in turn, for `duration`.
async fn submit_for(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    contracts: &[String],
    next_number: &mut [u32],
    today: NaiveDate,
    duration: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for (client_index, (ids, numbers)) in
        contracts.chunks(CONTRACTS_PER_CLIENT).zip(next_number.chunks(CONTRACTS_PER_CLIENT)).enumerate()
    {
        let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
        let (ids, mut numbers) = (ids.to_vec(), numbers.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut turn = 0;
            while Instant::now() < deadline {
                let slot = turn % ids.len();
                let body = statement(numbers[slot], client_index, today);
                let started = Instant::now();
                let response = client
                    .post(format!("{base}/api/contracts/{}/instalments", ids[slot]))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await?;
                let status = response.status();
                anyhow::ensure!(status.is_success(), "statement refused: {status} {}", response.text().await?);
                latencies.push(started.elapsed());
                numbers[slot] += 1;
                turn += 1;
            }
            anyhow::Ok((numbers, latencies))
        }));
    }
    let mut all = Vec::new();
    for (chunk, task) in next_number.chunks_mut(CONTRACTS_PER_CLIENT).zip(tasks) {
        let (numbers, latencies) = task.await??;
        chunk.copy_from_slice(&numbers);
        all.extend(latencies);
    }
    Ok(all)
}

fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let start = this_month.checked_sub_months(Months::new(1)).unwrap_or(this_month);
    (start, this_month.pred_opt().unwrap_or(this_month))
}

fn award(today: NaiveDate) -> Value {
    let notified = today.checked_sub_months(Months::new(6)).unwrap_or(today);
    json!({
        "buyer_siret": BUYER, "buyer_kind": "local_authority",
        "contractors": [{ "siret": CONTRACTOR, "size": "pme", "role": "sole" }],
        "object": "Bench contract", "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert",
        "amount_ht": "100000000.00", "vat_rate": "0.20", "duration_months": 48,
        "notification_date": notified.to_string(),
        "social_considerations": ["clause_sociale"], "environmental_considerations": ["clause_environnementale"],
        "insertion_clause": { "committed_hours": "20000", "penalty_terms": {
            "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" }, "basis": "validated",
            "tolerance_share": "0", "pro_rata_on_termination": true } },
        "payment_term_days": 30
    })
}

/// Participants the statements name: enough that none reaches 230 h in the month however many
/// statements a run sends (each line is 7 h; a participant takes a line every
/// `PARTICIPANTS / 5` statements).
const PARTICIPANTS: usize = 50_000;

/// The bench's participant `index`, as a code.
fn participant_code(index: usize) -> String {
    let mut rest = index;
    (0..8)
        .map(|_| {
            let c = char::from(suivi_proto::codes::PARTICIPANT_CODE_ALPHABET[rest % 32]);
            rest /= 32;
            c
        })
        .collect()
}

/// Registers [`PARTICIPANTS`] straight into the register (profile only: the statements path
/// reads nothing else); the register's own path is not what this bench measures.
async fn register_participants(pool: &sqlx::PgPool, tenant: &TenantId) -> anyhow::Result<()> {
    let codes: Vec<String> = (0..PARTICIPANTS).map(participant_code).collect();
    let ids: Vec<uuid::Uuid> = (0..PARTICIPANTS).map(|_| uuid::Uuid::now_v7()).collect();
    sqlx::query(
        "insert into participants (tenant, code, participant_id, category, prescriber, gender, qualification,
                                   priority_neighbourhood_resident, age_band, eligible_from, eligible_until,
                                   registered_on)
         select $1, code, id, 'long_term_jobseeker', 'france_travail', 'not_stated', 'level_3', false,
                '26_to_49', '2000-01-01', '2099-12-31', '2000-01-01'
         from unnest($2::text[], $3::uuid[]) as p(code, id)",
    )
    .bind(tenant.as_str())
    .bind(&codes)
    .bind(&ids)
    .execute(pool)
    .await?;
    Ok(())
}

/// A five-line statement naming participants in turn, so plausibility rules never refuse it.
fn statement(number: u32, client: usize, today: NaiveDate) -> Value {
    let (start, end) = last_month(today);
    let period = json!({ "start": start.to_string(), "end": end.to_string() });
    let first = (client * (PARTICIPANTS / CLIENTS) + number as usize * 5) % PARTICIPANTS;
    let lines: Vec<Value> = (1..=5)
        .map(|line| {
            json!({
                "line_id": line, "participant": participant_code((first + line) % PARTICIPANTS),
                "modality": "direct_hire", "hours": "7", "period": period
            })
        })
        .collect();
    json!({
        "number": number, "period": period,
        "cumulative_value_ht": format!("{}.00", u64::from(number) * 1000),
        "statement": { "lines": lines }
    })
}
