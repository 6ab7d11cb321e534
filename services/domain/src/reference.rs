//! Dated reference tables: a value and the day it comes into force, e.g. the gross hourly SMIC
//! or the ECB's main refinancing operations rate.
//!
//! The domain reads no database: the caller (the projector) loads the tables and passes them
//! in, so a new SMIC or a new ECB rate is a row in a migration, not a release. The values a
//! calculation used are copied into its result, so a proposal can always be explained.
//!
//! **Production tables.** Both tables live in a migration, each row with its source (decree or
//! order for the SMIC, ECB press release for the rate). [`published_gross_hourly_smic`] lists
//! the SMIC values that migration is seeded with; the ECB rates are not listed here at all:
//! the tests build their own small table.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Lang;

/// Values in force from given dates, each until the next one.
///
/// The dates are strictly ascending ([`DatedRates::new`] refuses anything else), so the value in
/// force on a day is the last one whose date is on or before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatedRates {
    entries: Vec<(NaiveDate, Decimal)>,
}

/// A table whose dates are not strictly ascending: the value in force would be ambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("reference dates must be strictly ascending: {next} comes after {previous}")]
pub struct DatesNotAscending {
    pub previous: NaiveDate,
    pub next: NaiveDate,
}

impl DatedRates {
    /// `entries`: (in force from, value), in strictly ascending date order. An empty table is
    /// allowed: nothing is in force on any day.
    pub fn new(entries: Vec<(NaiveDate, Decimal)>) -> Result<Self, DatesNotAscending> {
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 >= pair[1].0) {
            return Err(DatesNotAscending { previous: pair[0].0, next: pair[1].0 });
        }
        Ok(DatedRates { entries })
    }

    /// (in force from, value), ascending.
    pub fn entries(&self) -> &[(NaiveDate, Decimal)] {
        &self.entries
    }

    /// The value in force on `date`: the last entry dated on or before it; `None` before the
    /// first entry.
    pub fn in_force_on(&self, date: NaiveDate) -> Option<Decimal> {
        let after = self.entries.partition_point(|(from, _)| *from <= date);
        after.checked_sub(1).map(|index| self.entries[index].1)
    }
}

/// Which reference table a calculation needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceTable {
    /// Gross hourly SMIC, euros (metropolitan France and the overseas departments but Mayotte).
    GrossHourlySmic,
    /// ECB main refinancing operations rate, as a fraction of 1 (4.50 % is `0.045`).
    EcbMainRefinancingRate,
}

impl ReferenceTable {
    /// What the table holds, in words: "gross hourly SMIC", « SMIC horaire brut ».
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReferenceTable::GrossHourlySmic, Lang::Fr) => "SMIC horaire brut",
            (ReferenceTable::GrossHourlySmic, Lang::En) => "gross hourly SMIC",
            (ReferenceTable::EcbMainRefinancingRate, Lang::Fr) => {
                "taux des opérations principales de refinancement de la BCE"
            }
            (ReferenceTable::EcbMainRefinancingRate, Lang::En) => "ECB main refinancing operations rate",
        }
    }
}

/// A calculation needed a value the table does not have (a day before its first entry): the
/// table must be completed, no figure is guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {} table has no value in force on {date}", table.name(Lang::En))]
pub struct NoValueInForce {
    pub table: ReferenceTable,
    pub date: NaiveDate,
}

/// The gross hourly SMIC published since 1 August 2022, in euros, for metropolitan France,
/// Guadeloupe, Guyane, Martinique, La Réunion, Saint-Barthélemy, Saint-Martin and
/// Saint-Pierre-et-Miquelon (Mayotte has its own, lower SMIC):
///
/// | in force from | € / h | source (Journal officiel) |
/// |---|---|---|
/// | 2022-08-01 | 11.07 | arrêté du 29 juillet 2022 relatif au relèvement du SMIC (JO du 30) |
/// | 2023-01-01 | 11.27 | décret n° 2022-1608 du 22 décembre 2022 |
/// | 2023-05-01 | 11.52 | arrêté du 26 avril 2023 relatif au relèvement du SMIC (JO du 27) |
/// | 2024-01-01 | 11.65 | décret n° 2023-1216 du 20 décembre 2023 |
/// | 2024-11-01 | 11.88 | décret n° 2024-951 du 23 octobre 2024 (no change on 2025-01-01) |
/// | 2026-01-01 | 12.02 | décret n° 2025-1228 du 17 décembre 2025 (domain.md §4) |
///
/// This is the seed of the production table (a migration); the projector reads that table, not
/// this function. A contract notified before 1 August 2022 with a SMIC-based rate needs older
/// rows in the migration.
pub fn published_gross_hourly_smic() -> DatedRates {
    DatedRates { entries: PUBLISHED_GROSS_HOURLY_SMIC.to_vec() }
}

const PUBLISHED_GROSS_HOURLY_SMIC: [(NaiveDate, Decimal); 6] = [
    (first_day_of(2022, 8), euros(1107)),
    (first_day_of(2023, 1), euros(1127)),
    (first_day_of(2023, 5), euros(1152)),
    (first_day_of(2024, 1), euros(1165)),
    (first_day_of(2024, 11), euros(1188)),
    (first_day_of(2026, 1), euros(1202)),
];

/// Evaluated at compile time: a wrong literal fails the build, it cannot panic at run time.
const fn first_day_of(year: i32, month: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, 1) {
        Some(date) => date,
        None => panic!("not a month"),
    }
}

const fn euros(cents: u32) -> Decimal {
    Decimal::from_parts(cents, 0, 0, false, 2)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn the_value_in_force_is_the_last_one_dated_on_or_before_the_day() {
        let smic = published_gross_hourly_smic();
        assert_eq!(smic.in_force_on(date("2022-07-31")), None);
        assert_eq!(smic.in_force_on(date("2022-08-01")), Some(dec("11.07")));
        assert_eq!(smic.in_force_on(date("2024-10-31")), Some(dec("11.65")));
        assert_eq!(smic.in_force_on(date("2024-11-01")), Some(dec("11.88")));
        assert_eq!(smic.in_force_on(date("2025-12-31")), Some(dec("11.88")));
        assert_eq!(smic.in_force_on(date("2026-01-01")), Some(dec("12.02")));
        assert_eq!(smic.in_force_on(date("2030-01-01")), Some(dec("12.02")));
    }

    #[test]
    fn the_published_smic_table_is_ascending() {
        let smic = published_gross_hourly_smic();
        assert_eq!(DatedRates::new(smic.entries().to_vec()), Ok(smic));
    }

    #[test]
    fn it_refuses_dates_out_of_order_or_twice() {
        let (a, b) = (date("2024-01-01"), date("2024-11-01"));
        assert_eq!(
            DatedRates::new(vec![(b, dec("11.88")), (a, dec("11.65"))]),
            Err(DatesNotAscending { previous: b, next: a })
        );
        assert_eq!(
            DatedRates::new(vec![(a, dec("11.65")), (a, dec("11.88"))]),
            Err(DatesNotAscending { previous: a, next: a })
        );
        assert_eq!(DatedRates::new(vec![]).map(|rates| rates.in_force_on(a)), Ok(None));
    }
}
