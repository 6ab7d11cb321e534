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
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use suivi_proto::decimal::{
    fraction, fraction_opt, money, money_opt, quantity, quantity_opt, Fraction, Money, Quantity,
};
use suivi_proto::events::HoursBasis;

use crate::error::french;
use crate::penalty::{PenaltyProposal, RateSource, Termination};
use crate::reference::{NoValueInForce, ReferenceTable};
use crate::Lang;

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
        let why = PenaltyUnavailable {
            missing_table: missing.table,
            in_force_on: missing.date,
            reason: PenaltyUnavailable::message_of(missing.table, missing.date, Lang::Fr),
        };
        ProposedPenalty::Unavailable { why }
    }
}

/// [`PenaltyProposal`] with its explanation. Hours are exact; money figures are exact up to
/// `raw_amount_ht` and rounded to the cent from `cap_amount_ht` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PenaltyComputation {
    /// Committed hours after amendments.
    #[serde(with = "quantity")]
    #[schemars(with = "Quantity")]
    pub committed_hours: Decimal,
    /// The early termination, if any.
    pub termination: Option<TerminationStep>,
    /// value executed ÷ amount after amendments, when the commitment is pro-rated.
    #[serde(with = "fraction_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub pro_rata_factor: Option<Decimal>,
    /// committed × value executed ÷ amount, when the commitment is pro-rated.
    #[serde(with = "quantity_opt")]
    #[schemars(with = "Option<Quantity>")]
    pub pro_rated_committed_hours: Option<Decimal>,
    /// Which hours count: the validated ones, or every declared one.
    pub basis: HoursBasis,
    #[serde(with = "quantity")]
    #[schemars(with = "Quantity")]
    pub counted_hours: Decimal,
    /// Committed (pro-rated if so) − counted, never below 0.
    #[serde(with = "quantity")]
    #[schemars(with = "Quantity")]
    pub shortfall_hours: Decimal,
    #[serde(with = "fraction")]
    #[schemars(with = "Fraction")]
    pub tolerance_share: Decimal,
    /// Committed (pro-rated if so) × (1 − tolerance).
    #[serde(with = "quantity")]
    #[schemars(with = "Quantity")]
    pub tolerance_threshold_hours: Decimal,
    /// Counted hours reached the tolerance threshold: no penalty.
    pub tolerance_reached: bool,
    /// Hours penalised: 0 when the tolerance is reached, else the whole shortfall.
    #[serde(with = "quantity")]
    #[schemars(with = "Quantity")]
    pub penalised_hours: Decimal,
    /// Euros excluding VAT per missing hour, not rounded.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub rate_per_hour_ht: Decimal,
    pub rate_source: RateStep,
    /// Penalised hours × rate, not rounded.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub raw_amount_ht: Decimal,
    /// The cap, as a fraction of the final amount; null without a cap.
    #[serde(with = "fraction_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub cap_share: Option<Decimal>,
    /// The settlement's final amount, excluding VAT: the cap's base.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub final_contract_amount_ht: Decimal,
    /// cap share × final amount, rounded to the cent; null without a cap.
    #[serde(with = "money_opt")]
    #[schemars(with = "Option<Money>")]
    pub cap_amount_ht: Option<Decimal>,
    /// The raw amount exceeded the cap.
    pub cap_applied: bool,
    /// min(raw amount, cap), rounded to the cent.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub amount_after_cap_ht: Decimal,
    /// A total at or under it becomes 0; null without an exemption.
    #[serde(with = "money_opt")]
    #[schemars(with = "Option<Money>")]
    pub exemption_threshold_ht: Option<Decimal>,
    /// A positive amount after the cap was at or under the exemption threshold.
    pub exempted: bool,
    /// The penalty proposed, euros excluding VAT, two decimals.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub final_amount_ht: Decimal,
    /// The same steps as sentences in French, for the letter to the contractor.
    pub explanation: Vec<String>,
}

/// An early termination, as far as the penalty is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TerminationStep {
    /// Value executed at termination, euros excluding VAT.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub value_executed_ht: Decimal,
    /// Amount of the contract after amendments, euros excluding VAT.
    #[serde(with = "money")]
    #[schemars(with = "Money")]
    pub amount_ht: Decimal,
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
    Fixed {
        #[serde(with = "money")]
        #[schemars(with = "Money")]
        amount_per_hour_ht: Decimal,
    },
    /// `multiple` × the gross hourly SMIC in force on `reference_date`.
    Smic {
        /// Gross hourly SMIC in force on `reference_date`, euros.
        #[serde(with = "money")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PenaltyUnavailable {
    /// The table to complete (`suivi reference add`).
    pub missing_table: ReferenceTable,
    /// The date a value must be in force on.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub in_force_on: NaiveDate,
    /// The same, in French.
    pub reason: String,
}

impl PenaltyUnavailable {
    /// Why, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        Self::message_of(self.missing_table, self.in_force_on, lang)
    }

    pub(crate) fn message_of(table: ReferenceTable, date: NaiveDate, lang: Lang) -> String {
        match lang {
            Lang::Fr => format!(
                "aucun {} en vigueur au {} : un administrateur doit compléter la table (suivi reference add)",
                table.name(Lang::Fr),
                french::date(date)
            ),
            Lang::En => format!(
                "no {} in force on {date}: an administrator must complete the table (suivi reference add)",
                table.name(Lang::En)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

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
            committed_hours: Decimal::new(1000, 0),
            termination: None,
            basis: HoursBasis::Validated,
            counted_hours: Decimal::new(600, 0),
            tolerance_share: Decimal::new(1, 1),
            rate: RateSource::Fixed { amount_per_hour_ht: Decimal::new(6000, 2) },
            cap_share: Some(Decimal::new(1, 1)),
            final_amount_ht: Decimal::new(100_000_000, 2),
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
