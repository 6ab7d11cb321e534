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

/// The version of [`FinanceRejection`]'s schema (`finance_rejection.v1.json`), in each
/// rejection's `Suivi-Schema-Version` header.
pub const REJECTION_SCHEMA_VERSION: u16 = 1;

/// What Suivi publishes on `<prefix>.<tenant>.fin.rejected.<message_type>` when it does not take
/// a finance message: the message could not be read, or the command it carries was refused. The
/// rejection is also kept in the dead-letter stream (`<PREFIX>_FINANCE_DEAD`), so nothing finance
/// sends is dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FinanceRejection {
    /// Finance's `Nats-Msg-Id`; absent when the message had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The subject's last token, e.g. `payment_reported`.
    pub message_type: String,
    /// The subject the message was sent on.
    pub subject: String,
    pub rejected_at: chrono::DateTime<chrono::Utc>,
    /// Why, as a stable code: a rule of the contract (`instalment_not_approved`,
    /// `payment_above_approved`…) or a reading error (`invalid_message`, `unknown_contract`…).
    pub code: String,
    /// Path of the field at fault in the message, e.g. `item.number`; absent when the refusal is
    /// about the contract's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The reason, in English.
    pub detail: String,
    /// The reason, in French.
    pub detail_fr: String,
    /// The message's body as it was received (invalid UTF-8 replaced).
    pub payload: String,
}
