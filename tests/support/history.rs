//! Contract histories written through the domain, for projector and indicator tests: each command
//! is decided on the contract's events so far and its events are appended to the store, so the
//! log holds exactly what the services would have written.

use serde_json::Value;
use sqlx::PgPool;
use suivi_domain::{Command, DecisionContext};
use suivi_proto::events::Event;
use suivi_proto::TenantId;
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
        let command = command_from(kind, body);
        let contract = suivi_domain::Contract::from_events(self.events.iter());
        let events = suivi_domain::decide(&contract, command, &DecisionContext::new(decision_day()))
            .unwrap_or_else(|error| panic!("{kind} refused: {error}"));
        let new: Vec<_> = events.iter().map(|e| suivi_proto::NewEvent::from_event(e, chrono::Utc::now())).collect();
        suivi_store::EventStore::new(self.pool.clone())
            .append(suivi_store::AppendRequest {
                tenant: &self.tenant,
                stream_id: self.id,
                expected_version: self.events.len() as i64,
                actor: &crate::test_actor(),
                correlation_id: Uuid::now_v7(),
                causation_id: None,
                idempotency_key: None,
                events: &new,
            })
            .await
            .expect("append the decided events");
        self.events.extend(events);
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
        "confirm" => Command::ConfirmPenalty(parse(body)),
        "adjust" => Command::AdjustPenalty(parse(body)),
        "waive" => Command::WaivePenalty(parse(body)),
        other => panic!("unknown command {other}"),
    }
}
