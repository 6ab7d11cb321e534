//! Which buyers a tenant purchases for.

use sqlx::PgPool;
use suivi_proto::TenantId;

/// Whether `siret` is one of the buyers the tenant covers.
pub async fn covers_buyer(pool: &PgPool, tenant: &TenantId, siret: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists(select 1 from tenant_buyers where tenant = $1 and siret = $2)")
        .bind(tenant.as_str())
        .bind(siret)
        .fetch_one(pool)
        .await
}

/// Every tenant, in id order (the NATS edge gives each one its finance consumers).
pub async fn tenant_ids(pool: &PgPool) -> Result<Vec<TenantId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("select id from tenants order by id").fetch_all(pool).await?;
    // The table's check constraint is the subject-token rule: an id it holds always parses.
    Ok(ids.iter().filter_map(|id| TenantId::parse(id).ok()).collect())
}
