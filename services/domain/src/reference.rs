//! Dated reference tables: a value and the day it comes into force, e.g. the gross hourly SMIC
//! or the ECB's main refinancing operations rate.
//!
//! The domain reads no database: the caller loads the tables and passes them in ([`References`],
//! carried to `decide` by the `DecisionContext`), so a new SMIC or a new ECB rate is a row, not
//! a release. The values a calculation used are copied into its result, so a proposal can always
//! be explained.
//!
//! **One source.** The production tables live in the database only: the `reference_rates`
//! table, each row dated and with its source (decree or order for the SMIC, ECB press release
//! for the rate), seeded by migrations and extended by `suivi reference add`. The domain keeps
//! the type and the lookup; no figure of either table is compiled in, and tests build their own.

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
    /// Its name on the wire and in the read models: `gross_hourly_smic`,
    /// `ecb_main_refinancing_rate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceTable::GrossHourlySmic => "gross_hourly_smic",
            ReferenceTable::EcbMainRefinancingRate => "ecb_main_refinancing_rate",
        }
    }

    /// The table named `name` ([`ReferenceTable::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        [ReferenceTable::GrossHourlySmic, ReferenceTable::EcbMainRefinancingRate]
            .into_iter()
            .find(|table| table.as_str() == name)
    }

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

/// A value a calculation needed and the table lacks, as views and read models show it: the
/// figure is "cannot compute", with this reason, never a zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MissingReference {
    /// The table to complete (`suivi reference add`).
    pub missing_table: ReferenceTable,
    /// The date a value must be in force on.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub in_force_on: NaiveDate,
    /// The same, in French.
    pub reason: String,
}

impl MissingReference {
    pub fn of(missing: NoValueInForce) -> Self {
        MissingReference {
            missing_table: missing.table,
            in_force_on: missing.date,
            reason: Self::message_of(missing.table, missing.date, Lang::Fr),
        }
    }

    /// Why, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        Self::message_of(self.missing_table, self.in_force_on, lang)
    }

    pub(crate) fn message_of(table: ReferenceTable, date: NaiveDate, lang: Lang) -> String {
        match lang {
            Lang::Fr => format!(
                "aucun {} en vigueur au {} : un administrateur doit compléter la table (suivi reference add)",
                table.name(Lang::Fr),
                crate::error::french::date(date)
            ),
            Lang::En => format!(
                "no {} in force on {date}: an administrator must complete the table (suivi reference add)",
                table.name(Lang::En)
            ),
        }
    }
}

/// The tables the penalty and late-payment calculations need, as the caller loaded them: the
/// production ones come from the `reference_rates` table (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Gross hourly SMIC, euros ([`ReferenceTable::GrossHourlySmic`]).
    pub smic: DatedRates,
    /// ECB main refinancing operations rate, a fraction of 1
    /// ([`ReferenceTable::EcbMainRefinancingRate`]).
    pub ecb: DatedRates,
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

    /// A few SMIC values, as a test table (the production one is the database's).
    fn smic() -> DatedRates {
        let entries =
            [("2022-08-01", "11.07"), ("2023-01-01", "11.27"), ("2024-11-01", "11.88"), ("2026-01-01", "12.02")];
        DatedRates::new(entries.iter().map(|(from, value)| (date(from), dec(value))).collect()).unwrap()
    }

    #[test]
    fn the_value_in_force_is_the_last_one_dated_on_or_before_the_day() {
        let smic = smic();
        assert_eq!(smic.in_force_on(date("2022-07-31")), None);
        assert_eq!(smic.in_force_on(date("2022-08-01")), Some(dec("11.07")));
        assert_eq!(smic.in_force_on(date("2024-10-31")), Some(dec("11.27")));
        assert_eq!(smic.in_force_on(date("2024-11-01")), Some(dec("11.88")));
        assert_eq!(smic.in_force_on(date("2025-12-31")), Some(dec("11.88")));
        assert_eq!(smic.in_force_on(date("2026-01-01")), Some(dec("12.02")));
        assert_eq!(smic.in_force_on(date("2030-01-01")), Some(dec("12.02")));
    }

    #[test]
    fn a_missing_value_names_its_table_and_day() {
        let missing = NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: date("2012-06-01") };
        assert_eq!(missing.to_string(), "the gross hourly SMIC table has no value in force on 2012-06-01");
    }

    #[test]
    fn a_table_is_named_as_serde_names_it() {
        for table in [ReferenceTable::GrossHourlySmic, ReferenceTable::EcbMainRefinancingRate] {
            assert_eq!(serde_json::to_value(table).unwrap(), table.as_str());
            assert_eq!(ReferenceTable::parse(table.as_str()), Some(table));
        }
        assert_eq!(ReferenceTable::parse("smic"), None);
    }

    #[test]
    fn a_missing_ecb_rate_says_why_in_both_languages() {
        let missing = MissingReference::of(NoValueInForce {
            table: ReferenceTable::EcbMainRefinancingRate,
            date: date("2012-07-01"),
        });
        assert_eq!(
            missing.reason,
            "aucun taux des opérations principales de refinancement de la BCE en vigueur au 01/07/2012 : un \
             administrateur doit compléter la table (suivi reference add)"
        );
        assert_eq!(
            missing.message(Lang::En),
            "no ECB main refinancing operations rate in force on 2012-07-01: an administrator must complete the \
             table (suivi reference add)"
        );
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
