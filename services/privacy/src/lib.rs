//! Personal data kept erasable (RGPD art. 5, 17 and 25; the reasoning is in `docs/privacy.md`).
//!
//! Envelope encryption, three levels:
//!
//! 1. a **key-encryption key** (KEK), 32 random bytes an operator keeps *outside the database*
//!    (a file or the environment of `suivi serve`, see [`KeyRing`]). It never touches PostgreSQL,
//!    so a dump, a backup or the WAL alone reveal nobody;
//! 2. **data keys**, one per participant (and one blind-index key per tenant), random, stored only
//!    *wrapped* (sealed) by the KEK ([`KeyRing::wrap`]);
//! 3. the **identity** (name, given names, birth date), sealed by its participant's data key
//!    ([`sealed::seal`]). Erasing a participant deletes its wrapped data key: no copy of the
//!    sealed identity can ever be opened again, wherever it was copied to.
//!
//! Sealing is XChaCha20-Poly1305 (authenticated; 192-bit random nonces, so no counter to keep),
//! with associated data naming what is sealed and for whom, so a sealed value moved to another
//! row does not open.
//!
//! Duplicate detection cannot compare ciphertexts: a **blind index**, HMAC-SHA256 of the
//! normalised identity under the tenant's blind-index key ([`identity::Identity::blind_index`]),
//! finds the same person registered twice without storing anything a dictionary attack could
//! test without the KEK.

pub mod identity;
pub mod keys;
pub mod sealed;

pub use identity::Identity;
pub use keys::{KekError, KeyRing, SecretKey, WrappedKey};

/// What a sealed value is bound to (its associated data): a value moved to another row, or
/// another use, does not open.
pub mod context {
    /// A tenant's blind-index key, wrapped by the KEK.
    pub fn tenant_index_key(tenant: &str) -> Vec<u8> {
        format!("suivi/v1/tenant-index-key/{tenant}").into_bytes()
    }

    /// A participant's data key, wrapped by the KEK.
    pub fn participant_data_key(participant_id: &str) -> Vec<u8> {
        format!("suivi/v1/participant-data-key/{participant_id}").into_bytes()
    }

    /// A participant's identity, sealed by its data key.
    pub fn participant_identity(participant_id: &str) -> Vec<u8> {
        format!("suivi/v1/participant-identity/{participant_id}").into_bytes()
    }
}
