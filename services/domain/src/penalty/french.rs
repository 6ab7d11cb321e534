//! Figures written the French way for the explanation: `1 000,5 h`, `12 000,00 €`, `10 %`,
//! `01/03/2024`. Display only: the computation itself never uses these strings.
//!
//! **Every figure as the computation used it.** A figure is written with all its decimals (an
//! amount with two at least: `17,475 €`), so each product of the explanation multiplies out as
//! written. Only a figure with more than [`EXACT_DECIMALS`] decimals — in practice what comes
//! from the pro-rata's division, `6 000/11 h` — is rounded for display, to two decimals, and
//! marked `≈` (the explanation says so where it first appears).

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use suivi_proto::quantities::{Hours, Share};

use crate::error::french::Euros;

/// The most decimals a figure is written with in full; beyond, it is rounded for display.
const EXACT_DECIMALS: u32 = 8;

/// Decimals a figure rounded for display keeps.
const SHOWN_DECIMALS: u32 = 2;

/// Hours: `1 000 h`, `899,5 h`, `791,6635 h`, `≈ 545,45 h`.
pub(super) fn hours(value: Hours) -> String {
    format!("{} h", number(value.value(), 0))
}

/// Euros (an amount excluding VAT, or the SMIC: a wage, kept as a bare decimal), two decimals at
/// least: `60,00 €`, `17,475 €`, `≈ 794,32 €`.
pub(super) fn euros(value: impl Euros) -> String {
    format!("{} €", number(value.euros(), 2))
}

/// A fraction of 1 as a percentage: `0.1` → `10 %`, `0.0333` → `3,33 %`, `6/11` → `≈ 54,55 %`.
pub(super) fn percent(share: Share) -> String {
    format!("{} %", number(share.value().saturating_mul(Decimal::ONE_HUNDRED), 0))
}

/// `01/03/2024`.
pub(super) fn date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The result of an operation: `= 600 h`, or `≈ 545,45 h` when the figure is shown rounded.
pub(super) fn equals(figure: String) -> String {
    if is_rounded(&figure) {
        figure
    } else {
        format!("= {figure}")
    }
}

/// Whether a figure written by this module is rounded for display.
pub(super) fn is_rounded(figure: &str) -> bool {
    figure.starts_with(APPROX)
}

/// A multiple: `1,5`.
pub(super) fn factor(value: Decimal) -> String {
    number(value, 0)
}

const APPROX: &str = "≈ ";

/// `value` with all its decimals (at least `min_dp`), or — with more than [`EXACT_DECIMALS`] —
/// rounded half away from zero to [`SHOWN_DECIMALS`] and marked `≈`.
fn number(value: Decimal, min_dp: u32) -> String {
    let exact = value.normalize();
    let (mut shown, approx) = if exact.scale() <= EXACT_DECIMALS {
        (exact, "")
    } else {
        let rounded = exact.round_dp_with_strategy(SHOWN_DECIMALS, RoundingStrategy::MidpointAwayFromZero);
        (rounded.normalize(), APPROX)
    };
    if shown.scale() < min_dp {
        shown.rescale(min_dp);
    }
    format!("{approx}{}", crate::error::french::number(shown))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use suivi_proto::quantities::MoneyHt;

    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn h(value: Decimal) -> Hours {
        Hours::new(value).unwrap()
    }

    fn share(value: Decimal) -> Share {
        Share::new(value).unwrap()
    }

    #[test]
    fn it_writes_figures_the_french_way() {
        assert_eq!(hours(h(dec("1000"))), "1 000 h");
        assert_eq!(hours(h(dec("899.50"))), "899,5 h");
        assert_eq!(hours(h(dec("6000") / dec("11"))), "≈ 545,45 h");
        assert_eq!(hours(h(dec("0"))), "0 h");
        assert_eq!(euros(MoneyHt::new(dec("1000000"))), "1 000 000,00 €");
        assert_eq!(euros(dec("17.475")), "17,475 €");
        assert_eq!(euros(dec("30000") / dec("11")), "≈ 2 727,27 €");
        assert_eq!(euros(dec("794.23875")), "794,23875 €", "every decimal the computation used");
        assert_eq!(hours(h(dec("791.6635"))), "791,6635 h");
        assert_eq!(euros(dec("-40")), "-40,00 €");
        assert_eq!(percent(share(dec("0.1"))), "10 %");
        assert_eq!(percent(share(dec("0.055"))), "5,5 %");
        assert_eq!(percent(share(dec("0.0333"))), "3,33 %");
        assert_eq!(percent(share(dec("6") / dec("11"))), "≈ 54,55 %");
        assert_eq!(factor(dec("1.50")), "1,5");
        assert_eq!(equals(hours(h(dec("600")))), "= 600 h");
        assert_eq!(equals(hours(h(dec("6000") / dec("11")))), "≈ 545,45 h");
        assert_eq!(date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()), "01/03/2024");
    }
}
