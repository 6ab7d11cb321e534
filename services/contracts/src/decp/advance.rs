//! `attributionAvance` + `tauxAvance` → advance terms.
//!
//! DECP says whether an advance was granted and at which rate of the amount (0.1 = 10 %, the
//! award's own convention). Guarantee and recovery pace are not published: they come from
//! [`ImportDefaults`]. A granted advance with rate 0 means "rate unknown" (schema
//! description); it is never recorded as a 0 % advance.

use suivi_proto::events::AdvanceTerms;
use suivi_proto::quantities::Share;

use super::defaults::ImportDefaults;
use super::error::{Problem, RecordError};
use super::fields::Fields;

pub(crate) fn read(
    record: &Fields<'_>,
    defaults: &ImportDefaults,
    warnings: &mut Vec<String>,
) -> Result<Option<AdvanceTerms>, RecordError> {
    let granted = record.optional_bool("attributionAvance")?;
    // Parsed once here: a rate outside [0, 1] is not a `Share`.
    let rate = match record.optional_decimal("tauxAvance")? {
        Some(rate) => Some(Share::new(rate).ok_or_else(|| {
            let rule = "a fraction between 0 and 1, 0.1 being 10 %";
            record.fail("tauxAvance", Problem::OutOfRange { rule, found: rate.to_string() })
        })?),
        None => None,
    };
    let rate = rate.filter(|r| !r.is_zero());
    let terms = |rate: Share| AdvanceTerms {
        rate,
        with_guarantee: defaults.advance_with_guarantee,
        recovery: defaults.advance_recovery.clone(),
    };
    match (granted, rate) {
        (Some(true), Some(rate)) => Ok(Some(terms(rate))),
        (Some(true), None) => match defaults.unknown_advance_rate {
            Some(assumed) => {
                warnings.push(format!("advance granted at an unknown rate: recorded at the import default {assumed}"));
                Ok(Some(terms(assumed)))
            }
            None => {
                warnings
                    .push("advance granted at an unknown rate (`tauxAvance` 0 or absent): no advance terms".to_owned());
                Ok(None)
            }
        },
        (Some(false), Some(rate)) => {
            warnings.push(format!("`tauxAvance` {rate} ignored: `attributionAvance` is false"));
            Ok(None)
        }
        (Some(false), None) => Ok(None),
        (None, _) => {
            warnings.push("`attributionAvance` is missing: no advance terms recorded".to_owned());
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{json, Value};
    use suivi_proto::events::AdvanceRecovery;

    use super::*;

    fn advance(record: Value, defaults: &ImportDefaults) -> (Result<Option<AdvanceTerms>, RecordError>, Vec<String>) {
        let mut warnings = Vec::new();
        let result = read(&Fields::record(Some("R"), record.as_object().unwrap()), defaults, &mut warnings);
        (result, warnings)
    }

    #[test]
    fn it_records_a_granted_advance_at_its_rate_with_the_default_terms() {
        let (terms, warnings) =
            advance(json!({"attributionAvance": true, "tauxAvance": 0.3}), &ImportDefaults::default());
        let terms = terms.unwrap().unwrap();
        assert_eq!(terms.rate.to_string(), "0.3");
        assert!(!terms.with_guarantee);
        assert_eq!(terms.recovery, AdvanceRecovery::Proportional {});
        assert!(warnings.is_empty());
    }

    #[test]
    fn it_records_no_terms_when_the_rate_is_unknown_unless_a_default_is_given() {
        let (terms, warnings) =
            advance(json!({"attributionAvance": true, "tauxAvance": 0}), &ImportDefaults::default());
        assert_eq!(terms, Ok(None));
        assert_eq!(warnings.len(), 1);
        let defaults = ImportDefaults {
            unknown_advance_rate: Share::new(rust_decimal::Decimal::new(5, 2)),
            ..ImportDefaults::default()
        };
        let (terms, _) = advance(json!({"attributionAvance": true}), &defaults);
        assert_eq!(terms.unwrap().unwrap().rate.to_string(), "0.05");
    }

    #[test]
    fn it_records_no_terms_when_no_advance_was_granted() {
        let (terms, warnings) =
            advance(json!({"attributionAvance": false, "tauxAvance": 0}), &ImportDefaults::default());
        assert_eq!(terms, Ok(None));
        assert!(warnings.is_empty());
        let (terms, warnings) =
            advance(json!({"attributionAvance": false, "tauxAvance": 0.1}), &ImportDefaults::default());
        assert_eq!(terms, Ok(None));
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn it_refuses_a_percent_given_for_a_fraction_and_a_string_for_a_boolean() {
        let (terms, _) = advance(json!({"attributionAvance": true, "tauxAvance": 30}), &ImportDefaults::default());
        assert!(matches!(terms.unwrap_err().problem, Problem::OutOfRange { .. }));
        let (terms, _) = advance(json!({"attributionAvance": "oui"}), &ImportDefaults::default());
        let error = terms.unwrap_err();
        assert_eq!(error.field, "attributionAvance");
        assert!(matches!(error.problem, Problem::WrongType { expected: "true or false", .. }));
    }
}
