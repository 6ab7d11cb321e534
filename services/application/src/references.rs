//! The dated reference tables every decision is given (gross hourly SMIC, ECB main refinancing
//! rate): read from the `reference_rates` table (their one source), kept in memory a short while.
//!
//! **Freshness.** A copy is used for at most [`REFERENCES_MAX_AGE`] (one minute) after it was
//! read; the first decision after that reads the table again. So a value an administrator adds
//! with `suivi reference add` counts, in every running `suivi serve`, for the decisions and the
//! penalty view from at most a minute later — with no restart. (The projector's read models take
//! it at their next rebuild, as `suivi reference add` says.) Reading once a minute rather than on
//! every command keeps the command path at one round trip; values are dated and rarely added
//! (a SMIC decree, an ECB decision), a minute's delay changes nothing in practice.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use suivi_domain::References;

use crate::error::ApplicationError;

/// How long a read of `reference_rates` is used before the table is read again.
pub const REFERENCES_MAX_AGE: Duration = Duration::from_secs(60);

/// The tables as last read, and when.
pub(crate) struct ReferenceCache {
    max_age: Duration,
    read: Mutex<Option<(Instant, Arc<References>)>>,
}

impl ReferenceCache {
    pub(crate) fn new(max_age: Duration) -> Self {
        ReferenceCache { max_age, read: Mutex::new(None) }
    }

    /// The tables, read again if the copy in memory is older than the maximum age.
    pub(crate) async fn get(&self, pool: &PgPool) -> Result<Arc<References>, ApplicationError> {
        if let Some((read_at, references)) = &*self.read.lock().unwrap_or_else(PoisonError::into_inner) {
            if read_at.elapsed() < self.max_age {
                return Ok(Arc::clone(references));
            }
        }
        // Timed from before the query, so a copy is never older than `max_age` counted from
        // what the table held. Two commands may both read it on expiry: harmless.
        let read_at = Instant::now();
        let references = Arc::new(suivi_store::reference_rates::load(pool).await.map_err(|error| match error {
            suivi_store::ReferenceRatesError::Database(e) => ApplicationError::unavailable(e),
            invalid => ApplicationError::internal(invalid),
        })?);
        *self.read.lock().unwrap_or_else(PoisonError::into_inner) = Some((read_at, Arc::clone(&references)));
        Ok(references)
    }
}
