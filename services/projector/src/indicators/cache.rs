//! The year's indicators, computed once per state of what they are computed from.
//!
//! Computing them aggregates every statement line of the year (some 160 000 for 10 000
//! contracts, about 0.7 s): too slow to do on each view of the dashboard (`BENCHMARKS.md`). They
//! only change when the projector applies a batch (it stamps the checkpoint's `updated_at`), when
//! a buyer is named or added, or when a national plan is recorded: an answer is kept while the
//! stamp of all three is the same, and at most [`AT_MOST`].
//!
//! One computation at a time per year: the request that finds the answer out of date computes
//! the new one; requests arriving meanwhile get the previous answer at once, marked as not
//! current and with the time of the read models it was computed from (so a page says how old it
//! is), rather than all waiting behind the computation — if it is at most [`STALE_AT_MOST`] old;
//! an older one, or none, and they wait for the computation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use suivi_proto::TenantId;

use super::{yearly_indicators, YearlyIndicators};
use crate::target::Schema;

/// The longest an answer is kept, even when the read models did not change.
pub const AT_MOST: Duration = Duration::from_secs(60);

/// The oldest previous answer given while a new one is computed.
pub const STALE_AT_MOST: Duration = Duration::from_secs(120);

/// Above this many (database, schema, tenant, year) entries, the cache starts afresh.
const MAX_ENTRIES: usize = 512;

/// Which answer: the database too, since one process may serve several (the tests do).
type Key = (String, &'static str, String, i32);

/// What the indicators depend on, as cheap to read as a row: the read models' last batch, the
/// tenant's buyers and their names, the national plans.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Stamp {
    projected_at: DateTime<Utc>,
    buyers: Option<String>,
    plans: Option<String>,
}

/// The year's indicators, and when the read models they come from were last changed.
#[derive(Debug, Clone)]
pub struct CachedIndicators {
    pub indicators: Arc<YearlyIndicators>,
    /// The projector's last batch before the computation: what "data as of" means.
    pub projected_at: DateTime<Utc>,
    /// `false` for the previous answer, given while the new one is computed.
    pub current: bool,
}

struct Entry {
    stamp: Stamp,
    computed_at: Instant,
    indicators: Arc<YearlyIndicators>,
}

impl Entry {
    fn answer(&self, current: bool) -> CachedIndicators {
        CachedIndicators { indicators: self.indicators.clone(), projected_at: self.stamp.projected_at, current }
    }
}

#[derive(Default)]
struct Slot {
    latest: Mutex<Option<Arc<Entry>>>,
    /// Held by the one request computing a new answer.
    computing: tokio::sync::Mutex<()>,
}

impl Slot {
    fn latest(&self) -> Option<Arc<Entry>> {
        self.latest.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

fn slots() -> &'static Mutex<HashMap<Key, Arc<Slot>>> {
    static SLOTS: OnceLock<Mutex<HashMap<Key, Arc<Slot>>>> = OnceLock::new();
    SLOTS.get_or_init(Default::default)
}

/// [`yearly_indicators`], reused while the read models of `schema` are unchanged.
pub async fn cached_yearly_indicators(
    pool: &PgPool,
    schema: Schema,
    tenant: &TenantId,
    year: i32,
) -> Result<CachedIndicators, sqlx::Error> {
    let stamp: Stamp = sqlx::query_as(&format!(
        "select c.updated_at as projected_at,
                (select md5(string_agg(siret || '|' || coalesce(name, ''), ',' order by siret))
                   from tenant_buyers where tenant = $1) as buyers,
                (select md5(string_agg(p::text, ',' order by p::text)) from pnad_targets p) as plans
         from {}.checkpoint c",
        schema.name()
    ))
    .bind(tenant.as_str())
    .fetch_one(pool)
    .await?;
    let database = pool.connect_options().get_database().unwrap_or_default().to_owned();
    let key = (database, schema.name(), tenant.as_str().to_owned(), year);
    let slot = {
        let mut slots = slots().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slots.len() >= MAX_ENTRIES && !slots.contains_key(&key) {
            slots.clear();
        }
        slots.entry(key).or_default().clone()
    };
    let current = |entry: &Arc<Entry>| entry.stamp == stamp && entry.computed_at.elapsed() < AT_MOST;
    let latest = slot.latest();
    if let Some(fresh) = latest.as_ref().filter(|entry| current(entry)) {
        return Ok(fresh.answer(true));
    }
    let recent = latest.filter(|entry| entry.computed_at.elapsed() < STALE_AT_MOST);
    let _computing = match (slot.computing.try_lock(), recent) {
        (Ok(computing), _) => computing,
        // Another request is computing the new answer: the previous one, at once.
        (Err(_), Some(previous)) => return Ok(previous.answer(false)),
        (Err(_), None) => slot.computing.lock().await,
    };
    // Computed by the request this one waited for?
    if let Some(fresh) = slot.latest().filter(current) {
        return Ok(fresh.answer(true));
    }
    let indicators = Arc::new(yearly_indicators(pool, schema, tenant, year).await?);
    let entry = Arc::new(Entry { stamp, computed_at: Instant::now(), indicators });
    let mut latest = slot.latest.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // A request that waited read its stamp before waiting: never replace newer data with older.
    if latest.as_ref().is_none_or(|kept| kept.stamp.projected_at <= entry.stamp.projected_at) {
        *latest = Some(entry.clone());
    }
    Ok(entry.answer(true))
}
