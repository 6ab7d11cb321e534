//! An instalment's payment as a client checks it: when it was due, how late it was paid, and
//! what the lateness costs — the ECB rate used, the interest, the 40 € flat fee — or, when the
//! ECB table lacks the rate, that the interest cannot be computed and why (never a 0).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use suivi_domain::late_payment::{late_payment, LateInterest, LatePaymentInput};
use suivi_domain::{MissingReference, References};
use suivi_proto::events::InstalmentPaidV1;
use suivi_proto::quantities::MoneyTtc;

/// A payment finance reported, with its delay and late-payment interest (domain.md §4b).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PaymentView {
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub paid_on: NaiveDate,
    /// Amount paid, euros including VAT: the interest's base.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "MoneyTtc")]
    pub amount_ttc: MoneyTtc,
    /// Payment date − reception date (délai global de paiement).
    pub days_to_pay: i64,
    /// Payment date − due date, never below 0.
    pub days_late: i64,
    /// The day after the due date, when late.
    #[serde(with = "suivi_proto::date::option", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<NaiveDate>")]
    pub interest_starts_on: Option<NaiveDate>,
    /// 1 January or 1 July of the half-year the interest starts in: the ECB rate in force on it
    /// applies (R2192-31).
    #[serde(with = "suivi_proto::date::option", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<NaiveDate>")]
    pub half_year_start: Option<NaiveDate>,
    /// The late-payment interest: none, computed, or not computable (and why).
    pub interest: InterestView,
    /// 40.00 when late — owed whatever the ECB table holds —, 0.00 otherwise.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub flat_fee_ttc: Decimal,
    /// Interest + flat fee; null when the interest cannot be computed.
    #[serde(with = "suivi_proto::shown::money_opt")]
    #[schemars(with = "Option<suivi_proto::decimal::Money>")]
    pub total_ttc: Option<Decimal>,
}

/// The interest of one payment.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum InterestView {
    /// Paid on or before the due date.
    NotDue {
        /// 0.00.
        #[serde(with = "suivi_proto::shown::money")]
        #[schemars(with = "suivi_proto::decimal::Money")]
        amount_ttc: Decimal,
    },
    /// amount paid × days late ÷ 365 × (ECB rate + 8 points), rounded to the cent.
    Computed {
        /// ECB main refinancing operations rate in force on `half_year_start`, a fraction of 1.
        #[serde(with = "suivi_proto::shown::share")]
        #[schemars(with = "suivi_proto::decimal::Fraction")]
        ecb_rate: Decimal,
        /// `ecb_rate` + 0.08, a fraction of 1.
        #[serde(with = "suivi_proto::shown::share")]
        #[schemars(with = "suivi_proto::decimal::Fraction")]
        applied_rate: Decimal,
        #[serde(with = "suivi_proto::shown::money")]
        #[schemars(with = "suivi_proto::decimal::Money")]
        amount_ttc: Decimal,
    },
    /// The ECB table has no rate in force on `in_force_on`: the interest cannot be computed until
    /// an administrator completes it (the days late and the flat fee stand).
    Unavailable {
        #[serde(flatten)]
        why: MissingReference,
    },
}

impl PaymentView {
    /// The payment of a request received on `received_on` under a term of `payment_term_days`.
    pub fn of(
        received_on: NaiveDate,
        payment_term_days: u16,
        payment: &InstalmentPaidV1,
        references: &References,
    ) -> Self {
        let input = LatePaymentInput {
            received_on,
            payment_term_days,
            paid_on: payment.paid_on,
            amount_paid_ttc: payment.amount_ttc,
        };
        let late = late_payment(&input, &references.ecb);
        let interest = match late.interest {
            LateInterest::NotDue => InterestView::NotDue { amount_ttc: late.interest_amount().unwrap_or_default() },
            LateInterest::Computed { ecb_rate, applied_rate, amount } => {
                InterestView::Computed { ecb_rate, applied_rate, amount_ttc: amount }
            }
            LateInterest::Unavailable(missing) => InterestView::Unavailable { why: MissingReference::of(missing) },
        };
        PaymentView {
            paid_on: payment.paid_on,
            amount_ttc: payment.amount_ttc,
            days_to_pay: late.days_to_pay,
            days_late: late.days_late,
            interest_starts_on: late.interest_starts_on,
            half_year_start: late.half_year_start,
            interest,
            flat_fee_ttc: late.flat_fee,
            total_ttc: late.total(),
        }
    }
}
