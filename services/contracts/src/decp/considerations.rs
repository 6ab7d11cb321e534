//! `considerationsSociales` and `considerationsEnvironnementales`: the flags PNAD indicators
//! count, so a value we cannot read rejects the record rather than being dropped.

use serde_json::Value;
use suivi_proto::events::{EnvironmentalConsideration, SocialConsideration};

use super::error::{Problem, RecordError};
use super::fields::Fields;
use super::vocabulary;

/// One of the two consideration lists, described once so both are read the same way.
struct List<T> {
    outer: &'static str,
    inner: &'static str,
    allowed: &'static [&'static str],
    /// The "none" value, which cannot stand next to another.
    none: &'static str,
    map: fn(&str) -> Option<T>,
}

const SOCIAL: List<SocialConsideration> = List {
    outer: "considerationsSociales",
    inner: "considerationSociale",
    allowed: vocabulary::SOCIAL,
    none: vocabulary::NO_SOCIAL,
    map: vocabulary::social,
};

const ENVIRONMENTAL: List<EnvironmentalConsideration> = List {
    outer: "considerationsEnvironnementales",
    inner: "considerationEnvironnementale",
    allowed: vocabulary::ENVIRONMENTAL,
    none: vocabulary::NO_ENVIRONMENTAL,
    map: vocabulary::environmental,
};

pub(crate) fn social(record: &Fields<'_>, warnings: &mut Vec<String>) -> Result<Vec<SocialConsideration>, RecordError> {
    read(record, &SOCIAL, warnings)
}

pub(crate) fn environmental(
    record: &Fields<'_>,
    warnings: &mut Vec<String>,
) -> Result<Vec<EnvironmentalConsideration>, RecordError> {
    read(record, &ENVIRONMENTAL, warnings)
}

/// Reads `{outer: {inner: [..]}}`. A lone string instead of the array (what XML-to-JSON
/// converters write for a one-element list) is read as a one-element list. Duplicates are
/// dropped; order is kept. An absent list is refused: "not stated" is not "none", and the
/// schema requires it. An empty list is kept empty with a warning.
fn read<T: Copy + PartialEq>(
    record: &Fields<'_>,
    list: &List<T>,
    warnings: &mut Vec<String>,
) -> Result<Vec<T>, RecordError> {
    let outer = record.child(list.outer)?;
    let field = outer.path(list.inner);
    let raw: Vec<(String, &Value)> = match outer.required(list.inner)? {
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (format!("{field}[{i}]"), v)).collect(),
        single @ Value::String(_) => vec![(field.clone(), single)],
        other => {
            let found = super::fields::describe(other);
            return Err(outer.fail(list.inner, Problem::WrongType { expected: "an array of strings", found }));
        }
    };
    let mut values: Vec<T> = Vec::with_capacity(raw.len());
    let mut texts: Vec<&str> = Vec::with_capacity(raw.len());
    for (path, value) in raw {
        let fail = |problem| RecordError::new(record.id, path.clone(), problem);
        let Some(text) = value.as_str() else {
            let found = super::fields::describe(value);
            return Err(fail(Problem::WrongType { expected: "a string", found }));
        };
        let mapped = (list.map)(text)
            .ok_or_else(|| fail(Problem::UnknownVocabulary { value: text.to_owned(), allowed: list.allowed }))?;
        if let Some(other) = texts.iter().find(|t| (**t == list.none) != (text == list.none)) {
            return Err(fail(Problem::Contradictory(text.to_owned(), (*other).to_owned())));
        }
        if !values.contains(&mapped) {
            values.push(mapped);
            texts.push(text);
        }
    }
    if values.is_empty() {
        warnings.push(format!("`{field}` is empty: recorded as no consideration stated"));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn social_of(value: Value) -> Result<(Vec<SocialConsideration>, Vec<String>), RecordError> {
        let record = json!({ "considerationsSociales": { "considerationSociale": value } });
        let mut warnings = Vec::new();
        social(&Fields::record(Some("R"), record.as_object().unwrap()), &mut warnings).map(|v| (v, warnings))
    }

    #[test]
    fn it_maps_the_list_dropping_duplicates() {
        let (values, warnings) = social_of(json!(["Clause sociale", "Critère social", "Clause sociale"])).unwrap();
        assert_eq!(values, [SocialConsideration::ClauseSociale, SocialConsideration::CritereSocial]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn it_reads_a_lone_string_as_a_one_element_list() {
        let (values, _) = social_of(json!("Marché réservé")).unwrap();
        assert_eq!(values, [SocialConsideration::MarcheReserve]);
    }

    #[test]
    fn it_refuses_an_unknown_value_naming_its_place() {
        let error = social_of(json!(["Clause sociale", "Insertion"])).unwrap_err();
        assert_eq!(error.field, "considerationsSociales.considerationSociale[1]");
        assert_eq!(
            error.problem,
            Problem::UnknownVocabulary { value: "Insertion".into(), allowed: vocabulary::SOCIAL }
        );
    }

    #[test]
    fn it_refuses_none_next_to_a_consideration() {
        let error = social_of(json!(["Clause sociale", "Pas de considération sociale"])).unwrap_err();
        assert_eq!(
            error.problem,
            Problem::Contradictory("Pas de considération sociale".into(), "Clause sociale".into())
        );
    }

    #[test]
    fn it_keeps_an_empty_list_with_a_warning_and_refuses_a_missing_one() {
        let (values, warnings) = social_of(json!([])).unwrap();
        assert!(values.is_empty());
        assert_eq!(warnings.len(), 1);
        let record = json!({});
        let error = social(&Fields::record(Some("R"), record.as_object().unwrap()), &mut Vec::new()).unwrap_err();
        assert_eq!((error.field.as_str(), error.problem), ("considerationsSociales", Problem::Missing));
    }
}
