//! `contract_amended`, `contract_terminated`, `contract_settled`: the contract's own changes.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use serde_json::Value;

use super::{payload_v1, DecodeError, InsertionClause, Payload};
use crate::quantities::{Hours, MoneyHt};
use crate::text::MultiLineText;

/// v2 payload of `contract_amended` (*avenant*). Absent fields are unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractAmendedV2 {
    /// Number of the amendment: 1, 2, … in signature order.
    pub amendment_number: u32,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub signed_on: NaiveDate,
    /// New total amount, euros excluding VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_amount_ht: Option<MoneyHt>,
    /// New total duration in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_duration_months: Option<u32>,
    /// New total of committed insertion hours (a contract with an insertion clause).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_committed_hours: Option<Hours>,
    /// The insertion commitment and its penalty terms, agreed by this amendment for a contract
    /// awarded with a social clause but without them (typically imported from DECP, which
    /// publishes the clause but not its hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insertion_clause: Option<InsertionClause>,
    /// Why the contract is amended; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
}

impl Payload for ContractAmendedV2 {
    const TYPE_NAME: &'static str = "contract_amended";
    const SCHEMA_VERSION: u16 = 2;

    /// v1 → v2: only `insertion_clause` was added, optional: a v1 payload reads as it is.
    fn upcast(from_version: u16, payload: Value) -> Result<Value, DecodeError> {
        match from_version {
            1 => Ok(payload),
            other => Err(DecodeError::unsupported::<Self>(other)),
        }
    }
}

// Kept for its published schema: its doc comments are that schema's descriptions.
/// v1 payload of `contract_amended` (*avenant*). Absent fields are unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractAmendedV1 {
    /// Number of the amendment: 1, 2, … in signature order.
    pub amendment_number: u32,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub signed_on: NaiveDate,
    /// New total amount, euros excluding VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_amount_ht: Option<MoneyHt>,
    /// New total duration in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_duration_months: Option<u32>,
    /// New total of committed insertion hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_committed_hours: Option<Hours>,
    /// Why the contract is amended; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
}

/// v1 payload of `contract_terminated` (*résiliation*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractTerminatedV1 {
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub terminated_on: NaiveDate,
    /// Value executed at termination, euros excluding VAT: the committed hours are pro-rated
    /// to it when the penalty terms say so.
    pub value_executed_ht: MoneyHt,
    /// Why the contract is terminated; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
}

/// v1 payload of `contract_settled` (*décompte général et définitif*): penalties are computed
/// from here on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractSettledV1 {
    /// Final amount, euros excluding VAT.
    pub final_amount_ht: MoneyHt,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub settled_on: NaiveDate,
}

impl Payload for ContractAmendedV1 {
    const TYPE_NAME: &'static str = "contract_amended";
    const SCHEMA_VERSION: u16 = 1;

    fn upcast(from_version: u16, _payload: Value) -> Result<Value, DecodeError> {
        Err(DecodeError::unsupported::<Self>(from_version))
    }
}
payload_v1!(ContractTerminatedV1, "contract_terminated");
payload_v1!(ContractSettledV1, "contract_settled");
