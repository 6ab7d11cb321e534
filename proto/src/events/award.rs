//! `contract_awarded`: the notified contract and every per-contract setting the rules need.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::payload_v1;
use crate::codes::{CpvCode, Siret};
use crate::decimal::{quantity, Quantity};
use crate::quantities::{Hours, MoneyHt, Share};
use crate::text::{MultiLineText, SingleLineText};

/// v1 payload of `contract_awarded`. The contract id is the envelope's `stream_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractAwardedV1 {
    /// SIRET of the buyer (DECP `acheteur.id`).
    pub buyer_siret: Siret,
    /// What kind of public buyer: sets the legal default payment term.
    pub buyer_kind: BuyerKind,
    /// The contractor(s): one `sole`, or one `lead` and `co_contractor`s (DECP `titulaires`).
    pub contractors: Vec<Contractor>,
    /// Object of the contract (DECP `objet`); may span lines.
    #[serde(deserialize_with = "crate::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub object: String,
    /// Main CPV code (DECP `codeCPV`).
    pub cpv_code: CpvCode,
    /// Procedure, DECP vocabulary, e.g. "Appel d'offres ouvert", "Procédure adaptée".
    #[serde(deserialize_with = "crate::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub procedure: String,
    /// CCAG of reference, DECP vocabulary, e.g. "Travaux"; absent if none stated.
    #[serde(default, deserialize_with = "crate::text::single_line_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<SingleLineText>")]
    pub ccag: Option<String>,
    /// The lot, when the consultation was divided into lots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<Lot>,
    /// Initial amount, euros excluding VAT (DECP `montant`).
    pub amount_ht: MoneyHt,
    /// VAT rate as a fraction: "0.20" is 20 %.
    pub vat_rate: Share,
    /// Initial duration in months (DECP `dureeMois`).
    pub duration_months: u32,
    /// Notification date (DECP `dateNotification`): starts the contract.
    #[serde(with = "crate::date")]
    #[schemars(with = "NaiveDate")]
    pub notification_date: NaiveDate,
    /// DECP `considerationsSociales`.
    pub social_considerations: Vec<SocialConsideration>,
    /// DECP `considerationsEnvironnementales`.
    pub environmental_considerations: Vec<EnvironmentalConsideration>,
    /// Legal basis when the contract is reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_basis: Option<ReservedBasis>,
    /// The insertion clause, when the contract has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insertion_clause: Option<InsertionClause>,
    /// Advance terms; absent when no advance is granted (e.g. the contractor declined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_terms: Option<AdvanceTerms>,
    /// Payment term in days from receipt of a request (*délai global de paiement*):
    /// 30 for the State and local authorities, 50 for hospitals, 60 for public companies.
    pub payment_term_days: u16,
}

/// Kind of public buyer (R2192-10/11 set the payment term by kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BuyerKind {
    State,
    LocalAuthority,
    Hospital,
    PublicCompany,
}

/// One contractor of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contractor {
    pub siret: Siret,
    pub size: CompanySize,
    pub role: ContractorRole,
}

/// Company size category (loi LME): indicators report the share awarded to SMEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompanySize {
    /// Très petite entreprise (micro).
    Tpe,
    /// Petite ou moyenne entreprise.
    Pme,
    /// Entreprise de taille intermédiaire.
    Eti,
    /// Grande entreprise.
    Ge,
}

/// A contractor's place in the award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractorRole {
    /// The only contractor.
    Sole,
    /// Lead member of a group (*mandataire*).
    Lead,
    /// Other member of a group (*cotraitant*).
    CoContractor,
}

/// A lot of a divided consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lot {
    pub number: u32,
    #[serde(deserialize_with = "crate::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub title: String,
}

/// DECP `considerationsSociales` vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SocialConsideration {
    /// "Clause sociale".
    ClauseSociale,
    /// "Critère social".
    CritereSocial,
    /// "Marché réservé".
    MarcheReserve,
    /// "Pas de considération sociale".
    PasDeConsiderationSociale,
}

/// DECP `considerationsEnvironnementales` vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentalConsideration {
    /// "Clause environnementale".
    ClauseEnvironnementale,
    /// "Critère environnemental".
    CritereEnvironnemental,
    /// "Pas de considération environnementale".
    PasDeConsiderationEnvironnementale,
}

/// Legal basis of a reserved contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ReservedBasis {
    /// L2113-12: reserved to EA / ESAT (disabled workers).
    #[serde(rename = "l2113_12_disabled_workers")]
    DisabledWorkers,
    /// L2113-13: reserved to SIAE (insertion).
    #[serde(rename = "l2113_13_insertion")]
    Insertion,
    /// L2113-15: reserved to ESS enterprises.
    #[serde(rename = "l2113_15_ess")]
    Ess,
}

/// The insertion clause: hours committed and what happens if they are not done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertionClause {
    /// Insertion hours the contractor commits to (may be fractional).
    pub committed_hours: Hours,
    pub penalty_terms: PenaltyTerms,
}

/// Per-contract penalty terms for insertion hours not done (each CCAP sets its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyTerms {
    /// Amount per missing hour: fixed, or a multiple of the SMIC.
    pub rate: PenaltyRate,
    /// Which hours count towards the commitment.
    pub basis: HoursBasis,
    /// Shortfall tolerated, as a fraction of the committed hours ("0" = none, "0.1" = 10 %):
    /// if counted ≥ committed × (1 − tolerance) there is no penalty, otherwise the whole
    /// shortfall is penalised.
    pub tolerance_share: Share,
    /// Cap on the penalty as a fraction of the final amount excluding VAT ("0.2" = 20 %);
    /// absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_share: Option<Share>,
    /// Euros excluding VAT: a penalty at or under it becomes 0; absent = no exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_threshold_ht: Option<MoneyHt>,
    /// On early termination, scale the commitment to the value executed.
    pub pro_rata_on_termination: bool,
}

/// How the rate per missing hour is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PenaltyRate {
    /// A fixed amount, e.g. `{"kind": "fixed", "amount_per_hour_ht": "60.00"}`.
    Fixed {
        /// Euros excluding VAT per missing hour.
        amount_per_hour_ht: MoneyHt,
    },
    /// A multiple of the gross hourly SMIC, e.g. `{"kind": "smic_multiple", "multiple": "5"}`.
    SmicMultiple {
        /// How many gross hourly SMICs per missing hour.
        #[serde(with = "quantity")]
        #[schemars(with = "Quantity")]
        multiple: Decimal,
        /// Date whose SMIC applies; absent = the notification date.
        #[serde(default, with = "crate::date::option", skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Option<NaiveDate>")]
        reference_date: Option<NaiveDate>,
    },
}

/// Which declared hours count towards the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoursBasis {
    /// Only hours the facilitator validated (the usual rule).
    Validated,
    /// Every hour declared.
    Declared,
}

/// Advance terms (L2191-2, R2191-3 ff.).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceTerms {
    /// Advance rate as a fraction of the base including VAT ("0.3" = 30 %). The base is the
    /// amount including VAT if the duration is 12 months or less, else 12 × amount ÷ months.
    /// DECP `tauxAvance` uses the same convention.
    pub rate: Share,
    /// Whether a first-demand guarantee is required.
    pub with_guarantee: bool,
    /// How the advance is recovered from instalments.
    pub recovery: AdvanceRecovery,
}

/// Pace of advance recovery (*remboursement de l'avance*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdvanceRecovery {
    /// Recovered between two shares of the initial amount including VAT executed, e.g.
    /// `{"kind": "thresholds", "start_share": "0.65", "end_share": "0.8"}`.
    Thresholds {
        /// Share executed at which recovery starts ("0.65" = 65 %).
        start_share: Share,
        /// Share executed at which the advance is fully recovered; absent = 100 % (no end
        /// bound is compulsory since 1 January 2025).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_share: Option<Share>,
    },
    /// In proportion to the sums remaining due: `{"kind": "proportional"}` (the default of a
    /// contract that says nothing, since décret 2022-1683). A struct variant without fields
    /// rather than a unit variant, so that serde refuses unknown fields here too.
    Proportional {},
}

payload_v1!(ContractAwardedV1, "contract_awarded");
