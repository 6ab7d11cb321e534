//! Yearly indicators (domain.md §5), per buyer and consolidated for the tenant: SQL over the
//! read models of one schema, one query per group of indicators, all read in one snapshot.
//!
//! Each query groups by `grouping sets ((), (c.buyer_siret))`: the row whose `buyer_siret` is
//! null is the consolidated figure (computed over the whole, so distinct counts and medians are
//! not sums of the buyers'), the others are each buyer's. `buyer_siret`, `category` and
//! `modality` are never null in the tables, so a null in a result always means "all of them".
//!
//! Beside the figures: the national plan the year is compared with ([`targets`], from the
//! `pnad_targets` reference table) and each buyer's name (from the tenant's list of buyers),
//! read in the same snapshot.
//!
//! What each figure counts and which date decides its year: `docs/indicators.md`.

mod cache;
mod queries;
pub mod targets;
mod types;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::PgPool;
use suivi_proto::TenantId;

use crate::target::Schema;

pub use cache::{cached_yearly_indicators, CachedIndicators};
pub use targets::{NationalPlan, NationalTargets};
pub use types::*;

/// The indicators of `tenant` for calendar `year`, from the read models of `schema`.
#[tracing::instrument(skip(pool), fields(schema = schema.name(), tenant = %tenant.as_str()), err)]
pub async fn yearly_indicators(
    pool: &PgPool,
    schema: Schema,
    tenant: &TenantId,
    year: i32,
) -> Result<YearlyIndicators, sqlx::Error> {
    let first_day = |year: i32| NaiveDate::from_ymd_opt(year, 1, 1);
    let next_year = year.checked_add(1).and_then(first_day);
    let (Some(from), Some(until), Some(last_day)) = (first_day(year), next_year, next_year.and_then(|d| d.pred_opt()))
    else {
        return Err(sqlx::Error::InvalidArgument(format!("year {year} is out of range")));
    };
    let year_range = YearRange { tenant: tenant.as_str(), from, until };
    // Every group read from the same snapshot: a batch committing in between cannot make the
    // figures disagree with each other.
    let mut tx = pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
    let mut report = Report::default();
    queries::notified(&mut tx, schema, &year_range, &mut report).await?;
    queries::line_hours(&mut tx, schema, &year_range, &mut report).await?;
    queries::people(&mut tx, schema, &year_range, &mut report).await?;
    // After `people` and `line_hours`: hours per beneficiary divides one by the other.
    queries::beneficiary_profiles(&mut tx, schema, &year_range, &mut report).await?;
    queries::settlements(&mut tx, schema, &year_range, &mut report).await?;
    queries::penalty_decisions(&mut tx, schema, &year_range, &mut report).await?;
    queries::advances(&mut tx, schema, &year_range, &mut report).await?;
    queries::payments(&mut tx, schema, &year_range, &mut report).await?;
    queries::at_risk(&mut tx, schema, &year_range, &mut report).await?;
    let national_targets = targets::compared_with(last_day, &targets::plans(&mut tx).await?);
    let mut names = buyer_names(&mut tx, tenant).await?;
    tx.commit().await?;
    let mut consolidated = report.consolidated;
    consolidated.compare_with(&national_targets);
    let buyers = report
        .buyers
        .into_iter()
        .map(|(buyer_siret, mut indicators)| {
            indicators.compare_with(&national_targets);
            BuyerIndicators { buyer_name: names.remove(&buyer_siret), buyer_siret, indicators }
        })
        .collect();
    Ok(YearlyIndicators { year, tenant: tenant.clone(), national_targets, consolidated, buyers })
}

/// The names the tenant's list of buyers records, by SIRET (`suivi tenant name-buyer`, or the
/// `acheteur.nom` of an imported DECP file). Per tenant: one organisation's names never show in
/// another's indicators.
async fn buyer_names(tx: &mut sqlx::PgConnection, tenant: &TenantId) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let names: Vec<(String, String)> =
        sqlx::query_as("select siret, name from tenant_buyers where tenant = $1 and name is not null")
            .bind(tenant.as_str())
            .fetch_all(tx)
            .await?;
    Ok(names.into_iter().collect())
}

/// The binds every query takes: `$1` tenant, `$2` first day of the year, `$3` first day of the next.
struct YearRange<'a> {
    tenant: &'a str,
    from: NaiveDate,
    until: NaiveDate,
}

impl YearRange<'_> {
    fn bind<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
        query.bind(self.tenant.to_owned()).bind(self.from).bind(self.until)
    }
}

#[derive(Default)]
struct Report {
    consolidated: Indicators,
    buyers: BTreeMap<String, Indicators>,
}

impl Report {
    /// The consolidated indicators for a null buyer (the `()` grouping set), else the buyer's.
    fn of(&mut self, buyer_siret: Option<String>) -> &mut Indicators {
        match buyer_siret {
            None => &mut self.consolidated,
            Some(siret) => self.buyers.entry(siret).or_default(),
        }
    }
}
