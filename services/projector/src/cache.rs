//! Contract aggregates kept between batches, so that an event is applied to the state just
//! before it without reading its stream again. Bounded: when full it is emptied, and contracts
//! are read back from the store on their next event (their streams are short).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use suivi_domain::Contract;
use suivi_store::{EventStore, ReadError};
use uuid::Uuid;

pub struct CachedContract {
    pub contract: Contract,
    pub version: i64,
}

pub struct ContractCache {
    contracts: HashMap<Uuid, CachedContract>,
    capacity: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("stored event of contract {0} cannot be decoded: {1}")]
    Decode(Uuid, suivi_proto::DecodeError),
}

impl ContractCache {
    pub fn new(capacity: usize) -> Self {
        ContractCache { contracts: HashMap::new(), capacity }
    }

    pub fn clear(&mut self) {
        self.contracts.clear();
    }

    /// The contract as it stood at `version` (its events 1..=version), from the cache or the store.
    pub async fn at_version(
        &mut self,
        store: &EventStore,
        id: Uuid,
        version: i64,
    ) -> Result<&mut CachedContract, CacheError> {
        if !self.contracts.contains_key(&id) && self.contracts.len() >= self.capacity {
            self.contracts.clear();
        }
        Ok(match self.contracts.entry(id) {
            Entry::Occupied(entry) if entry.get().version == version => entry.into_mut(),
            Entry::Occupied(mut entry) => {
                entry.insert(load(store, id, version).await?);
                entry.into_mut()
            }
            Entry::Vacant(entry) => entry.insert(load(store, id, version).await?),
        })
    }
}

async fn load(store: &EventStore, id: Uuid, version: i64) -> Result<CachedContract, CacheError> {
    let mut contract = Contract::default();
    for envelope in store.read_stream(id).await?.iter().take_while(|e| e.stream_version <= version) {
        contract.apply(&envelope.decode_event().map_err(|e| CacheError::Decode(id, e))?);
    }
    Ok(CachedContract { contract, version })
}
