//! Decimal numbers on the wire: JSON strings, never JSON numbers.
//!
//! Why strings: most JSON consumers (JavaScript, many libraries, `jq`) read a JSON number as a
//! binary float, which silently corrupts amounts (`0.1 + 0.2`). A string keeps every digit and
//! the scale: `"1234.50"` stays `"1234.50"`.
//!
//! Three shapes, each a serde `with` module (plus an `_opt` twin for `Option<Decimal>`) and a
//! schema type for `#[schemars(with = ...)]`:
//!
//! | shape | used for | JSON Schema pattern |
//! |---|---|---|
//! | [`money`] / [`Money`] | euros; may be negative | `^-?[0-9]+(\.[0-9]+)?$` |
//! | [`quantity`] / [`Quantity`] | hours, multipliers; never negative | `^[0-9]+(\.[0-9]+)?$` |
//! | [`fraction`] / [`Fraction`] | rates and shares, **fractions of 1**: `"0.2"` is 20 % | `^(0(\.[0-9]+)?\|1(\.0+)?)$` |
//!
//! Reading is exactly as strict as the pattern, so the schema and the Rust types accept the
//! same documents: no JSON number, no exponent, no `+`, no spaces or separators, no `"NC"`.
//! A value with more digits than `rust_decimal` holds is refused rather than rounded.
//!
//! The payloads' amounts, hours and shares are the typed [`crate::quantities`] built on these
//! shapes (same JSON, same schema); the `with` modules remain for the other decimals (a SMIC
//! multiple, the read models' figures).

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;

/// The three decimal shapes; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Money,
    Quantity,
    Fraction,
}

impl Shape {
    fn pattern(self) -> &'static str {
        match self {
            Shape::Money => r"^-?[0-9]+(\.[0-9]+)?$",
            Shape::Quantity => r"^[0-9]+(\.[0-9]+)?$",
            Shape::Fraction => r"^(0(\.[0-9]+)?|1(\.0+)?)$",
        }
    }

    /// The `description` of the shape's schema.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Shape::Money => "euros as a decimal string, e.g. \"1234.56\".",
            Shape::Quantity => "non-negative decimal string, e.g. \"35.5\".",
            Shape::Fraction => "fraction of 1 as a decimal string: \"0.2\" is 20 %.",
        }
    }

    pub(crate) fn expected(self) -> &'static str {
        match self {
            Shape::Money => "an amount as a JSON string such as \"1234.56\"",
            Shape::Quantity => "a non-negative decimal as a JSON string such as \"35.5\"",
            Shape::Fraction => "a fraction between 0 and 1 as a JSON string such as \"0.2\"",
        }
    }

    /// Checks `text` against [`Shape::pattern`] by hand (no regex dependency), then parses it.
    pub(crate) fn parse(self, text: &str) -> Option<Decimal> {
        let unsigned = match (self, text.strip_prefix('-')) {
            (Shape::Money, Some(rest)) => rest,
            (_, Some(_)) => return None,
            (_, None) => text,
        };
        let (int, frac) = match unsigned.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (unsigned, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || !frac.is_none_or(digits) {
            return None;
        }
        if self == Shape::Fraction {
            let zeros = |s: &str| s.bytes().all(|b| b == b'0');
            if !(int == "0" || (int == "1" && frac.is_none_or(zeros))) {
                return None;
            }
        }
        Decimal::from_str_exact(text).ok()
    }

    pub(crate) fn schema(self) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": self.pattern(),
            "description": self.description(),
        })
    }
}

pub(crate) fn write<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    // `-0` would break the non-negative patterns; it means 0.
    let value = if value.is_zero() { value.abs() } else { *value };
    serializer.collect_str(&value)
}

pub(crate) struct DecimalVisitor(pub(crate) Shape);

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.expected())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        self.0.parse(text).ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

struct OptionVisitor(Shape);

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or {}", self.0.expected())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(DecimalVisitor(self.0)).map(Some)
    }
}

/// Generates the `with` modules and the schema type of one shape.
macro_rules! shape {
    ($shape:ident, $module:ident, $opt_module:ident, $description:literal) => {
        #[doc = concat!("serde `with` module for a `Decimal`: ", $description)]
        pub mod $module {
            use super::*;

            pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
                write(value, s)
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
                d.deserialize_str(DecimalVisitor(Shape::$shape))
            }
        }

        #[doc = concat!("serde `with` module for an `Option<Decimal>` (null when absent): ", $description)]
        pub mod $opt_module {
            use super::*;

            pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
                match value {
                    Some(value) => write(value, s),
                    None => s.serialize_none(),
                }
            }

            pub fn deserialize<'de, D>(d: D) -> Result<Option<Decimal>, D::Error>
            where
                D: Deserializer<'de>,
            {
                d.deserialize_option(OptionVisitor(Shape::$shape))
            }
        }

        #[doc = concat!("Schema of a `Decimal` field (for `#[schemars(with = ...)]`): ", $description)]
        pub struct $shape;

        impl JsonSchema for $shape {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                stringify!($shape).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                Shape::$shape.schema()
            }
        }
    };
}

shape!(Money, money, money_opt, "euros as a decimal string, e.g. \"1234.56\".");
shape!(Quantity, quantity, quantity_opt, "non-negative decimal string, e.g. \"35.5\".");
shape!(Fraction, fraction, fraction_opt, "fraction of 1 as a decimal string: \"0.2\" is 20 %.");

#[cfg(test)]
mod tests {
    use super::Shape;

    #[test]
    fn it_reads_only_what_the_pattern_allows() {
        let cases: &[(Shape, &str, bool)] = &[
            (Shape::Money, "1234.56", true),
            (Shape::Money, "-12", true),
            (Shape::Money, "007.50", true),
            (Shape::Money, "1e3", false),
            (Shape::Money, "+1", false),
            (Shape::Money, "1.", false),
            (Shape::Money, ".5", false),
            (Shape::Money, "1 000", false),
            (Shape::Money, "1_000", false),
            (Shape::Money, "NC", false),
            (Shape::Money, "", false),
            (Shape::Quantity, "35.5", true),
            (Shape::Quantity, "-1", false),
            (Shape::Fraction, "0", true),
            (Shape::Fraction, "0.055", true),
            (Shape::Fraction, "1", true),
            (Shape::Fraction, "1.000", true),
            (Shape::Fraction, "1.01", false),
            (Shape::Fraction, "20", false),
            (Shape::Fraction, "00.5", false),
            (Shape::Fraction, "-0.1", false),
        ];
        for &(shape, text, ok) in cases {
            assert_eq!(shape.parse(text).is_some(), ok, "{shape:?} {text:?}");
        }
    }

    #[test]
    fn it_refuses_more_digits_than_it_can_hold_rather_than_rounding() {
        assert_eq!(Shape::Money.parse("0.00000000000000000000000000001"), None);
    }
}
