//! Participants for tests that are not about the register: a firm can only declare hours for a
//! registered participant, so these tests name people by a short reference ("EMP-1") that
//! [`code_of`] turns into a participant code, and [`ensure_registered`] registers that
//! participant (eligible from 2000 to 2099, made-up identity, keys no test reads back) the first
//! time it is needed, as a facilitator would before the firm declares hours.

use chrono::NaiveDate;
use sqlx::PgPool;
use suivi_privacy::{context, Identity, KeyRing, SecretKey};
use suivi_proto::codes::{ParticipantCode, PARTICIPANT_CODE_ALPHABET};
use suivi_proto::events::{AgeBand, EligibleCategory, Gender, ParticipantEvent, ParticipantRegisteredV1};
use suivi_proto::events::{Prescriber, QualificationLevel};
use suivi_proto::{Actor, ActorKind, NewEvent, TenantId};
use suivi_store::participants::{register, Recorded, RegisterError, SealedIdentity};
use uuid::Uuid;

/// The participant code a test's reference stands for: the same reference, the same code.
pub fn code_of(reference: &str) -> String {
    let mut hash = reference
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    (0..8)
        .map(|_| {
            let c = char::from(PARTICIPANT_CODE_ALPHABET[(hash % 32) as usize]);
            hash /= 32;
            c
        })
        .collect()
}

/// Registers the participant `reference` stands for in `tenant` (with `category`), unless it is
/// already: its code.
pub async fn ensure_registered(
    pool: &PgPool,
    ring: &KeyRing,
    tenant: &TenantId,
    reference: &str,
    category: EligibleCategory,
) -> String {
    let code = code_of(reference);
    let day = |text: &str| text.parse::<NaiveDate>().unwrap();
    let identity =
        Identity { family_name: reference.to_owned(), given_names: "Test".into(), birth_date: day("1980-01-01") };
    let participant_id = Uuid::now_v7();
    let id = participant_id.to_string();
    let data_key = SecretKey::random();
    let wrapped = ring.wrap(&data_key, &context::participant_data_key(&id));
    let sealed = SealedIdentity {
        blind_index: identity.blind_index(&SecretKey::random()),
        identity: identity.seal(&data_key, &context::participant_identity(&id)),
        wrapped_key: wrapped.sealed,
        kek_id: wrapped.kek_id,
    };
    let registration = ParticipantRegisteredV1 {
        code: ParticipantCode::parse(&code).unwrap(),
        category,
        prescriber: Prescriber::FranceTravail,
        eligible_from: day("2000-01-01"),
        eligible_until: day("2099-12-31"),
        gender: Gender::NotStated,
        qualification: QualificationLevel::Level3,
        priority_neighbourhood_resident: false,
        age_band_at_entry: AgeBand::From26To49,
        registered_on: day("2000-01-01"),
    };
    let event =
        NewEvent::from_participant_event(&ParticipantEvent::Registered(registration.clone()), chrono::Utc::now());
    let actor = Actor { kind: ActorKind::System, id: "test-participants".into() };
    let recorded = Recorded { tenant, actor: &actor, correlation_id: Uuid::now_v7(), event: &event };
    match register(pool, participant_id, &registration, &sealed, recorded).await {
        Ok(()) | Err(RegisterError::CodeTaken(_)) => code,
        Err(other) => panic!("registering test participant {reference}: {other}"),
    }
}
