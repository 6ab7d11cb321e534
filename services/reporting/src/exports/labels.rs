//! French words for the values the read models store by their API names, as a spreadsheet
//! reader expects them: « Demandeur d'emploi de longue durée », not `long_term_jobseeker`.
//!
//! The read models store each enumeration by its serde name; a name this list does not know
//! (a value added later) is shown as stored rather than dropped.

use suivi_proto::events::{EligibleCategory, InsertionModality};

/// A contract's status (`awarded`, `terminated`, `settled`).
pub fn status(name: &str) -> &str {
    match name {
        "awarded" => "En cours d'exécution",
        "terminated" => "Résilié",
        "settled" => "Soldé",
        other => other,
    }
}

/// A statement line's review (`pending`, `validated`, `rejected`).
pub fn review(name: &str) -> &str {
    match name {
        "pending" => "À examiner",
        "validated" => "Validée",
        "rejected" => "Rejetée",
        other => other,
    }
}

/// A penalty decision (`confirmed`, `adjusted`, `waived`); none yet: « À décider ».
pub fn decision(name: Option<&str>) -> &str {
    match name {
        None => "À décider",
        Some("confirmed") => "Confirmée",
        Some("adjusted") => "Ajustée",
        Some("waived") => "Abandonnée",
        Some(other) => other,
    }
}

pub fn category(category: EligibleCategory) -> &'static str {
    match category {
        EligibleCategory::LongTermJobseeker => "Demandeur d'emploi de longue durée",
        EligibleCategory::MinimumIncomeRecipient => "Allocataire d'un minimum social (RSA…)",
        EligibleCategory::YoungLowQualification => "Jeune de moins de 26 ans peu qualifié",
        EligibleCategory::DisabilityRecognition => "Travailleur handicapé (RQTH)",
        EligibleCategory::SiaeEaEsatEmployee => "Salarié d'une SIAE, d'une EA ou d'un ESAT",
        EligibleCategory::PriorityNeighbourhoodResident => "Habitant d'un quartier prioritaire (QPV)",
        EligibleCategory::JobseekerOver50 => "Demandeur d'emploi de plus de 50 ans",
        EligibleCategory::CourtSupervision => "Personne placée sous main de justice",
        EligibleCategory::OtherEligible => "Autre public éligible",
    }
}

pub fn modality(modality: InsertionModality) -> &'static str {
    match modality {
        InsertionModality::DirectHire => "Embauche directe",
        InsertionModality::TemporaryWorkEtti => "Mise à disposition par une ETTI",
        InsertionModality::PlacementAi => "Mise à disposition par une association intermédiaire",
        InsertionModality::Geiq => "Recours à un GEIQ",
        InsertionModality::SubcontractingSiae => "Sous-traitance à une SIAE",
        InsertionModality::CoContractingSiae => "Cotraitance avec une SIAE",
        InsertionModality::Training => "Action de formation",
    }
}

/// A category stored by its serde name.
pub fn category_named(name: &str) -> String {
    named::<EligibleCategory>(name).map_or_else(|| name.to_owned(), |c| category(c).to_owned())
}

/// A modality stored by its serde name.
pub fn modality_named(name: &str) -> String {
    named::<InsertionModality>(name).map_or_else(|| name.to_owned(), |m| modality(m).to_owned())
}

/// A social or environmental consideration stored by its serde name: DECP's own words.
pub fn consideration(name: &str) -> &str {
    match name {
        "clause_sociale" => "Clause sociale",
        "critere_social" => "Critère social",
        "marche_reserve" => "Marché réservé",
        "pas_de_consideration_sociale" => "Pas de considération sociale",
        "clause_environnementale" => "Clause environnementale",
        "critere_environnemental" => "Critère environnemental",
        "pas_de_consideration_environnementale" => "Pas de considération environnementale",
        other => other,
    }
}

fn named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_in_french_and_unknown_ones_as_stored() {
        assert_eq!(category_named("long_term_jobseeker"), "Demandeur d'emploi de longue durée");
        assert_eq!(modality_named("direct_hire"), "Embauche directe");
        assert_eq!(category_named("new_public"), "new_public");
        assert_eq!(status("settled"), "Soldé");
        assert_eq!(decision(None), "À décider");
        assert_eq!(consideration("clause_sociale"), "Clause sociale");
    }
}
