//! Plausibility of declared insertion hours: no more than 230 hours per person per calendar
//! month (domain.md §3: legal annual working time is 1 607 h; above ~230 h a month is suspect).
//!
//! **How a line is attributed to a month.** A statement line must lie within one calendar month
//! (the request is refused otherwise, see [`CalendarMonth::containing`]): the evidence behind a
//! line is a payslip or an ETTI/GEIQ statement, both monthly, so a line spanning two months
//! could not be checked anyway, and no pro-rating rule has to be invented.
//!
//! **What is summed.** For each participant and month: the lines of the new statement plus every
//! line previously declared for the same participant **on any contract of the tenant, whatever
//! the firm**, except lines the facilitator rejected (a rejected line does not count, so a
//! corrected declaration can replace it). The application reads those counted hours from the
//! register (see [`crate::participants`]).

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use suivi_proto::codes::ParticipantCode;
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

    /// The month's first day.
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_else(|| unreachable!("built from a date"))
    }
}

impl fmt::Display for CalendarMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The first new line at which a participant's hours in a month exceed the maximum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excess {
    /// Index of the line in the new statement.
    pub index: usize,
    pub code: ParticipantCode,
    pub month: CalendarMonth,
    /// Hours of that participant in that month, over every contract of the tenant, up to and
    /// including this line.
    pub total: Hours,
}

/// Checks the new statement's participant lines against the hours already counted for each
/// participant and month over every contract of the tenant (`counted`). Lines not naming a
/// participant are left to the caller, which refuses them.
pub fn check_monthly_hours(
    new: &[StatementLine],
    counted: impl Fn(&ParticipantCode, CalendarMonth) -> Hours,
) -> Result<(), Excess> {
    let mut totals: HashMap<(&ParticipantCode, CalendarMonth), Hours> = HashMap::new();
    for (index, line) in new.iter().enumerate() {
        let Some(code) = line.beneficiary.participant() else { continue };
        let month = CalendarMonth::of(line.period.start);
        let total = totals.entry((code, month)).or_insert_with(|| counted(code, month));
        *total = total.saturating_add(line.hours);
        if *total > MAX_HOURS_PER_PERSON_PER_MONTH {
            return Err(Excess { index, code: code.clone(), month, total: *total });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use suivi_proto::events::{Beneficiary, EligibleCategory, InsertionModality};

    use super::*;

    fn code(who: char) -> ParticipantCode {
        ParticipantCode::parse(&who.to_string().repeat(8)).unwrap()
    }

    fn line(who: char, hours: &str, start: &str, end: &str) -> StatementLine {
        StatementLine {
            line_id: 1,
            beneficiary: Beneficiary::Participant { code: code(who) },
            category: EligibleCategory::LongTermJobseeker,
            modality: InsertionModality::DirectHire,
            hours: hours.parse().unwrap(),
            period: Period { start: start.parse().unwrap(), end: end.parse().unwrap() },
        }
    }

    fn june() -> CalendarMonth {
        CalendarMonth::of("2024-06-01".parse().unwrap())
    }

    /// Hours counted elsewhere: `hours` for participant `who` in June 2024, nothing else.
    fn counted(who: char, hours: &'static str) -> impl Fn(&ParticipantCode, CalendarMonth) -> Hours {
        move |c, month| if *c == code(who) && month == june() { hours.parse().unwrap() } else { Hours::default() }
    }

    #[test]
    fn exactly_230_hours_in_a_month_is_plausible() {
        let new = [line('A', "150", "2024-06-01", "2024-06-15"), line('A', "80", "2024-06-16", "2024-06-30")];
        assert_eq!(check_monthly_hours(&new, counted('A', "0")), Ok(()));
    }

    #[test]
    fn it_adds_the_hours_already_counted_for_the_participant_on_any_contract() {
        let new = [line('B', "200", "2024-06-01", "2024-06-30"), line('A', "30.5", "2024-06-21", "2024-06-30")];
        assert_eq!(
            check_monthly_hours(&new, counted('A', "200")),
            Err(Excess { index: 1, code: code('A'), month: june(), total: "230.5".parse().unwrap() })
        );
    }

    #[test]
    fn other_participants_and_other_months_are_counted_apart() {
        let new = [line('A', "200", "2024-05-01", "2024-05-31"), line('B', "200", "2024-06-01", "2024-06-30")];
        assert_eq!(check_monthly_hours(&new, counted('A', "200")), Ok(()));
    }

    #[test]
    fn a_month_is_found_only_for_periods_within_one_month() {
        let period = |start: &str, end: &str| Period { start: start.parse().unwrap(), end: end.parse().unwrap() };
        assert_eq!(CalendarMonth::containing(&period("2024-06-01", "2024-06-30")).unwrap().to_string(), "2024-06");
        assert_eq!(CalendarMonth::containing(&period("2024-06-20", "2024-07-05")), None);
        assert_eq!(CalendarMonth::containing(&period("2023-06-01", "2024-06-05")), None);
    }
}
