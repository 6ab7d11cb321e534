//! The principals of recently used tokens, kept in memory so that a command does not spend a
//! round trip asking the database who its caller is.
//!
//! A token's role, tenant and SIRET never change; only its revocation does. So a principal found
//! here is used for the command's policy (403 before the body is read), and its token's
//! liveness is checked in the same round trip that reads the contract
//! (`suivi_application::Principal::unverified_token`): a revoked token is refused (401) by the very
//! next command, whichever process revoked it. Reads (`GET`) always ask the database.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::auth::Principal;

/// Entries at most; beyond, the cache is emptied and refills with the tokens in use.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct TokenCache {
    principals: Mutex<HashMap<[u8; 32], Principal>>,
}

impl TokenCache {
    /// The principal of the token with this hash, if it was seen live, to be verified.
    pub fn get(&self, token_hash: &[u8; 32]) -> Option<Principal> {
        self.lock().get(token_hash).cloned()
    }

    /// Keeps the principal of a token just found live in the database.
    pub fn put(&self, token_hash: [u8; 32], principal: Principal) {
        let mut principals = self.lock();
        if principals.len() >= CAPACITY {
            principals.clear();
        }
        principals.insert(token_hash, principal);
    }

    /// Forgets a token found revoked.
    pub fn forget(&self, token_id: &str) {
        self.lock().retain(|_, principal| principal.actor.id != token_id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; 32], Principal>> {
        self.principals.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use suivi_proto::TenantId;

    fn principal(id: &str) -> Principal {
        Principal::new(id, Role::Buyer, TenantId::parse("t1").expect("tenant"), None)
    }

    #[test]
    fn it_forgets_a_revoked_token() {
        let cache = TokenCache::default();
        cache.put([1; 32], principal("a"));
        cache.put([2; 32], principal("b"));
        cache.forget("a");
        assert!(cache.get(&[1; 32]).is_none());
        assert_eq!(cache.get(&[2; 32]).map(|p| p.actor.id), Some("b".to_owned()));
    }
}
