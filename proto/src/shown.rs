//! How Suivi writes the figures it computes and shows — the API's views, the read models, the
//! indicators — in one format, whatever a client typed in:
//!
//! | figure | written | e.g. |
//! |---|---|---|
//! | amounts, euros | two decimals; more only for a figure the computation keeps unrounded (a rate per hour) | `"60.00"`, `"0.00"`, `"17.475"` |
//! | shares, fractions of 1 | four decimals; a term stated with more keeps them | `"0.2000"`, `"0.0315"`, `"1.0000"` |
//! | hours | no trailing zero: the decimals the figure has | `"35"`, `"151.67"`, `"583.1"` |
//!
//! Nothing is rounded here: a figure is only widened to its decimals (or, for hours, stripped of
//! trailing zeros), so what is written is the number computed. Whoever shows a ratio computed by
//! a division rounds it first (indicators' shares, the penalty's pro-rata factor). The patterns
//! are those of [`crate::decimal`], so a client reads either the same way.
//!
//! Events are not concerned: a fact stays as it was written ([`crate::decimal`]).

use rust_decimal::Decimal;
use serde::{Deserializer, Serializer};

use crate::decimal::{write, DecimalVisitor, Shape};
use crate::quantities::{Hours, MoneyHt, MoneyTtc, Share};

/// An amount as Suivi shows it: trailing zeros dropped, then at least two decimals.
pub fn money(value: Decimal) -> Decimal {
    widened(value.normalize(), 2)
}

/// A share as Suivi shows it: trailing zeros dropped, then at least four decimals.
pub fn share(value: Decimal) -> Decimal {
    widened(value.normalize(), 4)
}

/// Hours as Suivi shows them: without trailing zeros.
pub fn hours(value: Decimal) -> Decimal {
    value.normalize()
}

fn widened(mut value: Decimal, decimals: u32) -> Decimal {
    if value.scale() < decimals {
        value.rescale(decimals);
    }
    value
}

/// A decimal figure, bare or typed, that the modules below write and read back.
pub trait Figure: Copy {
    fn decimal(self) -> Decimal;
    /// `None` when the value does not fit the type (a negative hour, a share above 1).
    fn from_decimal(value: Decimal) -> Option<Self>;
}

impl Figure for Decimal {
    fn decimal(self) -> Decimal {
        self
    }
    fn from_decimal(value: Decimal) -> Option<Self> {
        Some(value)
    }
}

impl Figure for MoneyHt {
    fn decimal(self) -> Decimal {
        self.amount()
    }
    fn from_decimal(value: Decimal) -> Option<Self> {
        Some(MoneyHt::new(value))
    }
}

impl Figure for MoneyTtc {
    fn decimal(self) -> Decimal {
        self.amount()
    }
    fn from_decimal(value: Decimal) -> Option<Self> {
        Some(MoneyTtc::new(value))
    }
}

impl Figure for Share {
    fn decimal(self) -> Decimal {
        self.value()
    }
    fn from_decimal(value: Decimal) -> Option<Self> {
        Share::new(value)
    }
}

impl Figure for Hours {
    fn decimal(self) -> Decimal {
        self.value()
    }
    fn from_decimal(value: Decimal) -> Option<Self> {
        Hours::new(value)
    }
}

fn read<'de, T: Figure, D: Deserializer<'de>>(shape: Shape, d: D) -> Result<T, D::Error> {
    let value = d.deserialize_str(DecimalVisitor(shape))?;
    T::from_decimal(value).ok_or_else(|| serde::de::Error::custom(format!("{value} is out of range")))
}

/// Reads null or a figure of the shape.
struct OptionOf<T>(Shape, std::marker::PhantomData<T>);

impl<'de, T: Figure> serde::de::Visitor<'de> for OptionOf<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "null or {}", self.0.expected())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        read(self.0, d).map(Some)
    }
}

/// The serde `with` module of one format, and its `Option` twin (null when absent).
macro_rules! written_as {
    ($module:ident, $opt_module:ident, $shape:ident, $written:ident) => {
        #[doc = concat!("serde `with` module: written by [`", stringify!($written), "()`], read as `", stringify!($shape), "`.")]
        pub mod $module {
            use super::*;

            pub fn serialize<T: Figure, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
                write(&super::$written(value.decimal()), s)
            }

            pub fn deserialize<'de, T: Figure, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
                read(Shape::$shape, d)
            }
        }

        #[doc = concat!("[`", stringify!($module), "`] for an `Option` (null when absent).")]
        pub mod $opt_module {
            use std::marker::PhantomData;

            use super::*;

            pub fn serialize<T: Figure, S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
                match value {
                    Some(value) => $module::serialize(value, s),
                    None => s.serialize_none(),
                }
            }

            pub fn deserialize<'de, T: Figure, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
                d.deserialize_option(OptionOf::<T>(Shape::$shape, PhantomData))
            }
        }
    };
}

written_as!(money, money_opt, Money, money);
written_as!(share, share_opt, Fraction, share);
written_as!(hours, hours_opt, Quantity, hours);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::{Deserialize, Serialize};

    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_have_two_decimals_unless_the_figure_has_more() {
        for (value, written) in
            [("0", "0.00"), ("60", "60.00"), ("60.000", "60.00"), ("17.475", "17.475"), ("-40", "-40.00")]
        {
            assert_eq!(money(dec(value)).to_string(), written, "{value}");
        }
    }

    #[test]
    fn shares_have_four_decimals_unless_the_term_has_more() {
        for (value, written) in [("0", "0.0000"), ("0.2", "0.2000"), ("1", "1.0000"), ("0.055", "0.0550")] {
            assert_eq!(share(dec(value)).to_string(), written, "{value}");
        }
        assert_eq!(share(dec("0.12345")).to_string(), "0.12345", "a term is never rounded");
    }

    #[test]
    fn hours_have_no_trailing_zero() {
        for (value, written) in [("0", "0"), ("35.00", "35"), ("583.10", "583.1"), ("151.67", "151.67")] {
            assert_eq!(hours(dec(value)).to_string(), written, "{value}");
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Shown {
        #[serde(with = "super::money")]
        amount: MoneyHt,
        #[serde(with = "super::share_opt")]
        share: Option<Share>,
        #[serde(with = "super::hours")]
        hours: Decimal,
    }

    #[test]
    fn bare_and_typed_figures_are_written_and_read_back() {
        let shown = Shown { amount: MoneyHt::new(dec("12")), share: Share::new(dec("0.1")), hours: dec("35.50") };
        let json = serde_json::to_value(&shown).unwrap();
        assert_eq!(json, serde_json::json!({ "amount": "12.00", "share": "0.1000", "hours": "35.5" }));
        assert_eq!(serde_json::from_value::<Shown>(json).unwrap(), shown);
        let none = serde_json::json!({ "amount": "1.00", "share": null, "hours": "0" });
        assert_eq!(serde_json::from_value::<Shown>(none).unwrap().share, None);
        let too_much = serde_json::json!({ "amount": "1.00", "share": "1.5", "hours": "0" });
        assert!(serde_json::from_value::<Shown>(too_much).is_err());
    }
}
