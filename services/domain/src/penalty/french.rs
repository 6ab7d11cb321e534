//! Figures written the French way for the explanation: `1 000,5 h`, `12 000,00 €`, `10 %`,
//! `01/03/2024`. Display only: a figure with more decimals than shown is rounded for display
//! and marked `≈`; the computation itself never uses these strings.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use suivi_proto::quantities::{Hours, Share};

use crate::error::french::Euros;

/// Hours, up to two decimals: `1 000 h`, `899,5 h`, `≈ 545,45 h`.
pub(super) fn hours(value: Hours) -> String {
    format!("{} h", number(value.value(), 0, 2))
}

/// Euros (an amount excluding VAT, or the SMIC: a wage, kept as a bare decimal), two decimals at least and four at most: `60,00 €`, `17,475 €`, `≈ 2 727,2727 €`.
pub(super) fn euros(value: impl Euros) -> String {
    format!("{} €", number(value.euros(), 2, 4))
}

/// A fraction of 1 as a percentage, up to two decimals: `0.1` → `10 %`, `6/11` → `≈ 54,55 %`.
pub(super) fn percent(share: Share) -> String {
    format!("{} %", number(share.value().saturating_mul(Decimal::ONE_HUNDRED), 0, 2))
}

/// `01/03/2024`.
pub(super) fn date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The result of an operation: `= 600 h`, or `≈ 545,45 h` when the figure is shown rounded.
pub(super) fn equals(figure: String) -> String {
    if figure.starts_with(APPROX) {
        figure
    } else {
        format!("= {figure}")
    }
}

/// A multiple: `1,5`.
pub(super) fn factor(value: Decimal) -> String {
    number(value, 0, 4)
}

const APPROX: &str = "≈ ";

fn number(value: Decimal, min_dp: u32, max_dp: u32) -> String {
    let mut shown = value.round_dp_with_strategy(max_dp, RoundingStrategy::MidpointAwayFromZero).normalize();
    if shown.scale() < min_dp {
        shown.rescale(min_dp);
    }
    let approx = if shown == value { "" } else { APPROX };
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
        assert_eq!(euros(dec("30000") / dec("11")), "≈ 2 727,2727 €");
        assert_eq!(euros(dec("-40")), "-40,00 €");
        assert_eq!(percent(share(dec("0.1"))), "10 %");
        assert_eq!(percent(share(dec("0.055"))), "5,5 %");
        assert_eq!(percent(share(dec("6") / dec("11"))), "≈ 54,55 %");
        assert_eq!(factor(dec("1.50")), "1,5");
        assert_eq!(equals(hours(h(dec("600")))), "= 600 h");
        assert_eq!(equals(hours(h(dec("6000") / dec("11")))), "≈ 545,45 h");
        assert_eq!(date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()), "01/03/2024");
    }
}
