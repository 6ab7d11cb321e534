//! The PostgreSQL event store.
//!
//! - [`EventStore::append`] appends to one stream with an expected version, in one statement:
//!   a stale expectation is a typed [`AppendError::Conflict`], never an overwrite; a reused
//!   idempotency key appends nothing and returns the first result.
//! - [`EventStore::read_stream`] reads one stream in version order.
//! - [`EventStore::read_all_after`] follows the whole log in canonical order without ever
//!   skipping an event (see the migration's comment for why the xmin bound makes that true).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, PgPool, Row};
use suivi_domain::participants::HoursDelta;
use suivi_proto::events::{DecodeError, Event};
use suivi_proto::{Actor, ActorKind, EventEnvelope, LogPosition, NewEvent, TenantId};
use uuid::Uuid;

/// What an append needs besides the events themselves.
#[derive(Debug, Clone)]
pub struct AppendRequest<'a> {
    pub tenant: &'a TenantId,
    pub stream_id: Uuid,
    /// The version the decision was taken on: 0 for a stream that must not exist yet.
    pub expected_version: i64,
    pub actor: &'a Actor,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    /// A retried command carrying the same key (per tenant) appends nothing.
    pub idempotency_key: Option<&'a str>,
    /// A digest of the request that carried `idempotency_key`, kept with it: the same key with
    /// another digest is another request, refused as [`AppendError::IdempotencyKeyReused`].
    pub request_digest: Option<&'a [u8]>,
    pub events: &'a [NewEvent],
}

/// What an idempotency key was first used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub appended: Appended,
    /// `None` for keys recorded before digests were kept.
    pub request_digest: Option<Vec<u8>>,
}

impl Remembered {
    /// Whether a request with `digest` is a retry of the first one (not another request that
    /// reuses its key). Keys recorded without a digest match any.
    pub fn is_retry_of(&self, stream_id: Uuid, digest: Option<&[u8]>) -> bool {
        self.appended.stream_id == stream_id
            && match (self.request_digest.as_deref(), digest) {
                (Some(first), Some(this)) => first == this,
                _ => true,
            }
    }
}

/// What a command needs in one round trip: the key's first use, if any, and the stream's events
/// after the version the caller already holds.
#[derive(Debug, Clone)]
pub struct CommandRead {
    pub remembered: Option<Remembered>,
    pub events: Vec<StoredEvent>,
    /// False when the API token named in the read is revoked or unknown.
    pub token_live: bool,
}

/// The result of an append, or of the first append of a retried one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub stream_id: Uuid,
    pub first_version: i64,
    pub last_version: i64,
    /// True when the idempotency key had been used: nothing was written this time.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("stream {stream_id} is at version {actual}, not the expected {expected}")]
    Conflict { stream_id: Uuid, expected: i64, actual: i64 },
    #[error("idempotency key {key:?} was already used for another request (stream {stream_id})")]
    IdempotencyKeyReused { key: String, stream_id: Uuid },
    #[error("an append needs at least one event")]
    NoEvents,
    /// Another statement naming the same participant and month committed first: decided again,
    /// this one would be refused with the figures.
    #[error("a participant would have more than 230 hours counted in a month")]
    ParticipantHoursExceeded,
    #[error("event store unavailable")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("event store unavailable")]
    Database(#[from] sqlx::Error),
    #[error("stored event {position} is unreadable: {reason}")]
    Corrupt { position: i64, reason: String },
}

/// An event as read from the store, its payload kept as the JSON text stored (PostgreSQL's
/// `json` type has already checked it is valid JSON).
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_version: i64,
    #[serde(flatten)]
    pub log_position: LogPosition,
    pub event_type: String,
    pub schema_version: u16,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub tenant: TenantId,
    pub actor: Actor,
    pub correlation_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    #[serde(skip)]
    pub payload: String,
}

impl StoredEvent {
    /// The wire form of [`EventEnvelope`], built without parsing the payload: the envelope's
    /// other fields are serialised, then the stored payload text is spliced in as the last
    /// member. The relay publishes this; `tests/relay.rs` checks it reads back as the envelope.
    pub fn to_wire_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut json = Vec::with_capacity(self.payload.len() + 640);
        serde_json::to_writer(&mut json, self)?;
        // `self` serialises to a non-empty object: replace its closing brace.
        json.pop();
        json.extend_from_slice(b",\"payload\":");
        json.extend_from_slice(self.payload.as_bytes());
        json.push(b'}');
        Ok(json)
    }

    /// The payload as a typed event, read straight from the stored text (upcasting old versions).
    pub fn decode_event(&self) -> Result<Event, DecodeError> {
        Event::decode_str(&self.event_type, self.schema_version, &self.payload)
    }

    pub fn into_envelope(self) -> Result<EventEnvelope, ReadError> {
        let payload = serde_json::from_str(&self.payload)
            .map_err(|e| ReadError::Corrupt { position: self.log_position.position, reason: e.to_string() })?;
        Ok(EventEnvelope {
            event_id: self.event_id,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            log_position: self.log_position,
            event_type: self.event_type,
            schema_version: self.schema_version,
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
            tenant: self.tenant,
            actor: self.actor,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            payload,
        })
    }
}

/// The event store over a PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct EventStore {
    pool: PgPool,
}

const APPEND_SQL: &str = r#"
with current_version as (
    select coalesce(max(stream_version), 0) as version from events where stream_id = $1
), inserted as (
    insert into events (event_id, tenant, stream_id, stream_version, event_type, schema_version,
                        occurred_at, actor_kind, actor_id, correlation_id, causation_id, payload)
    select e.event_id, $2, $1, $3 + e.ord, e.event_type, e.schema_version,
           e.occurred_at, $4, $5, $6, $7, e.payload::json
    from unnest($8::uuid[], $9::text[], $10::int2[], $11::timestamptz[], $12::text[])
         with ordinality as e(event_id, event_type, schema_version, occurred_at, payload, ord)
    where (select version from current_version) = $3
    order by e.ord
    returning stream_version
), remembered as (
    insert into idempotency_keys (tenant, idempotency_key, stream_id, first_version, last_version, request_digest)
    select $2, $13, $1, min(stream_version), max(stream_version), $14 from inserted
    where $13::text is not null
    having count(*) > 0
)
select min(stream_version) as first_version, max(stream_version) as last_version from inserted
"#;

/// [`APPEND_SQL`] for the usual case of one event: a plain single-row insert, without `unnest`
/// (measurably cheaper per commit). Same parameters, the arrays replaced by scalars.
const APPEND_ONE_SQL: &str = r#"
with inserted as (
    insert into events (event_id, tenant, stream_id, stream_version, event_type, schema_version,
                        occurred_at, actor_kind, actor_id, correlation_id, causation_id, payload)
    select $8, $2, $1, $3 + 1, $9, $10, $11, $4, $5, $6, $7, $12::json
    where coalesce((select max(stream_version) from events where stream_id = $1), 0) = $3
    returning stream_version
), remembered as (
    insert into idempotency_keys (tenant, idempotency_key, stream_id, first_version, last_version, request_digest)
    select $2, $13, $1, stream_version, stream_version, $14 from inserted
    where $13::text is not null
)
select (select stream_version from inserted) as first_version, (select stream_version from inserted) as last_version
"#;

const SELECT_ENVELOPE: &str = r#"
select position, transaction_id::text::bigint as transaction_id, event_id, tenant, stream_id,
       stream_version, event_type, schema_version, occurred_at, recorded_at, actor_kind,
       actor_id, correlation_id, causation_id, payload::text as payload
from events
"#;

/// Inserts `request.events` if the stream is at the expected version (then the row holds the
/// versions written; else they are null), remembering the idempotency key with them.
pub(crate) async fn insert_events<'e>(
    executor: impl PgExecutor<'e>,
    request: &AppendRequest<'_>,
) -> Result<PgRow, sqlx::Error> {
    let events = request.events;
    if events.is_empty() {
        return Err(sqlx::Error::Protocol("an append needs at least one event".to_owned()));
    }
    let common = |sql| {
        sqlx::query(sql)
            .bind(request.stream_id)
            .bind(request.tenant.as_str())
            .bind(request.expected_version)
            .bind(actor_kind_name(request.actor.kind))
            .bind(&request.actor.id)
            .bind(request.correlation_id)
            .bind(request.causation_id)
    };
    let query = match events {
        [event] => common(APPEND_ONE_SQL)
            .bind(event.event_id)
            .bind(event.event_type.as_str())
            .bind(event.schema_version as i16)
            .bind(event.occurred_at)
            .bind(event.payload.to_string()),
        _ => common(APPEND_SQL)
            .bind(events.iter().map(|e| e.event_id).collect::<Vec<_>>())
            .bind(events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>())
            .bind(events.iter().map(|e| e.schema_version as i16).collect::<Vec<_>>())
            .bind(events.iter().map(|e| e.occurred_at).collect::<Vec<_>>())
            .bind(events.iter().map(|e| e.payload.to_string()).collect::<Vec<_>>()),
    };
    query.bind(request.idempotency_key).bind(request.request_digest).fetch_one(executor).await
}

impl EventStore {
    pub fn new(pool: PgPool) -> Self {
        EventStore { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Appends `request.events` to the stream if it is still at `request.expected_version`.
    #[tracing::instrument(skip_all, fields(stream_id = %request.stream_id, expected = request.expected_version, count = request.events.len()), err(level = "debug"))]
    pub async fn append(&self, request: AppendRequest<'_>) -> Result<Appended, AppendError> {
        if request.events.is_empty() {
            return Err(AppendError::NoEvents);
        }
        let result = insert_events(&self.pool, &request).await;
        self.appended_or_explained(&request, result).await
    }

    /// [`EventStore::append`], and the changes `events` make to the hours counted per
    /// participant and month, in one transaction: both or neither. A change that would take a
    /// participant-month above 230 h (two statements racing past the domain's check) appends
    /// nothing: [`AppendError::ParticipantHoursExceeded`].
    #[tracing::instrument(skip_all, fields(stream_id = %request.stream_id, expected = request.expected_version, count = request.events.len()), err(level = "debug"))]
    pub async fn append_with_hours(
        &self,
        request: AppendRequest<'_>,
        hours: &[HoursDelta],
    ) -> Result<Appended, AppendError> {
        if hours.is_empty() || request.events.is_empty() {
            return self.append(request).await;
        }
        let mut tx = self.pool.begin().await?;
        let result = insert_events(&mut *tx, &request).await;
        let inserted =
            matches!(&result, Ok(row) if row.try_get::<Option<i64>, _>("first_version").ok().flatten().is_some());
        if inserted {
            if let Err(error) = crate::participants::count_hours(&mut tx, request.tenant, hours).await {
                tx.rollback().await?;
                return Err(error);
            }
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        self.appended_or_explained(&request, result).await
    }

    /// What an insert of events answered, made into the append's result.
    async fn appended_or_explained(
        &self,
        request: &AppendRequest<'_>,
        result: Result<PgRow, sqlx::Error>,
    ) -> Result<Appended, AppendError> {
        match result {
            Ok(row) => match (row.try_get("first_version")?, row.try_get("last_version")?) {
                (Some(first_version), Some(last_version)) => {
                    Ok(Appended { stream_id: request.stream_id, first_version, last_version, replayed: false })
                }
                // Nothing inserted: the stream was not at the expected version.
                _ => self.explain_refusal(request).await,
            },
            Err(sqlx::Error::Database(db)) if db.constraint() == Some("events_stream_version_key") => {
                // A concurrent append decided on the same version committed first.
                self.explain_refusal(request).await
            }
            Err(sqlx::Error::Database(db)) if db.constraint() == Some("idempotency_keys_pkey") => {
                self.explain_refusal(request).await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Why nothing was appended: a retry (the key was used: return the first result), or a
    /// genuine version conflict.
    async fn explain_refusal(&self, request: &AppendRequest<'_>) -> Result<Appended, AppendError> {
        if let Some(key) = request.idempotency_key {
            if let Some(first) = self.remembered_request(request.tenant, key).await? {
                // A new stream's id is made per request by the edge, so a retried creation names
                // another stream than the first: then the request's digest says whether it is one.
                let same_digest =
                    request.request_digest.is_some() && first.request_digest.as_deref() == request.request_digest;
                let stream_id = if request.expected_version == 0 && same_digest {
                    first.appended.stream_id
                } else {
                    request.stream_id
                };
                if !first.is_retry_of(stream_id, request.request_digest) {
                    return Err(AppendError::IdempotencyKeyReused {
                        key: key.to_owned(),
                        stream_id: first.appended.stream_id,
                    });
                }
                return Ok(first.appended);
            }
        }
        let actual = self.stream_version(request.stream_id).await?;
        Err(AppendError::Conflict { stream_id: request.stream_id, expected: request.expected_version, actual })
    }

    /// The first result of the append made with `key`, if that key was used.
    pub async fn remembered(&self, tenant: &TenantId, key: &str) -> Result<Option<Appended>, sqlx::Error> {
        let row = sqlx::query(
            "select stream_id, first_version, last_version from idempotency_keys
             where tenant = $1 and idempotency_key = $2",
        )
        .bind(tenant.as_str())
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Appended {
                stream_id: row.try_get("stream_id")?,
                first_version: row.try_get("first_version")?,
                last_version: row.try_get("last_version")?,
                replayed: true,
            })
        })
        .transpose()
    }

    /// [`Self::remembered`] with the digest of the request that first used the key.
    pub async fn remembered_request(&self, tenant: &TenantId, key: &str) -> Result<Option<Remembered>, sqlx::Error> {
        let row = sqlx::query(
            "select stream_id as key_stream_id, first_version, last_version, request_digest
             from idempotency_keys where tenant = $1 and idempotency_key = $2",
        )
        .bind(tenant.as_str())
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| remembered_from_row(&row)).transpose()
    }

    /// The key's first use (if `key` is given), the stream's events after `after_version`, and
    /// whether API token `token` (if given) is still live, in one round trip: what the command
    /// path reads before deciding.
    #[tracing::instrument(skip(self, tenant, key), err(level = "debug"))]
    pub async fn read_for_command(
        &self,
        stream_id: Uuid,
        after_version: i64,
        tenant: &TenantId,
        key: Option<&str>,
        token: Option<Uuid>,
    ) -> Result<CommandRead, ReadError> {
        // One row at least (the key's, possibly null), then one per event.
        let rows = sqlx::query(&format!(
            "with k as (
                 select stream_id as key_stream_id, first_version, last_version, request_digest
                 from idempotency_keys where $3::text is not null and tenant = $2 and idempotency_key = $3
             ), e as (
                 {SELECT_ENVELOPE} where stream_id = $1 and stream_version > $4
             )
             select one.token_live, k.*, e.*
             from (select $5::uuid is null
                          or exists(select 1 from api_tokens where id = $5 and revoked_at is null) as token_live
                  ) as one
             left join k on true
             left join e on true
             order by e.stream_version"
        ))
        .bind(stream_id)
        .bind(tenant.as_str())
        .bind(key)
        .bind(after_version)
        .bind(token)
        .fetch_all(&self.pool)
        .await?;
        let token_live = match rows.first() {
            Some(row) => row.try_get("token_live")?,
            None => true,
        };
        let remembered = match rows.first() {
            Some(row) if row.try_get::<Option<Uuid>, _>("key_stream_id")?.is_some() => Some(remembered_from_row(row)?),
            _ => None,
        };
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            if row.try_get::<Option<i64>, _>("position")?.is_some() {
                events.push(stored_from_row(row)?);
            }
        }
        Ok(CommandRead { remembered, events, token_live })
    }

    /// The current version of a stream (0 if it has no event).
    pub async fn stream_version(&self, stream_id: Uuid) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("select coalesce(max(stream_version), 0) from events where stream_id = $1")
            .bind(stream_id)
            .fetch_one(&self.pool)
            .await
    }

    /// Every event of one stream, in version order.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub async fn read_stream(&self, stream_id: Uuid) -> Result<Vec<EventEnvelope>, ReadError> {
        let rows = sqlx::query(&format!("{SELECT_ENVELOPE} where stream_id = $1 order by stream_version"))
            .bind(stream_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// The events of one stream up to `version` included, in version order, payloads as text.
    pub async fn read_stored_stream(&self, stream_id: Uuid, version: i64) -> Result<Vec<StoredEvent>, ReadError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENVELOPE} where stream_id = $1 and stream_version <= $2 order by stream_version"
        ))
        .bind(stream_id)
        .bind(version)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// Up to `limit` events after `cursor`, in canonical order, among the events of finished
    /// transactions only: a transaction still running may hold events that will sort before
    /// later ones, so nothing at or after the oldest running transaction is returned yet.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub async fn read_all_after(&self, cursor: LogPosition, limit: i64) -> Result<Vec<EventEnvelope>, ReadError> {
        self.read_stored_after(cursor, limit).await?.into_iter().map(StoredEvent::into_envelope).collect()
    }

    /// [`Self::read_all_after`] with payloads left as JSON text: what the relay forwards as is.
    pub async fn read_stored_after(&self, cursor: LogPosition, limit: i64) -> Result<Vec<StoredEvent>, ReadError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENVELOPE}
             where (transaction_id, position) > ($1::text::xid8, $2)
               and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             order by events.transaction_id, events.position
             limit $3"
        ))
        .bind(cursor.transaction_id.to_string())
        .bind(cursor.position)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// The id of the event stored at `position`, if any: a primary-key lookup (event ids are
    /// not indexed), with which the relay checks a message names the event it claims to carry.
    pub async fn event_id_at(&self, position: LogPosition) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar("select event_id from events where (transaction_id, position) = ($1::text::xid8, $2)")
            .bind(position.transaction_id.to_string())
            .bind(position.position)
            .fetch_optional(&self.pool)
            .await
    }

    /// How many committed events are after `cursor`, and when the oldest of them was recorded:
    /// a reader's lag. Unlike [`Self::count_after`], not bounded by the oldest running
    /// transaction, so a long transaction elsewhere that holds readers back shows as lag.
    pub async fn lag_after(&self, cursor: LogPosition) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
        let row = sqlx::query(
            "select count(*) as events, min(recorded_at) as oldest from events
             where (transaction_id, position) > ($1::text::xid8, $2)",
        )
        .bind(cursor.transaction_id.to_string())
        .bind(cursor.position)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("events")?, row.try_get("oldest")?))
    }

    /// How many events are after `cursor` (finished transactions only): a reader's lag.
    pub async fn count_after(&self, cursor: LogPosition) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "select count(*) from events
             where (transaction_id, position) > ($1::text::xid8, $2)
               and transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
        )
        .bind(cursor.transaction_id.to_string())
        .bind(cursor.position)
        .fetch_one(&self.pool)
        .await
    }
}

fn remembered_from_row(row: &PgRow) -> Result<Remembered, sqlx::Error> {
    Ok(Remembered {
        appended: Appended {
            stream_id: row.try_get("key_stream_id")?,
            first_version: row.try_get("first_version")?,
            last_version: row.try_get("last_version")?,
            replayed: true,
        },
        request_digest: row.try_get("request_digest")?,
    })
}

fn envelope_from_row(row: &PgRow) -> Result<EventEnvelope, ReadError> {
    stored_from_row(row)?.into_envelope()
}

fn stored_from_row(row: &PgRow) -> Result<StoredEvent, ReadError> {
    let position: i64 = row.try_get("position")?;
    let corrupt = |reason: String| ReadError::Corrupt { position, reason };
    let transaction_id: i64 = row.try_get("transaction_id")?;
    let tenant: String = row.try_get("tenant")?;
    let actor_kind: String = row.try_get("actor_kind")?;
    let schema_version: i16 = row.try_get("schema_version")?;
    let occurred_at: DateTime<Utc> = row.try_get("occurred_at")?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at")?;
    let payload: String = row.try_get("payload")?;
    Ok(StoredEvent {
        event_id: row.try_get("event_id")?,
        stream_id: row.try_get("stream_id")?,
        stream_version: row.try_get("stream_version")?,
        log_position: LogPosition { transaction_id: transaction_id as u64, position },
        event_type: row.try_get("event_type")?,
        schema_version: u16::try_from(schema_version).map_err(|e| corrupt(e.to_string()))?,
        occurred_at,
        recorded_at,
        tenant: TenantId::parse(&tenant).map_err(|e| corrupt(e.to_string()))?,
        actor: Actor {
            kind: parse_actor_kind(&actor_kind).ok_or_else(|| corrupt(format!("actor kind {actor_kind:?}")))?,
            id: row.try_get("actor_id")?,
        },
        correlation_id: row.try_get("correlation_id")?,
        causation_id: row.try_get("causation_id")?,
        payload,
    })
}

fn actor_kind_name(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Buyer => "buyer",
        ActorKind::Contractor => "contractor",
        ActorKind::Facilitator => "facilitator",
        ActorKind::Finance => "finance",
        ActorKind::Admin => "admin",
        ActorKind::System => "system",
    }
}

fn parse_actor_kind(name: &str) -> Option<ActorKind> {
    Some(match name {
        "buyer" => ActorKind::Buyer,
        "contractor" => ActorKind::Contractor,
        "facilitator" => ActorKind::Facilitator,
        "finance" => ActorKind::Finance,
        "admin" => ActorKind::Admin,
        "system" => ActorKind::System,
        _ => return None,
    })
}
