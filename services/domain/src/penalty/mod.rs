//! The penalty proposal for insertion hours not done (domain.md §4 and §4b).
//!
//! No national rule exists: each contract's penalty terms (`PenaltyTerms` of the award) say how
//! much per missing hour, which hours count, the tolerance, the cap and the exemption threshold.
//! Where the texts leave room, Suivi's readings (§4b) are:
//!
//! 1. **Committed hours** are the ones after amendments. On early termination, when the terms
//!    say so, they are pro-rated to the value executed:
//!    `committed × value executed HT ÷ amount HT after amendments`.
//! 2. **Counted hours** are the validated ones, or every declared one, per the terms' basis.
//! 3. **Tolerance, threshold reading**: if counted ≥ committed × (1 − tolerance) there is no
//!    penalty; otherwise the *whole* shortfall is penalised, not just the part beyond it.
//! 4. **Rate**: fixed, or the gross hourly SMIC in force on the reference date (the notification
//!    date unless the terms give another) × the multiple.
//! 5. **Order**: shortfall × rate → cap (share × final amount HT of the settlement) → rounded
//!    to the cent, half away from zero, once → exemption threshold (a total at or under it
//!    becomes 0).
//!
//! The result is a *proposal*: the sustainability service confirms, adjusts or waives it
//! (`decide`'s penalty commands). It keeps every intermediate figure, so the UI can show the
//! computation step by step ([`PenaltyProposal::explanation`]).
//!
//! Intermediate figures are **not** rounded: pro-rated hours stay exact (6000/11 h stays
//! 545.4545… h) and so does a SMIC-based rate (1.5 × 11.65 € = 17.475 €/h); only the cap (a
//! figure shown on its own) and the amounts after it are rounded to the cent. Rounding the cap
//! first never changes the amount, since rounding to the cent is monotonic.

mod compute;
mod explanation;
mod french;

pub use compute::compute_penalty;
pub(crate) use compute::pro_rate;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use suivi_proto::decimal::quantity;
use suivi_proto::events::{HoursBasis, PenaltyRate};
use suivi_proto::quantities::{Hours, MoneyHt, Share};

use crate::contract::AwardedContract;
use crate::reference::{DatedRates, NoValueInForce, ReferenceTable};

/// Everything [`compute_penalty`] needs, as plain figures (see [`propose_penalty`] for where
/// each comes from in a contract).
#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyInput {
    /// Committed insertion hours after amendments.
    pub committed_hours: Hours,
    /// Present when the contract was terminated early.
    pub termination: Option<Termination>,
    /// Which hours `counted_hours` are (shown in the explanation).
    pub basis: HoursBasis,
    /// Validated hours, or declared hours, per `basis`.
    pub counted_hours: Hours,
    /// Shortfall tolerated, as a fraction of the committed hours.
    pub tolerance_share: Share,
    /// How the rate per missing hour is set, with the SMIC already looked up.
    pub rate: RateSource,
    /// Cap as a fraction of `final_amount_ht`; `None` = no cap.
    pub cap_share: Option<Share>,
    /// Final amount of the contract, excluding VAT (the settlement's): the cap's base.
    pub final_amount_ht: MoneyHt,
    /// A total at or under it becomes 0; `None` = no exemption.
    pub exemption_threshold_ht: Option<MoneyHt>,
}

/// An early termination, as far as the penalty is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Termination {
    /// Value executed at termination, euros excluding VAT.
    #[serde(with = "suivi_proto::shown::money")]
    pub value_executed_ht: MoneyHt,
    /// Amount of the contract after amendments, euros excluding VAT.
    #[serde(with = "suivi_proto::shown::money")]
    pub amount_ht: MoneyHt,
    /// Whether the penalty terms scale the commitment to the value executed.
    pub pro_rata_on_termination: bool,
}

/// Where the rate per missing hour comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RateSource {
    /// A fixed amount per missing hour, euros excluding VAT.
    Fixed { amount_per_hour_ht: MoneyHt },
    /// `multiple` × the gross hourly SMIC in force on `reference_date`.
    Smic {
        /// Gross hourly SMIC in force on `reference_date`, euros.
        #[serde(with = "suivi_proto::shown::money")]
        smic_hourly: Decimal,
        #[serde(with = "quantity")]
        multiple: Decimal,
        #[serde(with = "suivi_proto::date")]
        reference_date: NaiveDate,
    },
}

impl RateSource {
    /// Euros excluding VAT per missing hour, not rounded (e.g. 1.5 × 11.65 = 17.475).
    pub fn per_hour_ht(&self) -> MoneyHt {
        match *self {
            RateSource::Fixed { amount_per_hour_ht } => amount_per_hour_ht,
            RateSource::Smic { smic_hourly, multiple, .. } => MoneyHt::new(smic_hourly.saturating_mul(multiple)),
        }
    }
}

/// The computed penalty with every step, for the projector's read model and the UI.
///
/// Hours are exact; money figures are exact up to `raw_amount_ht` and rounded to the cent from
/// `cap_amount_ht` on. On the wire, every decimal is a string (`suivi_proto::decimal` shapes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PenaltyProposal {
    /// Committed hours after amendments.
    #[serde(with = "suivi_proto::shown::hours")]
    pub committed_hours: Hours,
    /// The early termination, if any.
    pub termination: Option<Termination>,
    /// value executed ÷ amount after amendments, when the commitment is pro-rated.
    #[serde(with = "suivi_proto::shown::share_opt")]
    pub pro_rata_factor: Option<Share>,
    /// committed × value executed ÷ amount, when the commitment is pro-rated.
    #[serde(with = "suivi_proto::shown::hours_opt")]
    pub pro_rated_committed_hours: Option<Hours>,
    pub basis: HoursBasis,
    #[serde(with = "suivi_proto::shown::hours")]
    pub counted_hours: Hours,
    /// Committed (pro-rated if so) − counted, never below 0.
    #[serde(with = "suivi_proto::shown::hours")]
    pub shortfall_hours: Hours,
    #[serde(with = "suivi_proto::shown::share")]
    pub tolerance_share: Share,
    /// Committed (pro-rated if so) × (1 − tolerance).
    #[serde(with = "suivi_proto::shown::hours")]
    pub tolerance_threshold_hours: Hours,
    /// Counted hours reached the tolerance threshold: no penalty (always the case without a
    /// shortfall).
    pub tolerance_reached: bool,
    /// Hours penalised: 0 when the tolerance is reached, else the whole shortfall.
    #[serde(with = "suivi_proto::shown::hours")]
    pub penalised_hours: Hours,
    /// Euros excluding VAT per missing hour, not rounded.
    #[serde(with = "suivi_proto::shown::money")]
    pub rate_per_hour_ht: MoneyHt,
    pub rate_source: RateSource,
    /// Penalised hours × rate, not rounded.
    #[serde(with = "suivi_proto::shown::money")]
    pub raw_amount_ht: MoneyHt,
    #[serde(with = "suivi_proto::shown::share_opt")]
    pub cap_share: Option<Share>,
    /// The settlement's final amount, excluding VAT: the cap's base.
    #[serde(with = "suivi_proto::shown::money")]
    pub final_contract_amount_ht: MoneyHt,
    /// cap share × final amount, rounded to the cent; `None` without a cap.
    #[serde(with = "suivi_proto::shown::money_opt")]
    pub cap_amount_ht: Option<MoneyHt>,
    /// The raw amount exceeded the cap.
    pub cap_applied: bool,
    /// min(raw amount, cap), rounded to the cent.
    #[serde(with = "suivi_proto::shown::money")]
    pub amount_after_cap_ht: MoneyHt,
    #[serde(with = "suivi_proto::shown::money_opt")]
    pub exemption_threshold_ht: Option<MoneyHt>,
    /// A positive amount after the cap was at or under the exemption threshold.
    pub exempted: bool,
    /// The penalty proposed, euros excluding VAT, two decimals.
    #[serde(with = "suivi_proto::shown::money")]
    pub final_amount_ht: MoneyHt,
}

/// The penalty proposal of a settled contract with an insertion clause.
///
/// `Ok(None)` when there is nothing to propose: no insertion clause, or not settled yet (the
/// settlement fixes the final amount and closes the statements). `Err` when the rate is
/// SMIC-based and `smic` has no value on the reference date: a proposal with a guessed rate
/// would be wrong, the table must be completed.
///
/// Committed hours are the ones after amendments; the pro-rata uses the termination's value
/// executed and the amount after amendments; counted hours are the validated or declared ones
/// per the terms (the settlement requires every line reviewed, so none is pending); the cap's
/// base is the settlement's final amount.
pub fn propose_penalty(
    contract: &AwardedContract,
    smic: &DatedRates,
) -> Result<Option<PenaltyProposal>, NoValueInForce> {
    let (Some(clause), Some(committed_hours), Some(settlement)) =
        (contract.insertion_clause(), contract.committed_hours(), contract.settlement())
    else {
        return Ok(None);
    };
    let terms = &clause.penalty_terms;
    let hours = contract.hours();
    let rate = match terms.rate {
        PenaltyRate::Fixed { amount_per_hour_ht } => RateSource::Fixed { amount_per_hour_ht },
        PenaltyRate::SmicMultiple { multiple, reference_date } => {
            let reference_date = reference_date.unwrap_or(contract.award().notification_date);
            let smic_hourly = smic
                .in_force_on(reference_date)
                .ok_or(NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: reference_date })?;
            RateSource::Smic { smic_hourly, multiple, reference_date }
        }
    };
    let input = PenaltyInput {
        committed_hours,
        termination: contract.termination().map(|termination| Termination {
            value_executed_ht: termination.value_executed_ht,
            amount_ht: contract.current_amount_ht(),
            pro_rata_on_termination: terms.pro_rata_on_termination,
        }),
        basis: terms.basis,
        counted_hours: match terms.basis {
            HoursBasis::Validated => hours.validated,
            HoursBasis::Declared => hours.declared,
        },
        tolerance_share: terms.tolerance_share,
        rate,
        cap_share: terms.cap_share,
        final_amount_ht: settlement.final_amount_ht,
        exemption_threshold_ht: terms.exemption_threshold_ht,
    };
    Ok(Some(compute_penalty(&input)))
}
