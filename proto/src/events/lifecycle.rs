//! `contract_amended`, `contract_terminated`, `contract_settled`: the contract's own changes.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::quantities::{Hours, MoneyHt};
use crate::text::MultiLineText;

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

payload_v1!(ContractAmendedV1, "contract_amended");
payload_v1!(ContractTerminatedV1, "contract_terminated");
payload_v1!(ContractSettledV1, "contract_settled");
