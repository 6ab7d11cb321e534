//! `titulaires[].titulaire{typeIdentifiant, id}` → the award's contractors.

use suivi_proto::codes::Siret;
use suivi_proto::events::{CompanySize, Contractor, ContractorRole};

use super::codes;
use super::error::{Problem, RecordError};
use super::fields::{describe, Fields};
use super::vocabulary;

/// Reads the contractors. One is `sole`; with several, DECP does not say who leads the group,
/// so the first listed is recorded as `lead` (buyers list the *mandataire* first) and the others
/// as `co_contractor`. A SIRET listed twice is kept once. Sizes are not in DECP: `size` is
/// the import default, and a warning says so.
///
/// Items are read as the schema writes them, `{"titulaire": {..}}`, or bare `{..}` as the
/// 2019 format and some converters do.
pub(crate) fn read(
    record: &Fields<'_>,
    size: CompanySize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Contractor>, RecordError> {
    let items = record.array("titulaires")?;
    if items.is_empty() {
        return Err(record.fail("titulaires", Problem::Empty));
    }
    let mut sirets: Vec<Siret> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("titulaires[{i}]");
        let item = item.as_object().ok_or_else(|| {
            let found = describe(item);
            RecordError::new(record.id, item_path.clone(), Problem::WrongType { expected: "an object", found })
        })?;
        let item = record.nested(item, item_path);
        let titulaire = if item.optional("titulaire").is_some() { item.child("titulaire")? } else { item };
        let kind = titulaire.string("typeIdentifiant")?;
        if kind != vocabulary::SIRET {
            return Err(titulaire.fail("typeIdentifiant", Problem::UnsupportedIdentifier(kind.to_owned())));
        }
        let siret = codes::siret(&titulaire, "id")?;
        if sirets.contains(&siret) {
            warnings.push(format!("contractor {siret} is listed twice in `titulaires`: kept once"));
        } else {
            sirets.push(siret);
        }
    }
    let sole = sirets.len() == 1;
    let contractors: Vec<Contractor> = sirets
        .into_iter()
        .enumerate()
        .map(|(i, siret)| {
            let role = match (sole, i) {
                (true, _) => ContractorRole::Sole,
                (false, 0) => ContractorRole::Lead,
                (false, _) => ContractorRole::CoContractor,
            };
            Contractor { siret, size, role }
        })
        .collect();
    let size_name = match size {
        CompanySize::Tpe => "tpe",
        CompanySize::Pme => "pme",
        CompanySize::Eti => "eti",
        CompanySize::Ge => "ge",
    };
    warnings.push(format!("company size is not in DECP: every contractor recorded as {size_name}, to be checked"));
    Ok(contractors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{json, Value};

    use super::*;

    fn contractors_of(titulaires: Value) -> Result<Vec<Contractor>, RecordError> {
        let record = json!({ "titulaires": titulaires });
        read(&Fields::record(Some("R"), record.as_object().unwrap()), CompanySize::Pme, &mut Vec::new())
    }

    fn titulaire(id: &str) -> Value {
        json!({"titulaire": {"typeIdentifiant": "SIRET", "id": id}})
    }

    #[test]
    fn it_makes_the_only_contractor_sole() {
        let contractors = contractors_of(json!([titulaire("55204599900869")])).unwrap();
        assert_eq!(contractors.len(), 1);
        assert_eq!((contractors[0].siret.as_str(), contractors[0].role), ("55204599900869", ContractorRole::Sole));
        assert_eq!(contractors[0].size, CompanySize::Pme);
    }

    #[test]
    fn it_makes_the_first_of_a_group_lead_and_drops_repeats() {
        let contractors = contractors_of(json!([
            titulaire("38103128500491"),
            titulaire("55204599900869"),
            titulaire("38103128500491"),
        ]))
        .unwrap();
        let roles: Vec<_> = contractors.iter().map(|c| (c.siret.as_str(), c.role)).collect();
        assert_eq!(roles, [("38103128500491", ContractorRole::Lead), ("55204599900869", ContractorRole::CoContractor)]);
    }

    #[test]
    fn it_reads_bare_items_of_the_2019_format() {
        let contractors = contractors_of(json!([{"typeIdentifiant": "SIRET", "id": "55204599900869"}])).unwrap();
        assert_eq!(contractors[0].siret.as_str(), "55204599900869");
    }

    #[test]
    fn it_refuses_identifiers_other_than_siret() {
        let error =
            contractors_of(json!([{"titulaire": {"typeIdentifiant": "TVA", "id": "FR12345678901"}}])).unwrap_err();
        assert_eq!(error.field, "titulaires[0].titulaire.typeIdentifiant");
        assert_eq!(error.problem, Problem::UnsupportedIdentifier("TVA".into()));
    }

    #[test]
    fn it_refuses_an_empty_list_and_a_non_object_item() {
        assert_eq!(contractors_of(json!([])).unwrap_err().problem, Problem::Empty);
        let error = contractors_of(json!(["55204599900869"])).unwrap_err();
        assert_eq!(error.field, "titulaires[0]");
    }
}
