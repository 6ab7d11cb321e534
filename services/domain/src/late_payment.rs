//! Late-payment interest and the flat recovery fee for one payment (domain.md §2.4 and §4b).
//!
//! Code de la commande publique:
//!
//! - L2192-13: from the day after the payment term expires, late payment gives rise, by right,
//!   to interest (*intérêts moratoires*) and a flat fee for recovery costs;
//! - R2192-31: the rate is the ECB's main refinancing operations rate "in force on the first day
//!   of the half-year of the calendar year in which the interest began to run", plus 8 points;
//! - D2192-35: the flat fee is 40 €.
//!
//! Suivi's readings (§4b): due date = receipt + payment term (days); days late = payment date −
//! due date (the interest runs from the day after the due date up to the payment date
//! included); interest = amount paid TTC × days late ÷ 365 × rate, **always ÷ 365**, leap year
//! or not, rounded to the cent once, half away from zero. The half-year is fixed by the day
//! interest starts: a payment due on 29 June and paid on 15 July keeps the first half-year's
//! rate for all its days. No interest and no fee for a payment on or before its due date.
//!
//! **The flat fee does not depend on the rate.** A late payment owes its 40 € and its days late
//! whatever the ECB table holds; only the interest needs the rate of the half-year. When the
//! table has none, the interest is [`LateInterest::Unavailable`] with the table and the date to
//! complete — shown as "cannot compute" with its reason, never as 0 — and the rest stands.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use suivi_proto::quantities::MoneyTtc;

use crate::money::round_to_cent;
use crate::reference::{DatedRates, NoValueInForce, ReferenceTable};

/// The 8 points added to the ECB rate (R2192-31), as a fraction of 1.
pub const ECB_RATE_MARGIN: Decimal = Decimal::from_parts(8, 0, 0, false, 2);

/// The flat fee for recovery costs per late payment (D2192-35), euros.
pub const RECOVERY_FLAT_FEE: Decimal = Decimal::from_parts(4000, 0, 0, false, 2);

/// Days in the year the interest is computed on, whatever the year.
const DAYS_PER_YEAR: Decimal = Decimal::from_parts(365, 0, 0, false, 0);

/// One payment of an instalment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePaymentInput {
    /// Day the buyer received the request: the payment term runs from it.
    pub received_on: NaiveDate,
    /// *Délai global de paiement*, in days.
    pub payment_term_days: u16,
    pub paid_on: NaiveDate,
    /// Amount paid, euros including VAT: the interest's base.
    pub amount_paid_ttc: MoneyTtc,
}

/// What a payment's lateness costs the buyer, with every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePayment {
    /// Receipt + payment term.
    pub due_date: NaiveDate,
    /// Payment date − receipt date (the *délai global de paiement* actually taken).
    pub days_to_pay: i64,
    /// Payment date − due date, never below 0.
    pub days_late: i64,
    /// The day after the due date, when late.
    pub interest_starts_on: Option<NaiveDate>,
    /// 1 January or 1 July of the half-year in which the interest starts, when late.
    pub half_year_start: Option<NaiveDate>,
    /// The interest, or why it cannot be computed.
    pub interest: LateInterest,
    /// 40.00 when late — owed whatever the rate table holds —, 0.00 otherwise.
    pub flat_fee: Decimal,
}

/// The late-payment interest of one payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateInterest {
    /// Paid on or before the due date: no interest (and no flat fee).
    NotDue,
    /// Late, with the ECB rate of the half-year.
    Computed {
        /// ECB main refinancing operations rate in force on the half-year's first day, a
        /// fraction of 1.
        ecb_rate: Decimal,
        /// `ecb_rate` + 8 points, a fraction of 1.
        applied_rate: Decimal,
        /// Amount paid × days late ÷ 365 × applied rate, rounded to the cent.
        amount: Decimal,
    },
    /// Late, but the table has no ECB rate on the half-year's first day: the interest cannot be
    /// computed until it is completed. Never read as 0.
    Unavailable(NoValueInForce),
}

impl LatePayment {
    /// The ECB rate the interest was computed with, a fraction of 1.
    pub fn ecb_rate(&self) -> Option<Decimal> {
        match self.interest {
            LateInterest::Computed { ecb_rate, .. } => Some(ecb_rate),
            LateInterest::NotDue | LateInterest::Unavailable(_) => None,
        }
    }

    /// The ECB rate + 8 points, a fraction of 1.
    pub fn applied_rate(&self) -> Option<Decimal> {
        match self.interest {
            LateInterest::Computed { applied_rate, .. } => Some(applied_rate),
            LateInterest::NotDue | LateInterest::Unavailable(_) => None,
        }
    }

    /// The interest, euros: 0.00 when paid on time; `None` when it cannot be computed.
    pub fn interest_amount(&self) -> Option<Decimal> {
        match self.interest {
            LateInterest::NotDue => Some(round_to_cent(Decimal::ZERO)),
            LateInterest::Computed { amount, .. } => Some(amount),
            LateInterest::Unavailable(_) => None,
        }
    }

    /// Interest + flat fee; `None` when the interest cannot be computed.
    pub fn total(&self) -> Option<Decimal> {
        self.interest_amount().map(|interest| round_to_cent(interest + self.flat_fee))
    }

    /// The reference value the interest needs and the table lacks.
    pub fn missing(&self) -> Option<NoValueInForce> {
        match self.interest {
            LateInterest::Unavailable(missing) => Some(missing),
            LateInterest::NotDue | LateInterest::Computed { .. } => None,
        }
    }
}

/// When a payment was due and how long it took: the day count every lateness figure starts
/// from, and the one the projector's read models show (it needs no reference table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentDelay {
    /// Receipt + payment term ([`due_date`]).
    pub due_date: NaiveDate,
    /// Payment date − receipt date (the *délai global de paiement* actually taken).
    pub days_to_pay: i64,
    /// Payment date − due date, never below 0.
    pub days_late: i64,
}

/// The day a request received on `received_on` must be paid by: receipt + payment term (the
/// last representable day if that overflows the calendar).
pub fn due_date(received_on: NaiveDate, payment_term_days: u16) -> NaiveDate {
    received_on.checked_add_days(Days::new(payment_term_days.into())).unwrap_or(NaiveDate::MAX)
}

/// Days to pay and days late of a payment made on `paid_on` for a request received on
/// `received_on` with a term of `payment_term_days`.
pub fn payment_delay(received_on: NaiveDate, payment_term_days: u16, paid_on: NaiveDate) -> PaymentDelay {
    let due_date = due_date(received_on, payment_term_days);
    PaymentDelay {
        due_date,
        days_to_pay: (paid_on - received_on).num_days(),
        days_late: (paid_on - due_date).num_days().max(0),
    }
}

/// Interest and fee due for one payment. `ecb` holds the ECB main refinancing operations rates
/// as fractions of 1 (4.50 % is `0.045`), dated from the day each took effect. A late payment
/// whose half-year has no rate in `ecb` still has its due date, days late and flat fee; its
/// interest is [`LateInterest::Unavailable`].
pub fn late_payment(input: &LatePaymentInput, ecb: &DatedRates) -> LatePayment {
    let PaymentDelay { due_date, days_to_pay, days_late } =
        payment_delay(input.received_on, input.payment_term_days, input.paid_on);
    let on_time = LatePayment {
        due_date,
        days_to_pay,
        days_late,
        interest_starts_on: None,
        half_year_start: None,
        interest: LateInterest::NotDue,
        flat_fee: round_to_cent(Decimal::ZERO),
    };
    if days_late == 0 {
        return on_time;
    }
    // Paid after the due date, so the day after it exists.
    let starts_on = due_date.succ_opt().unwrap_or(due_date);
    let half_year_start = half_year_start(starts_on);
    let interest = match ecb.in_force_on(half_year_start) {
        Some(ecb_rate) => {
            let applied_rate = ecb_rate + ECB_RATE_MARGIN;
            let amount = round_to_cent(
                input.amount_paid_ttc.amount().saturating_mul(Decimal::from(days_late)).saturating_mul(applied_rate)
                    / DAYS_PER_YEAR,
            );
            LateInterest::Computed { ecb_rate, applied_rate, amount }
        }
        None => LateInterest::Unavailable(NoValueInForce {
            table: ReferenceTable::EcbMainRefinancingRate,
            date: half_year_start,
        }),
    };
    LatePayment {
        interest_starts_on: Some(starts_on),
        half_year_start: Some(half_year_start),
        interest,
        flat_fee: round_to_cent(RECOVERY_FLAT_FEE),
        ..on_time
    }
}

/// 1 January or 1 July of the half-year `date` falls in.
fn half_year_start(date: NaiveDate) -> NaiveDate {
    let month = if date.month() <= 6 { 1 } else { 7 };
    // The first day of January or July exists in every year a `NaiveDate` holds.
    NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_half_year_starts_on_1_january_or_1_july() {
        assert_eq!(half_year_start(date("2024-01-01")), date("2024-01-01"));
        assert_eq!(half_year_start(date("2024-06-30")), date("2024-01-01"));
        assert_eq!(half_year_start(date("2024-07-01")), date("2024-07-01"));
        assert_eq!(half_year_start(date("2024-12-31")), date("2024-07-01"));
    }

    #[test]
    fn a_late_payment_without_an_ecb_rate_owes_its_flat_fee_and_cannot_compute_its_interest() {
        let input = LatePaymentInput {
            received_on: date("2024-05-02"),
            payment_term_days: 30,
            paid_on: date("2024-06-02"),
            amount_paid_ttc: MoneyTtc::new(Decimal::ONE_THOUSAND),
        };
        let late = late_payment(&input, &DatedRates::default());
        assert_eq!((late.due_date, late.days_late, late.days_to_pay), (date("2024-06-01"), 1, 31));
        assert_eq!(late.flat_fee.to_string(), "40.00");
        assert_eq!(
            late.interest,
            LateInterest::Unavailable(NoValueInForce {
                table: ReferenceTable::EcbMainRefinancingRate,
                date: date("2024-01-01")
            })
        );
        assert_eq!((late.interest_amount(), late.total(), late.ecb_rate()), (None, None, None));
        let on_time = late_payment(&LatePaymentInput { paid_on: date("2024-06-01"), ..input }, &DatedRates::default());
        assert_eq!((on_time.interest, on_time.flat_fee), (LateInterest::NotDue, Decimal::ZERO));
        assert_eq!(on_time.total().map(|total| total.to_string()).as_deref(), Some("0.00"));
    }
}
