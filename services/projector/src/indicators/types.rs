//! What the yearly indicators answer: serialised as the API serves them, decimals as strings.

use rust_decimal::Decimal;
use serde::Serialize;
use suivi_domain::MissingReference;
use suivi_proto::decimal::{Fraction, Money, Quantity};
use suivi_proto::events::{EligibleCategory, InsertionModality};
use suivi_proto::TenantId;

use super::targets::NationalTargets;

/// A year's indicators of one organisation (tenant).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct YearlyIndicators {
    /// The calendar year (1 January to 31 December).
    pub year: i32,
    pub tenant: TenantId,
    /// The national plan (PNAD) the year's social and environmental shares are compared with:
    /// the one in force on 31 December of the year, with its period and source; or, when no
    /// plan is, `no_plan` and why (then every `target_share` is null).
    pub national_targets: NationalTargets,
    /// Every buyer of the organisation together (for an intercommunality: the consolidated
    /// figures). Distinct counts and medians are computed over the whole, not added up.
    pub consolidated: Indicators,
    /// Each buyer SIRET with at least one figure in the year, with its name, in SIRET order.
    pub buyers: Vec<BuyerIndicators>,
}

/// One buyer's indicators.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BuyerIndicators {
    pub buyer_siret: String,
    /// The buyer's name, as the organisation's list of buyers records it (set by an
    /// administrator, or from `acheteur.nom` of an imported DECP file); null when none is.
    pub buyer_name: Option<String>,
    pub indicators: Indicators,
}

/// The indicators of domain.md §5, each with the date that decides its year
/// (`docs/indicators.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Indicators {
    /// Contracts notified in the year, at their notified amount.
    pub notified: ContractTally,
    /// Contracts notified in the year with at least one social consideration.
    pub social: Considerations,
    /// Contracts notified in the year with at least one environmental consideration.
    pub environmental: Considerations,
    /// Reserved contracts (marché réservé) notified in the year.
    pub reserved: ContractTally,
    /// Contracts notified in the year to a TPE or PME (alone or in a group).
    pub sme: SmeAwards,
    pub hours: InsertionHours,
    /// Distinct people with validated hours in a month of the year: registered participants,
    /// and the pseudonyms of lines written before the register.
    pub beneficiaries: i64,
    /// Who they are: the profile of the registered participants among them, and the hours each
    /// did on average.
    pub beneficiary_profile: BeneficiaryProfile,
    /// Distinct contractor SIRETs of the contracts with validated hours in a month of the year.
    pub firms: i64,
    pub penalties: Penalties,
    /// Advances paid in the year.
    pub advances: Advances,
    /// Instalments paid in the year.
    pub payments: PaymentDelays,
    /// Contracts notified by the end of the year and at risk now (not a historical figure).
    pub at_risk_contracts: i64,
}

impl Indicators {
    /// Sets the `target_share`s beside the shares: the targets of the plan in force, or none.
    pub fn compare_with(&mut self, targets: &NationalTargets) {
        self.social.target_share = targets.social_share();
        self.environmental.target_share = targets.environmental_share();
    }
}

/// A number of contracts and their amount excluding VAT.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ContractTally {
    pub count: i64,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub amount_ht: Decimal,
}

/// Contracts with a consideration of one kind, against the national target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Considerations {
    pub count: i64,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub amount_ht: Decimal,
    /// `count` ÷ contracts notified, rounded to 4 decimals; null when none was notified.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub share: Option<Decimal>,
    /// The target for `share` of the plan in `national_targets`, shown beside it; null when no
    /// plan is in force on 31 December of the year, or the plan sets none of this kind.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub target_share: Option<Decimal>,
    /// Of which with an award criterion of this kind (critère social / environnemental).
    pub with_award_criterion: i64,
}

/// Contracts awarded to small and medium firms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SmeAwards {
    pub count: i64,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub amount_ht: Decimal,
    /// `count` ÷ contracts notified, rounded to 4 decimals; null when none was notified.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub share: Option<Decimal>,
    /// `amount_ht` ÷ amount notified, rounded to 4 decimals; null when nothing was notified.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub amount_share: Option<Decimal>,
}

/// Insertion hours: committed by the contracts notified in the year; declared, validated,
/// rejected and pending on statement lines of a month of the year; the shortfall of the
/// contracts settled in the year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct InsertionHours {
    /// Committed (after amendments) by the contracts notified in the year.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub committed: Decimal,
    #[serde(flatten)]
    pub lines: LineHours,
    /// Committed (pro-rated on termination) − validated, never below 0 per contract, over the
    /// contracts settled in the year.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub shortfall: Decimal,
    /// Statement-line hours by category of person, in alphabetical order of the category code.
    pub by_category: Vec<CategoryHours>,
    /// Statement-line hours by modality, in alphabetical order of the modality code.
    pub by_modality: Vec<ModalityHours>,
}

/// Hours of statement lines whose month is in the year, by review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LineHours {
    /// Every hour declared (validated + rejected + pending).
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub declared: Decimal,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub validated: Decimal,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub rejected: Decimal,
    /// Not reviewed yet.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Quantity")]
    pub pending: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CategoryHours {
    pub category: EligibleCategory,
    #[serde(flatten)]
    pub hours: LineHours,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ModalityHours {
    pub modality: InsertionModality,
    #[serde(flatten)]
    pub hours: LineHours,
}

/// Penalties for insertion hours not done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Penalties {
    /// Proposals above 0 € of the contracts settled in the year.
    pub proposed: ContractTally,
    /// Decisions taken in the year (a confirmation of 0 €, "no penalty due", is not counted).
    pub confirmed: PenaltyDecisions,
    pub adjusted: PenaltyDecisions,
    pub waived: PenaltyDecisions,
}

/// Decisions of one kind taken in the year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PenaltyDecisions {
    pub count: i64,
    /// What was proposed for these contracts.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub proposed_amount_ht: Decimal,
    /// What was decided (0 when waived).
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub decided_amount_ht: Decimal,
}

/// Advances paid in the year, including VAT.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Advances {
    pub count: i64,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub amount_ttc: Decimal,
    /// To contracts awarded to a TPE or PME.
    pub to_sme: AdvanceTally,
    /// Paid without a first-demand guarantee.
    pub without_guarantee: AdvanceTally,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AdvanceTally {
    pub count: i64,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub amount_ttc: Decimal,
}

/// Payment delay (délai global de paiement) of the instalments paid in the year.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PaymentDelays {
    /// Instalments paid in the year.
    pub paid: i64,
    /// Days from reception to payment, mean rounded to 1 decimal; null when none was paid.
    #[serde(with = "suivi_proto::decimal::quantity_opt")]
    #[schemars(with = "Option<Quantity>")]
    pub mean_days_to_pay: Option<Decimal>,
    /// Days from reception to payment, median; null when none was paid.
    #[serde(with = "suivi_proto::decimal::quantity_opt")]
    #[schemars(with = "Option<Quantity>")]
    pub median_days_to_pay: Option<Decimal>,
    /// Paid on or before the due date (reception + payment term).
    pub on_time: i64,
    /// `on_time` ÷ `paid`, rounded to 4 decimals; null when none was paid.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub on_time_share: Option<Decimal>,
    /// Late-payment interest (intérêts moratoires); null when the interest of a late payment
    /// cannot be computed (see `interest_unavailable`): a partial sum is not the year's interest.
    #[serde(with = "suivi_proto::shown::money_opt")]
    #[schemars(with = "Option<Money>")]
    pub interest_ttc: Option<Decimal>,
    /// Flat recovery fees, 40 € per late payment, whatever the rate table holds.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub flat_fees_ttc: Decimal,
    /// `interest_ttc` + `flat_fees_ttc`; null when `interest_ttc` is.
    #[serde(with = "suivi_proto::shown::money_opt")]
    #[schemars(with = "Option<Money>")]
    pub interest_due_ttc: Option<Decimal>,
    /// The late payments whose interest cannot be computed (no ECB rate in force on the first day
    /// of their half-year), with the values the table lacks; null when every interest is computed.
    pub interest_unavailable: Option<InterestUnavailable>,
}

impl Default for PaymentDelays {
    fn default() -> Self {
        PaymentDelays {
            paid: 0,
            mean_days_to_pay: None,
            median_days_to_pay: None,
            on_time: 0,
            on_time_share: None,
            interest_ttc: Some(Decimal::ZERO),
            flat_fees_ttc: Decimal::ZERO,
            interest_due_ttc: Some(Decimal::ZERO),
            interest_unavailable: None,
        }
    }
}

/// Late payments whose interest cannot be computed yet.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct InterestUnavailable {
    /// How many (their flat fees are counted in `flat_fees_ttc`).
    pub payments: i64,
    /// The interest of the other late payments, which could be computed.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "Money")]
    pub interest_computed_ttc: Decimal,
    /// Each reference value missing, in date order, with the reason in French.
    pub missing: Vec<MissingReference>,
}

/// The number and the profile of beneficiaries (SPASER indicators): registered participants with
/// validated hours in a month of the year, counted by the profile the facilitator registered
/// (category, gender, age band at entry, qualification, QPV), and whether the year is their first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BeneficiaryProfile {
    /// Registered participants with validated hours in the year (lines written before the
    /// register name pseudonyms: they count in `beneficiaries`, not here).
    pub participants: i64,
    /// With validated hours in the year and none in an earlier year, in this organisation.
    pub new: i64,
    /// With validated hours in an earlier year too.
    pub seen_in_an_earlier_year: i64,
    /// Living in a priority neighbourhood (QPV).
    pub priority_neighbourhood_residents: i64,
    /// By eligible category (the register's), in alphabetical order of the code.
    pub by_category: Vec<ProfileCount>,
    /// By gender: `female`, `male`, `not_stated`.
    pub by_gender: Vec<ProfileCount>,
    /// By age band on entering the scheme: `under_26`, `26_to_49`, `50_and_over`.
    pub by_age_band: Vec<ProfileCount>,
    /// By qualification level: `below_level_3` … `level_6_or_above`.
    pub by_qualification: Vec<ProfileCount>,
    /// Validated hours of the year ÷ beneficiaries (every beneficiary, registered or not);
    /// absent when there is none.
    #[serde(with = "suivi_proto::shown::hours_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Quantity>")]
    pub hours_per_beneficiary: Option<Decimal>,
}

/// How many participants have one value of a profile field.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProfileCount {
    /// The value, as `participant_registered` writes it (e.g. `young_low_qualification`).
    pub value: String,
    pub participants: i64,
}
