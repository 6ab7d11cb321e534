//! Who is acting: a role in a tenant, and for a contractor the SIRET it acts for.
//!
//! Every edge turns its credentials into a [`Principal`] (a bearer token over HTTP, a NATS user
//! for finance, the system for an import) before it asks anything of the application.

use suivi_domain::AwardedContract;
use suivi_proto::{Actor, ActorKind, TenantId};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Buyer,
    Contractor,
    Facilitator,
    Finance,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Buyer, Role::Contractor, Role::Facilitator, Role::Finance, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Contractor => "contractor",
            Role::Facilitator => "facilitator",
            Role::Finance => "finance",
            Role::Admin => "admin",
        }
    }

    /// The role's name in French, for messages shown to people.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Buyer => "acheteur",
            Role::Contractor => "titulaire",
            Role::Facilitator => "facilitateur",
            Role::Finance => "finances",
            Role::Admin => "administrateur",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    fn actor_kind(self) -> ActorKind {
        match self {
            Role::Buyer => ActorKind::Buyer,
            Role::Contractor => ActorKind::Contractor,
            Role::Facilitator => ActorKind::Facilitator,
            Role::Finance => ActorKind::Finance,
            Role::Admin => ActorKind::Admin,
        }
    }
}

/// Who is calling: a role, a tenant, for a contractor its SIRET, and the actor recorded on the
/// events it causes (a credential's id, never a person's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub role: Role,
    pub tenant: TenantId,
    pub siret: Option<String>,
    /// An API token this principal was taken from without asking the database (a server's
    /// memory of tokens it saw): its revocation is checked in the round trip that reads the
    /// contract, so a revoked token is refused by the very next command.
    pub unverified_token: Option<Uuid>,
}

impl Principal {
    /// A holder of credential `credential_id` (an API token's id, say).
    pub fn new(credential_id: impl Into<String>, role: Role, tenant: TenantId, siret: Option<String>) -> Self {
        Principal {
            actor: Actor { kind: role.actor_kind(), id: credential_id.into() },
            role,
            tenant,
            siret,
            unverified_token: None,
        }
    }

    /// This principal, taken from memory: its token (the actor id) is to be checked live.
    pub fn with_unverified_token(self) -> Self {
        let unverified_token = self.actor.id.parse().ok();
        Principal { unverified_token, ..self }
    }

    /// Suivi itself acting for a tenant (an import, the demo): sees every contract of the tenant.
    pub fn system(name: &str, tenant: TenantId) -> Self {
        Principal { actor: Actor::system(name), role: Role::Admin, tenant, siret: None, unverified_token: None }
    }

    /// Whether this principal may see `contract` of its tenant: every role but a contractor sees
    /// the whole tenant; a contractor sees the contracts it holds (alone or in a group).
    pub fn sees(&self, contract: &AwardedContract) -> bool {
        match self.role {
            Role::Contractor => {
                self.siret.as_deref().is_some_and(|siret| contract.contractor_sirets().any(|s| s.as_str() == siret))
            }
            _ => true,
        }
    }

    /// Idempotency keys are scoped to the credential that sent them: one firm's keys say
    /// nothing about another's.
    pub(crate) fn scoped_key(&self, key: &str) -> String {
        format!("{}:{key}", self.actor.id)
    }
}
