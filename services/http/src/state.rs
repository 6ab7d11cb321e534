//! What every handler can reach.

use sqlx::PgPool;
use suivi_store::EventStore;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub store: EventStore,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        AppState { store: EventStore::new(pool.clone()), pool }
    }
}
