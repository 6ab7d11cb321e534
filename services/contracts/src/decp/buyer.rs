//! `acheteur.nom`: the buyer's name, when a record gives one.
//!
//! DECP v2.0.3 identifies the buyer by `acheteur.id` (its SIRET) only; the v1 format had
//! `acheteur.nom`, and many published and consolidated files still write it (the v2 schema does
//! not forbid other keys in `acheteur`). The award event has no place for a name (a new event
//! version would), so the name goes to the tenant's list of buyers, for the indicators to show
//! beside the SIRET (`suivi import decp`). Not a field the award needs: a name that cannot be
//! kept is left out with a warning, and the record is imported all the same.

use suivi_proto::text::check_single_line;

use super::fields::{describe, Fields};

/// The longest name kept, as `tenant_buyers` holds it: official names are far shorter.
pub const BUYER_NAME_MAX_CHARS: usize = 250;

/// `nom` of the `acheteur` object, trimmed; `None` when absent, blank or unusable (then with a
/// warning saying why).
pub(crate) fn name(acheteur: &Fields<'_>, warnings: &mut Vec<String>) -> Option<String> {
    let value = acheteur.optional("nom")?;
    let path = acheteur.path("nom");
    let Some(text) = value.as_str() else {
        warnings.push(format!("`{path}` ignored: expected a string, found {}", describe(value)));
        return None;
    };
    let name = text.trim();
    if name.is_empty() {
        return None;
    }
    if name.chars().count() > BUYER_NAME_MAX_CHARS {
        warnings.push(format!("`{path}` ignored: longer than {BUYER_NAME_MAX_CHARS} characters"));
        return None;
    }
    if let Err(invalid) = check_single_line(name) {
        warnings.push(format!("`{path}` ignored: {invalid}"));
        return None;
    }
    Some(name.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn read(acheteur: Value) -> (Option<String>, Vec<String>) {
        let record = json!({ "acheteur": acheteur });
        let object = record.as_object().cloned().unwrap_or_default();
        let f = Fields::record(Some("M1"), &object);
        let mut warnings = Vec::new();
        let name = f.child("acheteur").ok().and_then(|acheteur| name(&acheteur, &mut warnings));
        (name, warnings)
    }

    #[test]
    fn it_reads_the_name_trimmed_when_given() {
        assert_eq!(
            read(json!({ "id": "x", "nom": " Commune de Rennes " })),
            (Some("Commune de Rennes".into()), vec![])
        );
        assert_eq!(read(json!({ "id": "x" })), (None, vec![]));
        assert_eq!(read(json!({ "id": "x", "nom": null })), (None, vec![]));
        assert_eq!(read(json!({ "id": "x", "nom": "  " })), (None, vec![]));
    }

    #[test]
    fn an_unusable_name_is_left_out_with_a_warning_not_a_rejection() {
        let (name, warnings) = read(json!({ "id": "x", "nom": 35238 }));
        assert_eq!(name, None);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("`acheteur.nom` ignored: expected a string"), "{warnings:?}");
        let (name, warnings) = read(json!({ "id": "x", "nom": "Ville\u{1b}[31m" }));
        assert_eq!((name, warnings.len()), (None, 1));
        let (name, warnings) = read(json!({ "id": "x", "nom": "A".repeat(251) }));
        assert_eq!((name, warnings.len()), (None, 1));
        assert_eq!(read(json!({ "id": "x", "nom": "A".repeat(250) })).0.map(|name| name.len()), Some(250));
    }
}
