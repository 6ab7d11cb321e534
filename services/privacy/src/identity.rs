//! Who a participant is — the only personal data Suivi holds — sealed, and its blind index.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization as _;

use crate::keys::SecretKey;
use crate::sealed::{self, Unopenable};

/// A participant's identity, as the facilitator typed it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub family_name: String,
    pub given_names: String,
    #[serde(with = "date")]
    pub birth_date: NaiveDate,
}

impl std::fmt::Debug for Identity {
    // Personal data never reaches a log line by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(<personal data>)")
    }
}

mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.format("%Y-%m-%d").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
    }
}

/// A name as compared for duplicates: letters and digits only, accents stripped, lower case.
/// "Le Gall-Dupré", "LE GALL DUPRE" and "legalldupre" are the same name.
pub fn normalised(name: &str) -> String {
    name.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Identity {
    /// HMAC-SHA256 of the normalised identity under the tenant's blind-index key: equal for the
    /// same person however the names were typed, meaningless without the key.
    pub fn blind_index(&self, tenant_key: &SecretKey) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(tenant_key.bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for part in [normalised(&self.family_name), normalised(&self.given_names), self.birth_date.to_string()] {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// The identity sealed under the participant's data key, bound to `context` (the participant).
    pub fn seal(&self, data_key: &SecretKey, context: &[u8]) -> Vec<u8> {
        let json = serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("strings and a date serialise"));
        sealed::seal(data_key, context, &json)
    }

    /// Opens what [`Identity::seal`] sealed.
    pub fn open(data_key: &SecretKey, context: &[u8], sealed: &[u8]) -> Result<Identity, Unopenable> {
        let json = sealed::open(data_key, context, sealed)?;
        serde_json::from_slice(&json).map_err(|_| Unopenable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(family: &str, given: &str, born: &str) -> Identity {
        Identity {
            family_name: family.to_owned(),
            given_names: given.to_owned(),
            birth_date: born.parse().unwrap_or_else(|e| panic!("{born}: {e}")),
        }
    }

    #[test]
    fn case_accents_spaces_hyphens_and_apostrophes_do_not_make_another_person() {
        let key = SecretKey::random();
        let first = identity("Le Gall-Dupré", "Anne Hélène", "1990-04-02");
        for same in [
            identity("LE GALL DUPRE", "anne-helene", "1990-04-02"),
            identity("  le gall   dupré ", "ANNE HÉLÈNE", "1990-04-02"),
            identity("Le Gall'Dupre", "Anne Helene", "1990-04-02"),
        ] {
            assert_eq!(same.blind_index(&key), first.blind_index(&key));
        }
        for other in [
            identity("Le Gall-Dupré", "Anne Hélène", "1990-04-03"),
            identity("Le Gall", "Dupré Anne Hélène", "1990-04-02"),
            identity("Le Gall-Dupré", "Anne", "1990-04-02"),
        ] {
            assert_ne!(other.blind_index(&key), first.blind_index(&key));
        }
        assert_ne!(first.blind_index(&SecretKey::random()), first.blind_index(&key), "keyed");
    }

    #[test]
    fn a_sealed_identity_opens_with_its_key_and_context_only_and_never_prints() {
        let key = SecretKey::random();
        let person = identity("Martin", "Léa", "2001-09-30");
        let sealed = person.seal(&key, b"p1");
        assert_eq!(Identity::open(&key, b"p1", &sealed), Ok(person.clone()));
        assert_eq!(Identity::open(&SecretKey::random(), b"p1", &sealed), Err(Unopenable));
        assert_eq!(format!("{person:?}"), "Identity(<personal data>)");
    }
}
