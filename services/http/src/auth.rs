//! Bearer-token authentication and the principal a request acts as.
//!
//! Tokens are 32 random bytes, shown once at creation (`suivi token create`) as
//! `suivi_<base64url>`, and stored only as their SHA-256 hash.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row};
pub use suivi_application::{Principal, Role};
use suivi_proto::TenantId;
use uuid::Uuid;

use crate::problem::{Problem, ProblemCode};
use crate::state::AppState;

const TOKEN_PREFIX: &str = "suivi_";

/// Counts a request refused before it reached a handler's work (`/metrics`):
/// `unauthenticated`, `unavailable` (the token could not be checked), `forbidden`, `throttled`.
/// A burst of `unavailable` is the database failing, of `unauthenticated` someone guessing.
pub fn count_refusal(reason: &'static str) {
    metrics::counter!("suivi_requests_refused_total", "reason" => reason).increment(1);
}

/// Refuses (403) unless the principal has one of `roles`.
pub fn require(principal: &Principal, roles: &[Role]) -> Result<(), Problem> {
    if roles.contains(&principal.role) {
        Ok(())
    } else {
        count_refusal("forbidden");
        let allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let (role, allowed) = (principal.role.as_str(), allowed.join(", "));
        Err(Problem::of(ProblemCode::Forbidden).detail(
            format!("le rôle {role} ne permet pas cette action ; rôles admis : {allowed}"),
            format!("role {role} may not do this; allowed: {allowed}"),
        ))
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Problem;

    /// Reads always ask the database (a revoked token is refused at once); a live token is
    /// remembered, so the failed-authentication throttle (`crate::throttle`) knows it.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let principal = authenticated(&state.pool, token).await?;
        state.tokens.put(Sha256::digest(token.as_bytes()).into(), principal.clone());
        Ok(principal)
    }
}

/// The bearer token of a request, if it has one.
fn bearer(parts: &Parts) -> Result<&str, Problem> {
    bearer_token(&parts.headers).ok_or_else(|| {
        count_refusal("unauthenticated");
        Problem::unauthorized()
    })
}

/// [`authenticate`], the refusals counted: 401 for an unknown or revoked token, 503 when the
/// database could not say.
async fn authenticated(pool: &PgPool, token: &str) -> Result<Principal, Problem> {
    match authenticate(pool, token).await {
        Ok(Some(principal)) => Ok(principal),
        Ok(None) => {
            count_refusal("unauthenticated");
            Err(Problem::unauthorized())
        }
        Err(problem) => {
            count_refusal("unavailable");
            Err(problem)
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The SHA-256 of a request's bearer token: the key of [`crate::credentials::TokenCache`].
pub fn bearer_hash(headers: &HeaderMap) -> Option<[u8; 32]> {
    bearer_token(headers).map(|token| Sha256::digest(token.as_bytes()).into())
}

/// The principal of a command: from the server's memory when its token was seen before (its
/// liveness then checked in the command's own round trip, see [`crate::credentials`]), else
/// from the database.
pub async fn command_principal(parts: &Parts, state: &AppState) -> Result<Principal, Problem> {
    let token = bearer(parts)?;
    let hashed: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    if let Some(principal) = state.tokens.get(&hashed) {
        return Ok(principal.with_unverified_token());
    }
    let principal = authenticated(&state.pool, token).await?;
    state.tokens.put(hashed, principal.clone());
    Ok(principal)
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The principal of a live token, if any.
pub async fn authenticate(pool: &PgPool, token: &str) -> Result<Option<Principal>, Problem> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let row =
        sqlx::query("select id, role, tenant, siret from api_tokens where token_hash = $1 and revoked_at is null")
            .bind(hash(token))
            .fetch_optional(pool)
            .await
            .map_err(|e| Problem::unavailable(&e))?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role").map_err(|e| Problem::internal(&e))?;
    let tenant: String = row.try_get("tenant").map_err(|e| Problem::internal(&e))?;
    let id: Uuid = row.try_get("id").map_err(|e| Problem::internal(&e))?;
    Ok(Some(Principal::new(
        id.to_string(),
        Role::parse(&role).ok_or_else(|| Problem::internal(&UnknownRole(role.clone())))?,
        TenantId::parse(&tenant).map_err(|e| Problem::internal(&e))?,
        row.try_get("siret").map_err(|e| Problem::internal(&e))?,
    )))
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?} in api_tokens")]
struct UnknownRole(String);

/// A token just created: the only time its secret value exists outside the caller's hands.
#[derive(Debug)]
pub struct CreatedToken {
    pub id: Uuid,
    pub token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("a contractor token needs --siret, and only a contractor token takes one")]
    SiretAndRole,
    #[error("unknown tenant {0}")]
    UnknownTenant(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn create_token(
    pool: &PgPool,
    role: Role,
    tenant: &TenantId,
    siret: Option<&str>,
    label: &str,
) -> Result<CreatedToken, TokenError> {
    if (role == Role::Contractor) != siret.is_some() {
        return Err(TokenError::SiretAndRole);
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "insert into api_tokens (id, token_hash, role, tenant, siret, label) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(hash(&token))
    .bind(role.as_str())
    .bind(tenant.as_str())
    .bind(siret)
    .bind(label)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => Ok(CreatedToken { id, token }),
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            Err(TokenError::UnknownTenant(tenant.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Which roles may call an endpoint. An endpoint takes `Authorized<ItsPolicy>` as its first
/// argument, so a caller without the role is refused (403) before its body is even read.
pub trait Policy: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// A principal whose role the policy `P` allows.
pub struct Authorized<P: Policy> {
    pub principal: Principal,
    policy: std::marker::PhantomData<P>,
}

impl<P: Policy> std::ops::Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<P: Policy> Authorized<P> {
    /// `principal`, if the policy allows its role (403 otherwise).
    pub fn authorize(principal: Principal) -> Result<Self, Problem> {
        require(&principal, P::ROLES)?;
        Ok(Authorized { principal, policy: std::marker::PhantomData })
    }
}

impl<P: Policy> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        require(&principal, P::ROLES)?;
        Ok(Authorized { principal, policy: std::marker::PhantomData })
    }
}

/// The policies of Suivi's endpoints.
pub mod policies {
    use super::{Policy, Role};

    macro_rules! policy {
        ($(#[$doc:meta])* $name:ident: $($role:ident),+) => {
            $(#[$doc])*
            pub struct $name;
            impl Policy for $name {
                const ROLES: &'static [Role] = &[$(Role::$role),+];
            }
        };
    }

    policy!(/// Award, amend, terminate, approve, settle.
        Buyers: Buyer);
    policy!(/// Corrections of entry mistakes: the buyer, or an administrator.
        Correctors: Buyer, Admin);
    policy!(/// Instalment requests: the contractor, or a buyer recording a request received on paper.
        Requesters: Contractor, Buyer);
    policy!(/// Statement reviews, penalty notifications and decisions.
        Facilitators: Facilitator);
    policy!(/// Observations on a notified penalty: the contractor, or the facilitator recording a letter.
        Observers: Contractor, Facilitator);
    policy!(/// The review queue.
        Reviewers: Facilitator, Buyer, Admin);
    policy!(/// Payments reported in.
        Finance: Finance);
    policy!(/// Reading contracts (each role sees what it may).
        Readers: Buyer, Contractor, Facilitator, Finance, Admin);
    policy!(/// Reading the participants' register (identities: facilitators only).
        RegisterReaders: Facilitator, Buyer, Admin);
    policy!(/// Erasing a participant's identity.
        Erasers: Facilitator, Admin);
    policy!(/// The organisation's yearly indicators (every buyer's contracts, so no contractor).
        IndicatorReaders: Buyer, Facilitator, Admin);
}
