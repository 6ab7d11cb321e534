//! Contracts finance can pay, and the messages finance sends, for the NATS finance tests.

use serde_json::{json, Value};
use suivi_proto::events::Event;
use uuid::Uuid;

use crate::ContractHistory;

/// An approved instalment, waiting for its payment.
#[derive(Debug, Clone)]
pub struct PayableInstalment {
    pub contract_id: Uuid,
    pub number: u32,
    /// The approval's net to pay, as the event carries it (a decimal string).
    pub net_to_pay_ttc: Value,
}

/// A contract of `tenant` (no insertion clause, no advance; 30-day term) with `instalments`
/// instalments requested and approved, written through the application.
pub async fn approved_contract(pool: &sqlx::PgPool, tenant: &str, instalments: u32) -> Vec<PayableInstalment> {
    let mut history = ContractHistory::new(pool, tenant);
    history
        .run(
            "award",
            json!({
                "buyer_siret": crate::app::BUYER_SIRET, "buyer_kind": "local_authority",
                "contractors": [{ "siret": crate::app::CONTRACTOR_SIRET, "size": "pme", "role": "sole" }],
                "object": "Entretien des espaces verts", "cpv_code": "77310000-6",
                "procedure": "Procédure adaptée", "amount_ht": "1000000.00", "vat_rate": "0.20",
                "duration_months": 48, "notification_date": "2023-01-10",
                "social_considerations": [], "environmental_considerations": [],
                "payment_term_days": 30
            }),
        )
        .await;
    let mut payable = Vec::new();
    for number in 1..=instalments {
        let start = chrono::NaiveDate::from_ymd_opt(2023, 2, 1).expect("a date") + chrono::Months::new(number - 1);
        let end = start + chrono::Months::new(1) - chrono::Days::new(1);
        let received_on = end + chrono::Days::new(2);
        let body = json!({
            "number": number, "period": { "start": start.to_string(), "end": end.to_string() },
            "cumulative_value_ht": format!("{}.00", 10_000 * number), "received_on": received_on.to_string(),
            "statement": { "lines": [] }
        });
        history.run("request", body).await;
        let approved_on = received_on + chrono::Days::new(5);
        history
            .run(
                "approve",
                json!({ "number": number, "approved_on": approved_on.to_string(), "other_deductions_ttc": "0.00" }),
            )
            .await;
        let Some(Event::InstalmentApproved(approval)) = history.events.last() else {
            panic!("instalment {number} approved")
        };
        payable.push(PayableInstalment {
            contract_id: history.id,
            number,
            net_to_pay_ttc: serde_json::to_value(approval.net_to_pay_ttc).expect("an amount"),
        });
    }
    payable
}

/// The body of finance's `payment_reported` message paying `instalment` in full.
pub fn payment_reported(instalment: &PayableInstalment, finance_reference: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "contract_id": instalment.contract_id,
        "item": { "kind": "instalment", "number": instalment.number },
        "amount_ttc": instalment.net_to_pay_ttc,
        "paid_on": "2023-12-15",
        "finance_reference": finance_reference,
    }))
    .expect("JSON")
}

/// Finance's headers: its unique message id.
pub fn finance_headers(message_id: &str) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", message_id);
    headers
}

/// `instalment_paid` events in the log, as (contract, instalment number) pairs, in log order.
pub async fn recorded_payments(pool: &sqlx::PgPool) -> Vec<(Uuid, u32)> {
    let rows: Vec<(Uuid, Value)> = sqlx::query_as(
        "select stream_id, payload from events where event_type = 'instalment_paid' order by transaction_id, position",
    )
    .fetch_all(pool)
    .await
    .expect("read the payments");
    rows.into_iter().map(|(id, payload)| (id, payload["number"].as_u64().expect("a number") as u32)).collect()
}
