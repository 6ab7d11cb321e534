//! Why the application refused or failed a request: one enum, no transport in it. Each edge
//! maps it once (HTTP to problem+json, NATS to a rejection message).

use suivi_domain::DomainError;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// The principal's token was revoked since this server last saw it.
    #[error("the credential is no longer valid")]
    Unauthenticated,
    /// No such contract for this principal: another tenant's, or a contract where the caller's
    /// SIRET is not a contractor, looks exactly like one that does not exist.
    #[error("no contract {contract_id}")]
    NotFound { contract_id: Uuid },
    #[error("contract {contract_id} is already recorded")]
    AlreadyExists { contract_id: Uuid },
    /// The buyer of an award is not one the principal's tenant purchases for.
    #[error("{siret} is not one of the buyers the tenant purchases for")]
    BuyerNotInTenant { siret: String },
    /// The caller named the version(s) it read (`If-Match`) and the contract moved on.
    #[error("the request names version(s) {expected:?}; the contract is at version {actual}")]
    PreconditionFailed { expected: Vec<i64>, actual: i64 },
    /// Another command was appended between reading the contract and appending.
    #[error("decided on version {expected}, the contract is now at version {actual}")]
    Conflict { expected: i64, actual: i64 },
    /// Another statement naming the same participant and month was recorded between reading
    /// the hours counted and appending (the runner decides once more before answering this).
    #[error("another statement for the same participant and month was recorded meanwhile")]
    ParticipantHoursRaced,
    /// The contract's rules refuse the command.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// The idempotency key was already used for another request (another contract or body).
    #[error("the idempotency key was already used for another request")]
    IdempotencyKeyReused,
    /// The database could not be reached or failed: retrying later may succeed.
    #[error("event store unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Something that should not happen (an unreadable stored event): logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApplicationError {
    pub(crate) fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApplicationError::Unavailable(Box::new(error))
    }

    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApplicationError::Internal(Box::new(error))
    }

    /// A stable snake_case label, for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            ApplicationError::Unauthenticated => "unauthorized",
            ApplicationError::NotFound { .. } => "not_found",
            ApplicationError::AlreadyExists { .. } => "already_exists",
            ApplicationError::BuyerNotInTenant { .. } => "buyer_not_in_tenant",
            ApplicationError::PreconditionFailed { .. } => "precondition_failed",
            ApplicationError::Conflict { .. } | ApplicationError::ParticipantHoursRaced => "concurrent_change",
            ApplicationError::Refused(error) => error.code(),
            ApplicationError::IdempotencyKeyReused => "idempotency_key_reused",
            ApplicationError::Unavailable(_) => "unavailable",
            ApplicationError::Internal(_) => "internal",
        }
    }
}

impl From<suivi_store::ReadError> for ApplicationError {
    fn from(error: suivi_store::ReadError) -> Self {
        match error {
            suivi_store::ReadError::Database(e) => ApplicationError::unavailable(e),
            corrupt => ApplicationError::internal(corrupt),
        }
    }
}
