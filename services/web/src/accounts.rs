//! Web accounts: an e-mail address, an Argon2id password hash, a role in a tenant (and for a
//! contractor its SIRET). Created by an administrator (`suivi user create`); there is no
//! self-service sign-up.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use rand::RngCore as _;
use sqlx::PgPool;
use suivi_application::Role;
use suivi_proto::TenantId;
use uuid::Uuid;

/// Shorter passwords are refused: length is what makes a password hard to guess (ANSSI and
/// CNIL recommend 12 characters at least for a password alone).
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a contractor account needs --siret, and only a contractor account takes one")]
    SiretAndRole,
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    ShortPassword,
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("an account with the address {0} already exists")]
    EmailTaken(String),
    #[error("unknown tenant {0}")]
    UnknownTenant(String),
    #[error("no account with the address {0}")]
    UnknownEmail(String),
    #[error("hashing the password: {0}")]
    Hash(String),
    #[error("stored account unreadable: {0}")]
    Stored(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new account.
pub struct NewUser<'a> {
    pub tenant: &'a TenantId,
    pub role: Role,
    pub siret: Option<&'a str>,
    pub email: &'a str,
    pub password: &'a str,
}

/// Addresses are compared lower-cased and trimmed: people type them as they like.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.chars().any(char::is_whitespace) && domain.contains('.')
    });
    if valid {
        Ok(email)
    } else {
        Err(AccountError::BadEmail(email))
    }
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's minimum), a 128-bit random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::ShortPassword);
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches `hash` (any parameters the PHC string names). An unreadable
/// hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash no password is expected to match, verified when the address is unknown so that an
/// unknown address takes as long to refuse as a wrong password (no account enumeration by time).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        hash_password(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret)).unwrap_or_default()
    })
}

pub async fn create_user(pool: &PgPool, user: NewUser<'_>) -> Result<Uuid, AccountError> {
    if (user.role == Role::Contractor) != user.siret.is_some() {
        return Err(AccountError::SiretAndRole);
    }
    let email = normalise_email(user.email)?;
    let hash = blocking_hash(user.password.to_owned()).await?;
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "insert into users (id, tenant, email, role, siret, password_hash) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user.tenant.as_str())
    .bind(&email)
    .bind(user.role.as_str())
    .bind(user.siret)
    .bind(hash)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            Err(AccountError::UnknownTenant(user.tenant.to_string()))
        }
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(AccountError::EmailTaken(email)),
        Err(e) => Err(e.into()),
    }
}

/// Replaces an account's password and ends its sessions (whoever knew the old one is out).
pub async fn set_password(pool: &PgPool, email: &str, password: &str) -> Result<(), AccountError> {
    let email = normalise_email(email)?;
    let hash = blocking_hash(password.to_owned()).await?;
    let mut tx = pool.begin().await?;
    let id: Option<Uuid> = sqlx::query_scalar("update users set password_hash = $2 where email = $1 returning id")
        .bind(&email)
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await?;
    let id = id.ok_or(AccountError::UnknownEmail(email))?;
    sqlx::query("delete from sessions where user_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// An account that may sign in.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub tenant: TenantId,
    pub role: Role,
    pub siret: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: Uuid,
    tenant: String,
    role: String,
    siret: Option<String>,
    password_hash: String,
}

/// The live account with this address and password, if any. Argon2 runs off the async
/// threads: it is meant to be slow.
pub async fn check_password(pool: &PgPool, email: &str, password: &str) -> Result<Option<User>, AccountError> {
    let Ok(email) = normalise_email(email) else { return Ok(None) };
    let row: Option<AccountRow> = sqlx::query_as(
        "select id, tenant, role, siret, password_hash from users where email = $1 and disabled_at is null",
    )
    .bind(&email)
    .fetch_optional(pool)
    .await?;
    let hash = row.as_ref().map_or_else(|| decoy_hash().to_owned(), |row| row.password_hash.clone());
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    let Some(AccountRow { id, tenant, role, siret, .. }) = row.filter(|_| matches) else { return Ok(None) };
    let tenant = TenantId::parse(&tenant).map_err(|e| AccountError::Stored(e.to_string()))?;
    let role = Role::parse(&role).ok_or_else(|| AccountError::Stored(format!("unknown role {role}")))?;
    Ok(Some(User { id, tenant, role, siret }))
}

async fn blocking_hash(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_own_hash_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterie", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn short_passwords_and_odd_addresses_are_refused() {
        assert!(matches!(hash_password("trop court"), Err(AccountError::ShortPassword)));
        assert_eq!(normalise_email("  Alice@Exemple.FR ").ok().as_deref(), Some("alice@exemple.fr"));
        assert!(normalise_email("alice").is_err());
        assert!(normalise_email("al ice@exemple.fr").is_err());
    }
}

/// Stops an account from signing in (a person who left, a lost laptop) and ends its sessions at
/// once; the account and what it did stay. `false` when it was already disabled.
pub async fn disable(pool: &PgPool, email: &str) -> Result<bool, AccountError> {
    let email = normalise_email(email)?;
    let mut tx = pool.begin().await?;
    let row: Option<(Uuid, bool)> = sqlx::query_as(
        "with before as (select id, disabled_at from users where email = $1 for update)
         update users u set disabled_at = coalesce(before.disabled_at, now()) from before where u.id = before.id
         returning u.id, before.disabled_at is null",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, newly) = row.ok_or(AccountError::UnknownEmail(email))?;
    sqlx::query("delete from sessions where user_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(newly)
}

/// Lets a disabled account sign in again (with its password as it was). `false` when it was not
/// disabled.
pub async fn enable(pool: &PgPool, email: &str) -> Result<bool, AccountError> {
    let email = normalise_email(email)?;
    let was_disabled: Option<bool> = sqlx::query_scalar(
        "with before as (select id, disabled_at from users where email = $1 for update)
         update users u set disabled_at = null from before where u.id = before.id
         returning before.disabled_at is not null",
    )
    .bind(&email)
    .fetch_optional(pool)
    .await?;
    was_disabled.ok_or(AccountError::UnknownEmail(email))
}

/// An account as an administrator lists it (never its password's hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedAccount {
    pub email: String,
    pub role: String,
    pub siret: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The tenant's accounts, by e-mail address.
pub async fn list(pool: &PgPool, tenant: &TenantId) -> Result<Vec<ListedAccount>, AccountError> {
    Ok(sqlx::query_as("select email, role, siret, created_at, disabled_at from users where tenant = $1 order by email")
        .bind(tenant.as_str())
        .fetch_all(pool)
        .await?)
}
