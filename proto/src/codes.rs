//! Codes with a fixed syntax: SIRET, CPV code, participant code, beneficiary pseudonym.
//!
//! Each is a string newtype checked when parsed or deserialised, with a JSON Schema `pattern`
//! saying the same thing, so a document the schema refuses is refused by serde too.
//! Only the syntax is checked here; business checks (a SIRET's checksum, which some published
//! data fails) belong to the domain and the importers, which report them.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// A string that is not a valid code of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} ({rule}): {value:?}")]
pub struct InvalidCode {
    pub kind: &'static str,
    pub rule: &'static str,
    pub value: String,
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Generates a validated string newtype with its serde and schema implementations.
macro_rules! code {
    (
        $(#[$doc:meta])*
        $name:ident, kind: $kind:literal, rule: $rule:literal, pattern: $pattern:literal,
        valid: $valid:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, InvalidCode> {
                let valid: fn(&str) -> bool = $valid;
                if valid(raw) {
                    Ok($name(raw.to_owned()))
                } else {
                    Err(InvalidCode { kind: $kind, rule: $rule, value: raw.to_owned() })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidCode;
            fn try_from(raw: String) -> Result<Self, InvalidCode> {
                $name::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": concat!("A ", $kind, ": ", $rule, "."),
                })
            }
        }
    };
}

code! {
    /// SIRET: the 14-digit id of an establishment (SIREN + NIC).
    Siret, kind: "SIRET", rule: "14 digits", pattern: "^[0-9]{14}$",
    valid: |s| s.len() == 14 && digits(s)
}

code! {
    /// CPV code (Common Procurement Vocabulary), e.g. `45000000-7`; DECP sometimes omits the
    /// check digit, so `45000000` is accepted too.
    CpvCode, kind: "CPV code", rule: "8 digits, optionally '-' and a check digit",
    pattern: "^[0-9]{8}(-[0-9])?$",
    valid: |s| match s.split_once('-') {
        Some((code, check)) => code.len() == 8 && digits(code) && check.len() == 1 && digits(check),
        None => s.len() == 8 && digits(s),
    }
}

code! {
    /// A beneficiary's keyed pseudonym: HMAC-SHA256 of a stable identifier under the tenant's
    /// secret key, as 64 lowercase hex digits. No name or social-security number ever travels;
    /// destroying the tenant key makes pseudonyms unlinkable (crypto-shredding).
    Pseudonym, kind: "pseudonym", rule: "64 lowercase hex digits (HMAC-SHA256)",
    pattern: "^[0-9a-f]{64}$",
    valid: |s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

code! {
    /// A participant's code in the tenant's register, e.g. `K7M2QX9A`: 8 characters of Crockford's
    /// base 32 (digits and capital letters but I, L, O and U, so it reads aloud and copies by
    /// hand without confusion). Suivi draws it at registration; the facilitator hands it to the
    /// firm, which names the person by it on its statements. It reveals nothing about the person.
    ParticipantCode, kind: "participant code",
    rule: "8 characters among 0-9 and A-Z without I, L, O, U",
    pattern: "^[0-9A-HJKMNP-TV-Z]{8}$",
    valid: |s| s.len() == 8 && s.bytes().all(|b| PARTICIPANT_CODE_ALPHABET.contains(&b))
}

/// The characters of a [`ParticipantCode`] (Crockford's base 32).
pub const PARTICIPANT_CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl ParticipantCode {
    /// Reads a code as a person may type it: surrounding spaces and lower case are forgiven.
    pub fn read_typed(typed: &str) -> Result<Self, InvalidCode> {
        ParticipantCode::parse(&typed.trim().to_ascii_uppercase())
    }
}

impl Siret {
    /// The SIREN: the company's 9-digit id, the first 9 digits of the SIRET.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }

    /// Whether the checksum holds: Luhn, except for La Poste's establishments (SIREN
    /// 356000000) whose digits sum to a multiple of 5. Published data holds SIRETs that fail
    /// it: importers report them rather than refuse them, which is why parsing does not check.
    pub fn has_valid_checksum(&self) -> bool {
        let digits = self.0.bytes().map(|b| u32::from(b - b'0'));
        if self.siren() == "356000000" {
            return digits.sum::<u32>().is_multiple_of(5);
        }
        let sum: u32 = digits
            .rev()
            .enumerate()
            .map(|(i, d)| match (i % 2 == 1, d * 2) {
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
                (false, _) => d,
            })
            .sum();
        sum.is_multiple_of(10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_checks_siret_syntax_and_reports_checksum_separately() {
        let siret = Siret::parse("73282932000074").expect("14 digits");
        assert_eq!(siret.siren(), "732829320");
        assert!(siret.has_valid_checksum());
        assert!(!Siret::parse("73282932000075").expect("14 digits").has_valid_checksum());
        assert!(Siret::parse("35600000052135").expect("La Poste").has_valid_checksum());
        for bad in ["7328293200007", "732829320000745", "7328293200007a", " 73282932000074"] {
            assert!(Siret::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn it_accepts_cpv_codes_with_or_without_check_digit() {
        assert!(CpvCode::parse("45000000-7").is_ok());
        assert!(CpvCode::parse("45000000").is_ok());
        for bad in ["4500000-7", "45000000-", "45000000-77", "45000000x7"] {
            assert!(CpvCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn it_reads_participant_codes_typed_in_lower_case_but_refuses_ambiguous_letters() {
        assert_eq!(ParticipantCode::read_typed(" k7m2qx9a ").map(|c| c.to_string()), Ok("K7M2QX9A".to_owned()));
        for bad in ["K7M2QX9", "K7M2QX9AB", "K7M2QX9I", "K7M2QX9O", "K7M2QX9L", "K7M2QX9U", "K7M2-X9A"] {
            assert!(ParticipantCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn it_accepts_only_lowercase_hex_pseudonyms() {
        assert!(Pseudonym::parse(&"ab12".repeat(16)).is_ok());
        assert!(Pseudonym::parse(&"AB12".repeat(16)).is_err());
        assert!(Pseudonym::parse(&"ab1".repeat(16)).is_err());
        assert!(Pseudonym::parse("Jean Dupont").is_err());
    }
}
