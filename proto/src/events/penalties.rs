//! The penalty proposal computed at final settlement, and the contradictory procedure around it:
//! `penalty_notified` (the contractor is told the intended penalty and has an observation period),
//! `penalty_observations_received` (its answer), then the decision: `penalty_confirmed`,
//! `penalty_adjusted` or `penalty_waived`. Confirmed and adjusted amounts go to finance.
//!
//! Penalties are outside the scope of VAT: the amount, expressed excluding VAT as CCAPs do,
//! is the sum deducted.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::quantities::MoneyHt;
use crate::text::MultiLineText;

/// The observation period when the notification does not set one: the 15 days CCAG 2021 give
/// for delay penalties, which buyers apply to the insertion penalty too (domain.md §2.7).
pub const DEFAULT_OBSERVATION_DAYS: u16 = 15;

fn default_observation_days() -> u16 {
    DEFAULT_OBSERVATION_DAYS
}

/// v1 payload of `penalty_notified`: the contractor is told the penalty the service intends to
/// apply and may present observations until `notified_on + observation_days` (included). An
/// adverse decision (confirm, adjust) waits for the observations or the end of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyNotifiedV1 {
    /// The penalty intended, euros excluding VAT (more than 0: with no penalty, nothing to notify).
    pub amount_ht: MoneyHt,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub notified_on: NaiveDate,
    /// Days the contractor has to present observations, counted from the notification; 15 when
    /// not given, at most 90.
    #[serde(default = "default_observation_days")]
    #[schemars(range(min = 1, max = 90))]
    pub observation_days: u16,
}

impl PenaltyNotifiedV1 {
    /// The last day observations are received.
    pub fn observations_until(&self) -> NaiveDate {
        self.notified_on + chrono::Days::new(u64::from(self.observation_days))
    }
}

/// v1 payload of `penalty_observations_received`: the contractor's answer to the notification,
/// sent from its portal (or received on paper and recorded by the facilitator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyObservationsReceivedV1 {
    /// The observations, as written; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub observations: String,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub received_on: NaiveDate,
}

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

payload_v1!(PenaltyNotifiedV1, "penalty_notified");
payload_v1!(PenaltyObservationsReceivedV1, "penalty_observations_received");
payload_v1!(PenaltyConfirmedV1, "penalty_confirmed");
payload_v1!(PenaltyAdjustedV1, "penalty_adjusted");
payload_v1!(PenaltyWaivedV1, "penalty_waived");
