//! The register of participants, as stored: the `participants` table (code, profile, erasure),
//! the sealed identities with their wrapped data keys, the tenants' wrapped blind-index keys, and
//! the hours counted per participant and month. Each change is written in the same transaction as
//! the participant's event (see the participants migration for what lives where, and why).
//!
//! This module stores bytes it cannot read: sealing and wrapping are `suivi_privacy`'s, done by
//! the participants service before anything reaches here.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use suivi_domain::participants::{HoursChange, HoursDelta, ParticipantFact, ParticipantFacts};
use suivi_domain::plausibility::CalendarMonth;
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::ParticipantRegisteredV1;
use suivi_proto::quantities::Hours;
use suivi_proto::{Actor, NewEvent, TenantId};
use uuid::Uuid;

use crate::event_store::{insert_events, AppendError, AppendRequest};

/// A participant as the register holds it: its registration (code and profile brackets), and
/// when it was erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredParticipant {
    pub participant_id: Uuid,
    pub registration: ParticipantRegisteredV1,
    pub erased_on: Option<NaiveDate>,
}

/// Who a participant is, as stored: sealed, with its data key wrapped by the KEK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedIdentity {
    pub blind_index: [u8; 32],
    pub identity: Vec<u8>,
    pub wrapped_key: Vec<u8>,
    pub kek_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("this person is already registered, as participant {code}")]
    AlreadyRegistered { code: ParticipantCode },
    #[error("code {0} is already taken in this tenant")]
    CodeTaken(ParticipantCode),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("no participant {0} in this tenant")]
    Unknown(ParticipantCode),
    #[error("participant {code} was already erased on {erased_on}")]
    AlreadyErased { code: ParticipantCode, erased_on: NaiveDate },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What the event of a change to the register is appended with.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub tenant: &'a TenantId,
    pub actor: &'a Actor,
    pub correlation_id: Uuid,
    pub event: &'a NewEvent,
}

impl Recorded<'_> {
    fn append_request(&self, participant_id: Uuid, expected_version: i64) -> AppendRequest<'_> {
        AppendRequest {
            tenant: self.tenant,
            stream_id: participant_id,
            expected_version,
            actor: self.actor,
            correlation_id: self.correlation_id,
            causation_id: None,
            idempotency_key: None,
            request_digest: None,
            events: std::slice::from_ref(self.event),
        }
    }
}

const COLUMNS: &str = "participant_id, code, category, prescriber, gender, qualification,
    priority_neighbourhood_resident, age_band, eligible_from, eligible_until, registered_on, erased_on";

fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("vocabulary enums serialise to their snake_case name"),
    }
}

fn vocabulary<T: serde::de::DeserializeOwned>(name: String) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(name)).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn participant_from_row(row: &PgRow) -> Result<RegisteredParticipant, sqlx::Error> {
    let code: String = row.try_get("code")?;
    Ok(RegisteredParticipant {
        participant_id: row.try_get("participant_id")?,
        registration: ParticipantRegisteredV1 {
            code: ParticipantCode::parse(&code).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            category: vocabulary(row.try_get("category")?)?,
            prescriber: vocabulary(row.try_get("prescriber")?)?,
            eligible_from: row.try_get("eligible_from")?,
            eligible_until: row.try_get("eligible_until")?,
            gender: vocabulary(row.try_get("gender")?)?,
            qualification: vocabulary(row.try_get("qualification")?)?,
            priority_neighbourhood_resident: row.try_get("priority_neighbourhood_resident")?,
            age_band_at_entry: vocabulary(row.try_get("age_band")?)?,
            registered_on: row.try_get("registered_on")?,
        },
        erased_on: row.try_get("erased_on")?,
    })
}

/// Registers a participant: its register row, its sealed identity and its
/// `participant_registered` event, all or nothing.
pub async fn register(
    pool: &PgPool,
    participant_id: Uuid,
    registration: &ParticipantRegisteredV1,
    sealed: &SealedIdentity,
    recorded: Recorded<'_>,
) -> Result<(), RegisterError> {
    let tenant = recorded.tenant.as_str();
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(&format!(
        "insert into participants (tenant, {COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, null)
         on conflict (tenant, code) do nothing"
    ))
    .bind(tenant)
    .bind(participant_id)
    .bind(registration.code.as_str())
    .bind(name_of(&registration.category))
    .bind(name_of(&registration.prescriber))
    .bind(name_of(&registration.gender))
    .bind(name_of(&registration.qualification))
    .bind(registration.priority_neighbourhood_resident)
    .bind(name_of(&registration.age_band_at_entry))
    .bind(registration.eligible_from)
    .bind(registration.eligible_until)
    .bind(registration.registered_on)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(RegisterError::CodeTaken(registration.code.clone()));
    }
    let identity = sqlx::query(
        "insert into participant_identities (participant_id, tenant, blind_index, identity, wrapped_key, kek_id)
         values ($1, $2, $3, $4, $5, $6) on conflict (tenant, blind_index) do nothing",
    )
    .bind(participant_id)
    .bind(tenant)
    .bind(&sealed.blind_index[..])
    .bind(&sealed.identity)
    .bind(&sealed.wrapped_key)
    .bind(&sealed.kek_id)
    .execute(&mut *tx)
    .await?;
    if identity.rows_affected() == 0 {
        let code: String = sqlx::query_scalar(
            "select p.code from participant_identities i join participants p using (participant_id)
             where i.tenant = $1 and i.blind_index = $2",
        )
        .bind(tenant)
        .bind(&sealed.blind_index[..])
        .fetch_one(&mut *tx)
        .await?;
        tx.rollback().await?;
        let code = ParticipantCode::parse(&code).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        return Err(RegisterError::AlreadyRegistered { code });
    }
    insert_events(&mut *tx, &recorded.append_request(participant_id, 0)).await?;
    tx.commit().await?;
    Ok(())
}

/// Erases a participant: deletes its sealed identity and wrapped data key, marks it erased and
/// appends its `participant_erased` event, all or nothing. Its code, profile and hours stay.
pub async fn erase(
    pool: &PgPool,
    code: &ParticipantCode,
    erased_on: NaiveDate,
    recorded: Recorded<'_>,
) -> Result<RegisteredParticipant, EraseError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(&format!("select {COLUMNS} from participants where tenant = $1 and code = $2 for update"))
        .bind(recorded.tenant.as_str())
        .bind(code.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| EraseError::Unknown(code.clone()))?;
    let mut participant = participant_from_row(&row)?;
    if let Some(erased_on) = participant.erased_on {
        return Err(EraseError::AlreadyErased { code: code.clone(), erased_on });
    }
    sqlx::query("delete from participant_identities where participant_id = $1")
        .bind(participant.participant_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("update participants set erased_on = $2 where participant_id = $1")
        .bind(participant.participant_id)
        .bind(erased_on)
        .execute(&mut *tx)
        .await?;
    let version: i64 = sqlx::query_scalar("select coalesce(max(stream_version), 0) from events where stream_id = $1")
        .bind(participant.participant_id)
        .fetch_one(&mut *tx)
        .await?;
    insert_events(&mut *tx, &recorded.append_request(participant.participant_id, version)).await?;
    tx.commit().await?;
    participant.erased_on = Some(erased_on);
    Ok(participant)
}

/// A participant of the tenant, with its sealed identity unless it was erased.
pub async fn find(
    pool: &PgPool,
    tenant: &TenantId,
    code: &ParticipantCode,
) -> Result<Option<(RegisteredParticipant, Option<SealedIdentity>)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "select {COLUMNS}, i.blind_index, i.identity, i.wrapped_key, i.kek_id
         from participants p left join participant_identities i using (participant_id)
         where p.tenant = $1 and p.code = $2"
    ))
    .bind(tenant.as_str())
    .bind(code.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let participant = participant_from_row(&row)?;
    let blind_index: Option<Vec<u8>> = row.try_get("blind_index")?;
    let sealed = match blind_index {
        None => None,
        Some(blind_index) => Some(SealedIdentity {
            blind_index: blind_index.try_into().map_err(|_| sqlx::Error::Decode("blind index of 32 bytes".into()))?,
            identity: row.try_get("identity")?,
            wrapped_key: row.try_get("wrapped_key")?,
            kek_id: row.try_get("kek_id")?,
        }),
    };
    Ok(Some((participant, sealed)))
}

/// The tenant's participants in code order, from after `after`, at most `limit`.
pub async fn list(
    pool: &PgPool,
    tenant: &TenantId,
    after: Option<&ParticipantCode>,
    limit: i64,
) -> Result<Vec<RegisteredParticipant>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "select {COLUMNS} from participants where tenant = $1 and code > coalesce($2, '') order by code limit $3"
    ))
    .bind(tenant.as_str())
    .bind(after.map(ParticipantCode::as_str))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(participant_from_row).collect()
}

/// The tenant's wrapped blind-index key, if it has one yet.
pub async fn tenant_index_key(pool: &PgPool, tenant: &TenantId) -> Result<Option<(Vec<u8>, String)>, sqlx::Error> {
    sqlx::query_as("select wrapped_key, kek_id from tenant_index_keys where tenant = $1")
        .bind(tenant.as_str())
        .fetch_optional(pool)
        .await
}

/// Stores the tenant's first blind-index key, unless another was stored meanwhile: the one
/// stored is returned either way (so two first registrations agree on one key).
pub async fn create_tenant_index_key(
    pool: &PgPool,
    tenant: &TenantId,
    wrapped_key: &[u8],
    kek_id: &str,
) -> Result<(Vec<u8>, String), sqlx::Error> {
    sqlx::query(
        "insert into tenant_index_keys (tenant, wrapped_key, kek_id) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(tenant.as_str())
    .bind(wrapped_key)
    .bind(kek_id)
    .execute(pool)
    .await?;
    sqlx::query_as("select wrapped_key, kek_id from tenant_index_keys where tenant = $1")
        .bind(tenant.as_str())
        .fetch_one(pool)
        .await
}

/// What the register says about `codes` (codes it does not hold are left out), with the hours
/// counted for each per month over every contract of the tenant.
pub async fn facts(pool: &PgPool, tenant: &TenantId, codes: &[&str]) -> Result<ParticipantFacts, sqlx::Error> {
    if codes.is_empty() {
        return Ok(ParticipantFacts::default());
    }
    let rows = sqlx::query(
        "select code, category, eligible_from, eligible_until, erased_on is not null as erased
         from participants where tenant = $1 and code = any($2)",
    )
    .bind(tenant.as_str())
    .bind(codes)
    .fetch_all(pool)
    .await?;
    let mut counted: HashMap<String, HashMap<CalendarMonth, Hours>> = HashMap::new();
    let hours =
        sqlx::query("select code, month, hours from participant_month_hours where tenant = $1 and code = any($2)")
            .bind(tenant.as_str())
            .bind(codes)
            .fetch_all(pool)
            .await?;
    for row in hours {
        let value: Decimal = row.try_get("hours")?;
        let hours = Hours::new(value).ok_or_else(|| sqlx::Error::Decode("negative hours counted".into()))?;
        counted.entry(row.try_get("code")?).or_default().insert(CalendarMonth::of(row.try_get("month")?), hours);
    }
    let mut facts = ParticipantFacts::default();
    for row in rows {
        let code: String = row.try_get("code")?;
        let fact = ParticipantFact {
            category: vocabulary(row.try_get("category")?)?,
            eligible_from: row.try_get("eligible_from")?,
            eligible_until: row.try_get("eligible_until")?,
            erased: row.try_get("erased")?,
            counted_hours: counted.remove(&code).unwrap_or_default(),
        };
        facts.insert(ParticipantCode::parse(&code).map_err(|e| sqlx::Error::Decode(Box::new(e)))?, fact);
    }
    Ok(facts)
}

/// Applies `deltas` to the hours counted per participant and month (inside an append's
/// transaction): additions first, then removals. The table's check constraint refuses a month
/// above 230 h.
pub(crate) async fn count_hours(
    tx: &mut PgConnection,
    tenant: &TenantId,
    deltas: &[HoursDelta],
) -> Result<(), AppendError> {
    let (added, removed): (Vec<&HoursDelta>, Vec<&HoursDelta>) =
        deltas.iter().partition(|d| matches!(d.change, HoursChange::Add(_)));
    fn columns<'a>(deltas: &[&'a HoursDelta]) -> (Vec<&'a str>, Vec<NaiveDate>, Vec<Decimal>) {
        let codes: Vec<&str> = deltas.iter().map(|d| d.code.as_str()).collect();
        let months: Vec<NaiveDate> = deltas.iter().map(|d| d.month.first_day()).collect();
        let hours: Vec<Decimal> = deltas
            .iter()
            .map(|d| match d.change {
                HoursChange::Add(hours) | HoursChange::Remove(hours) => hours.value(),
            })
            .collect();
        (codes, months, hours)
    }
    if !added.is_empty() {
        let (codes, months, hours) = columns(&added);
        let result = sqlx::query(
            "insert into participant_month_hours (tenant, code, month, hours)
             select $1, d.code, d.month, sum(d.hours)
             from unnest($2::text[], $3::date[], $4::numeric[]) as d(code, month, hours)
             group by d.code, d.month
             on conflict (tenant, code, month)
             do update set hours = participant_month_hours.hours + excluded.hours",
        )
        .bind(tenant.as_str())
        .bind(&codes)
        .bind(&months)
        .bind(&hours)
        .execute(&mut *tx)
        .await;
        match result {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.constraint() == Some("participant_month_hours_at_most_230") => {
                return Err(AppendError::ParticipantHoursExceeded)
            }
            Err(error) => return Err(error.into()),
        }
    }
    if !removed.is_empty() {
        let (codes, months, hours) = columns(&removed);
        sqlx::query(
            "update participant_month_hours h set hours = greatest(h.hours - d.hours, 0)
             from (select code, month, sum(hours) as hours
                   from unnest($2::text[], $3::date[], $4::numeric[]) as u(code, month, hours)
                   group by code, month) d
             where h.tenant = $1 and h.code = d.code and h.month = d.month",
        )
        .bind(tenant.as_str())
        .bind(&codes)
        .bind(&months)
        .bind(&hours)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Every key wrapped by the KEK, for `suivi kek rewrap`: (what, whose, wrapped key, KEK id),
/// `what` being `tenant_index` (whose = the tenant) or `participant` (whose = the participant id).
pub async fn wrapped_keys(pool: &PgPool) -> Result<Vec<(String, String, Vec<u8>, String)>, sqlx::Error> {
    sqlx::query_as(
        "select 'tenant_index', tenant, wrapped_key, kek_id from tenant_index_keys
         union all
         select 'participant', participant_id::text, wrapped_key, kek_id from participant_identities",
    )
    .fetch_all(pool)
    .await
}

/// Replaces one wrapped key (after a rewrap), if it is still the one read.
pub async fn replace_wrapped_key(
    pool: &PgPool,
    what: &str,
    whose: &str,
    old: &[u8],
    new: &[u8],
    kek_id: &str,
) -> Result<bool, sqlx::Error> {
    let sql = match what {
        "tenant_index" => {
            "update tenant_index_keys set wrapped_key = $3, kek_id = $4 where tenant = $1 and wrapped_key = $2"
        }
        _ => {
            "update participant_identities set wrapped_key = $3, kek_id = $4
             where participant_id = $1::text::uuid and wrapped_key = $2"
        }
    };
    let done = sqlx::query(sql).bind(whose).bind(old).bind(new).bind(kek_id).execute(pool).await?;
    Ok(done.rows_affected() == 1)
}
