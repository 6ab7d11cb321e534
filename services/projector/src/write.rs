//! Writing a batch's rows: multi-row upserts, inside the batch's transaction.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::rows::{ContractRow, InstalmentRow, LineRow, PenaltyRow, RowSet};
use crate::target::Schema;

/// PostgreSQL takes at most 65 535 parameters per statement; the widest row has 31 columns.
const ROWS_PER_STATEMENT: usize = 1_000;

pub async fn write(tx: &mut PgConnection, schema: Schema, rows: &RowSet) -> Result<(), sqlx::Error> {
    for chunk in rows.contracts.chunks(ROWS_PER_STATEMENT) {
        contracts(schema, chunk).build().execute(&mut *tx).await?;
    }
    for chunk in rows.instalments.chunks(ROWS_PER_STATEMENT) {
        instalments(schema, chunk).build().execute(&mut *tx).await?;
    }
    for chunk in rows.lines.chunks(ROWS_PER_STATEMENT) {
        lines(schema, chunk).build().execute(&mut *tx).await?;
    }
    for chunk in rows.penalties.chunks(ROWS_PER_STATEMENT) {
        penalties(schema, chunk).build().execute(&mut *tx).await?;
    }
    Ok(())
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

const INSTALMENT_COLUMNS: &[&str] = &[
    "contract_id",
    "number",
    "tenant",
    "received_on",
    "cumulative_value_ht",
    "gross_ttc",
    "advance_recovery_ttc",
    "advance_outstanding_ttc",
    "other_deductions_ttc",
    "net_to_pay_ttc",
    "approved_on",
    "due_on",
    "paid_on",
    "amount_paid_ttc",
    "days_to_pay",
    "days_late",
    "ecb_rate",
    "interest_ttc",
    "flat_fee",
];

fn instalments<'a>(schema: Schema, rows: &'a [InstalmentRow]) -> QueryBuilder<'a, Postgres> {
    let mut builder =
        QueryBuilder::new(format!("insert into {}.instalments ({}) ", schema.name(), INSTALMENT_COLUMNS.join(", ")));
    builder.push_values(rows, |mut b, r| {
        b.push_bind(r.contract_id)
            .push_bind(r.number)
            .push_bind(&r.tenant)
            .push_bind(r.received_on)
            .push_bind(r.cumulative_value_ht)
            .push_bind(r.gross_ttc)
            .push_bind(r.advance_recovery_ttc)
            .push_bind(r.advance_outstanding_ttc)
            .push_bind(r.other_deductions_ttc)
            .push_bind(r.net_to_pay_ttc)
            .push_bind(r.approved_on)
            .push_bind(r.due_on)
            .push_bind(r.paid_on)
            .push_bind(r.amount_paid_ttc)
            .push_bind(r.days_to_pay)
            .push_bind(r.days_late)
            .push_bind(r.ecb_rate)
            .push_bind(r.interest_ttc)
            .push_bind(r.flat_fee);
    });
    upsert_tail(&mut builder, "contract_id, number", INSTALMENT_COLUMNS);
    builder
}

const LINE_COLUMNS: &[&str] = &[
    "contract_id",
    "instalment",
    "line_id",
    "tenant",
    "beneficiary",
    "category",
    "modality",
    "hours",
    "month",
    "review",
];

fn lines<'a>(schema: Schema, rows: &'a [LineRow]) -> QueryBuilder<'a, Postgres> {
    let mut builder =
        QueryBuilder::new(format!("insert into {}.statement_lines ({}) ", schema.name(), LINE_COLUMNS.join(", ")));
    builder.push_values(rows, |mut b, r| {
        b.push_bind(r.contract_id)
            .push_bind(r.instalment)
            .push_bind(r.line_id)
            .push_bind(&r.tenant)
            .push_bind(&r.beneficiary)
            .push_bind(&r.category)
            .push_bind(&r.modality)
            .push_bind(r.hours)
            .push_bind(r.month)
            .push_bind(r.review);
    });
    upsert_tail(&mut builder, "contract_id, instalment, line_id", LINE_COLUMNS);
    builder
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
            .push_bind(r.decided_on);
    });
    upsert_tail(&mut builder, "contract_id", PENALTY_COLUMNS);
    builder
}
