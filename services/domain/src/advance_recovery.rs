//! Advance recovery (*remboursement de l'avance*, domain.md §2.3 and §4b).
//!
//! The advance is recovered between two shares of the initial amount executed, `s` and `e`:
//!
//! ```text
//! recovered so far = advance × (executed share − s) ÷ (e − s), clamped to [0, advance]
//! ```
//!
//! Without an end bound `e` = 100 %; *proportional* recovery is `s` = 0, `e` = 100 %. Each
//! instalment deducts the increase of that figure since what was already deducted.
//!
//! **Base of the share.** domain.md speaks of shares of the initial amount *including* VAT; we
//! divide the cumulative value *excluding* VAT by the initial amount *excluding* VAT. With one
//! VAT rate per contract (the award carries one) both ratios are equal, and the HT figures are
//! the ones the contractor declares, so no VAT rounding enters the share.

use rust_decimal::Decimal;
use suivi_proto::events::AdvanceRecovery;
use suivi_proto::quantities::{MoneyHt, MoneyTtc, Share};

use crate::money::including_vat;

/// The pace of recovery: the shares executed at which it starts and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryPace {
    start_share: Share,
    end_share: Share,
}

impl RecoveryPace {
    /// The pace a contract's recovery terms describe.
    pub fn of(recovery: &AdvanceRecovery) -> Self {
        match recovery {
            AdvanceRecovery::Thresholds { start_share, end_share } => {
                RecoveryPace { start_share: *start_share, end_share: end_share.unwrap_or(Share::ONE) }
            }
            AdvanceRecovery::Proportional {} => RecoveryPace { start_share: Share::ZERO, end_share: Share::ONE },
        }
    }

    pub fn start_share(&self) -> Share {
        self.start_share
    }

    pub fn end_share(&self) -> Share {
        self.end_share
    }

    /// How much of `advance_ttc` is recovered once `executed_share` of the initial amount is
    /// executed, rounded to the cent.
    pub fn recovered_at(&self, advance_ttc: MoneyTtc, executed_share: Decimal) -> MoneyTtc {
        let (start, end) = (self.start_share.value(), self.end_share.value());
        if end <= start {
            // Only reachable through terms the award refuses; recover everything at `start`
            // rather than divide by zero.
            return if executed_share >= start { advance_ttc.round_to_cent() } else { MoneyTtc::ZERO.round_to_cent() };
        }
        // Clamping the share first keeps the ratio within [0, 1]: no overflow, whatever the share.
        let progress = executed_share.clamp(start, end) - start;
        advance_ttc.times(progress).divided_by(end - start).round_to_cent()
    }
}

/// Share of the initial amount executed: cumulative value ÷ initial amount, both excluding VAT.
/// May exceed 1 after an amendment raised the amount (recovery clamps it).
pub fn executed_share(cumulative_value_ht: MoneyHt, initial_amount_ht: MoneyHt) -> Decimal {
    if initial_amount_ht <= MoneyHt::ZERO {
        // An award always has a positive amount; treat the impossible case as fully executed.
        return Decimal::ONE;
    }
    cumulative_value_ht.ratio_to(initial_amount_ht).unwrap_or(Decimal::ONE)
}

/// What one instalment's recovery depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryInput {
    /// Advance actually paid, including VAT (zero when not paid: nothing to recover).
    pub advance_paid_ttc: MoneyTtc,
    /// Sum already deducted by the instalments approved before this one.
    pub recovered_so_far_ttc: MoneyTtc,
    /// Share of the initial amount executed at this instalment's cumulative value.
    pub executed_share: Decimal,
    /// Gross amount of this instalment, including VAT.
    pub gross_ttc: MoneyTtc,
}

/// The advance recovery deducted from one instalment, in euros including VAT.
///
/// It is the increase of the recovered-so-far figure since what was already deducted, and never
/// more than the advance outstanding. It is also never more than the instalment's gross: when
/// the advance is large next to the recovery window (e.g. 30 % recovered between 65 % and
/// 80 %), an instalment cannot absorb its whole share, and the rest is carried to the next
/// instalments automatically, since the target is cumulative.
pub fn instalment_recovery(pace: &RecoveryPace, input: RecoveryInput) -> MoneyTtc {
    let target = pace.recovered_at(input.advance_paid_ttc, input.executed_share);
    let outstanding = (input.advance_paid_ttc - input.recovered_so_far_ttc).max(MoneyTtc::ZERO);
    let increase = (target - input.recovered_so_far_ttc).max(MoneyTtc::ZERO);
    increase.min(outstanding).min(input.gross_ttc.max(MoneyTtc::ZERO)).round_to_cent()
}

/// The advance granted, including VAT (R2191-7): `rate` × the base, where the base is the amount
/// including VAT when the duration is 12 months or less, else 12 × amount ÷ duration in months.
/// Rounded to the cent.
pub fn granted_advance_ttc(amount_ht: MoneyHt, vat_rate: Share, duration_months: u32, rate: Share) -> MoneyTtc {
    let amount_ttc = including_vat(amount_ht, vat_rate);
    let base = if duration_months <= 12 {
        amount_ttc
    } else {
        amount_ttc.times(Decimal::from(12)).divided_by(Decimal::from(duration_months))
    };
    (base * rate).round_to_cent()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn dec<T: std::str::FromStr>(text: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        text.parse().unwrap()
    }

    fn thresholds(start: &str, end: Option<&str>) -> RecoveryPace {
        RecoveryPace::of(&AdvanceRecovery::Thresholds { start_share: dec(start), end_share: end.map(dec) })
    }

    #[test]
    fn between_65_and_80_percent_nothing_then_a_third_then_everything() {
        let pace = thresholds("0.65", Some("0.80"));
        let advance = dec("120000");
        assert_eq!(pace.recovered_at(advance, dec("0.5")), dec("0"));
        assert_eq!(pace.recovered_at(advance, dec("0.65")), dec("0"));
        // (0.70 − 0.65) ÷ 0.15 = 1/3 of 120 000
        assert_eq!(pace.recovered_at(advance, dec("0.7")), dec("40000.00"));
        assert_eq!(pace.recovered_at(advance, dec("0.8")), dec("120000.00"));
        assert_eq!(pace.recovered_at(advance, dec("1.3")), dec("120000.00"));
    }

    #[test]
    fn without_an_end_bound_recovery_ends_at_100_percent() {
        let pace = thresholds("0.65", None);
        assert_eq!(pace.end_share(), Share::ONE);
        // 120 000 × 0.15 ÷ 0.35 = 51 428.571 428…
        assert_eq!(pace.recovered_at(dec("120000"), dec("0.8")), dec("51428.57"));
        assert_eq!(pace.recovered_at(dec("120000"), dec("1")), dec("120000.00"));
    }

    #[test]
    fn proportional_recovery_follows_the_share_executed() {
        let pace = RecoveryPace::of(&AdvanceRecovery::Proportional {});
        assert_eq!(pace.recovered_at(dec("120000"), dec("0.3")), dec("36000.00"));
        assert_eq!(pace.recovered_at(dec("120000"), dec("0.333333")), dec("39999.96"));
    }

    #[test]
    fn inverted_thresholds_recover_everything_at_the_start_rather_than_divide_by_zero() {
        let pace = thresholds("0.8", Some("0.8"));
        assert_eq!(pace.recovered_at(dec("100"), dec("0.79")), dec("0"));
        assert_eq!(pace.recovered_at(dec("100"), dec("0.8")), dec("100"));
    }

    #[test]
    fn an_instalment_deducts_the_increase_capped_by_outstanding_and_gross() {
        let pace = thresholds("0.65", Some("0.80"));
        let input = |recovered: &str, share: &str, gross: &str| RecoveryInput {
            advance_paid_ttc: dec("120000"),
            recovered_so_far_ttc: dec(recovered),
            executed_share: dec(share),
            gross_ttc: dec(gross),
        };
        assert_eq!(instalment_recovery(&pace, input("0", "0.7", "240000")), dec("40000"));
        assert_eq!(instalment_recovery(&pace, input("40000", "0.8", "120000")), dec("80000"));
        assert_eq!(instalment_recovery(&pace, input("120000", "1", "240000")), dec("0"));
        // the gross caps it; the rest waits for the next instalment
        assert_eq!(instalment_recovery(&pace, input("0", "0.8", "50000")), dec("50000"));
        assert_eq!(instalment_recovery(&pace, input("50000", "0.8", "90000")), dec("70000"));
    }

    #[test]
    fn nothing_is_recovered_from_an_advance_not_paid() {
        let input = RecoveryInput {
            advance_paid_ttc: MoneyTtc::ZERO,
            recovered_so_far_ttc: MoneyTtc::ZERO,
            executed_share: dec("0.9"),
            gross_ttc: dec("1000"),
        };
        assert_eq!(instalment_recovery(&thresholds("0.65", Some("0.8")), input), MoneyTtc::ZERO);
    }

    #[test]
    fn the_executed_share_divides_cumulative_by_initial_amount() {
        assert_eq!(executed_share(dec("700000"), dec("1000000")), dec::<Decimal>("0.7"));
        assert_eq!(executed_share(dec("1"), MoneyHt::ZERO), Decimal::ONE);
    }

    #[test]
    fn the_granted_advance_base_is_twelve_months_of_a_longer_contract() {
        assert_eq!(granted_advance_ttc(dec("1000000"), dec("0.2"), 12, dec("0.1")), dec("120000.00"));
        // 1 200 000 × 12 ÷ 18 = 800 000, × 10 %
        assert_eq!(granted_advance_ttc(dec("1000000"), dec("0.2"), 18, dec("0.1")), dec("80000.00"));
        // 7 months: the whole amount is the base
        assert_eq!(granted_advance_ttc(dec("1000000"), dec("0.2"), 7, dec("0.05")), dec("60000.00"));
        // 1 200 000 × 12 ÷ 14 = 1 028 571.428…, × 5 % = 51 428.571…
        assert_eq!(granted_advance_ttc(dec("1000000"), dec("0.2"), 14, dec("0.05")), dec("51428.57"));
    }
}
