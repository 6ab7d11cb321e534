//! The constraints of the DECP v2.0.3 schema (`tests/data/decp/schema_decp_v2.0.3.json`) on
//! the fields of a `marche` record the award does not hold: types, vocabularies, lengths,
//! bounds. A record that breaks one is rejected naming the field, as a malformed amount is:
//! data that contradicts its own schema (`marcheInnovant: "non"`) says its producer wrote
//! something else than DECP, and nothing of it should be trusted blindly.
//!
//! The fields the award holds are checked where they are read (`record.rs` and its modules),
//! to the same constraints or stricter. Each field here is checked when present; absent
//! (or `null`) is tolerated, as the importer tolerates it for old and consolidated files. What is
//! *not* checked: `required` beyond what the award needs, `additionalProperties` (2019-format
//! and consolidated files add keys such as `_type`), and the inside of `modifications[]` and
//! `actesSousTraitance[]`, which are not imported.

use serde_json::Value;

use super::error::{Problem, RecordError};
use super::fields::{describe, Fields};

/// `id`, `idAccordCadre`: 1 to 16 characters.
const ID_MAX_CHARS: usize = 16;
/// `objet`: at most 1000 characters.
const OBJET_MAX_CHARS: usize = 1000;

const NATURES: &[&str] = &["Marché", "Marché de partenariat", "Marché de défense ou de sécurité"];
const GROUPEMENTS: &[&str] = &["Conjoint", "Solidaire", "Pas de groupement"];
const FORMES_PRIX: &[&str] = &["Unitaire", "Forfaitaire", "Mixte"];
const TYPES_CODE_LIEU: &[&str] = &[
    "Code postal",
    "Code commune",
    "Code arrondissement",
    "Code canton",
    "Code département",
    "Code région",
    "Code pays",
];
const TECHNIQUES: &[&str] = &[
    "Accord-cadre",
    "Concours",
    "Système de qualification",
    "Système d'acquisition dynamique",
    "Catalogue électronique",
    "Enchère électronique",
    "Sans objet",
];
const MODALITES: &[&str] = &["Tranches", "Bons de commande", "Marchés subséquents", "Sans objet"];
const TYPES_PRIX: &[&str] = &["Définitif ferme", "Définitif actualisable", "Définitif révisable", "Provisoire"];

/// Checks every schema constraint on the record's fields that mapping does not check.
pub(crate) fn check(f: &Fields<'_>) -> Result<(), RecordError> {
    max_chars(f, "id", ID_MAX_CHARS)?;
    max_chars(f, "objet", OBJET_MAX_CHARS)?;
    one_of(f, "nature", NATURES)?;
    if f.optional("idAccordCadre").is_some() {
        f.string("idAccordCadre")?;
        max_chars(f, "idAccordCadre", ID_MAX_CHARS)?;
    }
    for key in ["marcheInnovant", "sousTraitanceDeclaree"] {
        f.optional_bool(key)?;
    }
    if f.optional("offresRecues").is_some() {
        f.positive_integer("offresRecues")?;
    }
    one_of(f, "typeGroupementOperateurs", GROUPEMENTS)?;
    one_of(f, "formePrix", FORMES_PRIX)?;
    if f.optional("lieuExecution").is_some() {
        let lieu = f.child("lieuExecution")?;
        lieu.string("code")?;
        lieu.required("typeCode")?;
        one_of(&lieu, "typeCode", TYPES_CODE_LIEU)?;
    }
    if f.optional("datePublicationDonnees").is_some() {
        let raw = f.string("datePublicationDonnees")?;
        if !holds_a_date(raw) {
            return Err(f.fail("datePublicationDonnees", Problem::InvalidDate(raw.to_owned())));
        }
    }
    for key in ["origineUE", "origineFrance"] {
        if let Some(share) = f.optional_decimal(key)? {
            if share.is_sign_negative() || share > rust_decimal::Decimal::ONE {
                let rule = "a fraction between 0 and 1";
                return Err(f.fail(key, Problem::OutOfRange { rule, found: share.to_string() }));
            }
        }
    }
    enum_list(f, "techniques", "technique", TECHNIQUES)?;
    enum_list(f, "modalitesExecution", "modaliteExecution", MODALITES)?;
    enum_list(f, "typesPrix", "typePrix", TYPES_PRIX)?;
    if f.optional("modifications").is_some() {
        // `[]` is tolerated (the schema wants at least one item, but an empty list says nothing).
        f.array("modifications")?;
    }
    Ok(())
}

/// A string of at most `max` characters (JSON Schema counts characters, not bytes).
fn max_chars(f: &Fields<'_>, key: &str, max: usize) -> Result<(), RecordError> {
    let Some(Value::String(text)) = f.optional(key) else { return Ok(()) };
    let count = text.chars().count();
    if count > max {
        let rule = if max == ID_MAX_CHARS { "at most 16 characters" } else { "at most 1000 characters" };
        return Err(f.fail(key, Problem::OutOfRange { rule, found: format!("{count} characters") }));
    }
    Ok(())
}

/// When present, a string from `allowed`, spelt exactly.
fn one_of(f: &Fields<'_>, key: &str, allowed: &'static [&'static str]) -> Result<(), RecordError> {
    if f.optional(key).is_none() {
        return Ok(());
    }
    let value = f.string(key)?;
    if !allowed.contains(&value) {
        return Err(f.fail(key, Problem::UnknownVocabulary { value: value.to_owned(), allowed }));
    }
    Ok(())
}

/// When present, `{outer: {inner: [..]}}` with at least one value, each from `allowed` and
/// listed once. A lone string is read as a one-element list, as for the considerations.
fn enum_list(f: &Fields<'_>, outer: &str, inner: &str, allowed: &'static [&'static str]) -> Result<(), RecordError> {
    if f.optional(outer).is_none() {
        return Ok(());
    }
    let list = f.child(outer)?;
    let field = list.path(inner);
    let items: Vec<(String, &Value)> = match list.required(inner)? {
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (format!("{field}[{i}]"), v)).collect(),
        single @ Value::String(_) => vec![(field.clone(), single)],
        other => {
            let found = describe(other);
            return Err(list.fail(inner, Problem::WrongType { expected: "an array of strings", found }));
        }
    };
    if items.is_empty() {
        return Err(list.fail(inner, Problem::Empty));
    }
    let mut seen: Vec<&str> = Vec::with_capacity(items.len());
    for (path, value) in items {
        let fail = |problem| RecordError::new(f.id, path.clone(), problem);
        let Some(text) = value.as_str() else {
            return Err(fail(Problem::WrongType { expected: "a string", found: describe(value) }));
        };
        if !allowed.contains(&text) {
            return Err(fail(Problem::UnknownVocabulary { value: text.to_owned(), allowed }));
        }
        if seen.contains(&text) {
            return Err(fail(Problem::Duplicate(text.to_owned())));
        }
        seen.push(text);
    }
    Ok(())
}

/// The schema's pattern `\d{4}-\d{2}-\d{2}`, unanchored as the schema writes it: somewhere in
/// the string.
fn holds_a_date(raw: &str) -> bool {
    const SHAPE: &[u8; 10] = b"dddd-dd-dd";
    raw.as_bytes()
        .windows(SHAPE.len())
        .any(|window| window.iter().zip(SHAPE).all(|(&b, &s)| if s == b'd' { b.is_ascii_digit() } else { b == s }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn problem(record: Value) -> Option<(String, Problem)> {
        check(&Fields::record(Some("R"), record.as_object().unwrap())).err().map(|e| (e.field, e.problem))
    }

    #[test]
    fn it_accepts_absent_and_null_fields() {
        assert_eq!(problem(json!({})), None);
        assert_eq!(problem(json!({"marcheInnovant": null, "formePrix": null})), None);
    }

    #[test]
    fn it_refuses_a_string_for_a_boolean() {
        let (field, problem) = problem(json!({"marcheInnovant": "non"})).unwrap();
        assert_eq!(field, "marcheInnovant");
        assert!(matches!(problem, Problem::WrongType { expected: "true or false", .. }));
    }

    #[test]
    fn it_checks_lengths_vocabularies_bounds_and_lists() {
        let long_id = problem(json!({"id": "2024-0000000000001"})).unwrap();
        assert_eq!(long_id.0, "id");
        assert_eq!(problem(json!({"formePrix": "Global"})).unwrap().0, "formePrix", "not in the schema's vocabulary");
        assert_eq!(
            problem(json!({"offresRecues": 0})).unwrap(),
            ("offresRecues".into(), Problem::NotPositive("0".into()))
        );
        assert_eq!(problem(json!({"origineFrance": 1.5})).unwrap().0, "origineFrance");
        assert_eq!(
            problem(json!({"lieuExecution": {"code": "35238", "typeCode": "Commune"}})).unwrap().0,
            "lieuExecution.typeCode"
        );
        assert_eq!(
            problem(json!({"techniques": {"technique": ["Sans objet", "Sans objet"]}})).unwrap(),
            ("techniques.technique[1]".into(), Problem::Duplicate("Sans objet".into()))
        );
        assert_eq!(
            problem(json!({"typesPrix": {"typePrix": []}})).unwrap(),
            ("typesPrix.typePrix".into(), Problem::Empty)
        );
        assert_eq!(problem(json!({"modifications": {}})).unwrap().0, "modifications");
        assert_eq!(problem(json!({"datePublicationDonnees": "10/03/2024"})).unwrap().0, "datePublicationDonnees");
        assert_eq!(problem(json!({"datePublicationDonnees": "2024-03-10T00:00:00"})), None, "unanchored pattern");
        assert_eq!(problem(json!({"objet": "x".repeat(1001)})).unwrap().0, "objet");
        assert_eq!(problem(json!({"objet": "é".repeat(1000)})), None, "characters, not bytes");
    }
}
