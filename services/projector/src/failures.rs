//! Events the projector could not project, recorded in `<schema>.projection_failures` (see the
//! migration `20261201000001_projection_failures.sql`) so that one bad event stops its contract
//! only, never the read models of everyone.
//!
//! The first failed event of a contract quarantines it: its later events are recorded as
//! [`Cause::Quarantined`] and not applied, since figures that skip an event would be wrong, and
//! its rows stay as they were before the failed event.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use suivi_store::StoredEvent;
use uuid::Uuid;

use crate::target::Schema;

/// Why an event was not projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Its payload does not decode (unknown type, wrong shape, unknown version).
    Undecodable,
    /// It does not fit its contract's state (see `suivi_domain::Contract::misfit`).
    Inconsistent,
    /// The database refuses the rows it leads to (e.g. a NUL in a text column).
    Unwritable,
    /// An earlier event of the same contract failed.
    Quarantined,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Undecodable => "undecodable",
            Cause::Inconsistent => "inconsistent",
            Cause::Unwritable => "unwritable",
            Cause::Quarantined => "quarantined",
        }
    }
}

/// The longest error text recorded, in characters.
const MAX_ERROR_CHARS: usize = 2_000;

/// One row of `projection_failures`, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_version: i64,
    pub tenant: String,
    pub event_type: String,
    pub schema_version: i16,
    pub cause: Cause,
    pub error: String,
}

impl Failure {
    pub fn of(event: &StoredEvent, cause: Cause, error: &str) -> Self {
        Failure {
            position: event.log_position.position,
            event_id: event.event_id,
            stream_id: event.stream_id,
            stream_version: event.stream_version,
            tenant: event.tenant.to_string(),
            event_type: event.event_type.clone(),
            schema_version: i16::try_from(event.schema_version).unwrap_or(i16::MAX),
            cause,
            error: storable(error),
        }
    }

    /// A later event of a contract whose event at version `failed` failed.
    pub fn skipped(event: &StoredEvent, failed: i64) -> Self {
        let error = format!(
            "not applied: version {failed} of this contract could not be projected, and figures without it would be wrong"
        );
        Failure::of(event, Cause::Quarantined, &error)
    }
}

/// An error message as a `text` value can hold it: control characters other than line feeds
/// escaped (a decoding error may quote the very NUL that caused it), and bounded.
fn storable(error: &str) -> String {
    let mut text = String::with_capacity(error.len().min(MAX_ERROR_CHARS));
    for c in error.chars().take(MAX_ERROR_CHARS) {
        if c.is_control() && c != '\n' {
            text.extend(c.escape_unicode());
        } else {
            text.push(c);
        }
    }
    text
}

/// Whether the database refused a write because of the data written (SQLSTATE classes 21
/// cardinality violation, 22 data exception, 23 integrity constraint violation), rather than
/// because it is unreachable, overloaded or the statement itself is wrong. Only the former is
/// isolated to the contracts at fault; anything else fails the batch, which is retried whole.
pub(crate) fn refused_data(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => e.code().is_some_and(|code| ["21", "22", "23"].iter().any(|c| code.starts_with(c))),
        sqlx::Error::Encode(_) => true,
        _ => false,
    }
}

/// Writes a batch's failures, inside its transaction.
pub(crate) async fn record(tx: &mut PgConnection, schema: Schema, failures: &[Failure]) -> Result<(), sqlx::Error> {
    for chunk in failures.chunks(1_000) {
        let mut builder = QueryBuilder::<Postgres>::new(format!(
            "insert into {}.projection_failures
                 (position, event_id, stream_id, stream_version, tenant, event_type, schema_version, cause, error) ",
            schema.name()
        ));
        builder.push_values(chunk, |mut b, f| {
            b.push_bind(f.position)
                .push_bind(f.event_id)
                .push_bind(f.stream_id)
                .push_bind(f.stream_version)
                .push_bind(&f.tenant)
                .push_bind(&f.event_type)
                .push_bind(f.schema_version)
                .push_bind(f.cause.as_str())
                .push_bind(&f.error);
        });
        builder.build().persistent(false).execute(&mut *tx).await?;
    }
    Ok(())
}

/// The quarantined contracts of a schema: contract id → stream version of its failed event.
pub(crate) async fn quarantined(pool: &PgPool, schema: Schema) -> Result<HashMap<Uuid, i64>, sqlx::Error> {
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(&format!(
        "select stream_id, min(stream_version) from {}.projection_failures group by stream_id",
        schema.name()
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// How many events a schema could not project, in how many contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureSummary {
    /// Events recorded in `projection_failures`, the quarantined ones included.
    pub events: i64,
    /// Contracts quarantined.
    pub contracts: i64,
}

pub async fn summary(pool: &PgPool, schema: Schema) -> Result<FailureSummary, sqlx::Error> {
    let (events, contracts): (i64, i64) = sqlx::query_as(&format!(
        "select count(*), count(distinct stream_id) from {}.projection_failures",
        schema.name()
    ))
    .fetch_one(pool)
    .await?;
    Ok(FailureSummary { events, contracts })
}

/// A quarantined contract: the event that stopped it, and how many of its events were left out.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QuarantinedContract {
    pub contract_id: Uuid,
    pub tenant: String,
    /// The failed event.
    pub position: i64,
    pub stream_version: i64,
    pub event_type: String,
    pub cause: String,
    pub error: String,
    pub failed_at: DateTime<Utc>,
    /// Its events not projected, the failed one included.
    pub events: i64,
}

/// The quarantined contracts of a schema, the most recent failure first, at most `limit`.
pub async fn quarantined_contracts(
    pool: &PgPool,
    schema: Schema,
    limit: i64,
) -> Result<Vec<QuarantinedContract>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select f.stream_id as contract_id, f.tenant, f.position, f.stream_version, f.event_type, f.cause, f.error,
                f.failed_at,
                (select count(*) from {schema}.projection_failures g where g.stream_id = f.stream_id) as events
         from {schema}.projection_failures f
         where f.cause <> 'quarantined'
         order by f.position desc
         limit $1",
        schema = schema.name()
    ))
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_escapes_control_characters_of_an_error_and_bounds_its_length() {
        assert_eq!(storable("unknown variant `a\u{0}b`\nat line 1"), "unknown variant `a\\u{0}b`\nat line 1");
        assert_eq!(storable(&"x".repeat(5_000)).chars().count(), MAX_ERROR_CHARS);
    }
}
