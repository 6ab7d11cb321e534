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

/// Who gave a buyer its name: an administrator's is never replaced by an import's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedBy {
    /// `acheteur.nom` of a record of `suivi import decp`.
    DecpImport,
    /// `suivi tenant name-buyer`.
    Administrator,
}

impl NamedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            NamedBy::DecpImport => "decp_import",
            NamedBy::Administrator => "administrator",
        }
    }
}

/// The longest buyer name kept (the table refuses longer ones): INSEE's names are far shorter.
pub const BUYER_NAME_MAX_CHARS: usize = 250;

/// What a buyer's name may be: one line, not blank, at most [`BUYER_NAME_MAX_CHARS`]; trimmed.
pub fn buyer_name(raw: &str) -> Result<&str, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("a buyer's name cannot be blank".to_owned());
    }
    if name.chars().count() > BUYER_NAME_MAX_CHARS {
        return Err(format!("a buyer's name is at most {BUYER_NAME_MAX_CHARS} characters"));
    }
    suivi_proto::text::check_single_line(name).map_err(|invalid| format!("a buyer's name is one line: {invalid}"))?;
    Ok(name)
}

/// What naming a buyer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// The name is recorded (or was already this one).
    Named,
    /// An import does not replace the name an administrator gave.
    KeptAdministratorsName,
    /// The SIRET is not among the tenant's buyers.
    NotABuyer,
}

/// Names one of the tenant's buyers. `name` must have passed [`buyer_name`]. An unknown
/// tenant is an error; a SIRET the tenant does not list is [`Naming::NotABuyer`].
pub async fn name_buyer(
    pool: &PgPool,
    tenant: &TenantId,
    siret: &str,
    name: &str,
    by: NamedBy,
) -> Result<Naming, TenantError> {
    let mut tx = pool.begin().await?;
    let listed: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("select name, named_by from tenant_buyers where tenant = $1 and siret = $2 for update")
            .bind(tenant.as_str())
            .bind(siret)
            .fetch_optional(&mut *tx)
            .await?;
    let naming = match listed {
        None => {
            ensure_known(&mut tx, tenant).await?;
            Naming::NotABuyer
        }
        Some((_, Some(given_by))) if by == NamedBy::DecpImport && given_by == NamedBy::Administrator.as_str() => {
            Naming::KeptAdministratorsName
        }
        // The same name from the same origin: nothing to write (an import names a buyer once
        // per record).
        Some((Some(current), Some(given_by))) if current == name && given_by == by.as_str() => Naming::Named,
        Some(_) => {
            sqlx::query(
                "update tenant_buyers set name = $3, named_by = $4, named_at = now() where tenant = $1 and siret = $2",
            )
            .bind(tenant.as_str())
            .bind(siret)
            .bind(name)
            .bind(by.as_str())
            .execute(&mut *tx)
            .await?;
            Naming::Named
        }
    };
    tx.commit().await?;
    Ok(naming)
}

async fn ensure_known(connection: &mut sqlx::PgConnection, tenant: &TenantId) -> Result<(), TenantError> {
    let known: bool = sqlx::query_scalar("select exists (select from tenants where id = $1)")
        .bind(tenant.as_str())
        .fetch_one(connection)
        .await?;
    if known {
        Ok(())
    } else {
        Err(TenantError::Unknown(tenant.to_string()))
    }
}

/// One of a tenant's buyers, as `suivi tenant buyers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedBuyer {
    pub siret: String,
    pub name: Option<String>,
    /// `decp_import` or `administrator`, when named.
    pub named_by: Option<String>,
}

/// A tenant's buyer SIRETs, in order, with their name when one is recorded and who gave it.
pub async fn buyers(pool: &PgPool, tenant: &TenantId) -> Result<Vec<ListedBuyer>, TenantError> {
    let mut connection = pool.acquire().await?;
    ensure_known(&mut connection, tenant).await?;
    Ok(sqlx::query_as("select siret, name, named_by from tenant_buyers where tenant = $1 order by siret")
        .bind(tenant.as_str())
        .fetch_all(&mut *connection)
        .await?)
}
