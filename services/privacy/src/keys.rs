//! Secret keys, and the ring of key-encryption keys (KEKs) that wraps every stored key.
//!
//! **The ring's text** (the file named by `SUIVI_KEK_FILE`, or `SUIVI_KEK`): one base64 key of
//! 32 bytes per line (or separated by commas), `#` comments allowed. The **first** key is the
//! active one: every key wrapped from now on is wrapped by it. The others are older KEKs, still
//! able to unwrap what they wrapped, kept during a rotation:
//!
//! 1. `suivi kek generate` prints a new key; put it first, keep the old one after it; restart;
//! 2. `suivi kek rewrap` wraps every stored key again under the new (first) key;
//! 3. remove the old key from the ring and destroy every copy of it: the database's old wrapped
//!    keys (in backups, WAL archives, table files not yet vacuumed) can no longer be unwrapped.
//!
//! Each wrapped key records the id of the KEK that wrapped it ([`KeyRing::wrap`]): a short hash
//! of the KEK, so an operator can tell which key a row needs without the key being stored.

use std::fmt;

use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::sealed::{self, Unopenable};

/// 32 secret bytes: a KEK, a data key or a blind-index key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(SecretKey)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as the ring's text holds it (standard base64).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A key as stored: sealed by the KEK `kek_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub kek_id: String,
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KekError {
    #[error(
        "the key-encryption key ring is empty: set SUIVI_KEK_FILE (or SUIVI_KEK); `suivi kek generate` makes a key"
    )]
    Empty,
    #[error("key {line} of the key-encryption key ring is not 32 bytes in base64")]
    Malformed { line: usize },
    #[error("the key-encryption key ring holds the same key twice")]
    Duplicate,
    #[error("a stored key was wrapped by key-encryption key {kek_id}, which this ring does not hold")]
    UnknownKek { kek_id: String },
    #[error("a stored key does not unwrap with key-encryption key {kek_id} (altered, or moved to another row)")]
    Unwrappable { kek_id: String },
}

/// The key-encryption keys: the active one first, then older ones kept to unwrap during a
/// rotation. See the module documentation.
#[derive(Clone)]
pub struct KeyRing {
    /// (id, key), the active one first.
    keys: Vec<(String, SecretKey)>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "KeyRing(active first: {ids:?})")
    }
}

/// The id of a KEK: the first 8 bytes of a domain-separated SHA-256 of it, in hex.
fn kek_id(key: &SecretKey) -> String {
    let digest = Sha256::new().chain_update(b"suivi key-encryption key id\0").chain_update(key.bytes()).finalize();
    hex::encode(&digest[..8])
}

impl KeyRing {
    /// Reads the ring's text (see the module documentation).
    pub fn parse(text: &str) -> Result<Self, KekError> {
        let mut keys: Vec<(String, SecretKey)> = Vec::new();
        let entries = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty());
        for (index, entry) in entries.enumerate() {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(entry)
                .map_err(|_| KekError::Malformed { line: index + 1 })?;
            let key = SecretKey::from_bytes(&bytes).ok_or(KekError::Malformed { line: index + 1 })?;
            let id = kek_id(&key);
            if keys.iter().any(|(known, _)| *known == id) {
                return Err(KekError::Duplicate);
            }
            keys.push((id, key));
        }
        if keys.is_empty() {
            return Err(KekError::Empty);
        }
        Ok(KeyRing { keys })
    }

    /// A ring of one new random key (tests, and a first installation's demo).
    pub fn generate() -> Self {
        let key = SecretKey::random();
        KeyRing { keys: vec![(kek_id(&key), key)] }
    }

    /// The ring's text, active key first: what an operator stores in the KEK file.
    pub fn to_text(&self) -> String {
        self.keys.iter().map(|(_, key)| format!("{}\n", key.to_base64())).collect()
    }

    /// The id of the active KEK.
    pub fn active_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `key` with the active KEK, bound to `context` (what the key is for and whose it is).
    pub fn wrap(&self, key: &SecretKey, context: &[u8]) -> WrappedKey {
        let (id, kek) = &self.keys[0];
        WrappedKey { kek_id: id.clone(), sealed: sealed::seal(kek, context, key.bytes()) }
    }

    /// Opens a key [`KeyRing::wrap`] sealed, with whichever KEK of the ring wrapped it.
    pub fn unwrap(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<SecretKey, KekError> {
        let (_, kek) = self
            .keys
            .iter()
            .find(|(id, _)| *id == wrapped.kek_id)
            .ok_or_else(|| KekError::UnknownKek { kek_id: wrapped.kek_id.clone() })?;
        let unwrappable = || KekError::Unwrappable { kek_id: wrapped.kek_id.clone() };
        let bytes = sealed::open(kek, context, &wrapped.sealed).map_err(|Unopenable| unwrappable())?;
        SecretKey::from_bytes(&bytes).ok_or_else(unwrappable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_key_of_the_ring_wraps_and_older_ones_still_unwrap() {
        let old = KeyRing::generate();
        let data_key = SecretKey::random();
        let wrapped_by_old = old.wrap(&data_key, b"participant|p1");
        assert_eq!(wrapped_by_old.kek_id, old.active_id());

        let new_key = SecretKey::random().to_base64();
        let rotated = KeyRing::parse(&format!("# rotated\n{new_key}\n{}", old.to_text())).expect("two keys");
        assert_ne!(rotated.active_id(), old.active_id());
        assert_eq!(rotated.unwrap(&wrapped_by_old, b"participant|p1"), Ok(data_key.clone()));
        let rewrapped = rotated.wrap(&data_key, b"participant|p1");
        assert_eq!(rewrapped.kek_id, rotated.active_id());

        // Once the old KEK is gone from the ring, what it wrapped is out of reach.
        let without_old = KeyRing::parse(&new_key).expect("one key");
        assert_eq!(
            without_old.unwrap(&wrapped_by_old, b"participant|p1"),
            Err(KekError::UnknownKek { kek_id: old.active_id().to_owned() })
        );
        assert_eq!(without_old.unwrap(&rewrapped, b"participant|p1"), Ok(data_key));
        assert!(matches!(without_old.unwrap(&rewrapped, b"participant|p2"), Err(KekError::Unwrappable { .. })));
    }

    #[test]
    fn it_refuses_an_empty_ring_a_short_key_and_a_key_given_twice() {
        assert_eq!(KeyRing::parse("  # nothing\n").map(|_| ()), Err(KekError::Empty));
        assert_eq!(KeyRing::parse("c2hvcnQ=").map(|_| ()), Err(KekError::Malformed { line: 1 }));
        let key = SecretKey::random().to_base64();
        assert_eq!(KeyRing::parse(&format!("{key},{key}")).map(|_| ()), Err(KekError::Duplicate));
        assert!(KeyRing::parse(&format!("{key}, {}", SecretKey::random().to_base64())).is_ok());
    }

    #[test]
    fn keys_never_print() {
        let ring = KeyRing::generate();
        let text = ring.to_text();
        let secret = text.trim();
        assert!(!format!("{ring:?}").contains(secret));
        assert!(!format!("{:?}", SecretKey::random()).contains('='));
    }
}
