//! Each type reads exactly what the shape it replaces read (plus the hours' two-decimal rule),
//! writes the same JSON, and has the same schema.

#![allow(clippy::unwrap_used)]

use rust_decimal::Decimal;
use schemars::{schema_for, JsonSchema};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::*;
use crate::decimal::{Fraction, Money, Quantity};

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// What serde answers for `text` as a JSON string: the value written back, or the error.
fn read<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, String> {
    serde_json::from_value::<T>(json!(text))
        .map(|v| serde_json::to_value(v).expect("infallible"))
        .map_err(|e| e.to_string())
}

#[test]
fn money_reads_what_the_money_shape_read_and_writes_it_back_unchanged() {
    for text in ["1234.56", "-12", "007.50", "0", "40000.00"] {
        assert_eq!(read::<MoneyHt>(text), Ok(json!(dec(text).to_string())), "{text}");
        assert_eq!(read::<MoneyTtc>(text), Ok(json!(dec(text).to_string())), "{text}");
        assert_eq!(text.parse::<MoneyHt>().map(MoneyHt::amount), Ok(dec(text)));
    }
    for text in ["1e3", "+1", "1.", ".5", "1 000", "NC", ""] {
        let error = read::<MoneyHt>(text).expect_err(text);
        assert!(error.contains("expected an amount as a JSON string"), "{error}");
        assert!(text.parse::<MoneyTtc>().is_err(), "{text}");
    }
    assert!(serde_json::from_value::<MoneyHt>(json!(12.5)).is_err(), "never a JSON number");
    assert_eq!(serde_json::to_value(MoneyHt::new(dec("-0"))).unwrap(), json!("0"), "-0 is written 0");
}

#[test]
fn hours_refuse_a_third_decimal_from_a_client_but_not_from_the_log() {
    for text in ["35", "1.5", "1.25", "0", "151.67"] {
        assert_eq!(read::<Hours>(text), Ok(json!(text)), "{text}");
        assert_eq!(text.parse::<Hours>().map(Hours::value), Ok(dec(text)));
    }
    for text in ["1.255", "0.001", "1.250"] {
        let error = read::<Hours>(text).expect_err(text);
        assert_eq!(
            error,
            format!("invalid value \"{text}\": hours have at most two decimals (statements are kept to the hundredth of an hour)")
        );
        assert!(text.parse::<Hours>().is_err(), "{text}");
        let stored = crate::text::reading_stored(|| serde_json::from_value::<Hours>(json!(text)));
        assert_eq!(stored.map(Hours::value).ok(), Some(dec(text)), "stored hours are read as written");
    }
    for text in ["-1", "1e2", "", "1,5"] {
        assert!(read::<Hours>(text).expect_err(text).contains("expected a non-negative decimal"), "{text}");
        let stored = crate::text::reading_stored(|| serde_json::from_value::<Hours>(json!(text)));
        assert!(stored.is_err(), "only the two-decimal rule is lifted for the log: {text}");
    }
}

#[test]
fn shares_stay_between_zero_and_one() {
    for text in ["0", "0.055", "0.2", "1", "1.000"] {
        assert_eq!(read::<Share>(text), Ok(json!(dec(text).to_string())), "{text}");
    }
    for text in ["1.01", "20", "-0.1", "00.5"] {
        assert!(read::<Share>(text).expect_err(text).contains("expected a fraction between 0 and 1"), "{text}");
        assert!(text.parse::<Share>().is_err(), "{text}");
    }
    assert_eq!(Share::new(dec("1.2")), None);
    assert_eq!(Share::new(dec("0.3")).map(Share::complement), Some(Share::new(dec("0.7")).unwrap()));
}

#[test]
fn each_type_has_exactly_the_schema_of_the_shape_it_replaces() {
    fn same<New: JsonSchema, Old: JsonSchema>() {
        assert_eq!(schema_for!(New), schema_for!(Old), "{}", New::schema_name());
    }
    same::<MoneyHt, Money>();
    same::<MoneyTtc, Money>();
    same::<Hours, Quantity>();
    same::<Share, Fraction>();
    same::<Option<MoneyHt>, Option<Money>>();
    assert_eq!(schema_for!(HoursInRequest).get("pattern"), Some(&json!(r"^[0-9]+(\.[0-9]{1,2})?$")));
}

#[test]
fn an_optional_field_writes_null_and_reads_null_as_absent_as_the_opt_modules_did() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Old {
        #[serde(with = "crate::decimal::money_opt")]
        cap: Option<Decimal>,
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct New {
        cap: Option<MoneyHt>,
    }
    for json in [json!({"cap": null}), json!({"cap": "12.50"})] {
        let old: Old = serde_json::from_value(json.clone()).unwrap();
        let new: New = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&old).unwrap(), json);
        assert_eq!(serde_json::to_value(&new).unwrap(), json);
    }
}

#[test]
fn the_arithmetic_keeps_the_type() {
    let ht = |t: &str| MoneyHt::new(dec(t));
    let share = Share::new(dec("0.2")).unwrap();
    assert_eq!(ht("100.10") + ht("0.90") - ht("1"), ht("100.00"));
    assert_eq!(ht("100") * share, ht("20"));
    assert_eq!([ht("1"), ht("2.5")].iter().sum::<MoneyHt>(), ht("3.5"));
    assert_eq!(ht("2.345").round_to_cent().amount().to_string(), "2.35");
    assert_eq!(ht("-0.005").round_to_cent(), ht("-0.01"));
    assert_eq!(ht("50").ratio_to(ht("200")), Some(dec("0.25")));
    assert_eq!(ht("50").ratio_to(MoneyHt::ZERO), None);
    let hours = |t: &str| Hours::new(dec(t)).unwrap();
    assert_eq!(hours("10") + hours("2.5"), hours("12.5"));
    assert_eq!(hours("10").saturating_sub(hours("12")), Hours::ZERO);
    assert_eq!(hours("100") * share, hours("20"));
    assert_eq!(Hours::new(dec("-1")), None);
    assert_eq!(Hours::whole(230), hours("230"));
    assert_eq!(Hours::new(Decimal::MAX).unwrap().saturating_add(hours("1")).value(), Decimal::MAX);
    assert!(hours("1") < hours("1.01"));
}
