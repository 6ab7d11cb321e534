//! The examples of the participants' register: a registration, the participant as a facilitator
//! reads it, the list (no identities), an erasure. Made-up people.

use serde_json::{json, Value};

use super::examples::Example;

pub fn registration() -> Vec<Example> {
    vec![Example {
        name: "young_person_from_mission_locale",
        summary: "A young person without qualification, prescribed by the Mission locale",
        value: json!({
            "family_name": "Martin",
            "given_names": "Léa",
            "birth_date": "2001-03-14",
            "category": "young_low_qualification",
            "prescriber": "mission_locale",
            "eligible_from": "2024-02-01",
            "eligible_until": "2026-01-31",
            "gender": "female",
            "qualification": "below_level_3",
            "priority_neighbourhood_resident": true
        }),
    }]
}

pub fn erasure() -> Vec<Example> {
    vec![Example {
        name: "at_the_persons_request",
        summary: "Erased at the person's request",
        value: json!({ "reason": "Demande d'effacement de la personne (RGPD, art. 17)" }),
    }]
}

fn profile() -> Value {
    json!({
        "code": "K7M2QX9A",
        "category": "young_low_qualification",
        "prescriber": "mission_locale",
        "eligible_from": "2024-02-01",
        "eligible_until": "2026-01-31",
        "gender": "female",
        "qualification": "below_level_3",
        "priority_neighbourhood_resident": true,
        "age_band_at_entry": "under_26",
        "registered_on": "2024-02-05"
    })
}

/// The participant as a facilitator reads it (and as the registration answers).
pub fn participant() -> Value {
    let mut value = profile();
    value["identity"] = json!({ "family_name": "Martin", "given_names": "Léa", "birth_date": "2001-03-14" });
    value
}

/// The list: profiles, never identities.
pub fn list() -> Value {
    json!([profile()])
}

/// The participant once erased.
pub fn erased() -> Value {
    let mut value = profile();
    value["erased_on"] = json!("2025-11-30");
    value
}
