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
