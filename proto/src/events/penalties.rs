//! `penalty_confirmed`, `penalty_adjusted`, `penalty_waived`: the decision on the penalty
//! proposal computed at final settlement. Confirmed and adjusted amounts go to finance.
//!
//! Penalties are outside the scope of VAT: the amount, expressed excluding VAT as CCAPs do,
//! is the sum deducted.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::quantities::MoneyHt;
use crate::text::MultiLineText;

/// v1 payload of `penalty_confirmed`: the proposal is applied as computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyConfirmedV1 {
    /// Penalty applied, euros excluding VAT.
    pub amount_ht: MoneyHt,
    /// Why, when the decision gives a reason; may span lines.
    #[serde(default, deserialize_with = "crate::text::multi_line_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<MultiLineText>")]
    pub reason: Option<String>,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub decided_on: NaiveDate,
}

/// v1 payload of `penalty_adjusted`: another amount than the proposal, with a written reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyAdjustedV1 {
    /// Penalty applied, euros excluding VAT.
    pub amount_ht: MoneyHt,
    /// Why the amount differs from the proposal; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub decided_on: NaiveDate,
}

/// v1 payload of `penalty_waived`: no penalty, with a written reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyWaivedV1 {
    /// Why no penalty is applied; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub decided_on: NaiveDate,
}

payload_v1!(PenaltyConfirmedV1, "penalty_confirmed");
payload_v1!(PenaltyAdjustedV1, "penalty_adjusted");
payload_v1!(PenaltyWaivedV1, "penalty_waived");
