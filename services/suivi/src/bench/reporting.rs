//! The web interface's reporting pages over 10 000 contracts with their history: the dashboard
//! (also while the read models change every second, as under a stream of statements), the
//! contract list with each of its filters, and contract pages, at 8 concurrent clients,
//! against two baselines measured in the same run — the same pages at 1 client, and a plain
//! `select 1` round trip at 1 and 8 clients (what no page can go below).
//!
//! The contracts are the generator's (awards, advances, monthly statements, reviews, payments,
//! terminations, settlements, penalties), written to the scratch log and projected by
//! `suivi projector rebuild`, as for the export bench. The pages are served by the real
//! application on a loopback port, to a web account signed in as the tenant's buyer.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Datelike;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::TenantId;
use suivi_web::accounts::{create_user, NewUser, User};
use tokio::sync::watch;

use super::export::rebuild_read_models;
use super::postgres::ScratchDatabase;
use crate::generate::{histories, insert_histories, Seeded, BUYER_SIRETS};

/// The concurrency the targets are stated at; 1 client is the baseline.
pub const CLIENTS: usize = 8;
const CONTRACTS_PER_CHUNK: usize = 2_000;
/// Contract pages asked for, chosen at random among all the contracts.
const CONTRACT_PAGES: usize = 500;

/// Latency figures of a set of requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Stats {
    pub fn of(latencies: &mut [Duration]) -> Self {
        latencies.sort_unstable();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Stats {
            count: latencies.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: latencies.last().copied().unwrap_or_default(),
        }
    }
}

/// One kind of page at 1 client and at [`CLIENTS`], and each of its addresses at [`CLIENTS`].
pub struct PageFigures {
    pub kind: &'static str,
    pub one_client: Stats,
    pub loaded: Stats,
    pub variants: Vec<(String, Stats)>,
}

pub struct ReportingFigures {
    pub contracts: usize,
    pub events: usize,
    pub seconds: u64,
    pub select_one: Stats,
    pub select_one_loaded: Stats,
    pub pages: Vec<PageFigures>,
}

pub async fn reporting(
    scratch: &ScratchDatabase,
    contracts: usize,
    duration: Duration,
) -> anyhow::Result<ReportingFigures> {
    let pool = scratch.pool(16).await?;
    let tenant = TenantId::parse("bench-reporting")?;
    let sirets: Vec<String> = BUYER_SIRETS.iter().map(|s| (*s).to_owned()).collect();
    create_tenant(&pool, &tenant, "Bench reporting", &sirets).await?;
    let events = write_histories(&pool, &tenant, contracts).await?;
    rebuild_read_models(scratch).await?;
    // Statistics for the planner, as autovacuum would gather within a minute or so on a live
    // system. Without them (autovacuum is off on the machine this was first run on, and would
    // not have run yet anyway) the projector-lag query every list and dashboard makes scans the
    // whole log: its row comparison is estimated at a third of the table.
    sqlx::query("analyze").execute(&pool).await?;

    let schema = suivi_projector::target::active(&pool).await?;
    let projected: i64 =
        sqlx::query_scalar(&format!("select count(*) from {}.contracts where tenant = $1", schema.name()))
            .bind(tenant.as_str())
            .fetch_one(&pool)
            .await?;
    anyhow::ensure!(projected as usize == contracts, "{projected} contracts in the read models, {contracts} written");
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(&format!(
        "select contract_id from {}.contracts where tenant = $1 order by random() limit $2",
        schema.name()
    ))
    .bind(tenant.as_str())
    .bind(CONTRACT_PAGES as i64)
    .fetch_all(&pool)
    .await?;

    // Baseline: the least a page's query costs, a round trip to the same server.
    let select_one = select_one_for(&pool, 1, duration).await?;
    let select_one_loaded = select_one_for(&pool, CLIENTS, duration).await?;

    let cookie = sign_in(&pool, &tenant).await?;
    let app = crate::app::Application::build(pool.clone(), "127.0.0.1:0").await?;
    let base = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(app.run_until_stopped(stopped));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CLIENTS)
        .pool_idle_timeout(Duration::from_secs(5))
        .build()?;
    let get = Getter { client, base, cookie };

    let outcome = async {
        let current = suivi_application::business_today().year();
        let past = current - 1;
        let [first, second] = BUYER_SIRETS;
        let dashboard = vec![
            format!("/tableau-de-bord?annee={current}"),
            format!("/tableau-de-bord?annee={current}&acheteur={first}"),
            format!("/tableau-de-bord?annee={past}"),
            format!("/tableau-de-bord?annee={past}&acheteur={second}"),
        ];
        let mut list = vec![
            "/marches".to_owned(),
            format!("/marches?acheteur={first}"),
            format!("/marches?annee={past}"),
            "/marches?statut=en-cours".to_owned(),
            "/marches?statut=solde".to_owned(),
            "/marches?risque=en-retard".to_owned(),
            "/marches?risque=dans-les-temps".to_owned(),
            "/marches?clause=avec".to_owned(),
            "/marches?clause=sans".to_owned(),
            "/marches?q=travaux".to_owned(),
            "/marches?q=4242".to_owned(),
        ];
        list.push(get.second_page("/marches").await?);
        let contract_pages: Vec<String> = ids.iter().map(|id| format!("/marches/{id}")).collect();

        let mut pages = Vec::new();
        let kinds = [
            ("dashboard", dashboard.clone()),
            (DASHBOARD_WHILE_PROJECTING, dashboard),
            ("contract list", list),
            ("contract page", contract_pages),
        ];
        for (kind, urls) in kinds {
            // Every address answers before anything is timed: a refusal is a broken bench. The
            // dashboard's first views compute the year's indicators (kept afterwards until the
            // read models change): their time is printed, since the timed runs only see the kept ones.
            for url in &urls {
                let started = std::time::Instant::now();
                get.page(url).await.with_context(|| format!("GET {url}"))?;
                if kind == "dashboard" {
                    println!("first view of {url}: {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
                }
            }
            // The read models changing under the dashboard: the checkpoint stamped every second,
            // as each projector batch stamps it, so each stamp makes the kept indicators out of date.
            let batches = (kind == DASHBOARD_WHILE_PROJECTING).then(|| tokio::spawn(stamp_every_second(pool.clone())));
            let mut one = run_clients(&get, &urls, 1, duration).await?;
            let mut loaded = run_clients(&get, &urls, CLIENTS, duration).await?;
            if let Some(batches) = batches {
                batches.abort();
            }
            let mut by_url: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
            for (url, latency) in &loaded {
                by_url.entry(*url).or_default().push(*latency);
            }
            // Contract pages differ only by id: one line for them all.
            let variants = if kind == "contract page" {
                Vec::new()
            } else {
                by_url.into_iter().map(|(url, mut latencies)| (urls[url].clone(), Stats::of(&mut latencies))).collect()
            };
            pages.push(PageFigures {
                kind,
                one_client: Stats::of(&mut one.iter_mut().map(|(_, l)| *l).collect::<Vec<_>>()),
                loaded: Stats::of(&mut loaded.iter_mut().map(|(_, l)| *l).collect::<Vec<_>>()),
                variants,
            });
        }
        anyhow::Ok(pages)
    }
    .await;
    let _ = stop.send(true);
    server.await??;
    Ok(ReportingFigures {
        contracts,
        events,
        seconds: duration.as_secs(),
        select_one,
        select_one_loaded,
        pages: outcome?,
    })
}

/// The page kind timed while the read models change every second.
const DASHBOARD_WHILE_PROJECTING: &str = "dashboard, a batch a second";

/// Stamps the active read models' checkpoint every second, as the projector does on each batch
/// it applies, until aborted.
async fn stamp_every_second(pool: sqlx::PgPool) -> anyhow::Result<()> {
    let schema = suivi_projector::target::active(&pool).await?;
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    loop {
        ticks.tick().await;
        sqlx::query(&format!("update {}.checkpoint set updated_at = now()", schema.name())).execute(&pool).await?;
    }
}

/// `contracts` generated histories, set-based, as the projector bench writes them.
async fn write_histories(pool: &sqlx::PgPool, tenant: &TenantId, contracts: usize) -> anyhow::Result<usize> {
    let references = suivi_store::reference_rates::load(pool).await?;
    let today = crate::demo_today();
    let mut events = 0;
    // Seeds of their own: the export bench, run after on the same log, seeds from 1, and the
    // same seed gives the same contract ids.
    for (seed, chunk) in (1_000u64..).zip(0..contracts.div_ceil(CONTRACTS_PER_CHUNK)) {
        let size = (contracts - chunk * CONTRACTS_PER_CHUNK).min(CONTRACTS_PER_CHUNK);
        events += insert_histories(pool, tenant, &histories(seed, size, today, &references)).await?;
    }
    Ok(events)
}

/// A web account of the tenant's buyers (all buyers: no SIRET) and a session opened for it
/// directly, as signing in would (the sign-in form's Argon2 is not what this bench measures).
async fn sign_in(pool: &sqlx::PgPool, tenant: &TenantId) -> anyhow::Result<String> {
    let user = NewUser {
        tenant,
        role: Role::Buyer,
        siret: None,
        email: "bench.reporting@example.fr",
        password: "un mot de passe de banc d'essai",
    };
    let id = create_user(pool, user).await?;
    let session =
        suivi_web::sessions::open(pool, &User { id, tenant: tenant.clone(), role: Role::Buyer, siret: None }).await?;
    Ok(format!("{}={session}", suivi_web::WebSettings::default().session_cookie()))
}

struct Getter {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

impl Getter {
    /// The page's HTML, read to its last byte; anything but 200 is an error.
    async fn page(&self, path: &str) -> anyhow::Result<String> {
        let response = self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await?;
        let status = response.status();
        let body = response.text().await?;
        anyhow::ensure!(status.is_success(), "{status}: {}", body.chars().take(300).collect::<String>());
        Ok(body)
    }

    /// The address of the list's second page, from the first page's "next" link.
    async fn second_page(&self, path: &str) -> anyhow::Result<String> {
        let html = self.page(path).await?;
        let start = html.find("apres=").context("the list has a second page")? + "apres=".len();
        let after: String = html[start..].chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
        Ok(format!("{path}?apres={after}"))
    }
}

/// `clients` clients, each asking for `urls` in turn from its own starting point, for
/// `duration`. Returns each request's address index and latency.
async fn run_clients(
    get: &Getter,
    urls: &[String],
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Vec<(usize, Duration)>> {
    let deadline = Instant::now() + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..clients {
        let get = Getter { client: get.client.clone(), base: get.base.clone(), cookie: get.cookie.clone() };
        let urls = urls.to_vec();
        tasks.spawn(async move {
            let mut random = Seeded::new(index as u64 + 1);
            let mut latencies = Vec::new();
            let mut next = random.below(urls.len() as u64) as usize;
            while Instant::now() < deadline {
                let started = Instant::now();
                get.page(&urls[next]).await.with_context(|| format!("GET {}", urls[next]))?;
                latencies.push((next, started.elapsed()));
                next = (next + 1) % urls.len();
            }
            anyhow::Ok(latencies)
        });
    }
    let mut all = Vec::new();
    while let Some(latencies) = tasks.join_next().await {
        all.extend(latencies??);
    }
    Ok(all)
}

/// `select 1` round trips from `clients` connections for `duration`.
async fn select_one_for(pool: &sqlx::PgPool, clients: usize, duration: Duration) -> anyhow::Result<Stats> {
    let deadline = Instant::now() + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let pool = pool.clone();
        tasks.spawn(async move {
            let mut connection = pool.acquire().await?;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                sqlx::query("select 1").execute(&mut *connection).await?;
                latencies.push(started.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut all = Vec::new();
    while let Some(latencies) = tasks.join_next().await {
        all.extend(latencies??);
    }
    Ok(Stats::of(&mut all))
}

fn ms(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    // The `select 1` baseline is well under a millisecond.
    if millis < 1.0 {
        format!("{millis:.2} ms")
    } else {
        format!("{millis:.1} ms")
    }
}

/// The figures as Markdown tables.
pub fn print(f: &ReportingFigures) {
    println!(
        "{} contracts, {} events in the log; {} s per page kind and concurrency\n",
        f.contracts, f.events, f.seconds
    );
    println!("| page | clients | requests | p50 | p95 | p99 | max | p99 / 1-client p99 | p99 / `select 1` p99 | p99 < 200 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (clients, stats) in [(1, f.select_one), (CLIENTS, f.select_one_loaded)] {
        println!(
            "| `select 1` (baseline) | {clients} | {} | {} | {} | {} | {} | | | |",
            stats.count,
            ms(stats.p50),
            ms(stats.p95),
            ms(stats.p99),
            ms(stats.max)
        );
    }
    for page in &f.pages {
        for (clients, stats) in [(1, page.one_client), (CLIENTS, page.loaded)] {
            let baseline = if clients == 1 { f.select_one } else { f.select_one_loaded };
            println!(
                "| {} | {clients} | {} | {} | {} | {} | {} | {:.1} | {:.0} | {} |",
                page.kind,
                stats.count,
                ms(stats.p50),
                ms(stats.p95),
                ms(stats.p99),
                ms(stats.max),
                ratio(stats.p99, page.one_client.p99),
                ratio(stats.p99, baseline.p99),
                if clients == 1 {
                    "(baseline)"
                } else if stats.p99 < Duration::from_millis(200) {
                    "yes"
                } else {
                    "**no**"
                }
            );
        }
    }
    println!("\nAt {CLIENTS} clients, by address:\n");
    println!("| address | requests | p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|");
    for page in &f.pages {
        for (url, stats) in &page.variants {
            println!("| `{url}` | {} | {} | {} | {} |", stats.count, ms(stats.p50), ms(stats.p99), ms(stats.max));
        }
    }
    println!();
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
