//! What every handler can reach.

use std::sync::Arc;

use sqlx::PgPool;
use suivi_application::Application;

use crate::credentials::TokenCache;
use crate::throttle::AuthThrottle;
use suivi_privacy::KeyRing;
use suivi_store::EventStore;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub store: EventStore,
    /// The command runner and read-model lists every edge shares.
    pub app: Arc<Application>,
    /// Principals of recently used tokens, for commands (see [`crate::credentials`]).
    pub tokens: Arc<TokenCache>,
    /// Per-client budget of requests with a token not yet verified (see [`crate::throttle`]).
    pub auth_throttle: Arc<AuthThrottle>,
    /// The key-encryption keys that open the participants' keys (`suivi_privacy`); `None` when
    /// the server was started without one: the register then answers 503.
    pub vault: Option<Arc<KeyRing>>,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        let store = EventStore::new(pool.clone());
        AppState {
            app: Arc::new(Application::new(store.clone())),
            tokens: Arc::new(TokenCache::default()),
            auth_throttle: Arc::new(AuthThrottle::default()),
            vault: None,
            store,
            pool,
        }
    }
}

impl AppState {
    /// The same state with the key-encryption keys of the participants' register.
    pub fn with_vault(mut self, vault: Option<Arc<KeyRing>>) -> Self {
        self.vault = vault;
        self
    }

    /// The same state with another failed-authentication budget.
    pub fn with_auth_throttle(mut self, throttle: Arc<AuthThrottle>) -> Self {
        self.auth_throttle = throttle;
        self
    }
}
