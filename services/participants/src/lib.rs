//! Facilitators' register of participants: the people the insertion clauses are for.
//!
//! A facilitator registers a person whose eligibility a prescriber confirmed; Suivi draws a code
//! the facilitator hands to the firm, which names the person by it on its hour statements. The
//! identity is sealed under the participant's own key and can be erased for good; the log, NATS
//! and the read models carry only the code and profile brackets (see `docs/privacy.md`).

mod body;
mod erase;
mod keys;
mod read;
mod register;
mod view;

use suivi_http::routes::{Doc, Query, Routes};
use suivi_http::ProblemCode;

pub use body::{ErasureBody, RegistrationBody};
pub use keys::{rewrap_all, tenant_index_key, Rewrapped};
pub use register::{register_participant, NewParticipant, RegistrationError};
pub use view::{IdentityView, ParticipantView};

/// Every route of the register, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/participants",
            register::register,
            Doc::registration(
                "registerParticipant",
                "participants",
                "Register a participant (inscription d'un participant)",
                "The facilitator registers a person whose eligibility the prescriber confirmed: identity, eligible \
                 category, prescriber, eligibility period and the profile indicators count. Suivi answers the \
                 participant's code (8 characters, e.g. `K7M2QX9A`), to hand to the firm: statements name the \
                 person by it. The identity is encrypted under the participant's own key and never leaves the \
                 register (events, NATS messages and read models carry the code and profile brackets only). The \
                 same person registered twice — family name, given names and birth date compared without case, \
                 accents, spaces or hyphens — is refused with the code it already has (`Location`).",
                "The person and the profile of the registration.",
                "The participant registered, with its code.",
            )
            .problems(&[ProblemCode::ParticipantAlreadyRegistered, ProblemCode::RegisterUnavailable]),
        )
        .get(
            "/api/participants",
            read::list,
            Doc::read(
                "listParticipants",
                "participants",
                "List the register's participants",
                "Code and profile of each participant of the organisation, in code order, by pages (`limit`, \
                 `cursor`). Never identities: a facilitator reads one participant's identity at \
                 `GET /api/participants/{code}`.",
                "The participants, code and profile only.",
            )
            .query(Query {
                parameters: &["Limit", "Cursor"],
                parse: |query| read::list_query(query).map(drop),
                refused: &[("limit_out_of_range", "limit=0")],
            }),
        )
        .get(
            "/api/participants/{code}",
            read::one,
            Doc::read(
                "getParticipant",
                "participants",
                "Read one participant",
                "Code, profile and erasure of a participant; its identity too for a facilitator, until it is \
                 erased. Buyers and admins see no identity.",
                "The participant.",
            )
            .problems(&[ProblemCode::RegisterUnavailable]),
        )
        .post(
            "/api/participants/{code}/erasure",
            erase::erase,
            Doc::register_change(
                "eraseParticipant",
                "participants",
                "Erase a participant's identity (effacement, RGPD art. 17)",
                "Destroys the key that seals the participant's identity, with a reason recorded as a \
                 `participant_erased` event: from then on no copy of the database, the log or its backups can \
                 tell who the code was. The code, profile and hours stay, so indicators do not change; no new \
                 hours may be declared for it.",
                "Why the identity is erased.",
                "The participant, erased.",
            )
            .problems(&[ProblemCode::ParticipantAlreadyErased]),
        )
}
