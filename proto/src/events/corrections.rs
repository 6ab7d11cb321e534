//! `fact_corrected`: a buyer corrects an entry mistake. Events are never edited: the correction
//! is a fact of its own, with its reason, and every view, penalty and indicator reads the
//! history as corrected.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::text::MultiLineText;

/// v1 payload of `fact_corrected`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactCorrectedV1 {
    /// What is corrected, and its right value.
    pub correction: Correction,
    /// Day the correction was decided.
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub corrected_on: NaiveDate,
    /// Why: the mistake and where the right value comes from; may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
}

/// The facts that can be corrected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Correction {
    /// The final settlement's date (until the penalty is decided).
    SettlementDate {
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        settled_on: NaiveDate,
    },
    /// The day an instalment request was received (until the contract is settled).
    ReceptionDate {
        number: u32,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        received_on: NaiveDate,
    },
    /// The last instalment, recorded by mistake (twice, say), is withdrawn: its statement no
    /// longer counts. Only before its approval and the settlement.
    InstalmentWithdrawn { number: u32 },
}

payload_v1!(FactCorrectedV1, "fact_corrected");
