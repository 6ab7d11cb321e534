//! An award → one DECP v2.0.3 `marche` record, valid against the official schema, that the
//! import reads back as the same contract (so re-importing an export records nothing).
//!
//! # The record's `id`
//!
//! DECP ids are 1 to 16 characters; a contract id (a UUID) does not fit, and the award does not
//! keep the DECP id an import read (nor has a contract awarded through the API one). So the
//! export names each contract `S` + the last 15 hexadecimal digits of its id ([`export_id`]):
//! 60 random bits of a UUID v7 or v5, unique in practice among one buyer's contracts notified
//! on one day. The import recognises that form ([`exported_suffix`]) and looks the contract up
//! by buyer, notification date and suffix, instead of deriving a new id from it.
//!
//! # What Suivi does not hold
//!
//! The schema requires fields the award has no place for. They are written as below, the
//! neutral value of their vocabulary where it has one; a buyer publishing the file on
//! data.gouv.fr completes them first (`docs/guides/acheteur.md`):
//!
//! | field | written |
//! |---|---|
//! | `nature` | "Marché" (concessions are not followed) |
//! | `techniques`, `modalitesExecution` | "Sans objet" |
//! | `marcheInnovant`, `sousTraitanceDeclaree` | false |
//! | `offresRecues` | 1 (the schema's minimum) |
//! | `typeGroupementOperateurs` | "Pas de groupement" for one contractor, "Conjoint" for several |
//! | `lieuExecution` | "FR", "Code pays" |
//! | `typesPrix`, `formePrix` | "Définitif ferme", "Forfaitaire" |
//! | `datePublicationDonnees` | the date of the export |
//!
//! Amendments are not written as `modifications`: `montant` and `dureeMois` are the award's,
//! as the schema wants the initial values.

use chrono::NaiveDate;
use serde_json::{json, Number, Value};
use suivi_proto::events::{ContractAwardedV1, ContractorRole, EnvironmentalConsideration, SocialConsideration};
use uuid::Uuid;

use super::vocabulary;

/// Where the export id starts: `S` then hexadecimal digits.
const PREFIX: char = 'S';
/// Hexadecimal digits of the contract id kept: 16 characters with the prefix, DECP's maximum.
const DIGITS: usize = 15;

/// The DECP id of a contract: `S` + the last 15 hexadecimal digits of its id.
pub fn export_id(contract_id: Uuid) -> String {
    let hex = contract_id.simple().to_string();
    format!("{PREFIX}{}", &hex[hex.len() - DIGITS..])
}

/// The contract id's last digits when `decp_id` has the form [`export_id`] writes.
pub fn exported_suffix(decp_id: &str) -> Option<&str> {
    let digits = decp_id.strip_prefix(PREFIX)?;
    (digits.len() == DIGITS && digits.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(digits)
}

/// The `marche` record of `award`, exported on `exported_on`.
pub fn record(contract_id: Uuid, award: &ContractAwardedV1, exported_on: NaiveDate) -> Value {
    let mut contractors: Vec<_> = award.contractors.iter().collect();
    // The import takes the first listed as the lead.
    contractors.sort_by_key(|c| c.role != ContractorRole::Lead && c.role != ContractorRole::Sole);
    let titulaires: Vec<Value> = contractors
        .iter()
        .map(|c| json!({ "titulaire": { "typeIdentifiant": vocabulary::SIRET, "id": c.siret.as_str() } }))
        .collect();
    let grouping = if contractors.len() > 1 { "Conjoint" } else { "Pas de groupement" };
    let mut record = json!({
        "id": export_id(contract_id),
        "acheteur": { "id": award.buyer_siret.as_str() },
        "nature": "Marché",
        "objet": award.object,
        "codeCPV": award.cpv_code.as_str(),
        "techniques": { "technique": ["Sans objet"] },
        "modalitesExecution": { "modaliteExecution": ["Sans objet"] },
        "marcheInnovant": false,
        "ccag": award.ccag.as_deref().unwrap_or(vocabulary::NO_CCAG),
        "offresRecues": 1,
        "attributionAvance": award.advance_terms.is_some(),
        "typeGroupementOperateurs": grouping,
        "sousTraitanceDeclaree": false,
        "procedure": award.procedure,
        "lieuExecution": { "code": "FR", "typeCode": "Code pays" },
        "dureeMois": award.duration_months,
        "dateNotification": award.notification_date.to_string(),
        "datePublicationDonnees": exported_on.to_string(),
        "montant": number(award.amount_ht.amount().to_string()),
        "typesPrix": { "typePrix": ["Définitif ferme"] },
        "formePrix": "Forfaitaire",
        "titulaires": titulaires,
        "considerationsSociales": { "considerationSociale": social(&award.social_considerations) },
        "considerationsEnvironnementales": {
            "considerationEnvironnementale": environmental(&award.environmental_considerations)
        },
    });
    if let Some(terms) = &award.advance_terms {
        record["tauxAvance"] = number(terms.rate.value().to_string());
    }
    record
}

/// A JSON number from the decimal's text. Amounts are at most 10¹² with cents (15 significant
/// digits), which a double holds exactly enough to print back the same decimal.
fn number(decimal: String) -> Value {
    decimal.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::Null, Value::Number)
}

fn social(values: &[SocialConsideration]) -> Vec<&'static str> {
    let words: Vec<&'static str> = values
        .iter()
        .map(|value| match value {
            SocialConsideration::ClauseSociale => "Clause sociale",
            SocialConsideration::CritereSocial => "Critère social",
            SocialConsideration::MarcheReserve => "Marché réservé",
            SocialConsideration::PasDeConsiderationSociale => vocabulary::NO_SOCIAL,
        })
        .collect();
    // The schema wants at least one value: none stated is "none".
    if words.is_empty() {
        vec![vocabulary::NO_SOCIAL]
    } else {
        words
    }
}

fn environmental(values: &[EnvironmentalConsideration]) -> Vec<&'static str> {
    let words: Vec<&'static str> = values
        .iter()
        .map(|value| match value {
            EnvironmentalConsideration::ClauseEnvironnementale => "Clause environnementale",
            EnvironmentalConsideration::CritereEnvironnemental => "Critère environnemental",
            EnvironmentalConsideration::PasDeConsiderationEnvironnementale => vocabulary::NO_ENVIRONMENTAL,
        })
        .collect();
    if words.is_empty() {
        vec![vocabulary::NO_ENVIRONMENTAL]
    } else {
        words
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::decp::{map_record, ImportDefaults};
    use suivi_proto::TenantId;

    fn award() -> ContractAwardedV1 {
        serde_json::from_value(json!({
            "buyer_siret": "20004869500015", "buyer_kind": "local_authority",
            "contractors": [
                { "siret": "44306184100047", "size": "pme", "role": "co_contractor" },
                { "siret": "73282932000074", "size": "pme", "role": "lead" }
            ],
            "object": "Réhabilitation du gymnase\nlot 2", "cpv_code": "45212222-8",
            "procedure": "Appel d'offres ouvert", "amount_ht": "1234567.89", "vat_rate": "0.20",
            "duration_months": 24, "notification_date": "2025-01-15",
            "social_considerations": ["clause_sociale", "critere_social"], "environmental_considerations": [],
            "advance_terms": { "rate": "0.05", "with_guarantee": false, "recovery": { "kind": "proportional" } },
            "payment_term_days": 30
        }))
        .unwrap()
    }

    #[test]
    fn the_import_reads_an_exported_record_back_as_the_same_award_terms() {
        let award = award();
        let id = uuid::uuid!("0193a1c2-7b5e-7000-8abc-def012345678");
        let record = record(id, &award, NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        let tenant = TenantId::parse("grand-agglo").unwrap();
        let mapped = map_record(&record, &tenant, &ImportDefaults::default()).unwrap();
        assert_eq!(mapped.decp_id, "Sabcdef012345678");
        let read = mapped.award;
        assert_eq!(read.buyer_siret, award.buyer_siret);
        assert_eq!((read.object.as_str(), read.cpv_code.as_str()), (award.object.as_str(), "45212222-8"));
        assert_eq!((read.procedure.as_str(), read.ccag.as_deref()), ("Appel d'offres ouvert", None));
        assert_eq!(read.amount_ht, award.amount_ht);
        assert_eq!((read.duration_months, read.notification_date), (24, award.notification_date));
        assert_eq!(read.social_considerations, award.social_considerations);
        assert_eq!(
            read.environmental_considerations,
            vec![EnvironmentalConsideration::PasDeConsiderationEnvironnementale]
        );
        assert_eq!(read.advance_terms.map(|terms| terms.rate), award.advance_terms.map(|terms| terms.rate));
        // The lead first: the import takes the first listed as the lead.
        let sirets: Vec<&str> = read.contractors.iter().map(|c| c.siret.as_str()).collect();
        assert_eq!(sirets, ["73282932000074", "44306184100047"]);
        assert_eq!(read.contractors[0].role, ContractorRole::Lead);
    }

    #[test]
    fn the_export_id_fits_decp_and_is_recognised() {
        let id = uuid::uuid!("0193a1c2-7b5e-7000-8abc-def012345678");
        assert_eq!(export_id(id), "Sabcdef012345678");
        assert_eq!(exported_suffix("Sabcdef012345678"), Some("abcdef012345678"));
        assert_eq!(exported_suffix("TEST2022"), None);
        assert_eq!(exported_suffix("SABCDEF012345678"), None);
        assert_eq!(exported_suffix("Sabcdef01234567"), None);
    }
}
