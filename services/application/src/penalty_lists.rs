//! The penalties of settled contracts, as the read models hold them: the sustainability
//! service's worklist (what to notify, what awaits the contractor, what to decide) and a
//! contractor's notices. Each row links to the contract, whose own stream is exact.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::Row;
use suivi_projector::{target, Lag};
use uuid::Uuid;

use crate::principal::{Principal, Role};
use crate::{Application, ApplicationError};

/// The most rows the worklist shows (undecided first): a tenant settles a few hundred contracts
/// with a clause a year.
pub const MAX_PENALTIES: i64 = 500;

/// One settled contract's penalty and where its procedure stands.
#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyRow {
    pub contract_id: Uuid,
    pub object: String,
    pub buyer_siret: String,
    pub proposed_amount_ht: Decimal,
    pub notified_on: Option<NaiveDate>,
    pub notified_amount_ht: Option<Decimal>,
    pub observations_until: Option<NaiveDate>,
    pub observations_received_on: Option<NaiveDate>,
    /// `confirmed`, `adjusted` or `waived`, once decided.
    pub decision: Option<String>,
    pub decided_amount_ht: Option<Decimal>,
    pub decided_on: Option<NaiveDate>,
}

impl Application {
    /// The penalties `principal` may see (a contractor: those of its contracts), undecided first,
    /// then the most recently decided.
    #[tracing::instrument(skip(self, principal), fields(tenant = %principal.tenant), err(level = "debug"))]
    pub async fn list_penalties(&self, principal: &Principal) -> Result<(Vec<PenaltyRow>, Lag), ApplicationError> {
        let pool = self.store().pool();
        let schema = target::active(pool).await.map_err(ApplicationError::unavailable)?;
        let contractor = if principal.role == Role::Contractor { principal.siret.clone() } else { None };
        let sql = format!(
            "select p.contract_id, c.object, c.buyer_siret, p.proposed_amount_ht, p.notified_on,
                    p.notified_amount_ht, p.observations_until, p.observations_received_on, p.decision,
                    p.decided_amount_ht, p.decided_on
             from {schema}.penalties p
             join {schema}.contracts c on c.contract_id = p.contract_id
             where p.tenant = $1 and ($2::text is null or $2 = any(c.contractor_sirets))
             order by p.decision is not null, p.decided_on desc nulls first, p.notified_on nulls first,
                      p.contract_id
             limit $3",
            schema = schema.name()
        );
        let rows =
            sqlx::query(&sql).bind(principal.tenant.as_str()).bind(contractor).bind(MAX_PENALTIES).fetch_all(pool);
        let (rows, lag) = futures::future::join(rows, suivi_projector::lag(pool, schema)).await;
        let rows = rows.map_err(ApplicationError::unavailable)?;
        let rows = rows
            .iter()
            .map(|row| {
                Ok(PenaltyRow {
                    contract_id: row.try_get("contract_id")?,
                    object: row.try_get("object")?,
                    buyer_siret: row.try_get("buyer_siret")?,
                    proposed_amount_ht: row.try_get("proposed_amount_ht")?,
                    notified_on: row.try_get("notified_on")?,
                    notified_amount_ht: row.try_get("notified_amount_ht")?,
                    observations_until: row.try_get("observations_until")?,
                    observations_received_on: row.try_get("observations_received_on")?,
                    decision: row.try_get("decision")?,
                    decided_amount_ht: row.try_get("decided_amount_ht")?,
                    decided_on: row.try_get("decided_on")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(ApplicationError::internal)?;
        Ok((rows, lag.map_err(ApplicationError::unavailable)?))
    }
}
