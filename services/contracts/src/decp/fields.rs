//! Typed reads from a loosely typed JSON record, each failure naming the record and the field.
//!
//! Why not `#[derive(Deserialize)]` on a DECP struct: published DECP is often invalid, and
//! serde stops at the first problem with a message written for programmers. Reading field by
//! field from a `serde_json::Value` lets us say "record X, field `montant`: expected a number,
//! found the string \"NC\"" and lets each record fail on its own.
//!
//! A JSON `null` is read as an absent field: producers write both for "not stated".

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};
use suivi_proto::text::{check_multi_line, check_single_line, InvalidText};

use super::error::{Problem, RecordError};

/// One JSON object of a record, with the path that leads to it (for error messages).
#[derive(Clone)]
pub(crate) struct Fields<'a> {
    /// The record's id, when readable: every error names it.
    pub id: Option<&'a str>,
    object: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    /// The top level of a record.
    pub fn record(id: Option<&'a str>, object: &'a Map<String, Value>) -> Self {
        Fields { id, object, path: String::new() }
    }

    /// An object nested at `path`, a full path such as `titulaires[2].titulaire`.
    pub fn nested(&self, object: &'a Map<String, Value>, path: String) -> Self {
        Fields { id: self.id, object, path }
    }

    /// The object at `key`, to read its own fields.
    pub fn child(&self, key: &str) -> Result<Self, RecordError> {
        Ok(self.nested(self.object(key)?, self.path(key)))
    }

    /// Full path of `key` in the record.
    pub fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn fail(&self, key: &str, problem: Problem) -> RecordError {
        RecordError::new(self.id, self.path(key), problem)
    }

    fn wrong_type(&self, key: &str, expected: &'static str, found: &Value) -> RecordError {
        self.fail(key, Problem::WrongType { expected, found: describe(found) })
    }

    /// The value of `key`, `None` when absent or null.
    pub fn optional(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|value| !value.is_null())
    }

    pub fn required(&self, key: &str) -> Result<&'a Value, RecordError> {
        self.optional(key).ok_or_else(|| self.fail(key, Problem::Missing))
    }

    /// A one-line string, refused when empty or blank (an empty `id` identifies nothing) or when
    /// it holds a control character (see `suivi_proto::text`).
    pub fn string(&self, key: &str) -> Result<&'a str, RecordError> {
        self.checked_string(key, check_single_line)
    }

    /// A string that may span lines (e.g. `objet`): line feeds and tabs allowed, no other
    /// control character; refused when empty or blank.
    pub fn text(&self, key: &str) -> Result<&'a str, RecordError> {
        self.checked_string(key, check_multi_line)
    }

    fn checked_string(&self, key: &str, check: fn(&str) -> Result<(), InvalidText>) -> Result<&'a str, RecordError> {
        let value = self.required(key)?;
        let text = value.as_str().ok_or_else(|| self.wrong_type(key, "a string", value))?;
        if text.trim().is_empty() {
            return Err(self.fail(key, Problem::Empty));
        }
        check(text).map_err(|invalid| self.fail(key, Problem::ControlCharacter(invalid)))?;
        Ok(text)
    }

    pub fn object(&self, key: &str) -> Result<&'a Map<String, Value>, RecordError> {
        let value = self.required(key)?;
        value.as_object().ok_or_else(|| self.wrong_type(key, "an object", value))
    }

    pub fn array(&self, key: &str) -> Result<&'a [Value], RecordError> {
        let value = self.required(key)?;
        value.as_array().map(Vec::as_slice).ok_or_else(|| self.wrong_type(key, "an array", value))
    }

    pub fn optional_bool(&self, key: &str) -> Result<Option<bool>, RecordError> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => value.as_bool().map(Some).ok_or_else(|| self.wrong_type(key, "true or false", value)),
        }
    }

    /// A whole number of at least 1 (e.g. `dureeMois`); `12.0` is refused like `"12"`.
    pub fn positive_integer(&self, key: &str) -> Result<u32, RecordError> {
        let value = self.required(key)?;
        let number = value.as_number().ok_or_else(|| self.wrong_type(key, "a whole number", value))?;
        if let Some(n) = number.as_u64() {
            return match u32::try_from(n) {
                Ok(0) => Err(self.fail(key, Problem::NotPositive(n.to_string()))),
                Ok(n) => Ok(n),
                Err(_) => Err(self.fail(key, Problem::OutOfRange { rule: "at most 4294967295", found: n.to_string() })),
            };
        }
        if number.as_i64().is_some() {
            return Err(self.fail(key, Problem::NotPositive(number.to_string())));
        }
        Err(self.wrong_type(key, "a whole number", value))
    }

    /// A JSON number read as an exact decimal.
    pub fn decimal(&self, key: &str) -> Result<Decimal, RecordError> {
        let value = self.required(key)?;
        let number = value.as_number().ok_or_else(|| self.wrong_type(key, "a number", value))?;
        decimal_of(number)
            .ok_or_else(|| self.fail(key, Problem::OutOfRange { rule: "a decimal", found: number.to_string() }))
    }

    pub fn optional_decimal(&self, key: &str) -> Result<Option<Decimal>, RecordError> {
        match self.optional(key) {
            None => Ok(None),
            Some(_) => self.decimal(key).map(Some),
        }
    }
}

/// The decimal a JSON number was written as.
///
/// serde_json holds fractions as `f64`, whose `Display` is the shortest text that reads back
/// to the same float: for what a producer writes (`123456.89`, `0.1`) that is the literal
/// itself, so going through text gives the exact decimal and never `0.1000000000000000055`.
/// Exponents (`1e6`) take the scientific path; values `rust_decimal` cannot hold give `None`.
pub(crate) fn decimal_of(number: &Number) -> Option<Decimal> {
    let text = number.to_string();
    Decimal::from_str_exact(&text).or_else(|_| Decimal::from_scientific(&text)).ok().map(|d| d.normalize())
}

/// A short description of a JSON value for "found …" in messages.
pub(crate) fn describe(value: &Value) -> String {
    const MAX: usize = 40;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > MAX => {
            format!("the string {:?}…", s.chars().take(MAX).collect::<String>())
        }
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn fields(value: &Value) -> Fields<'_> {
        Fields::record(Some("R1"), value.as_object().unwrap())
    }

    #[test]
    fn it_reads_json_numbers_as_the_decimal_written() {
        let value = json!({"a": 123456.89, "b": 0.1, "c": 575000, "d": 1e6, "e": 575000.0});
        let f = fields(&value);
        assert_eq!(f.decimal("a").unwrap().to_string(), "123456.89");
        assert_eq!(f.decimal("b").unwrap().to_string(), "0.1");
        assert_eq!(f.decimal("c").unwrap().to_string(), "575000");
        assert_eq!(f.decimal("d").unwrap().to_string(), "1000000");
        assert_eq!(f.decimal("e").unwrap().to_string(), "575000");
    }

    #[test]
    fn it_refuses_a_string_where_a_number_is_expected() {
        let value = json!({"montant": "NC", "dureeMois": "12"});
        let f = fields(&value);
        let expected = Problem::WrongType { expected: "a number", found: "the string \"NC\"".into() };
        assert_eq!(f.decimal("montant"), Err(RecordError::new(Some("R1"), "montant", expected)));
        let expected = Problem::WrongType { expected: "a whole number", found: "the string \"12\"".into() };
        assert_eq!(f.positive_integer("dureeMois"), Err(RecordError::new(Some("R1"), "dureeMois", expected)));
    }

    #[test]
    fn it_refuses_zero_negative_and_fractional_durations() {
        let value = json!({"a": 0, "b": -3, "c": 12.5, "d": 12.0, "e": 12});
        let f = fields(&value);
        assert_eq!(f.positive_integer("a").unwrap_err().problem, Problem::NotPositive("0".into()));
        assert_eq!(f.positive_integer("b").unwrap_err().problem, Problem::NotPositive("-3".into()));
        assert!(matches!(f.positive_integer("c").unwrap_err().problem, Problem::WrongType { .. }));
        assert!(matches!(f.positive_integer("d").unwrap_err().problem, Problem::WrongType { .. }));
        assert_eq!(f.positive_integer("e").unwrap(), 12);
    }

    #[test]
    fn it_reads_null_as_absent_and_blank_strings_as_empty() {
        let value = json!({"a": null, "b": "  "});
        let f = fields(&value);
        assert_eq!(f.string("a").unwrap_err().problem, Problem::Missing);
        assert_eq!(f.optional("a"), None);
        assert_eq!(f.string("b").unwrap_err().problem, Problem::Empty);
    }

    #[test]
    fn it_refuses_control_characters_allowing_line_breaks_only_in_text() {
        let value =
            json!({"id": "2024\u{0}-1", "objet": "Travaux\nlot 1\tbis", "bad": "Travaux\u{0}", "ccag": "Travaux\n"});
        let f = fields(&value);
        let problem = |key: &str| f.string(key).unwrap_err().problem;
        assert!(matches!(problem("id"), Problem::ControlCharacter(i) if i.character == '\0' && i.index == 4));
        assert!(matches!(problem("ccag"), Problem::ControlCharacter(i) if i.character == '\n'));
        assert_eq!(f.text("objet").unwrap(), "Travaux\nlot 1\tbis");
        assert!(matches!(f.text("bad").unwrap_err().problem, Problem::ControlCharacter(i) if i.character == '\0'));
    }

    #[test]
    fn it_prefixes_nested_fields_with_their_path() {
        let value = json!({"acheteur": {"id": 217500016}});
        let f = fields(&value);
        let acheteur = f.child("acheteur").unwrap();
        assert_eq!(acheteur.string("id").unwrap_err().field, "acheteur.id");
    }
}
