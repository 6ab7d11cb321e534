//! The HTTP side of a command: who calls (its policy checked before the body is read), what it
//! says it read (`If-Match`), its retry key, its request id; and the application's answer,
//! mapped to HTTP here and only here.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use suivi_application::{business_today, Accepted, ApplicationError, CommandRequest, Idempotency};
use suivi_domain::Command;
use uuid::Uuid;

use crate::auth::{command_principal, Authorized, Policy};
use crate::json::RequestDigest;
use crate::preconditions::{etag, IdempotencyKey, IfMatch};
use crate::problem::{Problem, ProblemCode, Text};
use crate::request_id::RequestId;
use crate::state::AppState;

/// Everything a command handler needs besides its path and body. Taking it first means a
/// caller whose role `P` does not allow is refused (403) before anything else is read.
pub struct CommandContext<P: Policy> {
    pub caller: Authorized<P>,
    state: AppState,
    if_match: IfMatch,
    key: IdempotencyKey,
    request_id: RequestId,
    policy: PhantomData<P>,
}

impl<P: Policy> FromRequestParts<AppState> for CommandContext<P> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Authorized::<P>::authorize(command_principal(parts, state).await?)?;
        let if_match = IfMatch::from_request_parts(parts, state).await?;
        let key = IdempotencyKey::from_request_parts(parts, state).await?;
        let Ok(request_id) = RequestId::from_request_parts(parts, state).await;
        Ok(CommandContext { caller, state: state.clone(), if_match, key, request_id, policy: PhantomData })
    }
}

impl<P: Policy> CommandContext<P> {
    /// Runs `command` on contract `contract_id` (for an award: the id the new contract gets).
    pub async fn run(&self, contract_id: Uuid, digest: &RequestDigest, command: Command) -> Result<Created, Problem> {
        let request = CommandRequest {
            principal: &self.caller.principal,
            contract_id,
            expected: self.if_match.expected(),
            idempotency: self.key.0.as_deref().map(|key| Idempotency { key, request_digest: &digest.0 }),
            command,
            today: business_today(),
            correlation_id: self.request_id.0,
        };
        match self.state.app.execute(request).await {
            Ok(accepted) => Ok(Created(accepted)),
            // The header's own words: which tags it named, and why none matched.
            Err(ApplicationError::PreconditionFailed { actual, .. }) => {
                Err(self.if_match.check(actual).err().unwrap_or_else(|| Problem::from(precondition_failed(actual))))
            }
            Err(ApplicationError::Unauthenticated) => {
                self.state.tokens.forget(&self.caller.actor.id);
                Err(Problem::unauthorized())
            }
            Err(error) => Err(Problem::from(error)),
        }
    }
}

fn precondition_failed(actual: i64) -> ApplicationError {
    ApplicationError::PreconditionFailed { expected: Vec::new(), actual }
}

/// An accepted command as HTTP: 201 with `Location` for a new contract, else 200; the new
/// `ETag` either way.
#[derive(Debug)]
pub struct Created(pub Accepted);

impl IntoResponse for Created {
    fn into_response(self) -> Response {
        let accepted = self.0;
        let status = if accepted.created { StatusCode::CREATED } else { StatusCode::OK };
        let mut response = (status, Json(&accepted)).into_response();
        response.headers_mut().insert(header::ETAG, etag(accepted.version));
        if accepted.created {
            if let Ok(location) = HeaderValue::from_str(&format!("/api/contracts/{}", accepted.contract_id)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
        }
        response
    }
}

/// A contract id in the path; a malformed one is a problem+json 400 naming it.
#[derive(Debug, Clone, Copy)]
pub struct ContractId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ContractId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(ContractId(id)),
            Err(rejection) => Err(ContractId::refusal(&rejection.body_text())),
        }
    }
}

impl ContractId {
    /// The 400 of a path id that is not a UUID, with the router's `reason`.
    pub fn refusal(reason: &str) -> Problem {
        Problem::of(ProblemCode::InvalidPath)
            .detail(
                format!("l'identifiant d'un marché est un UUID : {reason}"),
                format!("a contract id is a UUID: {reason}"),
            )
            .field("id")
    }
}

impl From<ApplicationError> for Problem {
    fn from(error: ApplicationError) -> Self {
        match error {
            ApplicationError::Unauthenticated => Problem::unauthorized(),
            ApplicationError::NotFound { contract_id } => Problem::no_contract(contract_id),
            ApplicationError::AlreadyExists { contract_id } => Problem::of(ProblemCode::AlreadyExists).detail(
                format!("le marché {contract_id} est déjà enregistré"),
                format!("contract {contract_id} is already recorded"),
            ),
            ApplicationError::BuyerNotInTenant { siret } => Problem::invalid(
                ProblemCode::BuyerNotInTenant,
                "buyer_siret",
                Text::new(
                    format!("{siret} n'est pas un des acheteurs pour lesquels votre organisation achète"),
                    format!("{siret} is not one of the buyers your organisation purchases for"),
                ),
            ),
            ApplicationError::PreconditionFailed { expected, actual } => {
                let named: Vec<String> = expected.iter().map(i64::to_string).collect();
                let named = named.join(", ");
                Problem::of(ProblemCode::PreconditionFailed)
                    .detail(
                        format!("If-Match désigne la version {named} ; le marché est à la version {actual}"),
                        format!("If-Match names version {named}; the contract is at version {actual}"),
                    )
                    .field("If-Match")
            }
            ApplicationError::Conflict { expected, actual } => Problem::of(ProblemCode::ConcurrentChange).detail(
                format!(
                    "décidé sur la version {expected}, le marché est maintenant à la version {actual} : relisez-le \
                     et renvoyez la demande"
                ),
                format!(
                    "decided on version {expected}, the contract is now at version {actual}; read it again and retry"
                ),
            ),
            ApplicationError::ParticipantHoursRaced => Problem::of(ProblemCode::ConcurrentChange).detail(
                "un autre relevé déclarant le même participant pour le même mois vient d'être enregistré : renvoyez \
                 la demande",
                "another statement declaring the same participant for the same month was just recorded: send the \
                 request again",
            ),
            ApplicationError::Refused(refusal) => Problem::rule(&refusal),
            ApplicationError::IdempotencyKeyReused => Problem::invalid(
                ProblemCode::IdempotencyKeyReused,
                "Idempotency-Key",
                Text::new(
                    "cette clé a déjà servi pour une autre requête : une nouvelle tentative doit renvoyer la même \
                     requête",
                    "this key was already used for another request: a retry must send the same request",
                ),
            ),
            ApplicationError::Unavailable(cause) => Problem::unavailable(cause.as_ref()),
            ApplicationError::Internal(cause) => Problem::internal(cause.as_ref()),
        }
    }
}
