//! A running HTTP API on a free port, over a fresh database, with one token per role.

use chrono::{Days, Months, NaiveDate};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use suivi_http::auth::create_token;
use suivi_http::tenants::create_tenant;
use suivi_http::Role;
use suivi_proto::TenantId;
use tokio::sync::watch;

use crate::TestDatabase;

/// The buyer SIRET of the test tenant (an intercommunality) and of one member commune.
pub const BUYER_SIRET: &str = "20004869500015";
pub const MEMBER_COMMUNE_SIRET: &str = "21000000000013";
/// The contractor holding the sample contract, and another firm.
pub const CONTRACTOR_SIRET: &str = "73282932000074";
pub const OTHER_CONTRACTOR_SIRET: &str = "44306184100047";
/// Another tenant's buyer.
pub const OTHER_BUYER_SIRET: &str = "20030000000011";

pub struct Tokens {
    pub buyer: String,
    pub contractor: String,
    pub other_contractor: String,
    pub facilitator: String,
    pub finance: String,
    pub admin: String,
    /// A buyer of another tenant.
    pub other_tenant_buyer: String,
}

/// A registration body for a made-up person, eligible through 2025 and 2026.
pub fn registration_body(family_name: &str, given_names: &str, birth_date: &str) -> Value {
    json!({
        "family_name": family_name, "given_names": given_names, "birth_date": birth_date,
        "category": "long_term_jobseeker", "prescriber": "france_travail",
        "eligible_from": "2025-01-01", "eligible_until": "2026-12-31",
        "gender": "female", "qualification": "level_4", "priority_neighbourhood_resident": true
    })
}

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    pub tenant: TenantId,
    pub tokens: Tokens,
    /// The server's key-encryption key ring (made for this test).
    pub vault: std::sync::Arc<suivi_privacy::KeyRing>,
    stop: watch::Sender<bool>,
}

/// The people tests name in statements by a short reference (see [`crate::participants`]):
/// registered when the test app starts.
pub const TEST_PEOPLE: &[&str] = &["EMP-1", "EMP-2", "EMP-3", "A-1", "DUP-0042"];

/// The server's default limits, except the failed-authentication budget: tests that knock
/// without a token on every route would spend it (`spawn_with` tests it).
fn test_limits() -> suivi::app::HttpLimits {
    suivi::app::HttpLimits {
        auth_failures_per_minute: std::num::NonZeroU32::new(100_000).expect("non-zero"),
        ..suivi::app::HttpLimits::default()
    }
}

impl TestApp {
    /// The server with [`test_limits`].
    pub async fn spawn() -> Self {
        Self::spawn_with(test_limits()).await
    }

    pub async fn spawn_with(limits: suivi::app::HttpLimits) -> Self {
        Self::spawn_with_pool_and_limits(|db| db.pool.clone(), limits).await
    }

    /// [`Self::spawn`] with the server using the pool `pool_of` makes (e.g. through a proxy the
    /// test can cut); the test's own setup and checks still use `db.pool`.
    pub async fn spawn_with_pool(pool_of: impl FnOnce(&TestDatabase) -> sqlx::PgPool) -> Self {
        Self::spawn_with_pool_and_limits(pool_of, test_limits()).await
    }

    async fn spawn_with_pool_and_limits(
        pool_of: impl FnOnce(&TestDatabase) -> sqlx::PgPool,
        limits: suivi::app::HttpLimits,
    ) -> Self {
        let db = TestDatabase::new().await;
        let tenant = TenantId::parse("grand-agglo").expect("tenant id");
        let other = TenantId::parse("other-agglo").expect("tenant id");
        create_tenant(&db.pool, &tenant, "Grand Agglo", &[BUYER_SIRET.to_owned(), MEMBER_COMMUNE_SIRET.to_owned()])
            .await
            .expect("create the tenant");
        create_tenant(&db.pool, &other, "Other Agglo", &[OTHER_BUYER_SIRET.to_owned()])
            .await
            .expect("create the tenant");
        let token = |role, tenant: &TenantId, siret: Option<&str>| {
            let (pool, tenant, siret) = (db.pool.clone(), tenant.clone(), siret.map(str::to_owned));
            async move { create_token(&pool, role, &tenant, siret.as_deref(), "test").await.expect("token").token }
        };
        let tokens = Tokens {
            buyer: token(Role::Buyer, &tenant, None).await,
            contractor: token(Role::Contractor, &tenant, Some(CONTRACTOR_SIRET)).await,
            other_contractor: token(Role::Contractor, &tenant, Some(OTHER_CONTRACTOR_SIRET)).await,
            facilitator: token(Role::Facilitator, &tenant, None).await,
            finance: token(Role::Finance, &tenant, None).await,
            admin: token(Role::Admin, &tenant, None).await,
            other_tenant_buyer: token(Role::Buyer, &other, None).await,
        };
        let vault = std::sync::Arc::new(suivi_privacy::KeyRing::generate());
        for reference in TEST_PEOPLE {
            let category = suivi_proto::events::EligibleCategory::LongTermJobseeker;
            crate::participants::ensure_registered(&db.pool, &vault, &tenant, reference, category).await;
        }
        let app = suivi::app::Application::build_serving(pool_of(&db), "127.0.0.1:0", limits, Some(vault.clone()))
            .await
            .expect("bind");
        let address = format!("http://{}", app.local_addr().expect("address"));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(app.run_until_stopped(stopped));
        TestApp { address, db, client: reqwest::Client::new(), tenant, tokens, vault, stop }
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.address));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(token)).json(body).send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token)).send().await.expect("request sent")
    }

    /// Awards the sample contract as the buyer; returns its id.
    pub async fn award(&self, body: &Value) -> String {
        let response = self.post("/api/contracts", &self.tokens.buyer, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap_or_default());
        let body: Value = response.json().await.expect("json");
        body["contract_id"].as_str().expect("contract id").to_owned()
    }

    /// Brings the read models (which lists are served from) up to the end of the log.
    pub async fn catch_up(&self) {
        crate::project_everything(&self.db.pool).await;
    }

    /// Sends `head` (a request's start, perhaps with part of a body) over a raw connection and
    /// returns, lower-cased, the first answer the server writes within `wait`: for requests
    /// `reqwest` will not send (a body that never comes).
    pub async fn raw_exchange(&self, head: &str, wait: std::time::Duration) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let address = self.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
        stream.write_all(head.as_bytes()).await.expect("send the head");
        let mut answer = vec![0u8; 4096];
        let read = tokio::time::timeout(wait, stream.read(&mut answer))
            .await
            .unwrap_or_else(|_| panic!("no answer within {wait:?}"))
            .expect("read the answer");
        String::from_utf8_lossy(&answer[..read]).to_lowercase()
    }

    /// Registers a participant as the facilitator: its code.
    pub async fn register(&self, body: &Value) -> String {
        let response = self.post("/api/participants", &self.tokens.facilitator, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap_or_default());
        response.json::<Value>().await.expect("JSON")["code"].as_str().expect("a code").to_owned()
    }

    /// How many events of contract streams the log holds (the participants' registrations the
    /// harness made apart): a refused request must not change it.
    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("select count(*) from events where event_type not like 'participant\\_%'")
            .fetch_one(&self.db.pool)
            .await
            .expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A contract a buyer of the test tenant may award: insertion clause, advance with recovery
/// between 65 % and 80 %, notified on 2025-01-15 for 24 months.
pub fn award_body() -> Value {
    json!({
        "buyer_siret": BUYER_SIRET,
        "buyer_kind": "local_authority",
        "contractors": [{ "siret": CONTRACTOR_SIRET, "size": "pme", "role": "sole" }],
        "object": "Réhabilitation du gymnase — lot 2 gros œuvre",
        "cpv_code": "45212222-8",
        "procedure": "Appel d'offres ouvert",
        "ccag": "Travaux",
        "amount_ht": "1000000.00",
        "vat_rate": "0.20",
        "duration_months": 24,
        "notification_date": "2025-01-15",
        "social_considerations": ["clause_sociale"],
        "environmental_considerations": ["clause_environnementale"],
        "insertion_clause": {
            "committed_hours": "833",
            "penalty_terms": {
                "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" },
                "basis": "validated",
                "tolerance_share": "0",
                "pro_rata_on_termination": true
            }
        },
        "advance_terms": {
            "rate": "0.10",
            "with_guarantee": false,
            "recovery": { "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" }
        },
        "payment_term_days": 30
    })
}

/// An instalment request with one line per (person, hours), all in March 2025; each person is a
/// reference of [`TEST_PEOPLE`] (or a participant registered by the test), named by its code.
pub fn instalment_body(number: u32, cumulative_value_ht: &str, lines: &[(&str, &str)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(index, (reference, hours))| {
            json!({
                "line_id": index + 1,
                "participant": crate::participants::code_of(reference),
                "modality": "direct_hire",
                "hours": hours,
                "period": { "start": "2025-03-01", "end": "2025-03-31" }
            })
        })
        .collect();
    // Instalment n covers the n-th month from March 2025: a period is requested once. The lines
    // stay in March (a line may declare hours of an earlier month).
    let start = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap() + Months::new(number.saturating_sub(1));
    let end = start + Months::new(1) - Days::new(1);
    json!({
        "number": number,
        "period": { "start": start.to_string(), "end": end.to_string() },
        "cumulative_value_ht": cumulative_value_ht,
        "statement": { "lines": lines }
    })
}
