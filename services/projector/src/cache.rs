//! Contract aggregates kept between batches, so that an event is applied to the state just
//! before it without reading its stream again.
//!
//! Bounded, in two generations: lookups hit the recent one, or promote from the older one; when
//! the recent generation is full it becomes the older one and the previous older one is dropped.
//! Contracts that stopped receiving events (settled, or quiet for a long while) thus leave the
//! cache within two generations, while the contracts being worked on stay, at O(1) per lookup.
//! A contract that left is read back from the store on its next event (its stream is short).

use std::collections::HashMap;

use suivi_domain::Contract;
use suivi_store::{EventStore, ReadError};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CachedContract {
    pub contract: Contract,
    /// The stream version `contract` is at: its events `1..=version` are applied.
    pub version: i64,
}

pub struct ContractCache {
    recent: HashMap<Uuid, CachedContract>,
    older: HashMap<Uuid, CachedContract>,
    generation: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("stored event of contract {0} cannot be decoded: {1}")]
    Decode(Uuid, suivi_proto::DecodeError),
}

impl ContractCache {
    /// A cache holding at most `capacity` contracts.
    pub fn new(capacity: usize) -> Self {
        ContractCache { recent: HashMap::new(), older: HashMap::new(), generation: (capacity / 2).max(1) }
    }

    pub fn clear(&mut self) {
        self.recent.clear();
        self.older.clear();
    }

    /// Takes the contract as it stood at `version` (its events `1..=version`) out of the cache,
    /// or reads it from the store; a new contract (`version` 0) costs no read.
    pub async fn take(&mut self, store: &EventStore, id: Uuid, version: i64) -> Result<CachedContract, CacheError> {
        let cached = self.recent.remove(&id).or_else(|| self.older.remove(&id));
        match cached {
            Some(cached) if cached.version == version => Ok(cached),
            _ => load(store, id, version).await,
        }
    }

    /// Gives back a contract taken out, at the version it has reached.
    pub fn put(&mut self, id: Uuid, contract: CachedContract) {
        if self.recent.len() >= self.generation {
            self.older = std::mem::take(&mut self.recent);
        }
        self.older.remove(&id);
        self.recent.insert(id, contract);
    }
}

/// Folds a contract's events `1..=version` read from the store.
pub async fn load(store: &EventStore, id: Uuid, version: i64) -> Result<CachedContract, CacheError> {
    let mut contract = Contract::default();
    if version > 0 {
        for stored in store.read_stored_stream(id, version).await? {
            contract.apply(&stored.decode_event().map_err(|e| CacheError::Decode(id, e))?);
        }
    }
    Ok(CachedContract { contract, version })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ContractCache {
        fn holds(&self, id: Uuid) -> bool {
            self.recent.contains_key(&id) || self.older.contains_key(&id)
        }
    }

    fn state(version: i64) -> CachedContract {
        CachedContract { contract: Contract::default(), version }
    }

    #[test]
    fn given_a_full_recent_generation_when_a_contract_is_put_then_the_older_generation_is_dropped() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let mut cache = ContractCache::new(4);
        for id in &ids {
            cache.put(*id, state(1));
        }
        // Generations of 2: [a, b] were dropped when e arrived; [c, d] is the older one now.
        assert_eq!(ids.iter().map(|id| cache.holds(*id)).collect::<Vec<_>>(), [false, false, true, true, true]);
    }

    #[test]
    fn given_a_contract_in_the_older_generation_when_it_is_put_back_then_it_survives_the_next_rotation() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let mut cache = ContractCache::new(4);
        for id in &ids[..3] {
            cache.put(*id, state(1));
        }
        // Older: [a, b], recent: [c]. Taking a out and putting it back makes it recent again…
        let a = cache.older.remove(&ids[0]).expect("a is in the older generation");
        cache.put(ids[0], a);
        // …so the rotation caused by d drops b only.
        cache.put(ids[3], state(1));
        assert_eq!(ids.iter().map(|id| cache.holds(*id)).collect::<Vec<_>>(), [true, false, true, true]);
    }
}
