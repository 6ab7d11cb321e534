//! Identifiers that appear in the envelope and in subjects.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// A tenant: one buyer organisation (e.g. an intercommunality and the member communes whose
/// purchasing it runs). It is a token of every NATS subject, so it is restricted to
/// lowercase ASCII letters, digits, `-` and `_`, 1 to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tenant id is 1 to 32 characters among a-z, 0-9, '-' and '_': got {0:?}")]
pub struct InvalidTenantId(pub String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, InvalidTenantId> {
        let valid = !raw.is_empty()
            && raw.len() <= 32
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(TenantId(raw.to_owned()))
        } else {
            Err(InvalidTenantId(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = InvalidTenantId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        TenantId::parse(&raw)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> String {
        id.0
    }
}

impl JsonSchema for TenantId {
    fn schema_name() -> Cow<'static, str> {
        "TenantId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9_-]{1,32}$",
            "description": "Tenant (buyer organisation) id: a NATS subject token."
        })
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of principal caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// The buyer's procurement service (awards, amendments, approvals, settlement).
    Buyer,
    /// A contractor (instalment requests and hour statements).
    Contractor,
    /// The facilitator or sustainability service (statement review, penalty decisions).
    Facilitator,
    /// Finance's systems, through NATS (payments reported).
    Finance,
    /// An administrator of the tenant.
    Admin,
    /// Suivi itself (imports, projector decisions, migrations).
    System,
}

/// Who caused an event: a role and an opaque principal id (a token id, never a person's name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

impl Actor {
    pub fn system(id: &str) -> Self {
        Actor { kind: ActorKind::System, id: id.to_owned() }
    }
}
