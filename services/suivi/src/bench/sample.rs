//! A realistic event for measurements: an instalment request with a ten-line hour statement.

use chrono::Utc;
use serde_json::{json, Value};
use suivi_proto::NewEvent;
use uuid::Uuid;

pub fn payload() -> Value {
    let lines: Vec<Value> = (1..=10)
        .map(|line| {
            json!({
                "line_id": line,
                "beneficiary": { "kind": "participant", "code": format!("{:08}", line * 7919) },
                "category": "long_term_jobseeker",
                "modality": "direct_hire",
                "hours": "35.5",
                "period": { "start": "2026-03-01", "end": "2026-03-31" }
            })
        })
        .collect();
    json!({
        "number": 3,
        "period": { "start": "2026-03-01", "end": "2026-03-31" },
        "cumulative_value_ht": "412500.00",
        "received_on": "2026-04-02",
        "statement": { "lines": lines }
    })
}

pub fn event(payload: &Value) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "instalment_requested".to_owned(),
        schema_version: 2,
        occurred_at: Utc::now(),
        payload: payload.clone(),
    }
}
