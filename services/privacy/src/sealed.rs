//! Authenticated encryption of one value under one key: XChaCha20-Poly1305, stored as the 24-byte
//! nonce followed by the ciphertext and its tag.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngCore as _;

use crate::keys::SecretKey;

const NONCE_LEN: usize = 24;

/// A sealed value did not open: wrong key (e.g. another KEK), wrong associated data (moved to
/// another row), or altered bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sealed data does not open with this key and context (wrong key, moved, or altered)")]
pub struct Unopenable;

/// Seals `plaintext` under `key`, bound to `context` (which must be given again to open it).
pub fn seal(key: &SecretKey, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.bytes().into());
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: context })
        .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB"));
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens what [`seal`] sealed under `key` for `context`.
pub fn open(key: &SecretKey, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Unopenable> {
    if sealed.len() < NONCE_LEN {
        return Err(Unopenable);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.bytes().into());
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: context }).map_err(|_| Unopenable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_opens_only_with_the_same_key_and_context_and_never_shows_the_plaintext() {
        let key = SecretKey::random();
        let sealed = seal(&key, b"identity|p1", b"Dupont|Marie|1990-01-02");
        assert!(!sealed.windows(6).any(|w| w == b"Dupont"));
        assert_eq!(open(&key, b"identity|p1", &sealed).as_deref(), Ok(&b"Dupont|Marie|1990-01-02"[..]));
        assert_eq!(open(&key, b"identity|p2", &sealed), Err(Unopenable));
        assert_eq!(open(&SecretKey::random(), b"identity|p1", &sealed), Err(Unopenable));
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(open(&key, b"identity|p1", &altered), Err(Unopenable));
        assert_eq!(open(&key, b"identity|p1", &sealed[..10]), Err(Unopenable));
        // A fresh nonce each time: the same value seals differently.
        assert_ne!(seal(&key, b"identity|p1", b"x"), seal(&key, b"identity|p1", b"x"));
    }
}
