//! `POST /api/participants`: a facilitator registers a participant.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use rand::Rng as _;
use sqlx::PgPool;
use suivi_application::{business_today, Principal};
use suivi_http::policies::Facilitators;
use suivi_http::{AppState, JsonBody, Problem, ProblemCode, Registered, Registrar};
use suivi_privacy::{context, Identity, KeyRing, SecretKey};
use suivi_proto::codes::{ParticipantCode, PARTICIPANT_CODE_ALPHABET};
use suivi_proto::events::{
    AgeBand, EligibleCategory, Gender, ParticipantEvent, ParticipantRegisteredV1, Prescriber, QualificationLevel,
};
use suivi_proto::NewEvent;
use suivi_store::participants::{self, Recorded, RegisterError, RegisteredParticipant, SealedIdentity};
use uuid::Uuid;

use crate::body::RegistrationBody;
use crate::keys;
use crate::view::ParticipantView;

/// Codes drawn before giving up: with 32⁸ codes, a tenant would need billions of participants
/// for one draw in a thousand to collide.
const CODE_DRAWS: usize = 8;

fn draw_code() -> ParticipantCode {
    let mut rng = rand::rng();
    let code: String = (0..8)
        .map(|_| char::from(PARTICIPANT_CODE_ALPHABET[rng.random_range(0..PARTICIPANT_CODE_ALPHABET.len())]))
        .collect();
    ParticipantCode::parse(&code).unwrap_or_else(|_| unreachable!("drawn from the code alphabet"))
}

/// A person to register, as checked by the edge.
pub struct NewParticipant {
    pub identity: Identity,
    pub category: EligibleCategory,
    pub prescriber: Prescriber,
    pub eligible_from: NaiveDate,
    pub eligible_until: NaiveDate,
    pub gender: Gender,
    pub qualification: QualificationLevel,
    pub priority_neighbourhood_resident: bool,
}

/// Why a participant was not registered.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("this person is already registered, as participant {0}")]
    AlreadyRegistered(ParticipantCode),
    #[error("no free participant code after {CODE_DRAWS} draws")]
    NoFreeCode,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Registers `person` in `principal`'s tenant on `today`: seals the identity under a new data
/// key, draws a code, and records the register row with its `participant_registered` event.
pub async fn register_participant(
    pool: &PgPool,
    vault: &KeyRing,
    tenant_key: &SecretKey,
    principal: &Principal,
    correlation_id: Uuid,
    person: &NewParticipant,
    today: NaiveDate,
) -> Result<RegisteredParticipant, RegistrationError> {
    let participant_id = Uuid::now_v7();
    let id_text = participant_id.to_string();
    let data_key = SecretKey::random();
    let wrapped = vault.wrap(&data_key, &context::participant_data_key(&id_text));
    let sealed = SealedIdentity {
        blind_index: person.identity.blind_index(tenant_key),
        identity: person.identity.seal(&data_key, &context::participant_identity(&id_text)),
        wrapped_key: wrapped.sealed,
        kek_id: wrapped.kek_id,
    };
    for _ in 0..CODE_DRAWS {
        let registration = ParticipantRegisteredV1 {
            code: draw_code(),
            category: person.category,
            prescriber: person.prescriber,
            eligible_from: person.eligible_from,
            eligible_until: person.eligible_until,
            gender: person.gender,
            qualification: person.qualification,
            priority_neighbourhood_resident: person.priority_neighbourhood_resident,
            age_band_at_entry: AgeBand::on(person.identity.birth_date, person.eligible_from),
            registered_on: today,
        };
        let event = NewEvent::from_participant_event(&ParticipantEvent::Registered(registration.clone()), Utc::now());
        let recorded = Recorded { tenant: &principal.tenant, actor: &principal.actor, correlation_id, event: &event };
        match participants::register(pool, participant_id, &registration, &sealed, recorded).await {
            Ok(()) => {
                tracing::info!(code = %registration.code, "participant registered");
                return Ok(RegisteredParticipant { participant_id, registration, erased_on: None });
            }
            Err(RegisterError::CodeTaken(_)) => continue,
            Err(RegisterError::AlreadyRegistered { code }) => return Err(RegistrationError::AlreadyRegistered(code)),
            Err(RegisterError::Database(e)) => return Err(e.into()),
        }
    }
    Err(RegistrationError::NoFreeCode)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn register(
    registrar: Registrar<Facilitators>,
    State(state): State<AppState>,
    JsonBody(body, _digest): JsonBody<RegistrationBody>,
) -> Result<Registered<ParticipantView>, Response> {
    let today = business_today();
    body.check(today).map_err(IntoResponse::into_response)?;
    let principal = &registrar.caller.principal;
    let vault = keys::vault(&state).map_err(IntoResponse::into_response)?;
    let tenant_key =
        keys::tenant_index_key(&state.pool, vault, &principal.tenant).await.map_err(IntoResponse::into_response)?;
    let person = body.into_new_participant();
    match register_participant(&state.pool, vault, &tenant_key, principal, registrar.request_id.0, &person, today).await
    {
        Ok(participant) => {
            let location = format!("/api/participants/{}", participant.registration.code);
            Ok(Registered { location, body: ParticipantView::new(participant, Some(person.identity)) })
        }
        Err(RegistrationError::AlreadyRegistered(code)) => Err(already_registered(&code)),
        Err(RegistrationError::Database(e)) => Err(Problem::unavailable(&e).into_response()),
        Err(no_code) => Err(Problem::internal(&no_code).into_response()),
    }
}

/// 409, with the existing participant's code in the text and in `Location`.
fn already_registered(code: &ParticipantCode) -> Response {
    let mut response = Problem::of(ProblemCode::ParticipantAlreadyRegistered)
        .detail(
            format!("cette personne est déjà inscrite sous le code {code}"),
            format!("this person is already registered with code {code}"),
        )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/participants/{code}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
