//! Figures and dates written the French way, as the French messages write them: `01/03/2024`,
//! `50 000,00 €`, `240,5 h`, `80 %`. Every digit sent is kept (no rounding): a message quotes
//! the value it refuses.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_proto::quantities::{MoneyHt, MoneyTtc};

use crate::plausibility::CalendarMonth;

/// What [`euros`] writes: an amount excluding or including VAT (the caller says which in its
/// sentence), or a bare decimal (a wage, a generic value).
pub trait Euros {
    fn euros(self) -> Decimal;
}

impl Euros for Decimal {
    fn euros(self) -> Decimal {
        self
    }
}

impl Euros for MoneyHt {
    fn euros(self) -> Decimal {
        self.amount()
    }
}

impl Euros for MoneyTtc {
    fn euros(self) -> Decimal {
        self.amount()
    }
}

/// `01/03/2024`.
pub fn date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `50 000,00 €`.
pub fn euros(value: impl Euros) -> String {
    format!("{} €", number(value.euros()))
}

/// `240,5 h`.
pub fn hours(value: Decimal) -> String {
    format!("{} h", number(value))
}

/// A fraction of 1 as a percentage: `0.8` → `80 %`.
pub fn percent(share: Decimal) -> String {
    format!("{} %", number(share.saturating_mul(Decimal::ONE_HUNDRED).normalize()))
}

/// `mars 2024`.
pub fn month(month: CalendarMonth) -> String {
    const NAMES: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let name = usize::try_from(month.month()).ok().and_then(|m| NAMES.get(m.wrapping_sub(1))).unwrap_or(&"?");
    format!("{name} {}", month.year())
}

/// A decimal as sent (same digits), with a decimal comma and thousands grouped by spaces:
/// `1234567.50` → `1 234 567,50`.
pub fn number(value: Decimal) -> String {
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (index, digit) in int.chars().enumerate() {
        if index > 0 && (int.len() - index).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn it_writes_figures_the_french_way() {
        assert_eq!(number(dec("1234567.50")), "1 234 567,50");
        assert_eq!(number(dec("-10.00")), "-10,00");
        assert_eq!(number(dec("0")), "0");
        assert_eq!(number(dec("0.001")), "0,001");
        assert_eq!(euros(dec("500000.00")), "500 000,00 €");
        assert_eq!(hours(dec("240.5")), "240,5 h");
        assert_eq!(percent(dec("0.8")), "80 %");
        assert_eq!(percent(dec("0.055")), "5,5 %");
        assert_eq!(date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()), "01/03/2024");
        assert_eq!(month(CalendarMonth::of(NaiveDate::from_ymd_opt(2024, 8, 5).unwrap())), "août 2024");
    }
}
