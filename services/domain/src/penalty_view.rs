//! The penalty proposal as the API shows it and the read models keep it (`jsonb`): every step
//! of [`PenaltyProposal`] with its explanation in French, or — when it cannot be computed — why.
//!
//! ```json
//! { "status": "computed", "committed_hours": "1000", …, "final_amount_ht": "50899.80",
//!   "explanation": ["Heures d'insertion engagées : 1 000 h", …] }
//! { "status": "unavailable", "missing_table": "gross_hourly_smic", "in_force_on": "2021-06-01",
//!   "reason": "aucun SMIC horaire brut en vigueur au 01/06/2021 : …" }
//! ```
//!
//! [`PenaltyComputation`] mirrors [`PenaltyProposal`] field by field, with the same serde shapes,
//! so that the wire format has a JSON Schema; [`ProposedPenalty::computed`] names every field of
//! the proposal (no `..`), so a field added there does not compile until it is shown here.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use suivi_proto::decimal::{quantity, Money, Quantity};
use suivi_proto::events::HoursBasis;
use suivi_proto::quantities::{Hours, MoneyHt, Share};

use crate::penalty::{PenaltyProposal, RateSource, Termination};
use crate::reference::{MissingReference, NoValueInForce};

/// A settled contract's penalty proposal: computed, or not computable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProposedPenalty {
    /// Every step of the computation, and the same steps as sentences in French.
    Computed {
        #[serde(flatten)]
        steps: Box<PenaltyComputation>,
    },
    /// A reference value the computation needs is missing: no figure is guessed.
    Unavailable {
        #[serde(flatten)]
        why: PenaltyUnavailable,
    },
}

impl ProposedPenalty {
    pub fn computed(proposal: &PenaltyProposal) -> Self {
        let PenaltyProposal {
            committed_hours,
            termination,
            pro_rata_factor,
            pro_rated_committed_hours,
            basis,
            counted_hours,
            shortfall_hours,
            tolerance_share,
            tolerance_threshold_hours,
            tolerance_reached,
            penalised_hours,
            rate_per_hour_ht,
            rate_source,
            raw_amount_ht,
            cap_share,
            final_contract_amount_ht,
            cap_amount_ht,
            cap_applied,
            amount_after_cap_ht,
            exemption_threshold_ht,
            exempted,
            final_amount_ht,
        } = *proposal;
        let steps = Box::new(PenaltyComputation {
            committed_hours,
            termination: termination.map(TerminationStep::from),
            // A ratio by division, shown like every share to four decimals; the pro-rated hours
            // are committed × value executed ÷ amount, computed without it.
            pro_rata_factor: pro_rata_factor.and_then(|factor| {
                Share::new(factor.value().round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero))
            }),
            pro_rated_committed_hours,
            basis,
            counted_hours,
            shortfall_hours,
            tolerance_share,
            tolerance_threshold_hours,
            tolerance_reached,
            penalised_hours,
            rate_per_hour_ht,
            rate_source: RateStep::from(rate_source),
            raw_amount_ht,
            cap_share,
            final_contract_amount_ht,
            cap_amount_ht,
            cap_applied,
            amount_after_cap_ht,
            exemption_threshold_ht,
            exempted,
            final_amount_ht,
            explanation: proposal.explanation(),
        });
        ProposedPenalty::Computed { steps }
    }

    pub fn unavailable(missing: NoValueInForce) -> Self {
        ProposedPenalty::Unavailable { why: MissingReference::of(missing) }
    }
}

/// [`PenaltyProposal`] with its explanation. Hours are exact; money figures are exact up to
/// `raw_amount_ht` and rounded to the cent from `cap_amount_ht` on. Written as every figure
/// Suivi shows (`suivi_proto::shown`): amounts with two decimals (more for an unrounded rate or
/// raw amount), shares with four, hours without trailing zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PenaltyComputation {
    /// Committed hours after amendments.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Hours")]
    pub committed_hours: Hours,
    /// The early termination, if any.
    pub termination: Option<TerminationStep>,
    /// value executed ÷ amount after amendments, when the commitment is pro-rated, rounded to
    /// four decimals (the pro-rated hours are computed from the exact ratio).
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Share>")]
    pub pro_rata_factor: Option<Share>,
    /// committed × value executed ÷ amount, when the commitment is pro-rated.
    #[serde(with = "suivi_proto::shown::hours_opt")]
    #[schemars(with = "Option<Hours>")]
    pub pro_rated_committed_hours: Option<Hours>,
    /// Which hours count: the validated ones, or every declared one.
    pub basis: HoursBasis,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Hours")]
    pub counted_hours: Hours,
    /// Committed (pro-rated if so) − counted, never below 0.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Hours")]
    pub shortfall_hours: Hours,
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub tolerance_share: Share,
    /// Committed (pro-rated if so) × (1 − tolerance).
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Hours")]
    pub tolerance_threshold_hours: Hours,
    /// Counted hours reached the tolerance threshold: no penalty.
    pub tolerance_reached: bool,
    /// Hours penalised: 0 when the tolerance is reached, else the whole shortfall.
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "Hours")]
    pub penalised_hours: Hours,
    /// Euros excluding VAT per missing hour, not rounded.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub rate_per_hour_ht: MoneyHt,
    pub rate_source: RateStep,
    /// Penalised hours × rate, not rounded.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub raw_amount_ht: MoneyHt,
    /// The cap, as a fraction of the final amount; null without a cap.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Share>")]
    pub cap_share: Option<Share>,
    /// The settlement's final amount, excluding VAT: the cap's base.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub final_contract_amount_ht: MoneyHt,
    /// cap share × final amount, rounded to the cent; null without a cap.
    #[serde(with = "suivi_proto::shown::money_opt")]
    #[schemars(with = "Option<MoneyHt>")]
    pub cap_amount_ht: Option<MoneyHt>,
    /// The raw amount exceeded the cap.
    pub cap_applied: bool,
    /// min(raw amount, cap), rounded to the cent.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub amount_after_cap_ht: MoneyHt,
    /// A total at or under it becomes 0; null without an exemption.
    #[serde(with = "suivi_proto::shown::money_opt")]
    #[schemars(with = "Option<MoneyHt>")]
    pub exemption_threshold_ht: Option<MoneyHt>,
    /// A positive amount after the cap was at or under the exemption threshold.
    pub exempted: bool,
    /// The penalty proposed, euros excluding VAT, two decimals.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub final_amount_ht: MoneyHt,
    /// The same steps as sentences in French, for the letter to the contractor.
    pub explanation: Vec<String>,
}

/// An early termination, as far as the penalty is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TerminationStep {
    /// Value executed at termination, euros excluding VAT.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub value_executed_ht: MoneyHt,
    /// Amount of the contract after amendments, euros excluding VAT.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyHt")]
    pub amount_ht: MoneyHt,
    /// Whether the penalty terms scale the commitment to the value executed.
    pub pro_rata_on_termination: bool,
}

impl From<Termination> for TerminationStep {
    fn from(termination: Termination) -> Self {
        let Termination { value_executed_ht, amount_ht, pro_rata_on_termination } = termination;
        TerminationStep { value_executed_ht, amount_ht, pro_rata_on_termination }
    }
}

/// Where the rate per missing hour came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RateStep {
    /// A fixed amount per missing hour, euros excluding VAT.
    Fixed { amount_per_hour_ht: MoneyHt },
    /// `multiple` × the gross hourly SMIC in force on `reference_date`.
    Smic {
        /// Gross hourly SMIC in force on `reference_date`, euros.
        #[serde(with = "suivi_proto::shown::money")]
        #[schemars(with = "Money")]
        smic_hourly: Decimal,
        #[serde(with = "quantity")]
        #[schemars(with = "Quantity")]
        multiple: Decimal,
        #[serde(with = "suivi_proto::date")]
        #[schemars(with = "NaiveDate")]
        reference_date: NaiveDate,
    },
}

impl From<RateSource> for RateStep {
    fn from(source: RateSource) -> Self {
        match source {
            RateSource::Fixed { amount_per_hour_ht } => RateStep::Fixed { amount_per_hour_ht },
            RateSource::Smic { smic_hourly, multiple, reference_date } => {
                RateStep::Smic { smic_hourly, multiple, reference_date }
            }
        }
    }
}

/// Why a proposal cannot be computed: a reference table has no value on a date it needs.
pub type PenaltyUnavailable = MissingReference;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;
    use crate::reference::ReferenceTable;
    use crate::Lang;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_unavailable_proposal_says_why_in_both_languages() {
        let missing = NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: date("2021-06-01") };
        let ProposedPenalty::Unavailable { why: unavailable } = ProposedPenalty::unavailable(missing) else { panic!() };
        assert_eq!(
            unavailable.message(Lang::Fr),
            "aucun SMIC horaire brut en vigueur au 01/06/2021 : un administrateur doit compléter la table (suivi \
             reference add)"
        );
        assert_eq!(unavailable.reason, unavailable.message(Lang::Fr));
        assert_eq!(
            unavailable.message(Lang::En),
            "no gross hourly SMIC in force on 2021-06-01: an administrator must complete the table (suivi reference \
             add)"
        );
        let json = serde_json::to_value(ProposedPenalty::Unavailable { why: unavailable }).unwrap();
        assert_eq!(json["status"], "unavailable");
        assert_eq!(json["missing_table"], "gross_hourly_smic");
        assert_eq!(json["in_force_on"], "2021-06-01");
    }

    /// The computed proposal is written as the domain's proposal was, plus `status` and
    /// `explanation`: the read models' `jsonb` keeps its shape.
    #[test]
    fn a_computed_proposal_is_the_domain_s_proposal_with_its_explanation() {
        let proposal = crate::penalty::compute_penalty(&crate::penalty::PenaltyInput {
            committed_hours: Hours::new(Decimal::new(1000, 0)).unwrap(),
            termination: None,
            basis: HoursBasis::Validated,
            counted_hours: Hours::new(Decimal::new(600, 0)).unwrap(),
            tolerance_share: Share::new(Decimal::new(1, 1)).unwrap(),
            rate: RateSource::Fixed { amount_per_hour_ht: MoneyHt::new(Decimal::new(6000, 2)) },
            cap_share: Share::new(Decimal::new(1, 1)),
            final_amount_ht: MoneyHt::new(Decimal::new(100_000_000, 2)),
            exemption_threshold_ht: None,
        });
        let mut expected = serde_json::to_value(&proposal).unwrap();
        expected["status"] = json!("computed");
        expected["explanation"] = json!(proposal.explanation());
        let typed = ProposedPenalty::computed(&proposal);
        assert_eq!(serde_json::to_value(&typed).unwrap(), expected);
        assert_eq!(serde_json::from_value::<ProposedPenalty>(expected).unwrap(), typed);
    }
}
