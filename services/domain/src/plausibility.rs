//! Plausibility of declared insertion hours: no more than 230 hours per person per calendar
//! month (domain.md §3: legal annual working time is 1 607 h; above ~230 h a month is suspect).
//!
//! **How a line is attributed to a month.** A statement line must lie within one calendar month
//! (the request is refused otherwise, see [`CalendarMonth::containing`]): the evidence behind a
//! line is a payslip or an ETTI/GEIQ statement, both monthly, so a line spanning two months
//! could not be checked anyway, and no pro-rating rule has to be invented.
//!
//! **What is summed.** For each beneficiary and month: the lines of the new statement plus every
//! line previously requested on the same contract, except lines the facilitator rejected (a
//! rejected line does not count, so a corrected declaration can replace it). Hours the same
//! person did on *other* contracts are not visible to one contract's decision; the projector is
//! the place for a cross-contract check.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use suivi_proto::codes::Pseudonym;
use suivi_proto::events::{Period, StatementLine};
use suivi_proto::quantities::Hours;

/// Most hours one person may be declared for in a calendar month.
pub const MAX_HOURS_PER_PERSON_PER_MONTH: Hours = Hours::whole(230);

/// A calendar month, e.g. 2024-06.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarMonth {
    year: i32,
    month: u32,
}

impl CalendarMonth {
    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Self {
        CalendarMonth { year: date.year(), month: date.month() }
    }

    /// The month that contains the whole period, or `None` if it spans several months.
    pub fn containing(period: &Period) -> Option<Self> {
        let month = CalendarMonth::of(period.start);
        (CalendarMonth::of(period.end) == month).then_some(month)
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// 1 to 12.
    pub fn month(&self) -> u32 {
        self.month
    }
}

impl fmt::Display for CalendarMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The first new line at which a person's hours in a month exceed the maximum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excess {
    /// Index of the line in the new statement.
    pub index: usize,
    pub month: CalendarMonth,
    /// Hours of that person in that month, up to and including this line.
    pub total: Hours,
}

/// Checks a new statement against the lines already counted on the contract.
///
/// `counted` are the earlier lines that still count (not rejected). A line spanning several
/// months — which the request check refuses, so only an old event could hold one — is
/// attributed to the month it starts in.
pub fn check_monthly_hours<'a>(
    counted: impl IntoIterator<Item = &'a StatementLine>,
    new: &[StatementLine],
) -> Result<(), Excess> {
    let mut totals: HashMap<(&Pseudonym, CalendarMonth), Hours> = HashMap::new();
    for line in counted {
        let total = totals.entry((&line.beneficiary, CalendarMonth::of(line.period.start))).or_default();
        *total = total.saturating_add(line.hours);
    }
    for (index, line) in new.iter().enumerate() {
        let month = CalendarMonth::of(line.period.start);
        let total = totals.entry((&line.beneficiary, month)).or_default();
        *total = total.saturating_add(line.hours);
        if *total > MAX_HOURS_PER_PERSON_PER_MONTH {
            return Err(Excess { index, month, total: *total });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use suivi_proto::events::{EligibleCategory, InsertionModality};

    use super::*;

    fn line(who: char, hours: &str, start: &str, end: &str) -> StatementLine {
        StatementLine {
            line_id: 1,
            beneficiary: Pseudonym::parse(&who.to_string().repeat(64)).unwrap(),
            category: EligibleCategory::LongTermJobseeker,
            modality: InsertionModality::DirectHire,
            hours: hours.parse().unwrap(),
            period: Period { start: start.parse().unwrap(), end: end.parse().unwrap() },
        }
    }

    #[test]
    fn exactly_230_hours_in_a_month_is_plausible() {
        let new = [line('a', "150", "2024-06-01", "2024-06-15"), line('a', "80", "2024-06-16", "2024-06-30")];
        assert_eq!(check_monthly_hours([], &new), Ok(()));
    }

    #[test]
    fn it_sums_earlier_lines_of_the_same_person_and_month() {
        let earlier = [line('a', "200", "2024-06-01", "2024-06-20")];
        let new = [line('b', "200", "2024-06-01", "2024-06-30"), line('a', "30.5", "2024-06-21", "2024-06-30")];
        let month = CalendarMonth::of("2024-06-01".parse().unwrap());
        assert_eq!(
            check_monthly_hours(&earlier, &new),
            Err(Excess { index: 1, month, total: "230.5".parse().unwrap() })
        );
    }

    #[test]
    fn other_people_and_other_months_are_counted_apart() {
        let earlier = [line('a', "200", "2024-05-01", "2024-05-31"), line('b', "200", "2024-06-01", "2024-06-30")];
        let new = [line('a', "200", "2024-06-01", "2024-06-30")];
        assert_eq!(check_monthly_hours(&earlier, &new), Ok(()));
    }

    #[test]
    fn a_month_is_found_only_for_periods_within_one_month() {
        let period = |start: &str, end: &str| Period { start: start.parse().unwrap(), end: end.parse().unwrap() };
        assert_eq!(CalendarMonth::containing(&period("2024-06-01", "2024-06-30")).unwrap().to_string(), "2024-06");
        assert_eq!(CalendarMonth::containing(&period("2024-06-20", "2024-07-05")), None);
        assert_eq!(CalendarMonth::containing(&period("2023-06-01", "2024-06-05")), None);
    }
}
