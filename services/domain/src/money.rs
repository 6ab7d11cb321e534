//! Money arithmetic: decimals only, rounded once, at the end of each computation (domain.md §4b).

use rust_decimal::{Decimal, RoundingStrategy};
use suivi_proto::quantities::{MoneyHt, MoneyTtc, Share};

/// The largest amount, in euros, a command may carry: 10^12 €.
///
/// Far above any public contract (the largest run to a few 10^10 €), and far below what a
/// `Decimal` holds (~7.9 × 10^28), so products and sums of accepted amounts can never overflow:
/// the domain's arithmetic has no panic path.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// Rounds a bare decimal to the cent, half away from zero (typed amounts have their own
/// `round_to_cent`, which keeps the type) (0.005 → 0.01, −0.005 → −0.01), and writes two
/// decimals so the wire always reads `"40000.00"`, never `"40000"` or `"39999.9999…"`.
pub fn round_to_cent(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// An amount excluding VAT turned into one including VAT, **not rounded**: the caller rounds
/// its own final figure once. The only crossing from HT to TTC.
pub fn including_vat(amount_ht: MoneyHt, vat_rate: Share) -> MoneyTtc {
    MoneyTtc::new(amount_ht.amount() * (Decimal::ONE + vat_rate.value()))
}

/// Whether an amount is a whole number of cents (`"12.50"` and `"12.500"` are; `"12.505"` is not).
pub fn is_in_cents(amount: Decimal) -> bool {
    amount.normalize().scale() <= 2
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

    #[test]
    fn max_amount_is_ten_to_the_twelfth() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_i64));
        assert_eq!(MAX_AMOUNT, dec::<Decimal>("1000000000000"));
    }

    #[test]
    fn it_rounds_half_away_from_zero() {
        for (raw, rounded) in [
            ("0.005", "0.01"),
            ("-0.005", "-0.01"),
            ("2.345", "2.35"),
            ("2.3449999", "2.34"),
            ("-2.345", "-2.35"),
            ("10.6555", "10.66"),
            ("39999.99999999999999999", "40000.00"),
        ] {
            assert_eq!(round_to_cent(dec(raw)), dec::<Decimal>(rounded), "{raw}");
            assert_eq!(dec::<MoneyTtc>(raw).round_to_cent(), dec(rounded), "the typed rounding: {raw}");
        }
    }

    #[test]
    fn it_always_writes_two_decimals() {
        assert_eq!(round_to_cent(dec("600000")).to_string(), "600000.00");
        assert_eq!(round_to_cent(dec("1.5")).to_string(), "1.50");
        assert_eq!(dec::<MoneyHt>("1.5").round_to_cent().to_string(), "1.50");
    }

    #[test]
    fn it_adds_vat_without_rounding() {
        assert_eq!(including_vat(dec("10.10"), dec("0.055")), dec::<MoneyTtc>("10.6555"));
        assert_eq!(including_vat(dec("10.10"), dec("0.055")).round_to_cent(), dec::<MoneyTtc>("10.66"));
    }

    #[test]
    fn it_tells_whole_cents_from_fractions_of_a_cent() {
        assert!(dec::<MoneyHt>("12.500").is_in_cents());
        assert!(!dec::<MoneyTtc>("12.505").is_in_cents());
        assert!(is_in_cents(dec("12.50")));
        assert!(is_in_cents(dec("12.500")));
        assert!(is_in_cents(dec("12")));
        assert!(!is_in_cents(dec("12.505")));
    }
}
