//! Writing a batch's rows, inside the batch's transaction.
//!
//! Instalments and statement lines — most of the rows — go in one `insert … select from
//! unnest($1, $2, …)` per table: one array parameter per column whatever the number of rows, so
//! the statement text never changes and is prepared once per connection. Contract summaries and
//! penalties keep multi-row `VALUES` (their array and JSON columns do not survive `unnest`),
//! unprepared: their text varies with the row count, and caching every variant would keep
//! megabytes of statements per connection.

use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::rows::{ContractRow, InstalmentRow, LineRow, ParticipantRow, PenaltyRow, RowSet};
use crate::target::Schema;

/// PostgreSQL takes at most 65 535 parameters per statement; the widest row has 31 columns.
const ROWS_PER_STATEMENT: usize = 1_000;

pub async fn write(tx: &mut PgConnection, schema: Schema, rows: &RowSet) -> Result<(), sqlx::Error> {
    if !rows.withdrawn.is_empty() {
        withdraw(tx, schema, &rows.withdrawn).await?;
    }
    for chunk in rows.contracts.chunks(ROWS_PER_STATEMENT) {
        contracts(schema, chunk).build().persistent(false).execute(&mut *tx).await?;
    }
    if !rows.instalments.is_empty() {
        let sql = unnest_upsert(schema, "instalments", "contract_id, number", INSTALMENT_COLUMNS);
        instalments(&sql, &rows.instalments).execute(&mut *tx).await?;
    }
    if !rows.lines.is_empty() {
        let sql = unnest_upsert(schema, "statement_lines", "contract_id, instalment, line_id", LINE_COLUMNS);
        lines(&sql, &rows.lines).execute(&mut *tx).await?;
    }
    for chunk in rows.penalties.chunks(ROWS_PER_STATEMENT) {
        penalties(schema, chunk).build().persistent(false).execute(&mut *tx).await?;
    }
    if !rows.participants.is_empty() {
        let sql = unnest_upsert(schema, "participants", "participant_id", PARTICIPANT_COLUMNS);
        participants(&sql, &rows.participants).execute(&mut *tx).await?;
    }
    if !rows.erasures.is_empty() {
        sqlx::query(&format!(
            "update {}.participants p set erased_on = e.erased_on
             from unnest($1::uuid[], $2::date[]) as e(participant_id, erased_on)
             where p.participant_id = e.participant_id",
            schema.name()
        ))
        .bind(rows.erasures.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(rows.erasures.iter().map(|(_, on)| *on).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Deletes the rows of instalments a correction withdrew, lines first.
async fn withdraw(tx: &mut PgConnection, schema: Schema, withdrawn: &[(uuid::Uuid, u32)]) -> Result<(), sqlx::Error> {
    let ids: Vec<uuid::Uuid> = withdrawn.iter().map(|(id, _)| *id).collect();
    let numbers: Vec<i32> = withdrawn.iter().map(|(_, number)| i32::try_from(*number).unwrap_or(i32::MAX)).collect();
    for (table, column) in [("statement_lines", "instalment"), ("instalments", "number")] {
        sqlx::query(&format!(
            "delete from {schema}.{table} t using unnest($1::uuid[], $2::int[]) as w(contract_id, number)
             where t.contract_id = w.contract_id and t.{column} = w.number",
            schema = schema.name()
        ))
        .bind(&ids)
        .bind(&numbers)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

const PARTICIPANT_COLUMNS: &[(&str, &str)] = &[
    ("participant_id", "uuid"),
    ("tenant", "text"),
    ("code", "text"),
    ("category", "text"),
    ("prescriber", "text"),
    ("gender", "text"),
    ("qualification", "text"),
    ("priority_neighbourhood_resident", "bool"),
    ("age_band", "text"),
    ("eligible_from", "date"),
    ("eligible_until", "date"),
    ("registered_on", "date"),
    ("erased_on", "date"),
];

/// One array per column, in [`PARTICIPANT_COLUMNS`] order.
fn participants<'a>(sql: &'a str, rows: &'a [ParticipantRow]) -> Query<'a, Postgres, PgArguments> {
    sqlx::query(sql)
        .bind(rows.iter().map(|r| r.participant_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.tenant.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.category.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.prescriber.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.gender.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.qualification.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.priority_neighbourhood_resident).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.age_band.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.eligible_from).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.eligible_until).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.registered_on).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.erased_on).collect::<Vec<_>>())
}

/// `insert into schema.table (a, b) select * from unnest($1::ta[], $2::tb[]) on conflict …`,
/// from `name type` column declarations.
fn unnest_upsert(schema: Schema, table: &str, key: &str, columns: &[(&str, &str)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let arrays: Vec<String> =
        columns.iter().enumerate().map(|(i, (_, pg_type))| format!("${}::{pg_type}[]", i + 1)).collect();
    let mut builder = QueryBuilder::<Postgres>::new(format!(
        "insert into {}.{table} ({}) select * from unnest({})",
        schema.name(),
        names.join(", "),
        arrays.join(", ")
    ));
    upsert_tail(&mut builder, key, &names);
    builder.into_sql()
}

/// `on conflict (key) do update set c = excluded.c, …` for every column but the key.
fn upsert_tail(builder: &mut QueryBuilder<'_, Postgres>, key: &str, columns: &[&str]) {
    builder.push(format!(" on conflict ({key}) do update set "));
    let keys: Vec<&str> = key.split(", ").collect();
    let updates: Vec<String> =
        columns.iter().filter(|c| !keys.contains(c)).map(|c| format!("{c} = excluded.{c}")).collect();
    builder.push(updates.join(", "));
}

const CONTRACT_COLUMNS: &[&str] = &[
    "contract_id",
    "tenant",
    "buyer_siret",
    "contractor_sirets",
    "object",
    "status",
    "notification_date",
    "initial_amount_ht",
    "amount_ht",
    "executed_value_ht",
    "final_amount_ht",
    "paid_ttc",
    "social_considerations",
    "environmental_considerations",
    "reserved",
    "awarded_to_sme",
    "committed_hours",
    "effective_committed_hours",
    "declared_hours",
    "validated_hours",
    "rejected_hours",
    "pending_hours",
    "remaining_hours",
    "at_risk",
    "advance_paid_ttc",
    "advance_without_guarantee",
    "advance_paid_on",
    "advance_outstanding_ttc",
    "terminated_on",
    "settled_on",
    "version",
];

fn contracts<'a>(schema: Schema, rows: &'a [ContractRow]) -> QueryBuilder<'a, Postgres> {
    let mut builder =
        QueryBuilder::new(format!("insert into {}.contracts ({}) ", schema.name(), CONTRACT_COLUMNS.join(", ")));
    builder.push_values(rows, |mut b, r| {
        b.push_bind(r.contract_id)
            .push_bind(&r.tenant)
            .push_bind(&r.buyer_siret)
            .push_bind(&r.contractor_sirets)
            .push_bind(&r.object)
            .push_bind(r.status)
            .push_bind(r.notification_date)
            .push_bind(r.initial_amount_ht)
            .push_bind(r.amount_ht)
            .push_bind(r.executed_value_ht)
            .push_bind(r.final_amount_ht)
            .push_bind(r.paid_ttc)
            .push_bind(&r.social_considerations)
            .push_bind(&r.environmental_considerations)
            .push_bind(r.reserved)
            .push_bind(r.awarded_to_sme)
            .push_bind(r.committed_hours)
            .push_bind(r.effective_committed_hours)
            .push_bind(r.declared_hours)
            .push_bind(r.validated_hours)
            .push_bind(r.rejected_hours)
            .push_bind(r.pending_hours)
            .push_bind(r.remaining_hours)
            .push_bind(r.at_risk)
            .push_bind(r.advance_paid_ttc)
            .push_bind(r.advance_without_guarantee)
            .push_bind(r.advance_paid_on)
            .push_bind(r.advance_outstanding_ttc)
            .push_bind(r.terminated_on)
            .push_bind(r.settled_on)
            .push_bind(r.version);
    });
    upsert_tail(&mut builder, "contract_id", CONTRACT_COLUMNS);
    builder
}

const INSTALMENT_COLUMNS: &[(&str, &str)] = &[
    ("contract_id", "uuid"),
    ("number", "int4"),
    ("tenant", "text"),
    ("received_on", "date"),
    ("cumulative_value_ht", "numeric"),
    ("gross_ttc", "numeric"),
    ("advance_recovery_ttc", "numeric"),
    ("advance_outstanding_ttc", "numeric"),
    ("other_deductions_ttc", "numeric"),
    ("net_to_pay_ttc", "numeric"),
    ("approved_on", "date"),
    ("due_on", "date"),
    ("paid_on", "date"),
    ("amount_paid_ttc", "numeric"),
    ("days_to_pay", "int4"),
    ("days_late", "int4"),
    ("ecb_rate", "numeric"),
    ("interest_ttc", "numeric"),
    ("flat_fee", "numeric"),
    ("interest_missing_table", "text"),
    ("interest_missing_on", "date"),
];

/// One array per column, in [`INSTALMENT_COLUMNS`] order.
fn instalments<'a>(sql: &'a str, rows: &'a [InstalmentRow]) -> Query<'a, Postgres, PgArguments> {
    sqlx::query(sql)
        .bind(rows.iter().map(|r| r.contract_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.number).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.tenant.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.received_on).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.cumulative_value_ht).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.gross_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.advance_recovery_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.advance_outstanding_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.other_deductions_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.net_to_pay_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.approved_on).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.due_on).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.paid_on).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.amount_paid_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.days_to_pay).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.days_late).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.ecb_rate).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.interest_ttc).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.flat_fee).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.interest_missing.map(|(table, _)| table)).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.interest_missing.map(|(_, on)| on)).collect::<Vec<_>>())
}

const LINE_COLUMNS: &[(&str, &str)] = &[
    ("contract_id", "uuid"),
    ("instalment", "int4"),
    ("line_id", "int4"),
    ("tenant", "text"),
    ("beneficiary", "text"),
    ("participant", "text"),
    ("category", "text"),
    ("modality", "text"),
    ("hours", "numeric"),
    ("month", "date"),
    ("review", "text"),
    ("period_start", "date"),
    ("period_end", "date"),
];

/// One array per column, in [`LINE_COLUMNS`] order.
fn lines<'a>(sql: &'a str, rows: &'a [LineRow]) -> Query<'a, Postgres, PgArguments> {
    sqlx::query(sql)
        .bind(rows.iter().map(|r| r.contract_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.instalment).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.line_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.tenant.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.beneficiary.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.participant.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.category.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.modality.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.hours).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.month).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.review).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.period_start).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.period_end).collect::<Vec<_>>())
}

const PENALTY_COLUMNS: &[&str] = &[
    "contract_id",
    "tenant",
    "proposal",
    "proposed_amount_ht",
    "decision",
    "decided_amount_ht",
    "reason",
    "decided_on",
    "notified_on",
    "notified_amount_ht",
    "observations_until",
    "observations_received_on",
];

fn penalties<'a>(schema: Schema, rows: &'a [PenaltyRow]) -> QueryBuilder<'a, Postgres> {
    let mut builder =
        QueryBuilder::new(format!("insert into {}.penalties ({}) ", schema.name(), PENALTY_COLUMNS.join(", ")));
    builder.push_values(rows, |mut b, r| {
        b.push_bind(r.contract_id)
            .push_bind(&r.tenant)
            .push_bind(sqlx::types::Json(&r.proposal))
            .push_bind(r.proposed_amount_ht)
            .push_bind(r.decision)
            .push_bind(r.decided_amount_ht)
            .push_bind(&r.reason)
            .push_bind(r.decided_on)
            .push_bind(r.notified_on)
            .push_bind(r.notified_amount_ht)
            .push_bind(r.observations_until)
            .push_bind(r.observations_received_on);
    });
    upsert_tail(&mut builder, "contract_id", PENALTY_COLUMNS);
    builder
}
