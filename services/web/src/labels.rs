//! French names of what the log and the read models hold in English snake_case.

use suivi_domain::ContractStatus;
use suivi_proto::events::InsertionModality;
use suivi_proto::ActorKind;

/// What an event of a contract's timeline is called. An event type this build does not know
/// (written by a newer version) is shown as stored rather than hidden.
pub fn event_type(name: &str) -> &str {
    match name {
        "contract_awarded" => "Notification du marché",
        "contract_amended" => "Avenant",
        "contract_terminated" => "Résiliation",
        "advance_paid" => "Avance versée",
        "instalment_requested" => "Demande d'acompte et relevé d'heures",
        "statement_reviewed" => "Relevé d'heures examiné",
        "instalment_approved" => "Acompte approuvé",
        "instalment_paid" => "Acompte payé",
        "contract_settled" => "Décompte général et définitif",
        "penalty_notified" => "Pénalité envisagée notifiée au titulaire",
        "penalty_observations_received" => "Observations du titulaire reçues",
        "penalty_confirmed" => "Pénalité confirmée",
        "penalty_adjusted" => "Pénalité modifiée",
        "penalty_waived" => "Pénalité non appliquée",
        "fact_corrected" => "Correction d'une erreur de saisie",
        other => other,
    }
}

pub fn actor_kind(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Buyer => "Acheteur",
        ActorKind::Contractor => "Titulaire",
        ActorKind::Facilitator => "Facilitateur",
        ActorKind::Finance => "Finances",
        ActorKind::Admin => "Administrateur",
        ActorKind::System => "Suivi (automatique)",
    }
}

pub fn status(status: ContractStatus) -> &'static str {
    match status {
        ContractStatus::Awarded => "En cours",
        ContractStatus::Terminated => "Résilié",
        ContractStatus::Settled => "Soldé",
    }
}

/// The insertion modalities, in the order a form offers them, by their API names. The words
/// are the exports' (`suivi_reporting`'s labels), so a page and a spreadsheet say the same.
pub const MODALITIES: [(&str, InsertionModality); 7] = [
    ("direct_hire", InsertionModality::DirectHire),
    ("temporary_work_etti", InsertionModality::TemporaryWorkEtti),
    ("placement_ai", InsertionModality::PlacementAi),
    ("geiq", InsertionModality::Geiq),
    ("subcontracting_siae", InsertionModality::SubcontractingSiae),
    ("co_contracting_siae", InsertionModality::CoContractingSiae),
    ("training", InsertionModality::Training),
];

/// The status filter's values in the address bar, French like the rest of the page.
pub const STATUS_PARAMETERS: [(&str, ContractStatus); 3] = [
    ("en-cours", ContractStatus::Awarded),
    ("resilie", ContractStatus::Terminated),
    ("solde", ContractStatus::Settled),
];

/// Categories of people and modalities in the words of the spreadsheet exports, so a page and
/// its export name them alike.
pub use suivi_reporting::exports::labels::{category, modality};

#[cfg(test)]
mod tests {
    #[test]
    fn every_modality_is_offered_under_its_api_name() {
        for (name, modality) in super::MODALITIES {
            assert_eq!(serde_json::to_value(modality).expect("a name"), name);
        }
    }

    #[test]
    fn every_event_of_the_catalogue_has_a_french_name() {
        for name in suivi_proto::events::EVENT_TYPES {
            assert_ne!(super::event_type(name), *name, "{name} has no French label");
        }
    }
}
