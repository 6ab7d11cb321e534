//! The register's keys, as the KEK ring opens them: each tenant's blind-index key (made on its
//! first registration), each participant's data key; and rewrapping them all under a new KEK.

use sqlx::PgPool;
use suivi_http::{AppState, Problem, ProblemCode};
use suivi_privacy::{context, KeyRing, SecretKey, WrappedKey};
use suivi_proto::TenantId;
use suivi_store::participants;

/// The register cannot work: no KEK, or the KEK does not open a stored key. Logged (without any
/// key), answered 503.
fn unavailable(why: &dyn std::fmt::Display) -> Problem {
    tracing::error!(error = %why, "the participants' register is unavailable");
    Problem::of(ProblemCode::RegisterUnavailable)
}

/// The server's KEK ring, or 503 when it was started without one.
pub(crate) fn vault(state: &AppState) -> Result<&KeyRing, Problem> {
    state.vault.as_deref().ok_or_else(|| unavailable(&"no key-encryption key configured (SUIVI_KEK_FILE or SUIVI_KEK)"))
}

/// The tenant's blind-index key, made and stored (wrapped) on first use.
pub async fn tenant_index_key(pool: &PgPool, vault: &KeyRing, tenant: &TenantId) -> Result<SecretKey, Problem> {
    let context = context::tenant_index_key(tenant.as_str());
    let stored = match participants::tenant_index_key(pool, tenant).await.map_err(|e| Problem::unavailable(&e))? {
        Some(stored) => stored,
        None => {
            let wrapped = vault.wrap(&SecretKey::random(), &context);
            participants::create_tenant_index_key(pool, tenant, &wrapped.sealed, &wrapped.kek_id)
                .await
                .map_err(|e| Problem::unavailable(&e))?
        }
    };
    vault.unwrap(&WrappedKey { sealed: stored.0, kek_id: stored.1 }, &context).map_err(|e| unavailable(&e))
}

/// Opens a participant's data key.
pub(crate) fn data_key(vault: &KeyRing, participant_id: &str, wrapped: WrappedKey) -> Result<SecretKey, Problem> {
    vault.unwrap(&wrapped, &context::participant_data_key(participant_id)).map_err(|e| unavailable(&e))
}

/// What `suivi kek rewrap` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rewrapped {
    /// Keys wrapped again under the active KEK.
    pub rewrapped: usize,
    /// Keys already under it.
    pub already: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RewrapError {
    #[error("{what} key of {whose}: {source}")]
    Key { what: String, whose: String, source: suivi_privacy::KekError },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Wraps every stored key again under the ring's active KEK (see `suivi_privacy::keys` for the
/// rotation). A key changed meanwhile (a participant erased) is left as it is.
pub async fn rewrap_all(pool: &PgPool, vault: &KeyRing) -> Result<Rewrapped, RewrapError> {
    let mut done = Rewrapped::default();
    for (what, whose, sealed, kek_id) in participants::wrapped_keys(pool).await? {
        if kek_id == vault.active_id() {
            done.already += 1;
            continue;
        }
        let context = match what.as_str() {
            "tenant_index" => context::tenant_index_key(&whose),
            _ => context::participant_data_key(&whose),
        };
        let key = vault
            .unwrap(&WrappedKey { kek_id, sealed: sealed.clone() }, &context)
            .map_err(|source| RewrapError::Key { what: what.clone(), whose: whose.clone(), source })?;
        let wrapped = vault.wrap(&key, &context);
        if participants::replace_wrapped_key(pool, &what, &whose, &sealed, &wrapped.sealed, &wrapped.kek_id).await? {
            done.rewrapped += 1;
        }
    }
    Ok(done)
}
