//! Lists served from the projector's read models: the contracts a principal may see, and the
//! statements waiting for review. Each page is a keyset page (a cursor, not an offset) and says
//! how far the read models are behind the log, since a command just accepted may not show yet.
//! A single contract is not read here: it is folded from its own stream, exact to the last event.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::Row;
use suivi_domain::ContractStatus;
use suivi_projector::{target, Lag};
use suivi_proto::events::{EligibleCategory, InsertionModality, Period};
use uuid::Uuid;

use crate::principal::{Principal, Role};
use crate::{Application, ApplicationError};

/// The largest page a caller may ask for.
pub const MAX_PAGE: u32 = 500;

/// Which contracts to list, and from where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFilter {
    /// Only this buyer's contracts (one of the tenant's buyer SIRETs).
    pub buyer_siret: Option<String>,
    pub status: Option<ContractStatus>,
    /// Only contracts notified in this calendar year.
    pub year: Option<i32>,
    pub at_risk: Option<bool>,
    /// Only contracts with (`true`) or without (`false`) an insertion clause.
    pub has_clause: Option<bool>,
    /// Only contracts whose object contains this text (case ignored).
    pub search: Option<String>,
    /// The page starts after this contract (the previous page's `next`).
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// One contract as the read models hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractRow {
    pub contract_id: Uuid,
    pub version: i64,
    pub status: ContractStatus,
    pub object: String,
    pub buyer_siret: String,
    pub contractor_sirets: Vec<String>,
    pub notification_date: NaiveDate,
    pub amount_ht: Decimal,
    pub executed_value_ht: Decimal,
    pub committed_hours: Option<Decimal>,
    /// The commitment pro-rated by an early termination, when that changed it.
    pub pro_rated_committed_hours: Option<Decimal>,
    pub declared_hours: Decimal,
    pub validated_hours: Decimal,
    pub rejected_hours: Decimal,
    pub pending_hours: Decimal,
    pub remaining_hours: Option<Decimal>,
    pub at_risk: bool,
}

/// A page of a list, the cursor of the next one, and the read models' lag.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<C>,
    pub lag: Lag,
}

/// Where a review-queue page starts: after this statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    pub received_on: NaiveDate,
    pub contract_id: Uuid,
    pub instalment: u32,
}

/// The cursor as text, `received_on|contract_id|instalment` (the API encodes it further, the web
/// interface puts it in its address as it is).
impl std::fmt::Display for QueueCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}|{}|{}", self.received_on, self.contract_id, self.instalment)
    }
}

impl std::str::FromStr for QueueCursor {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let mut parts = text.split('|');
        let mut next = || parts.next().ok_or(());
        let cursor = QueueCursor {
            received_on: next()?.parse().map_err(drop)?,
            contract_id: next()?.parse().map_err(drop)?,
            instalment: next()?.parse().map_err(drop)?,
        };
        match parts.next() {
            None => Ok(cursor),
            Some(_) => Err(()),
        }
    }
}

/// A statement with lines still to review.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingStatement {
    pub contract_id: Uuid,
    pub contract_object: String,
    pub version: i64,
    pub instalment_number: u32,
    pub received_on: NaiveDate,
    pub lines: Vec<PendingLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingLine {
    pub line_id: u32,
    pub beneficiary: String,
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    pub hours: Decimal,
    pub period: Period,
}

impl Application {
    /// The contracts `principal` may see (a contractor: those it holds), by contract id.
    #[tracing::instrument(skip(self, principal), fields(tenant = %principal.tenant), err(level = "debug"))]
    pub async fn list_contracts(
        &self,
        principal: &Principal,
        filter: &ContractFilter,
    ) -> Result<Page<ContractRow, Uuid>, ApplicationError> {
        let schema = target::active(self.store().pool()).await.map_err(ApplicationError::unavailable)?;
        let contractor = if principal.role == Role::Contractor { principal.siret.clone() } else { None };
        let limit = filter.limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "select contract_id, version, status, object, buyer_siret, contractor_sirets, notification_date,
                    amount_ht, executed_value_ht, committed_hours, declared_hours, validated_hours,
                    rejected_hours, pending_hours, remaining_hours, at_risk,
                    case when terminated_on is not null and effective_committed_hours is distinct from committed_hours
                         then effective_committed_hours end as pro_rated_committed_hours
             from {schema}.contracts
             where tenant = $1
               and ($2::text is null or $2 = any(contractor_sirets))
               and ($3::text is null or buyer_siret = $3)
               and ($4::text is null or status = $4)
               and ($5::int is null or extract(year from notification_date) = $5)
               and ($6::bool is null or at_risk = $6)
               and ($7::uuid is null or contract_id > $7)
               and ($9::bool is null or (committed_hours is not null) = $9)
               and ($10::text is null or object ilike '%' || $10 || '%')
             order by contract_id
             limit $8",
            schema = schema.name()
        );
        let rows = sqlx::query(&sql)
            .bind(principal.tenant.as_str())
            .bind(contractor)
            .bind(filter.buyer_siret.as_deref())
            .bind(filter.status.map(|s| s.to_string()))
            .bind(filter.year)
            .bind(filter.at_risk)
            .bind(filter.after)
            .bind(i64::from(limit) + 1)
            .bind(filter.has_clause)
            .bind(filter.search.as_deref().map(like_literal))
            .fetch_all(self.store().pool());
        let (rows, lag) = futures::future::join(rows, suivi_projector::lag(self.store().pool(), schema)).await;
        let rows = rows.map_err(ApplicationError::unavailable)?;
        let mut items =
            rows.iter().map(contract_row).collect::<Result<Vec<_>, _>>().map_err(ApplicationError::internal)?;
        let next = (items.len() > limit as usize).then(|| {
            items.truncate(limit as usize);
            items.last().map(|row| row.contract_id)
        });
        Ok(Page { items, next: next.flatten(), lag: lag.map_err(ApplicationError::unavailable)? })
    }

    /// Statements with lines waiting for review, oldest received first (the principal's tenant).
    #[tracing::instrument(skip(self, principal), fields(tenant = %principal.tenant), err(level = "debug"))]
    pub async fn review_queue(
        &self,
        principal: &Principal,
        after: Option<QueueCursor>,
        limit: u32,
    ) -> Result<Page<PendingStatement, QueueCursor>, ApplicationError> {
        let schema = target::active(self.store().pool()).await.map_err(ApplicationError::unavailable)?;
        let limit = limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "with page as (
                 select i.contract_id, i.number, i.received_on, c.object, c.version
                 from {schema}.instalments i
                 join {schema}.contracts c on c.contract_id = i.contract_id
                 where i.tenant = $1
                   and ($2::date is null or (i.received_on, i.contract_id, i.number) > ($2, $3, $4))
                   and exists (select 1 from {schema}.statement_lines l
                               where l.contract_id = i.contract_id and l.instalment = i.number
                                 and l.review = 'pending')
                 order by i.received_on, i.contract_id, i.number
                 limit $5
             )
             select page.*, l.line_id, l.beneficiary, l.category, l.modality, l.hours, l.period_start, l.period_end
             from page
             join {schema}.statement_lines l
               on l.contract_id = page.contract_id and l.instalment = page.number and l.review = 'pending'
             order by page.received_on, page.contract_id, page.number, l.line_id",
            schema = schema.name()
        );
        let rows = sqlx::query(&sql)
            .bind(principal.tenant.as_str())
            .bind(after.map(|c| c.received_on))
            .bind(after.map(|c| c.contract_id))
            .bind(after.map(|c| c.instalment as i32))
            .bind(i64::from(limit) + 1)
            .fetch_all(self.store().pool());
        let (rows, lag) = futures::future::join(rows, suivi_projector::lag(self.store().pool(), schema)).await;
        let rows = rows.map_err(ApplicationError::unavailable)?;
        let mut statements: Vec<PendingStatement> = Vec::new();
        for row in &rows {
            let (statement, line) = pending_row(row).map_err(ApplicationError::internal)?;
            match statements.last_mut() {
                Some(last)
                    if last.contract_id == statement.contract_id
                        && last.instalment_number == statement.instalment_number =>
                {
                    last.lines.push(line)
                }
                _ => statements.push(PendingStatement { lines: vec![line], ..statement }),
            }
        }
        let next = (statements.len() > limit as usize).then(|| {
            statements.truncate(limit as usize);
            statements.last().map(|s| QueueCursor {
                received_on: s.received_on,
                contract_id: s.contract_id,
                instalment: s.instalment_number,
            })
        });
        Ok(Page { items: statements, next: next.flatten(), lag: lag.map_err(ApplicationError::unavailable)? })
    }
}

/// `text` matched literally by `ilike` (its `%`, `_` and `\\` escaped: `\\` is the default escape).
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn contract_row(row: &PgRow) -> Result<ContractRow, RowError> {
    let status: String = row.try_get("status")?;
    Ok(ContractRow {
        contract_id: row.try_get("contract_id")?,
        version: row.try_get("version")?,
        status: parse_status(&status).ok_or(RowError::Value("status", status))?,
        object: row.try_get("object")?,
        buyer_siret: row.try_get("buyer_siret")?,
        contractor_sirets: row.try_get("contractor_sirets")?,
        notification_date: row.try_get("notification_date")?,
        amount_ht: row.try_get("amount_ht")?,
        executed_value_ht: row.try_get("executed_value_ht")?,
        committed_hours: row.try_get("committed_hours")?,
        pro_rated_committed_hours: row.try_get("pro_rated_committed_hours")?,
        declared_hours: row.try_get("declared_hours")?,
        validated_hours: row.try_get("validated_hours")?,
        rejected_hours: row.try_get("rejected_hours")?,
        pending_hours: row.try_get("pending_hours")?,
        remaining_hours: row.try_get("remaining_hours")?,
        at_risk: row.try_get("at_risk")?,
    })
}

pub fn parse_status(name: &str) -> Option<ContractStatus> {
    [ContractStatus::Awarded, ContractStatus::Terminated, ContractStatus::Settled]
        .into_iter()
        .find(|status| status.to_string() == name)
}

fn pending_row(row: &PgRow) -> Result<(PendingStatement, PendingLine), RowError> {
    let number: i32 = row.try_get("number")?;
    let line_id: i32 = row.try_get("line_id")?;
    let statement = PendingStatement {
        contract_id: row.try_get("contract_id")?,
        contract_object: row.try_get("object")?,
        version: row.try_get("version")?,
        instalment_number: u32::try_from(number).map_err(|_| RowError::Value("number", number.to_string()))?,
        received_on: row.try_get("received_on")?,
        lines: Vec::new(),
    };
    let line = PendingLine {
        line_id: u32::try_from(line_id).map_err(|_| RowError::Value("line_id", line_id.to_string()))?,
        beneficiary: row.try_get("beneficiary")?,
        category: named(row, "category")?,
        modality: named(row, "modality")?,
        hours: row.try_get("hours")?,
        period: Period { start: row.try_get("period_start")?, end: row.try_get("period_end")? },
    };
    Ok((statement, line))
}

/// An enum stored by its serde name.
fn named<T: serde::de::DeserializeOwned>(row: &PgRow, column: &'static str) -> Result<T, RowError> {
    let name: String = row.try_get(column)?;
    serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| RowError::Value(column, name))
}

#[derive(Debug, thiserror::Error)]
enum RowError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("read model column {0} holds an unknown value {1:?}")]
    Value(&'static str, String),
}

#[cfg(test)]
mod tests {
    #[test]
    fn searched_words_are_matched_literally() {
        assert_eq!(super::like_literal(r"100% _lot\2"), r"100\% \_lot\\2");
    }
}
