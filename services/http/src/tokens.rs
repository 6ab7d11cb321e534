//! Listing and revoking bearer tokens (`suivi token list`, `suivi token revoke`).
//!
//! A listing shows what identifies a token — id, role, SIRET, label, dates — and never its
//! secret nor its hash. Revoking sets `revoked_at`; [`crate::auth::authenticate`] reads it on
//! every request, so a running server refuses the token (401) from the next request on.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use suivi_proto::TenantId;
use uuid::Uuid;

/// A token as listed: everything but its secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenSummary {
    pub id: Uuid,
    pub role: String,
    pub siret: Option<String>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The token was live; it is refused from now on.
    Revoked { at: DateTime<Utc> },
    /// The token had been revoked before; nothing changed.
    AlreadyRevoked { at: DateTime<Utc> },
}

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("unknown tenant {0}")]
    UnknownTenant(String),
    #[error("no token with id {0}")]
    UnknownToken(Uuid),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The tenant's tokens, oldest first, revoked ones included.
pub async fn list_tokens(pool: &PgPool, tenant: &TenantId) -> Result<Vec<TokenSummary>, TokensError> {
    let exists: bool = sqlx::query_scalar("select exists (select 1 from tenants where id = $1)")
        .bind(tenant.as_str())
        .fetch_one(pool)
        .await?;
    if !exists {
        return Err(TokensError::UnknownTenant(tenant.to_string()));
    }
    let tokens = sqlx::query_as(
        "select id, role, siret, label, created_at, revoked_at from api_tokens
         where tenant = $1 order by created_at, id",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    Ok(tokens)
}

/// Revokes a token. Idempotent: revoking it again changes nothing and says when it was revoked.
pub async fn revoke_token(pool: &PgPool, id: Uuid) -> Result<Revocation, TokensError> {
    // `previous` is read before the update; a concurrent revocation can make both callers see
    // "revoked", but `coalesce` keeps the first time.
    let row: Option<(DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
        "update api_tokens t set revoked_at = coalesce(t.revoked_at, now())
         from (select id, revoked_at as previous from api_tokens where id = $1) was
         where t.id = was.id
         returning t.revoked_at, was.previous",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    match row {
        None => Err(TokensError::UnknownToken(id)),
        Some((at, None)) => Ok(Revocation::Revoked { at }),
        Some((at, Some(_))) => Ok(Revocation::AlreadyRevoked { at }),
    }
}
