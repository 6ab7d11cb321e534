//! `instalment_requested`, `statement_reviewed`, `instalment_approved`: a payment request
//! with its insertion-hour statement, the facilitator's review, the buyer's approval.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{payload_v1, DecodeError, Payload, Period};
use crate::codes::{ParticipantCode, Pseudonym};
use crate::quantities::{Hours, MoneyHt, MoneyTtc};
use crate::text::MultiLineText;

/// v2 payload of `instalment_requested` (*demande d'acompte*): each statement line names a
/// participant of the tenant's register by its code (v1 named a keyed pseudonym).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentRequestedV2 {
    /// 1, 2, … without gaps within the contract.
    pub number: u32,
    /// Period of execution the request covers.
    pub period: Period,
    /// Cumulative value executed since the start, euros excluding VAT.
    pub cumulative_value_ht: MoneyHt,
    /// Day the buyer received the request: the payment term runs from it.
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub received_on: NaiveDate,
    /// Insertion hours done since the previous request.
    pub statement: HourStatement,
}

/// The insertion hours a contractor declares with one instalment request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HourStatement {
    /// May be empty (no insertion hours in the period).
    pub lines: Vec<StatementLine>,
}

/// Hours one person did in a period, under one modality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementLine {
    /// Unique within the statement; the review refers to it.
    pub line_id: u32,
    /// Who did the hours: a registered participant (or, on a line written before the register,
    /// the keyed pseudonym it was written with).
    pub beneficiary: Beneficiary,
    /// The participant's eligible category, as the register held it when the line was declared.
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    /// Hours done (may be fractional).
    pub hours: Hours,
    pub period: Period,
}

/// The person a statement line is about, e.g. `{"kind": "participant", "code": "K7M2QX9A"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Beneficiary {
    /// A participant of the tenant's register, by its code. Every line written since
    /// `instalment_requested` v2 is one.
    Participant { code: ParticipantCode },
    /// A line of a v1 event, written before the register: the tenant's keyed pseudonym of the
    /// contractor's own reference. Never written any more.
    Pseudonym { pseudonym: Pseudonym },
}

impl Beneficiary {
    /// The participant's code, unless the line predates the register.
    pub fn participant(&self) -> Option<&ParticipantCode> {
        match self {
            Beneficiary::Participant { code } => Some(code),
            Beneficiary::Pseudonym { .. } => None,
        }
    }

    /// The code or the pseudonym: one string per person, for counting distinct people (the two
    /// shapes cannot collide: 8 characters against 64).
    pub fn as_str(&self) -> &str {
        match self {
            Beneficiary::Participant { code } => code.as_str(),
            Beneficiary::Pseudonym { pseudonym } => pseudonym.as_str(),
        }
    }
}

impl Payload for InstalmentRequestedV2 {
    const TYPE_NAME: &'static str = "instalment_requested";
    const SCHEMA_VERSION: u16 = 2;

    /// v1 → v2: each line's `"beneficiary": "<pseudonym>"` becomes
    /// `{"kind": "pseudonym", "pseudonym": "<pseudonym>"}`; nothing else changed.
    fn upcast(from_version: u16, mut payload: Value) -> Result<Value, DecodeError> {
        if from_version != 1 {
            return Err(DecodeError::unsupported::<Self>(from_version));
        }
        if let Some(lines) = payload.pointer_mut("/statement/lines").and_then(Value::as_array_mut) {
            for line in lines {
                if let Some(pseudonym) = line.get_mut("beneficiary") {
                    let old = pseudonym.take();
                    *pseudonym = serde_json::json!({"kind": "pseudonym", "pseudonym": old});
                }
            }
        }
        Ok(payload)
    }
}

// Kept to read old events (see `InstalmentRequestedV2::upcast`) and for its published schema:
// its doc comments are that schema's descriptions, so they stay as they were.
/// v1 payload of `instalment_requested` (*demande d'acompte*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentRequestedV1 {
    /// 1, 2, … without gaps within the contract.
    pub number: u32,
    /// Period of execution the request covers.
    pub period: Period,
    /// Cumulative value executed since the start, euros excluding VAT.
    pub cumulative_value_ht: MoneyHt,
    /// Day the buyer received the request: the payment term runs from it.
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub received_on: NaiveDate,
    /// Insertion hours done since the previous request.
    pub statement: HourStatementV1,
}

/// The insertion hours a contractor declares with one instalment request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "HourStatement")]
pub struct HourStatementV1 {
    /// May be empty (no insertion hours in the period).
    pub lines: Vec<StatementLineV1>,
}

/// Hours one beneficiary did in a period, under one modality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "StatementLine")]
pub struct StatementLineV1 {
    /// Unique within the statement; the review refers to it.
    pub line_id: u32,
    /// Keyed pseudonym of the person: never a name or social-security number.
    pub beneficiary: Pseudonym,
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    /// Hours done (may be fractional).
    pub hours: Hours,
    pub period: Period,
}

impl Payload for InstalmentRequestedV1 {
    const TYPE_NAME: &'static str = "instalment_requested";
    const SCHEMA_VERSION: u16 = 1;

    fn upcast(from_version: u16, _payload: Value) -> Result<Value, DecodeError> {
        Err(DecodeError::unsupported::<Self>(from_version))
    }
}

/// Eligible publics (*publics éligibles*) of the insertion clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EligibleCategory {
    /// Long-term jobseeker (*demandeur d'emploi de longue durée*).
    LongTermJobseeker,
    /// RSA or other minimum-income recipient.
    MinimumIncomeRecipient,
    /// Under 26 with low qualification.
    YoungLowQualification,
    /// Recognised disabled worker (RQTH).
    DisabilityRecognition,
    /// Employed by an SIAE, EA or ESAT.
    SiaeEaEsatEmployee,
    /// Resident of a priority neighbourhood (QPV).
    PriorityNeighbourhoodResident,
    /// Jobseeker over 50.
    JobseekerOver50,
    /// Under court supervision (*placé sous main de justice*).
    CourtSupervision,
    /// Other public the clause declares eligible.
    OtherEligible,
}

/// How the contractor fulfils the clause (*modalité*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsertionModality {
    /// Direct hire (CDD chantier, CDI, professionalisation or apprenticeship contract).
    DirectHire,
    /// Temporary work through an ETTI.
    TemporaryWorkEtti,
    /// Placement through an association intermédiaire (AI).
    PlacementAi,
    /// Through a GEIQ.
    Geiq,
    /// Subcontracting to an SIAE.
    SubcontractingSiae,
    /// Co-contracting with an SIAE.
    CoContractingSiae,
    /// Training action, where the clause allows it.
    Training,
}

/// v1 payload of `statement_reviewed`: the facilitator's decision on each line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementReviewedV1 {
    /// The instalment whose statement is reviewed.
    pub instalment_number: u32,
    pub decisions: Vec<LineDecision>,
}

/// The decision on one statement line, e.g.
/// `{"line_id": 2, "decision": {"kind": "rejected", "reason": "no payslip"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDecision {
    pub line_id: u32,
    pub decision: Decision,
}

/// Validated, or rejected with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Decision {
    /// The hours count: `{"kind": "validated"}`. (A struct variant without fields rather
    /// than a unit variant, so that serde refuses unknown fields here too.)
    Validated {},
    /// The hours do not count: `{"kind": "rejected", "reason": "..."}`.
    Rejected {
        /// Why the hours do not count; may span lines.
        #[serde(deserialize_with = "crate::text::multi_line")]
        #[schemars(with = "MultiLineText")]
        reason: String,
    },
}

/// v1 payload of `instalment_approved`: what finance must pay, euros including VAT.
/// `net_to_pay_ttc = gross_ttc − advance_recovery_ttc − other_deductions_ttc`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentApprovedV1 {
    pub number: u32,
    /// Value of this instalment, including VAT.
    pub gross_ttc: MoneyTtc,
    /// Advance recovered on this instalment, including VAT.
    pub advance_recovery_ttc: MoneyTtc,
    /// Other deductions (e.g. penalties), including VAT.
    pub other_deductions_ttc: MoneyTtc,
    pub net_to_pay_ttc: MoneyTtc,
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub approved_on: NaiveDate,
}

payload_v1!(StatementReviewedV1, "statement_reviewed");
payload_v1!(InstalmentApprovedV1, "instalment_approved");
