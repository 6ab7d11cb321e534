//! Numbers and dates as French readers write them: `1 200 000,00 €`, `70,5 h`, `10 %`,
//! `15/01/2025`. Thousands are grouped with a narrow no-break space (U+202F), as the
//! Imprimerie nationale's rules and French locales do, so a figure never breaks across lines.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

const GROUP: char = '\u{202F}';

/// `value` with exactly `decimals` decimals (rounded half away from zero), grouped by thousands.
fn number(value: Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(GROUP);
        }
        grouped.push(digit);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "−" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

/// Euros to the cent: `1 200 000,00 €`.
pub fn euros(value: Decimal) -> String {
    format!("{}\u{a0}€", number(value, 2))
}

/// Hours, with decimals only when there are some: `1 000 h`, `70,5 h`, `0,25 h`.
pub fn hours(value: Decimal) -> String {
    let value = value.round_dp(2).normalize();
    format!("{}\u{a0}h", number(value, value.scale()))
}

pub fn hours_or_dash(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), hours)
}

/// A fraction of 1 as a percentage: `0.05` → `5 %`, `0.055` → `5,5 %`.
pub fn percent(fraction: Decimal) -> String {
    let value = (fraction * Decimal::ONE_HUNDRED).round_dp(2).normalize();
    format!("{}\u{a0}%", number(value, value.scale()))
}

pub fn date(value: NaiveDate) -> String {
    value.format("%d/%m/%Y").to_string()
}

/// A moment of the log, in French time: `15/01/2025 à 14:05`.
pub fn moment(value: DateTime<Utc>) -> String {
    value.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y à %H:%M").to_string()
}

/// A count, grouped by thousands: `1 250`.
pub fn count(value: i64) -> String {
    number(Decimal::from(value), 0)
}

/// A share, or a dash when there is none (a share of nothing).
pub fn percent_or_dash(fraction: Option<Decimal>) -> String {
    fraction.map_or_else(|| "—".to_owned(), percent)
}

/// Days, to the tenth at most: `40 jours`, `12,5 jours`, `1 jour`; a dash for none.
pub fn days_or_dash(value: Option<Decimal>) -> String {
    value.map_or_else(
        || "—".to_owned(),
        |days| {
            let days = days.round_dp(1).normalize();
            let unit = if days.abs() < Decimal::TWO { "jour" } else { "jours" };
            format!("{}\u{a0}{unit}", number(days, days.scale()))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    #[test]
    fn figures_are_written_the_french_way() {
        assert_eq!(euros(d("1200000")), "1\u{202F}200\u{202F}000,00\u{a0}€");
        assert_eq!(euros(d("999.995")), "1\u{202F}000,00\u{a0}€");
        assert_eq!(euros(d("-40")), "−40,00\u{a0}€");
        assert_eq!(hours(d("1000")), "1\u{202F}000\u{a0}h");
        assert_eq!(hours(d("70.50")), "70,5\u{a0}h");
        assert_eq!(percent(d("0.055")), "5,5\u{a0}%");
        assert_eq!(percent(d("0.10")), "10\u{a0}%");
        assert_eq!(count(12500), "12\u{202F}500");
        assert_eq!(days_or_dash(Some(d("40"))), "40\u{a0}jours");
        assert_eq!(days_or_dash(Some(d("12.55"))), "12,6\u{a0}jours");
        assert_eq!(percent_or_dash(None), "—");
        assert_eq!(date(NaiveDate::from_ymd_opt(2025, 1, 5).expect("date")), "05/01/2025");
    }
}
