//! How far a schema's projection is behind the log.

use chrono::Utc;
use sqlx::PgPool;
use suivi_store::EventStore;

use crate::projector::{checkpoint, ProjectorError};
use crate::target::Schema;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lag {
    /// Committed events in the log after the checkpoint (including those a long-running
    /// transaction elsewhere keeps the projector from reading yet).
    pub events: i64,
    /// Age of the oldest event not yet projected, in seconds (0 when caught up).
    pub seconds: f64,
}

pub async fn lag(pool: &PgPool, schema: Schema) -> Result<Lag, ProjectorError> {
    let at = checkpoint(pool, schema).await?;
    let store = EventStore::new(pool.clone());
    let (events, oldest) = store.lag_after(at.position).await?;
    let seconds =
        oldest.map_or(0.0, |recorded_at| (Utc::now() - recorded_at).num_milliseconds().max(0) as f64 / 1000.0);
    Ok(Lag { events, seconds })
}
