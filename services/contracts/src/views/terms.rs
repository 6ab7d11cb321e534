//! The award's terms as a client needs them to check the figures: the VAT rate every gross is
//! computed with, the payment term every due date comes from, the advance and its recovery, the
//! penalty terms. Copied from the award (amendments change none of them).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use suivi_domain::advance_recovery::{granted_advance_ttc, RecoveryPace};
use suivi_domain::AwardedContract;
use suivi_proto::events::{AdvanceRecovery, AdvanceTerms, HoursBasis, PenaltyRate, PenaltyTerms};
use suivi_proto::quantities::{MoneyHt, MoneyTtc, Share};

/// The terms of the award.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TermsView {
    /// VAT rate, a fraction of 1: gross TTC = cumulative value × (1 + VAT rate), rounded, minus
    /// the previous instalment's.
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub vat_rate: Share,
    /// Délai global de paiement, days from the reception of a request: its due date.
    pub payment_term_days: u16,
    /// The advance and how it is recovered; absent without advance terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advance: Option<AdvanceTermsView>,
    /// What an insertion hour not done costs; absent without an insertion clause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<PenaltyTermsView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AdvanceTermsView {
    /// A fraction of the base including VAT (0 = not stated: the advance is then not capped).
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub rate: Share,
    /// rate × base TTC (the amount, or 12 months of it for a longer contract), rounded: the most
    /// finance may pay; absent when the rate is not stated.
    #[serde(with = "suivi_proto::shown::money_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<MoneyTtc>")]
    pub granted_ttc: Option<MoneyTtc>,
    pub with_guarantee: bool,
    pub recovery: RecoveryView,
}

/// The pace of recovery, as shares of the initial amount executed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RecoveryView {
    /// `thresholds` or `proportional` (start 0, end 1).
    pub kind: RecoveryKind,
    /// Recovery starts at this share executed.
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub start_share: Share,
    /// The advance is fully recovered at this share (1 without an end bound).
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub end_share: Share,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryKind {
    Thresholds,
    Proportional,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PenaltyTermsView {
    pub rate: PenaltyRateView,
    /// Which hours count: validated, or every declared one.
    pub basis: HoursBasis,
    /// Shortfall tolerated, a fraction of the commitment (0 = none).
    #[serde(with = "suivi_proto::shown::share")]
    #[schemars(with = "Share")]
    pub tolerance_share: Share,
    /// Cap, a fraction of the final amount excluding VAT; absent = no cap.
    #[serde(with = "suivi_proto::shown::share_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Share>")]
    pub cap_share: Option<Share>,
    /// A penalty at or under it becomes 0; absent = no exemption.
    #[serde(with = "suivi_proto::shown::money_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<MoneyHt>")]
    pub exemption_threshold_ht: Option<MoneyHt>,
    /// On early termination the commitment is scaled to the value executed.
    pub pro_rata_on_termination: bool,
}

/// Euros excluding VAT per missing hour.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PenaltyRateView {
    Fixed {
        #[serde(with = "suivi_proto::shown::money")]
        #[schemars(with = "MoneyHt")]
        amount_per_hour_ht: MoneyHt,
    },
    /// `multiple` × the gross hourly SMIC in force on `reference_date`.
    SmicMultiple {
        #[serde(with = "suivi_proto::decimal::quantity")]
        #[schemars(with = "suivi_proto::decimal::Quantity")]
        multiple: Decimal,
        /// The date whose SMIC applies: the award's, or the notification date.
        #[serde(with = "suivi_proto::date")]
        #[schemars(with = "NaiveDate")]
        reference_date: NaiveDate,
    },
}

impl TermsView {
    pub fn of(contract: &AwardedContract) -> Self {
        let award = contract.award();
        TermsView {
            vat_rate: award.vat_rate,
            payment_term_days: award.payment_term_days,
            advance: award.advance_terms.as_ref().map(|terms| AdvanceTermsView::of(contract, terms)),
            penalty: award
                .insertion_clause
                .as_ref()
                .map(|clause| PenaltyTermsView::of(&clause.penalty_terms, award.notification_date)),
        }
    }
}

impl AdvanceTermsView {
    fn of(contract: &AwardedContract, terms: &AdvanceTerms) -> Self {
        let award = contract.award();
        let granted = (!terms.rate.is_zero())
            .then(|| granted_advance_ttc(award.amount_ht, award.vat_rate, award.duration_months, terms.rate));
        // The domain's reading of the terms: no end bound is 100 %, proportional is 0 to 100 %.
        let pace = RecoveryPace::of(&terms.recovery);
        let kind = match terms.recovery {
            AdvanceRecovery::Thresholds { .. } => RecoveryKind::Thresholds,
            AdvanceRecovery::Proportional {} => RecoveryKind::Proportional,
        };
        let recovery = RecoveryView { kind, start_share: pace.start_share(), end_share: pace.end_share() };
        AdvanceTermsView { rate: terms.rate, granted_ttc: granted, with_guarantee: terms.with_guarantee, recovery }
    }
}

impl PenaltyTermsView {
    fn of(terms: &PenaltyTerms, notification_date: NaiveDate) -> Self {
        let rate = match &terms.rate {
            PenaltyRate::Fixed { amount_per_hour_ht } => {
                PenaltyRateView::Fixed { amount_per_hour_ht: *amount_per_hour_ht }
            }
            PenaltyRate::SmicMultiple { multiple, reference_date } => PenaltyRateView::SmicMultiple {
                multiple: *multiple,
                reference_date: reference_date.unwrap_or(notification_date),
            },
        };
        PenaltyTermsView {
            rate,
            basis: terms.basis,
            tolerance_share: terms.tolerance_share,
            cap_share: terms.cap_share,
            exemption_threshold_ht: terms.exemption_threshold_ht,
            pro_rata_on_termination: terms.pro_rata_on_termination,
        }
    }
}
