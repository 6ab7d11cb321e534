//! Contract histories written through the application layer, for projector and indicator tests:
//! each command is run as the services run it (decided on the contract's events so far, appended
//! with the version read), so the log holds exactly what the services would have written.

use serde_json::Value;
use sqlx::PgPool;
use suivi_application::{Application, CommandRequest, Expected, Principal};
use suivi_domain::Command;
use suivi_proto::events::Event;
use suivi_proto::TenantId;
use suivi_store::EventStore;
use uuid::Uuid;

/// The day commands are decided on: after every date the tests' histories use.
pub fn decision_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a valid date")
}

/// One contract's stream, built command by command.
pub struct ContractHistory {
    pool: PgPool,
    tenant: TenantId,
    pub id: Uuid,
    pub events: Vec<Event>,
}

impl ContractHistory {
    pub fn new(pool: &PgPool, tenant: &str) -> Self {
        ContractHistory {
            pool: pool.clone(),
            tenant: TenantId::parse(tenant).expect("a valid tenant"),
            id: Uuid::now_v7(),
            events: Vec::new(),
        }
    }

    /// Decides `kind` (see [`command_from`]) on the history and appends its events.
    pub async fn run(&mut self, kind: &str, body: Value) {
        if kind == "award" {
            self.ensure_buyer(body["buyer_siret"].as_str().expect("an award names its buyer")).await;
        }
        let body = if kind == "request" { self.with_participants(body).await } else { body };
        let app = Application::with_cache(EventStore::new(self.pool.clone()), 0);
        let request = CommandRequest {
            principal: &Principal::system("test-history", self.tenant.clone()),
            contract_id: self.id,
            expected: Expected::OneOf(vec![self.events.len() as i64]),
            idempotency: None,
            command: command_from(kind, body),
            today: decision_day(),
            correlation_id: Uuid::now_v7(),
        };
        let accepted = app.execute(request).await.unwrap_or_else(|error| panic!("{kind} refused: {error}"));
        let appended = app.store().read_stream(self.id).await.expect("read the stream back");
        let known = self.events.len() as i64;
        for envelope in appended.iter().filter(|e| e.stream_version > known) {
            self.events.push(envelope.decode_event().expect("decode an appended event"));
        }
        assert_eq!(self.events.len() as i64, accepted.version);
    }

    /// The contradictory procedure in its shortest form: the penalty `amount_ht` notified and
    /// the contractor's observations received on the same day `on`, so a decision may be dated
    /// from `on` (which must not precede the settlement).
    pub async fn hear(&mut self, amount_ht: &str, on: &str) {
        self.run("notify", serde_json::json!({ "amount_ht": amount_ht, "notified_on": on })).await;
        let observations = serde_json::json!({ "observations": "Observations du titulaire.", "received_on": on });
        self.run("observe", observations).await;
    }
}

impl ContractHistory {
    /// A request's lines may name a person by a short string (`"beneficiary": "a"`): that
    /// person is registered as a participant (with the line's category) and the line names it.
    async fn with_participants(&self, mut body: Value) -> Value {
        let Some(lines) = body.pointer_mut("/statement/lines").and_then(Value::as_array_mut) else { return body };
        for line in lines {
            let Some(person) = line["beneficiary"].as_str().map(str::to_owned) else { continue };
            let category = serde_json::from_value(line["category"].clone()).expect("a line's category");
            let ring = suivi_privacy::KeyRing::generate();
            let code = crate::participants::ensure_registered(&self.pool, &ring, &self.tenant, &person, category).await;
            line["beneficiary"] = serde_json::json!({ "kind": "participant", "code": code });
        }
        body
    }

    /// The tenant purchases for `siret` (awards for other buyers are refused).
    async fn ensure_buyer(&self, siret: &str) {
        sqlx::query("insert into tenants (id, name) values ($1, $1) on conflict do nothing")
            .bind(self.tenant.as_str())
            .execute(&self.pool)
            .await
            .expect("create the tenant");
        sqlx::query("insert into tenant_buyers (tenant, siret) values ($1, $2) on conflict do nothing")
            .bind(self.tenant.as_str())
            .bind(siret)
            .execute(&self.pool)
            .await
            .expect("add the buyer");
    }
}

/// A domain command from a short name and the body its HTTP route would take.
pub fn command_from(kind: &str, body: Value) -> Command {
    fn parse<T: serde::de::DeserializeOwned>(body: Value) -> T {
        serde_json::from_value(body).unwrap_or_else(|e| panic!("command body: {e}"))
    }
    match kind {
        "award" => Command::Award(parse(body)),
        "advance" => Command::RecordAdvancePaid(parse(body)),
        "request" => Command::RequestInstalment(parse(body)),
        "review" => Command::ReviewStatement(parse(body)),
        "approve" => Command::ApproveInstalment {
            number: body["number"].as_u64().expect("number") as u32,
            approved_on: body["approved_on"].as_str().and_then(|d| d.parse().ok()).expect("approved_on"),
            other_deductions_ttc: body["other_deductions_ttc"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .expect("other_deductions_ttc"),
        },
        "pay" => Command::RecordInstalmentPaid(parse(body)),
        "terminate" => Command::Terminate(parse(body)),
        "settle" => Command::Settle(parse(body)),
        "notify" => Command::NotifyPenalty(parse(body)),
        "observe" => Command::ReceivePenaltyObservations(parse(body)),
        "confirm" => Command::ConfirmPenalty(parse(body)),
        "adjust" => Command::AdjustPenalty(parse(body)),
        "waive" => Command::WaivePenalty(parse(body)),
        other => panic!("unknown command {other}"),
    }
}
