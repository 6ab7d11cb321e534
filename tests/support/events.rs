//! Events for store and relay tests. Their payloads are opaque to the store and the relay.

use chrono::Utc;
use serde_json::json;
use suivi_proto::{Actor, ActorKind, NewEvent, TenantId};
use uuid::Uuid;

pub fn test_tenant() -> TenantId {
    TenantId::parse("test-tenant").expect("valid tenant")
}

pub fn test_actor() -> Actor {
    Actor { kind: ActorKind::Buyer, id: "token-test".to_owned() }
}

/// An event whose payload names its writer and sequence, so readers can check what they got.
pub fn sample_event(writer: usize, sequence: usize) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "advance_paid".to_owned(),
        schema_version: 1,
        occurred_at: Utc::now(),
        payload: json!({ "writer": writer, "sequence": sequence, "amount": "1000.00" }),
    }
}

/// Appends `streams` × `per_stream` events (in appends of `per_append`) for `tenant`;
/// returns the number appended.
pub async fn append_history(
    store: &suivi_store::EventStore,
    tenant: &TenantId,
    streams: usize,
    per_stream: usize,
    per_append: usize,
) -> usize {
    let actor = test_actor();
    let mut appended = 0;
    for writer in 0..streams {
        let stream_id = Uuid::now_v7();
        let mut version = 0;
        while (version as usize) < per_stream {
            let count = per_append.min(per_stream - version as usize);
            let events: Vec<NewEvent> = (0..count).map(|i| sample_event(writer, version as usize + i)).collect();
            store
                .append(suivi_store::AppendRequest {
                    tenant,
                    stream_id,
                    expected_version: version,
                    actor: &actor,
                    correlation_id: Uuid::now_v7(),
                    causation_id: None,
                    idempotency_key: None,
                    request_digest: None,
                    events: &events,
                })
                .await
                .expect("append");
            version += count as i64;
            appended += count;
        }
    }
    appended
}
