//! Tenants, the buyer SIRETs they cover, and their pseudonym keys.
//!
//! Beneficiaries are vulnerable people: the contractor sends its own reference for each one,
//! and Suivi keeps only `HMAC-SHA256(tenant key, reference)` as 64 hex digits. The same person
//! gets the same pseudonym across every contract of a tenant, so distinct people can be
//! counted; nobody can go back from a pseudonym to the reference without the key.
//!
//! - **Rotation** (`suivi tenant rotate-key`): the active key is retired and a new one made.
//!   New statements get pseudonyms under the new key; old events keep theirs. A person seen on
//!   both sides of a rotation counts as two, so rotate at the start of a calendar year, when
//!   yearly indicators start afresh.
//! - **Crypto-shredding** (`suivi tenant destroy-keys`): deleting every key of the tenant (and
//!   the database backups holding them) makes every pseudonym in the log unlinkable for good,
//!   without editing a single event.

use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;
use sqlx::PgPool;
use suivi_proto::codes::Pseudonym;
use suivi_proto::TenantId;

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("tenant {0} has no active pseudonym key (destroyed?): statements cannot be accepted")]
    NoActiveKey(String),
    #[error("tenant {0} already exists")]
    AlreadyExists(String),
    #[error("unknown tenant {0}")]
    Unknown(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// Creates a tenant with the buyer SIRETs it covers and its first pseudonym key.
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
    sqlx::query("insert into tenant_keys (tenant, version, secret) values ($1, 1, $2)")
        .bind(id.as_str())
        .bind(new_secret())
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

/// Retires the active key and makes a new one; returns the new version.
pub async fn rotate_key(pool: &PgPool, tenant: &TenantId) -> Result<i32, TenantError> {
    let mut tx = pool.begin().await?;
    sqlx::query("update tenant_keys set retired_at = now() where tenant = $1 and retired_at is null")
        .bind(tenant.as_str())
        .execute(&mut *tx)
        .await?;
    let version: i32 = sqlx::query_scalar(
        "insert into tenant_keys (tenant, version, secret)
         select $1, coalesce(max(version), 0) + 1, $2 from tenant_keys where tenant = $1
         returning version",
    )
    .bind(tenant.as_str())
    .bind(new_secret())
    .fetch_one(&mut *tx)
    .await
    .map_err(unknown_tenant(tenant))?;
    tx.commit().await?;
    Ok(version)
}

/// Deletes every key of the tenant: its pseudonyms become unlinkable (crypto-shredding).
pub async fn destroy_keys(pool: &PgPool, tenant: &TenantId) -> Result<u64, TenantError> {
    let deleted = sqlx::query("delete from tenant_keys where tenant = $1").bind(tenant.as_str()).execute(pool).await?;
    if deleted.rows_affected() == 0 {
        // A mistyped id must not look like a done crypto-shredding.
        let exists: bool = sqlx::query_scalar("select exists(select 1 from tenants where id = $1)")
            .bind(tenant.as_str())
            .fetch_one(pool)
            .await?;
        if !exists {
            return Err(TenantError::Unknown(tenant.to_string()));
        }
    }
    Ok(deleted.rows_affected())
}

/// The tenant's active pseudonymiser.
pub async fn pseudonymiser(pool: &PgPool, tenant: &TenantId) -> Result<Pseudonymiser, TenantError> {
    let secret = active_secret(pool, tenant).await?;
    secret.map(|secret| Pseudonymiser { secret }).ok_or_else(|| TenantError::NoActiveKey(tenant.to_string()))
}

async fn active_secret(pool: &PgPool, tenant: &TenantId) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("select secret from tenant_keys where tenant = $1 and retired_at is null")
        .bind(tenant.as_str())
        .fetch_optional(pool)
        .await
}

/// Turns a contractor's reference for a person into the tenant's pseudonym for that person.
pub struct Pseudonymiser {
    secret: Vec<u8>,
}

impl Pseudonymiser {
    /// References are compared after trimming and case folding, so "AB-12 " and "ab-12" are one person.
    pub fn pseudonym(&self, reference: &str) -> Pseudonym {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(reference.trim().to_lowercase().as_bytes());
        let digest = hex::encode(mac.finalize().into_bytes());
        Pseudonym::parse(&digest).unwrap_or_else(|_| unreachable!("64 lowercase hex digits"))
    }
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser(<secret>)")
    }
}
