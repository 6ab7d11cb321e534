//! Checks of single values, shared by every command. Each names the field it checks.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use suivi_proto::events::Period;
use suivi_proto::quantities::{Hours, MoneyHt, Share};

use crate::money::{is_in_cents, MAX_AMOUNT};
use crate::{DecisionContext, DomainError};

/// An amount in euros: > 0, in whole cents, at most [`MAX_AMOUNT`].
pub(super) fn positive_amount(field: &str, value: Decimal) -> Result<(), DomainError> {
    if value <= Decimal::ZERO {
        return Err(DomainError::NotPositive { field: field.to_owned(), value });
    }
    bounded_amount(field, value)
}

/// An amount in euros that may be zero: ≥ 0, in whole cents, at most [`MAX_AMOUNT`].
pub(super) fn non_negative_amount(field: &str, value: Decimal) -> Result<(), DomainError> {
    non_negative(field, value)?;
    bounded_amount(field, value)
}

fn bounded_amount(field: &str, value: Decimal) -> Result<(), DomainError> {
    if value > MAX_AMOUNT {
        return Err(DomainError::OutOfRange { field: field.to_owned(), value, range: "0 to 1000000000000" });
    }
    if !is_in_cents(value) {
        return Err(DomainError::NotInCents { field: field.to_owned(), value });
    }
    Ok(())
}

/// A quantity (hours, a multiple): ≥ 0.
pub(super) fn non_negative(field: &str, value: Decimal) -> Result<(), DomainError> {
    if value < Decimal::ZERO {
        return Err(DomainError::Negative { field: field.to_owned(), value });
    }
    Ok(())
}

/// A count (months, days): > 0.
pub(super) fn positive_count(field: &str, value: u32) -> Result<(), DomainError> {
    if value == 0 {
        return Err(DomainError::NotPositive { field: field.to_owned(), value: Decimal::ZERO });
    }
    Ok(())
}

/// The longest duration a contract may have, in months: 100 years. Above any public contract
/// (partnership contracts and concessions run to a few decades) and short enough that every end
/// date stays a four-digit year, as the wire's date format requires.
pub(crate) const MAX_DURATION_MONTHS: u32 = 1200;

/// A duration in months: 1 to [`MAX_DURATION_MONTHS`].
pub(super) fn duration_months(field: &str, value: u32) -> Result<(), DomainError> {
    positive_count(field, value)?;
    if value > MAX_DURATION_MONTHS {
        return Err(DomainError::OutOfRange { field: field.to_owned(), value: value.into(), range: "1 to 1200" });
    }
    Ok(())
}

/// The most insertion hours a contract may commit to, whatever its amount: 1 000 000 h, some
/// 620 full-time years (the largest clauses, on metro lines, commit a few hundred thousand).
pub(crate) const MAX_COMMITTED_HOURS: u32 = 1_000_000;

/// Committed hours a contract of `amount` can plausibly hold: paid at the gross hourly SMIC in
/// force on `date`, the insertion hours alone cannot cost more than the whole contract; and
/// never above [`MAX_COMMITTED_HOURS`]. (Without a SMIC in force, the absolute bound alone.)
pub(super) fn plausible_committed_hours(
    field: &str,
    committed: Hours,
    amount: MoneyHt,
    date: NaiveDate,
    context: &DecisionContext,
) -> Result<(), DomainError> {
    let absolute = Decimal::from(MAX_COMMITTED_HOURS);
    let smic = context.references.smic.in_force_on(date).filter(|smic| *smic > Decimal::ZERO);
    // Compared as a product, exactly; the maximum is shown rounded down to the hundredth.
    let costs_more = smic.is_some_and(|smic| committed.value().saturating_mul(smic) > amount.amount());
    if costs_more || committed.value() > absolute {
        let maximum = smic.map_or(absolute, |smic| {
            (amount.amount() / smic).round_dp_with_strategy(2, RoundingStrategy::ToZero).min(absolute)
        });
        return Err(DomainError::ImplausibleCommittedHours {
            field: field.to_owned(),
            committed,
            maximum: Hours::new(maximum).unwrap_or(Hours::ZERO),
        });
    }
    Ok(())
}

/// Which fractions of 1 a share accepts.
#[derive(Debug, Clone, Copy)]
pub(super) enum ShareRange {
    /// [0, 1]: tolerance, advance rate, recovery thresholds.
    Closed,
    /// [0, 1): a VAT rate of 100 % is a typo.
    BelowOne,
    /// (0, 1]: a cap of 0 would forbid any penalty: leave the cap out instead.
    AboveZero,
}

/// A [`Share`] is within [0, 1] by construction; some fields accept less.
pub(super) fn share(field: &str, share: Share, range: ShareRange) -> Result<(), DomainError> {
    let value = share.value();
    let (ok, text) = match range {
        ShareRange::Closed => (value >= Decimal::ZERO && value <= Decimal::ONE, "[0, 1]"),
        ShareRange::BelowOne => (value >= Decimal::ZERO && value < Decimal::ONE, "[0, 1)"),
        ShareRange::AboveZero => (value > Decimal::ZERO && value <= Decimal::ONE, "(0, 1]"),
    };
    if !ok {
        return Err(DomainError::OutOfRange { field: field.to_owned(), value, range: text });
    }
    Ok(())
}

pub(super) fn not_blank(field: &str, text: &str) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::BlankText { field: field.to_owned() });
    }
    Ok(())
}

/// A written reason, which the rules require for rejections, adjustments and waivers.
pub(super) fn reason(field: &str, text: &str) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::ReasonRequired { field: field.to_owned() });
    }
    Ok(())
}

/// A recorded fact cannot be dated after today.
pub(super) fn not_in_future(field: &str, date: NaiveDate, context: &DecisionContext) -> Result<(), DomainError> {
    if date > context.today {
        return Err(DomainError::DateInFuture { field: field.to_owned(), date, today: context.today });
    }
    Ok(())
}

/// `date` ≥ `earliest`, where `bound` says what `earliest` is ("the notification date").
pub(super) fn not_before(
    field: &str,
    date: NaiveDate,
    earliest: NaiveDate,
    bound: &'static str,
) -> Result<(), DomainError> {
    if date < earliest {
        return Err(DomainError::DateTooEarly { field: field.to_owned(), date, earliest, bound });
    }
    Ok(())
}

/// start ≤ end, and both within [earliest, latest].
pub(super) fn period_within(
    field: &str,
    period: &Period,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Result<(), DomainError> {
    let Period { start, end } = *period;
    if start > end {
        return Err(DomainError::PeriodInverted { field: field.to_owned(), start, end });
    }
    if start < earliest || end > latest {
        return Err(DomainError::PeriodOutOfBounds { field: field.to_owned(), start, end, earliest, latest });
    }
    Ok(())
}
