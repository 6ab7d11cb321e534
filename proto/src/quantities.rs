//! Typed quantities: what a payload's decimals **are**, parsed once at the edge.
//!
//! | type | what | JSON (as [`crate::decimal`]) |
//! |---|---|---|
//! | [`MoneyHt`] | euros excluding VAT; may be negative | `Money` |
//! | [`MoneyTtc`] | euros including VAT; may be negative | `Money` |
//! | [`Hours`] | insertion hours; never negative; at most two decimals from a client | `Quantity` |
//! | [`Share`] | a fraction of 1 (VAT rate, tolerance, cap, advance rate…) | `Fraction` |
//!
//! Each is a transparent newtype over a [`Decimal`] whose JSON and JSON Schema are exactly those
//! of the `with` module it replaces, so the wire does not change. What changes is the Rust side:
//! an amount excluding VAT cannot be passed where one including VAT is expected,
//!
//! ```compile_fail
//! use suivi_proto::quantities::{MoneyHt, MoneyTtc};
//! fn pay(_net_to_pay: MoneyTtc) {}
//! pay(MoneyHt::ZERO); // expected `MoneyTtc`, found `MoneyHt`
//! ```
//!
//! while the same call with the right type compiles:
//!
//! ```
//! use suivi_proto::quantities::{MoneyHt, MoneyTtc};
//! fn pay(_net_to_pay: MoneyTtc) {}
//! pay(MoneyTtc::ZERO);
//! let _ = MoneyHt::ZERO;
//! ```
//!
//! The types have only the arithmetic that makes sense (HT + HT, HT − HT, HT × [`Share`],
//! hours + hours, comparison, rounding to the cent keeping the type); the VAT crossing is
//! `suivi_domain::money::including_vat`. Where a figure must mix with others (a ratio, an SQL
//! bind, an indicator), [`MoneyHt::amount`], [`Hours::value`], [`Share::value`] name the escape.
//!
//! # Hours to the hundredth
//!
//! Statements are kept to two decimals of an hour, so [`Hours`] read from a client refuses a
//! third decimal (`"1.25"` yes, `"1.255"` no) with serde's error, which the HTTP edge reports
//! with the field's path. Hours read from the **stored log** ([`crate::Event::decode`]) are read
//! as written, like free text (see [`crate::text`]): events are never edited. For the same
//! reason the published event schemas keep the `Quantity` pattern (a v1 schema never changes);
//! the request schemas that build statements state the tighter one ([`HoursInRequest`]).

use std::borrow::Cow;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::decimal::{write, DecimalVisitor, Shape};

/// Why a text is not a quantity of the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {text:?}: expected {expected}")]
pub struct InvalidQuantity {
    text: String,
    expected: &'static str,
}

/// The common part of the four types: serde, schema, `FromStr`, `Display`, the escape hatch.
macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $shape:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Decimal);

        impl $name {
            /// Zero.
            pub const ZERO: $name = $name(Decimal::ZERO);

            /// The bare decimal, for the few places that must mix quantities (ratios, SQL
            /// binds, indicators): everywhere else, keep the type.
            pub fn $accessor(self) -> Decimal {
                self.0
            }

            pub fn is_zero(self) -> bool {
                self.0.is_zero()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                write(&self.0, serializer)
            }
        }

        /// The schema of its shape, the one `crate::decimal` gives plain decimal fields.
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                <crate::decimal::$shape as JsonSchema>::inline_schema()
            }

            fn schema_name() -> Cow<'static, str> {
                <crate::decimal::$shape as JsonSchema>::schema_name()
            }

            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                <crate::decimal::$shape as JsonSchema>::json_schema(generator)
            }
        }
    };
}

/// Money: the sign is free, `+`, `−`, `×` [`Share`] keep the type, rounding keeps it too.
macro_rules! money {
    ($(#[$doc:meta])* $name:ident) => {
        quantity!($(#[$doc])* $name, Money, amount);

        impl $name {
            /// Any amount: money may be negative (a credit, a negative adjustment).
            pub const fn new(amount: Decimal) -> Self {
                $name(amount)
            }

            /// Rounded to the cent, half away from zero (0.005 → 0.01, −0.005 → −0.01), and
            /// written with two decimals (`"40000.00"`, never `"40000"`).
            pub fn round_to_cent(self) -> Self {
                let mut rounded = self.0.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                rounded.rescale(2);
                $name(rounded)
            }

            /// Whether the amount is a whole number of cents (`"12.50"`, `"12.500"` are).
            pub fn is_in_cents(self) -> bool {
                self.0.normalize().scale() <= 2
            }

            /// The amount times a ratio of two like figures (e.g. 12 ÷ months, executed ÷
            /// final): a dimensionless number, unlike a [`Share`] not bounded by 1.
            pub fn times(self, ratio: Decimal) -> Self {
                $name(self.0 * ratio)
            }

            /// The amount divided by a dimensionless number; the caller makes sure it is not zero.
            pub fn divided_by(self, divisor: Decimal) -> Self {
                $name(self.0 / divisor)
            }

            /// This amount divided by another of the same kind, `None` when `other` is zero.
            pub fn ratio_to(self, other: Self) -> Option<Decimal> {
                (!other.0.is_zero()).then(|| self.0 / other.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(DecimalVisitor(Shape::Money)).map($name)
            }
        }

        impl FromStr for $name {
            type Err = InvalidQuantity;

            /// As strict as the JSON: `"1234.56"`, `"-12"`; no exponent, sign `+` or spaces.
            fn from_str(text: &str) -> Result<Self, InvalidQuantity> {
                parse(Shape::Money, text).map($name)
            }
        }

        impl Add for $name {
            type Output = $name;
            fn add(self, other: $name) -> $name {
                $name(self.0 + other.0)
            }
        }

        impl Sub for $name {
            type Output = $name;
            fn sub(self, other: $name) -> $name {
                $name(self.0 - other.0)
            }
        }

        impl Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl AddAssign for $name {
            fn add_assign(&mut self, other: $name) {
                self.0 += other.0;
            }
        }

        impl SubAssign for $name {
            fn sub_assign(&mut self, other: $name) {
                self.0 -= other.0;
            }
        }

        impl Mul<Share> for $name {
            type Output = $name;
            fn mul(self, share: Share) -> $name {
                $name(self.0 * share.0)
            }
        }

        impl Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                $name(iter.map(|m| m.0).sum())
            }
        }

        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a $name>>(iter: I) -> $name {
                iter.copied().sum()
            }
        }
    };
}

money!(
    /// Euros **excluding** VAT (*hors taxes*): contract amounts, values executed, penalties.
    MoneyHt
);
money!(
    /// Euros **including** VAT (*toutes taxes comprises*): what is paid, the advance, interest base.
    MoneyTtc
);

quantity!(
    /// Insertion hours: never negative. Read from a client, at most two decimals (see the module
    /// documentation); computed (a sum, a pro-rata), any precision.
    Hours,
    Quantity,
    value
);

impl Hours {
    /// A whole number of hours, e.g. a legal maximum: `Hours::whole(230)`.
    pub const fn whole(hours: u32) -> Hours {
        Hours(Decimal::from_parts(hours, 0, 0, false, 0))
    }

    /// `self + other`, at `Decimal`'s bound rather than panicking (hours from a client are not
    /// bounded the way amounts are).
    pub fn saturating_add(self, other: Hours) -> Hours {
        Hours(self.0.saturating_add(other.0))
    }

    /// `None` for a negative number.
    pub fn new(hours: Decimal) -> Option<Hours> {
        (!hours.is_sign_negative() || hours.is_zero()).then(|| Hours(hours.abs()))
    }

    /// `self − other`, or zero when `other` is larger (a shortfall is never negative).
    pub fn saturating_sub(self, other: Hours) -> Hours {
        Hours((self.0 - other.0).max(Decimal::ZERO))
    }

    /// Whether a client's text has at most two decimals: statements are kept to the hundredth.
    fn has_at_most_two_decimals(text: &str) -> bool {
        text.split_once('.').is_none_or(|(_, decimals)| decimals.len() <= 2)
    }
}

impl MoneyHt {
    /// A rate per hour times hours, saturating at `Decimal`'s bounds rather than panicking
    /// (hours from a client are not bounded the way amounts are).
    pub fn saturating_for(self, hours: Hours) -> MoneyHt {
        MoneyHt(self.0.saturating_mul(hours.0))
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HoursVisitor;

        impl de::Visitor<'_> for HoursVisitor {
            type Value = Hours;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(Shape::Quantity.expected())
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Hours, E> {
                let hours = DecimalVisitor(Shape::Quantity).visit_str::<E>(text)?;
                if !crate::text::is_reading_stored() && !Hours::has_at_most_two_decimals(text) {
                    return Err(E::custom(too_precise(text)));
                }
                Ok(Hours(hours))
            }
        }

        d.deserialize_str(HoursVisitor)
    }
}

fn too_precise(text: &str) -> String {
    format!("invalid value {text:?}: hours have at most two decimals (statements are kept to the hundredth of an hour)")
}

impl FromStr for Hours {
    type Err = InvalidQuantity;

    /// As strict as a client's JSON: `"35"`, `"1.25"`; not `"-1"`, not `"1.255"`.
    fn from_str(text: &str) -> Result<Self, InvalidQuantity> {
        let hours = parse(Shape::Quantity, text)?;
        if !Hours::has_at_most_two_decimals(text) {
            return Err(InvalidQuantity { text: text.to_owned(), expected: "at most two decimals" });
        }
        Ok(Hours(hours))
    }
}

impl Add for Hours {
    type Output = Hours;
    fn add(self, other: Hours) -> Hours {
        Hours(self.0 + other.0)
    }
}

impl AddAssign for Hours {
    fn add_assign(&mut self, other: Hours) {
        self.0 += other.0;
    }
}

impl Mul<Share> for Hours {
    type Output = Hours;
    fn mul(self, share: Share) -> Hours {
        Hours(self.0 * share.0)
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        Hours(iter.map(|h| h.0).sum())
    }
}

impl<'a> Sum<&'a Hours> for Hours {
    fn sum<I: Iterator<Item = &'a Hours>>(iter: I) -> Hours {
        iter.copied().sum()
    }
}

/// Schema of hours in a request that builds a statement: [`Hours`]' pattern with the two-decimal
/// rule stated (`#[schemars(with = "HoursInRequest")]`). Event schemas keep `Quantity`.
pub struct HoursInRequest;

impl JsonSchema for HoursInRequest {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "HoursInRequest".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
            "description": "hours as a decimal string with at most two decimals, e.g. \"35.5\".",
        })
    }
}

quantity!(
    /// A fraction of 1, both bounds included: `"0.2"` is 20 %. VAT rates, tolerances, caps,
    /// advance rates and recovery thresholds.
    Share,
    Fraction,
    value
);

impl Share {
    /// 100 %.
    pub const ONE: Share = Share(Decimal::ONE);

    /// `None` outside 0..=1.
    pub fn new(fraction: Decimal) -> Option<Share> {
        (Decimal::ZERO..=Decimal::ONE).contains(&fraction).then(|| Share(fraction.abs()))
    }

    /// `1 − self`: what is left of the whole.
    pub fn complement(self) -> Share {
        Share(Decimal::ONE - self.0)
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DecimalVisitor(Shape::Fraction)).map(Share)
    }
}

impl FromStr for Share {
    type Err = InvalidQuantity;

    /// As strict as the JSON: `"0.2"`, `"1"`; not `"20"`, not `"-0.1"`.
    fn from_str(text: &str) -> Result<Self, InvalidQuantity> {
        parse(Shape::Fraction, text).map(Share)
    }
}

fn parse(shape: Shape, text: &str) -> Result<Decimal, InvalidQuantity> {
    shape.parse(text).ok_or_else(|| InvalidQuantity { text: text.to_owned(), expected: shape.expected() })
}

#[cfg(test)]
mod tests;
