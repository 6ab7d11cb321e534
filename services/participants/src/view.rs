//! A participant as the API shows it.

use chrono::NaiveDate;
use serde::Serialize;
use suivi_privacy::Identity;
use suivi_proto::events::ParticipantRegisteredV1;
use suivi_store::participants::RegisteredParticipant;

/// A participant: code and profile; its identity for a facilitator until it is erased.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ParticipantView {
    #[serde(flatten)]
    pub registration: ParticipantRegisteredV1,
    /// When its identity was erased; absent while it is kept.
    #[serde(skip_serializing_if = "Option::is_none", with = "suivi_proto::date::option")]
    #[schemars(with = "Option<NaiveDate>")]
    pub erased_on: Option<NaiveDate>,
    /// Who the person is: facilitators only, never after erasure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IdentityView {
    pub family_name: String,
    pub given_names: String,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub birth_date: NaiveDate,
}

impl ParticipantView {
    pub fn new(participant: RegisteredParticipant, identity: Option<Identity>) -> Self {
        ParticipantView {
            registration: participant.registration,
            erased_on: participant.erased_on,
            identity: identity.map(|identity| IdentityView {
                family_name: identity.family_name,
                given_names: identity.given_names,
                birth_date: identity.birth_date,
            }),
        }
    }
}
