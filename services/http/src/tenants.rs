//! Tenants and the buyer SIRETs they cover.
//!
//! (Until the participants' register, each tenant also had a pseudonym key that statement lines
//! were keyed with; the register's migration destroyed them, see `docs/privacy.md`.)

use sqlx::PgPool;
use suivi_proto::TenantId;

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("tenant {0} already exists")]
    AlreadyExists(String),
    #[error("unknown tenant {0}")]
    Unknown(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a tenant with the buyer SIRETs it covers.
pub async fn create_tenant(
    pool: &PgPool,
    id: &TenantId,
    name: &str,
    buyer_sirets: &[String],
) -> Result<(), TenantError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query("insert into tenants (id, name) values ($1, $2) on conflict do nothing")
        .bind(id.as_str())
        .bind(name)
        .execute(&mut *tx)
        .await?;
    if inserted.rows_affected() == 0 {
        return Err(TenantError::AlreadyExists(id.to_string()));
    }
    sqlx::query("insert into tenant_buyers (tenant, siret) select $1, unnest($2::text[])")
        .bind(id.as_str())
        .bind(buyer_sirets)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An unknown tenant named where a row must reference one: a typo on the command line.
fn unknown_tenant(tenant: &TenantId) -> impl FnOnce(sqlx::Error) -> TenantError + '_ {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => TenantError::Unknown(tenant.to_string()),
        _ => error.into(),
    }
}

/// Adds buyer SIRETs (e.g. a member commune whose purchasing the tenant takes over).
pub async fn add_buyers(pool: &PgPool, id: &TenantId, buyer_sirets: &[String]) -> Result<(), TenantError> {
    sqlx::query("insert into tenant_buyers (tenant, siret) select $1, unnest($2::text[]) on conflict do nothing")
        .bind(id.as_str())
        .bind(buyer_sirets)
        .execute(pool)
        .await
        .map_err(unknown_tenant(id))?;
    Ok(())
}

pub use suivi_application::tenancy::covers_buyer;
