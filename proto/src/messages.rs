//! Messages finance sends in, on `suivi.<tenant>.fin.<message_type>`.
//!
//! Finance sets the `Nats-Msg-Id` header to its own unique message id: Suivi turns each
//! message into a command whose idempotency key is that id, so a redelivered or resent message
//! has its effect once. The payload's schema version travels in the optional
//! `Suivi-Schema-Version` header (absent = 1); versions evolve as event payloads do (see
//! [`crate::events`]).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::events::{payload_v1, DecodeError, Payload};
use crate::quantities::MoneyTtc;

/// Header carrying the payload's schema version on finance messages (absent = 1).
pub const SCHEMA_VERSION_HEADER: &str = "Suivi-Schema-Version";

/// Every finance `message_type`.
pub const FINANCE_MESSAGE_TYPES: &[&str] = &[PaymentReportedV1::TYPE_NAME];

/// A message from finance, at its current schema version.
#[derive(Debug, Clone, PartialEq)]
pub enum FinanceMessage {
    PaymentReported(PaymentReportedV1),
}

impl FinanceMessage {
    /// The subject's last token, e.g. `payment_reported`.
    pub fn message_type(&self) -> &'static str {
        match self {
            FinanceMessage::PaymentReported(_) => PaymentReportedV1::TYPE_NAME,
        }
    }

    /// Reads a message body of any known type and version.
    pub fn decode(message_type: &str, schema_version: u16, payload: &Value) -> Result<FinanceMessage, DecodeError> {
        match message_type {
            PaymentReportedV1::TYPE_NAME => {
                PaymentReportedV1::decode(schema_version, payload).map(FinanceMessage::PaymentReported)
            }
            other => Err(DecodeError::UnknownType(other.to_owned())),
        }
    }
}

/// v1 body of `payment_reported`: finance paid an advance or an instalment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentReportedV1 {
    /// The contract (stream id of its events).
    pub contract_id: Uuid,
    /// What was paid.
    pub item: PaidItem,
    /// Amount paid, euros including VAT.
    pub amount_ttc: MoneyTtc,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub paid_on: NaiveDate,
    /// Finance's own reference of the payment (e.g. mandate number).
    #[serde(deserialize_with = "crate::text::single_line")]
    #[schemars(with = "crate::text::SingleLineText")]
    pub finance_reference: String,
}

/// What a payment settled: `{"kind": "advance"}` or `{"kind": "instalment", "number": 3}`.
/// (`Advance {}` is a struct variant without fields rather than a unit variant, so that serde
/// refuses unknown fields there too.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaidItem {
    Advance {},
    Instalment { number: u32 },
}

payload_v1!(PaymentReportedV1, "payment_reported");
