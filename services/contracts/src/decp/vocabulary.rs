//! DECP v2.0.3 vocabularies (the schema's `enum`s) and their mapping onto the award.
//!
//! Values are matched exactly, accents and case included: the schema fixes the spelling, and a
//! guess ("Critere social" → "Critère social") could put a contract in the wrong indicator.

use suivi_proto::events::{EnvironmentalConsideration, SocialConsideration};

/// `procedure`.
pub(crate) const PROCEDURES: &[&str] = &[
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
];

/// `ccag`.
pub(crate) const CCAGS: &[&str] = &[
    "Travaux",
    "Maitrise d'œuvre",
    "Fournitures courantes et services",
    "Marchés industriels",
    "Prestations intellectuelles",
    "Techniques de l'information et de la communication",
    NO_CCAG,
];

/// The `ccag` value saying none applies: recorded as no CCAG.
pub(crate) const NO_CCAG: &str = "Pas de CCAG";

/// `considerationsSociales.considerationSociale[]`.
pub(crate) const SOCIAL: &[&str] = &["Clause sociale", "Critère social", "Marché réservé", NO_SOCIAL];
pub(crate) const NO_SOCIAL: &str = "Pas de considération sociale";

/// `considerationsEnvironnementales.considerationEnvironnementale[]`.
pub(crate) const ENVIRONMENTAL: &[&str] = &["Clause environnementale", "Critère environnemental", NO_ENVIRONMENTAL];
pub(crate) const NO_ENVIRONMENTAL: &str = "Pas de considération environnementale";

/// `titulaire.typeIdentifiant` that the award can hold.
pub(crate) const SIRET: &str = "SIRET";

pub(crate) fn social(value: &str) -> Option<SocialConsideration> {
    Some(match value {
        "Clause sociale" => SocialConsideration::ClauseSociale,
        "Critère social" => SocialConsideration::CritereSocial,
        "Marché réservé" => SocialConsideration::MarcheReserve,
        NO_SOCIAL => SocialConsideration::PasDeConsiderationSociale,
        _ => return None,
    })
}

pub(crate) fn environmental(value: &str) -> Option<EnvironmentalConsideration> {
    Some(match value {
        "Clause environnementale" => EnvironmentalConsideration::ClauseEnvironnementale,
        "Critère environnemental" => EnvironmentalConsideration::CritereEnvironnemental,
        NO_ENVIRONMENTAL => EnvironmentalConsideration::PasDeConsiderationEnvironnementale,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_maps_every_social_and_environmental_value_of_the_schema() {
        assert!(SOCIAL.iter().all(|v| social(v).is_some()));
        assert!(ENVIRONMENTAL.iter().all(|v| environmental(v).is_some()));
        assert_eq!(social("Marché réservé"), Some(SocialConsideration::MarcheReserve));
        assert_eq!(
            environmental("Pas de considération environnementale"),
            Some(EnvironmentalConsideration::PasDeConsiderationEnvironnementale)
        );
    }

    #[test]
    fn it_refuses_misspelt_values() {
        assert_eq!(social("Critere social"), None);
        assert_eq!(social("clause sociale"), None);
        assert_eq!(environmental("Clause sociale"), None);
    }
}
