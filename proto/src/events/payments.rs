//! `advance_paid`, `instalment_paid`: payments finance reported.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::quantities::MoneyTtc;
use crate::text::SingleLineText;

/// v1 payload of `advance_paid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancePaidV1 {
    /// Amount paid, euros including VAT (the advance's base is including VAT).
    pub amount_ttc: MoneyTtc,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub paid_on: NaiveDate,
    /// Whether a first-demand guarantee was provided.
    pub with_guarantee: bool,
    /// Finance's own reference of the payment (e.g. mandate number).
    #[serde(deserialize_with = "crate::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub finance_reference: String,
}

/// v1 payload of `instalment_paid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentPaidV1 {
    /// Number of the instalment paid.
    pub number: u32,
    /// Amount paid, euros including VAT: late-payment interest is computed on it.
    pub amount_ttc: MoneyTtc,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub paid_on: NaiveDate,
    /// Finance's own reference of the payment (e.g. mandate number).
    #[serde(deserialize_with = "crate::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub finance_reference: String,
}

payload_v1!(AdvancePaidV1, "advance_paid");
payload_v1!(InstalmentPaidV1, "instalment_paid");
