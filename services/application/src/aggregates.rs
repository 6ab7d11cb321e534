//! Contracts recently decided on, kept in memory with the version they are at.
//!
//! A command reads only the events after the cached version (usually none), in the same round
//! trip as its idempotency key, so the cache saves decoding and folding a stream, never a check:
//! the append's expected version still guards against any change made elsewhere (another
//! process, a request that raced this one). Bounded, in two generations: a lookup promotes from
//! the older one; when the recent one is full it becomes the older one and the previous older one
//! is dropped, so contracts no longer worked on leave within two generations.

use std::collections::HashMap;
use std::sync::Mutex;

use suivi_domain::Contract;
use suivi_proto::TenantId;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Aggregate {
    pub tenant: TenantId,
    pub contract: Contract,
    /// The stream version `contract` is at: its events `1..=version` are applied.
    pub version: i64,
}

pub struct AggregateCache {
    generations: Mutex<Generations>,
    generation_size: usize,
}

#[derive(Default)]
struct Generations {
    recent: HashMap<Uuid, Aggregate>,
    older: HashMap<Uuid, Aggregate>,
}

impl AggregateCache {
    /// A cache holding at most about `capacity` contracts (0 disables it).
    pub fn new(capacity: usize) -> Self {
        AggregateCache { generations: Mutex::new(Generations::default()), generation_size: capacity / 2 }
    }

    pub fn get(&self, id: Uuid) -> Option<Aggregate> {
        let mut generations = self.lock();
        if let Some(found) = generations.recent.get(&id) {
            return Some(found.clone());
        }
        let promoted = generations.older.remove(&id)?;
        let found = promoted.clone();
        generations.insert(id, promoted, self.generation_size);
        Some(found)
    }

    /// Keeps `aggregate` unless a newer version of the contract is already cached.
    pub fn put(&self, id: Uuid, aggregate: Aggregate) {
        if self.generation_size == 0 {
            return;
        }
        let mut generations = self.lock();
        let newer_cached = generations.recent.get(&id).is_some_and(|cached| cached.version > aggregate.version);
        if !newer_cached {
            generations.insert(id, aggregate, self.generation_size);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // A panic while holding the lock leaves maps that are still valid: carry on with them.
        self.generations.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Generations {
    fn insert(&mut self, id: Uuid, aggregate: Aggregate, generation_size: usize) {
        if self.recent.len() >= generation_size && !self.recent.contains_key(&id) {
            self.older = std::mem::take(&mut self.recent);
            self.older.remove(&id);
        }
        self.recent.insert(id, aggregate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aggregate(version: i64) -> Aggregate {
        Aggregate { tenant: TenantId::parse("t1").expect("tenant"), contract: Contract::default(), version }
    }

    #[test]
    fn it_keeps_the_newest_version_of_a_contract() {
        let cache = AggregateCache::new(10);
        let id = Uuid::nil();
        cache.put(id, aggregate(3));
        cache.put(id, aggregate(2));
        assert_eq!(cache.get(id).map(|a| a.version), Some(3));
        cache.put(id, aggregate(4));
        assert_eq!(cache.get(id).map(|a| a.version), Some(4));
    }

    #[test]
    fn it_forgets_contracts_not_used_for_two_generations() {
        let cache = AggregateCache::new(4); // generations of 2
        let ids: Vec<Uuid> = (0..5u128).map(Uuid::from_u128).collect();
        cache.put(ids[0], aggregate(1));
        cache.put(ids[1], aggregate(1));
        cache.put(ids[2], aggregate(1)); // 0 and 1 become the older generation
        assert!(cache.get(ids[0]).is_some(), "promoted back from the older generation");
        cache.put(ids[3], aggregate(1));
        cache.put(ids[4], aggregate(1));
        assert!(cache.get(ids[1]).is_none(), "unused for two generations");
        assert!(cache.get(ids[4]).is_some());
    }

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = AggregateCache::new(0);
        cache.put(Uuid::nil(), aggregate(1));
        assert!(cache.get(Uuid::nil()).is_none());
    }
}
