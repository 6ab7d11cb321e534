//! What can go wrong: a whole file (nothing imported) or one record (the others go on).
//!
//! Errors are plain data deriving `PartialEq`, so tests assert them exactly and a caller can
//! render them in a report without parsing strings.

use std::fmt;

/// The file as a whole cannot be read: nothing in it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecpFileError {
    /// Not JSON at all (or not UTF-8). Holds serde_json's message, which gives line and column.
    #[error("not a JSON document: {0}")]
    NotJson(String),
    /// The file could not be read (I/O error).
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    /// Valid JSON, but the top level is not an object.
    #[error("the top level must be an object with a `marches` key, found {0}")]
    TopLevelNotObject(String),
    /// The DECP root key is missing.
    #[error("no `marches` key at the top level")]
    NoMarches,
    /// `marches` is neither `{"marche": [...]}` nor a bare array.
    #[error("`marches` must be an object or an array, found {0}")]
    MarchesWrongType(String),
    /// `marches` is an object without any of the lists the schema allows.
    #[error("`marches` holds neither `marche` nor `contrat-concession`")]
    NoRecordList,
    /// `marches.marche` or `marches.contrat-concession` is not an array.
    #[error("`marches.{key}` must be an array, found {found}")]
    RecordListWrongType { key: &'static str, found: String },
}

/// One record could not be mapped to an award. Names the record and the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("DECP record {}: {}{problem}", RecordLabel { id: id.as_deref(), position: *position }, FieldLabel(field))]
pub struct RecordError {
    /// The record's `id` when it is a readable string.
    pub id: Option<String>,
    /// 0-based place of the record in the file; set by [`super::import`], `None` from
    /// [`super::map_record`] which sees one record only. It identifies a record whose `id`
    /// is unreadable.
    pub position: Option<usize>,
    /// Path of the field at fault, e.g. `titulaires[0].titulaire.id`; empty when the record
    /// itself is at fault (not an object).
    pub field: String,
    pub problem: Problem,
}

/// Why a field was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("not a JSON object, found {0}")]
    NotAnObject(String),
    #[error("missing")]
    Missing,
    /// E.g. `"NC"` where a number is expected, or a number where a string is.
    #[error("expected {expected}, found {found}")]
    WrongType { expected: &'static str, found: String },
    #[error("empty")]
    Empty,
    #[error("not a SIRET (14 digits): {0:?}")]
    InvalidSiret(String),
    /// 14 digits whose Luhn checksum fails (La Poste's rule applied): published data holds
    /// such SIRETs; we refuse to record a contract under an establishment that cannot exist.
    #[error("SIRET checksum fails: {0:?}")]
    SiretChecksum(String),
    /// TVA, TAHITI, RIDET, FRWF, IREP, HORS-UE: the award identifies contractors by SIRET only.
    #[error("identifier type {0:?} cannot be imported: only SIRET")]
    UnsupportedIdentifier(String),
    #[error("not a CPV code (8 digits, optionally '-' and a check digit): {0:?}")]
    InvalidCpv(String),
    #[error("not a date as YYYY-MM-DD: {0:?}")]
    InvalidDate(String),
    #[error("must be greater than zero, found {0}")]
    NotPositive(String),
    #[error("out of range ({rule}), found {found}")]
    OutOfRange { rule: &'static str, found: String },
    #[error("unknown value {value:?}; the DECP vocabulary is {}", Choices(allowed))]
    UnknownVocabulary { value: String, allowed: &'static [&'static str] },
    /// A value listed twice where the schema wants each once (`uniqueItems`).
    #[error("listed twice: {0:?}")]
    Duplicate(String),
    /// E.g. "Pas de considération sociale" next to "Clause sociale".
    #[error("contradictory values: {0:?} with {1:?}")]
    Contradictory(String, String),
    /// A NUL, an escape sequence…: invisible, and U+0000 cannot even be stored. Line feeds and
    /// tabs are allowed in `objet` only.
    #[error("{0}")]
    ControlCharacter(suivi_proto::text::InvalidText),
}

impl RecordError {
    /// An error about `field` of the record `id`, position unknown yet.
    pub(crate) fn new(id: Option<&str>, field: impl Into<String>, problem: Problem) -> Self {
        RecordError { id: id.map(str::to_owned), position: None, field: field.into(), problem }
    }

    /// The same error, placed in its file.
    pub fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }
}

struct RecordLabel<'a> {
    id: Option<&'a str>,
    position: Option<usize>,
}

impl fmt::Display for RecordLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.id, self.position) {
            (Some(id), Some(position)) => write!(f, "{id:?} (#{position})"),
            (Some(id), None) => write!(f, "{id:?}"),
            (None, Some(position)) => write!(f, "#{position} (no readable id)"),
            (None, None) => f.write_str("(no readable id)"),
        }
    }
}

struct FieldLabel<'a>(&'a str);

impl fmt::Display for FieldLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, "`{}`: ", self.0)
        }
    }
}

struct Choices<'a>(&'a [&'a str]);

impl fmt::Display for Choices<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, choice) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{choice:?}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_names_the_record_and_the_field_in_its_message() {
        let error = RecordError::new(
            Some("2024-001"),
            "montant",
            Problem::WrongType { expected: "a number", found: "the string \"NC\"".into() },
        )
        .at(3);
        assert_eq!(
            error.to_string(),
            "DECP record \"2024-001\" (#3): `montant`: expected a number, found the string \"NC\""
        );
        let error = RecordError::new(None, "", Problem::NotAnObject("an array".into())).at(0);
        assert_eq!(error.to_string(), "DECP record #0 (no readable id): not a JSON object, found an array");
    }

    #[test]
    fn it_lists_the_vocabulary_when_a_value_is_unknown() {
        let problem = Problem::UnknownVocabulary { value: "Oui".into(), allowed: &["A", "B"] };
        assert_eq!(problem.to_string(), "unknown value \"Oui\"; the DECP vocabulary is \"A\", \"B\"");
    }
}
