//! Running a command against a contract: authorise, load, check preconditions, decide, append.
//!
//! The same path serves every edge (HTTP now, NATS for finance), so a command means the same
//! thing whichever way it arrives.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use suivi_domain::{decide, Command, Contract, DecisionContext, DomainError};
use suivi_proto::{NewEvent, TenantId};
use suivi_store::{AppendError, AppendRequest, Appended};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::preconditions::{etag, IfMatch};
use crate::problem::Problem;
use crate::state::AppState;

/// A contract as the caller may see it.
pub struct LoadedContract {
    pub contract: Contract,
    pub version: i64,
}

/// Loads a contract the principal may see: same tenant, and for a contractor, one of the
/// contract's contractors. Anything else is "not found", so existence is not disclosed.
pub async fn load_contract(
    state: &AppState,
    principal: &Principal,
    contract_id: Uuid,
) -> Result<LoadedContract, Problem> {
    // Payloads are decoded straight from their stored text: this runs on every command.
    let stored = state.store.read_stored_stream(contract_id, i64::MAX).await.map_err(|e| Problem::unavailable(&e))?;
    let not_found = || Problem::not_found(format!("no contract {contract_id}"));
    let first = stored.first().ok_or_else(not_found)?;
    if first.tenant != principal.tenant {
        return Err(not_found());
    }
    let version = stored.last().map_or(0, |e| e.stream_version);
    let mut contract = Contract::default();
    for event in &stored {
        contract.apply(&event.decode_event().map_err(|e| Problem::internal(&e))?);
    }
    if principal.role == Role::Contractor {
        let sees_it = contract
            .awarded()
            .zip(principal.siret.as_deref())
            .is_some_and(|(awarded, siret)| awarded.contractor_sirets().any(|s| s.as_str() == siret));
        if !sees_it {
            return Err(not_found());
        }
    }
    Ok(LoadedContract { contract, version })
}

/// What a command request carries besides the command.
pub struct CommandRequest<'a> {
    pub principal: &'a Principal,
    pub contract_id: Uuid,
    pub if_match: IfMatch,
    pub idempotency_key: Option<&'a str>,
    pub command: Command,
    /// Set for an award: the contract must not exist yet.
    pub creates: bool,
}

/// The answer to an accepted command (or to its retry).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Accepted {
    pub contract_id: Uuid,
    /// The contract's version after the command: its new ETag.
    pub version: i64,
    /// Event types appended, in order.
    pub events: Vec<String>,
    #[serde(skip)]
    pub created: bool,
    /// True when this answers a retry: nothing was appended this time.
    #[serde(skip)]
    #[schemars(skip)]
    pub replayed: bool,
}

impl IntoResponse for Accepted {
    fn into_response(self) -> Response {
        let status = if self.created { StatusCode::CREATED } else { StatusCode::OK };
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(header::ETAG, etag(self.version));
        if self.created {
            if let Ok(location) = HeaderValue::from_str(&format!("/api/contracts/{}", self.contract_id)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
        }
        response
    }
}

/// Today in France (Europe/Paris), the calendar every date of a contract is read in.
pub fn business_today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

pub async fn execute(state: &AppState, request: CommandRequest<'_>) -> Result<Accepted, Problem> {
    let name = request.command.name();
    let outcome = execute_inner(state, request).await;
    let label = match &outcome {
        Ok(accepted) if accepted.replayed => "replayed",
        Ok(_) => "accepted",
        Err(problem) => problem.type_uri.rsplit('/').next().unwrap_or("refused"),
    };
    metrics::counter!("suivi_commands_total", "command" => name, "outcome" => label.to_owned()).increment(1);
    outcome
}

async fn execute_inner(state: &AppState, request: CommandRequest<'_>) -> Result<Accepted, Problem> {
    let CommandRequest { principal, contract_id, if_match, idempotency_key, command, creates } = request;
    // Keys are scoped to the token that sent them: one firm's keys say nothing about another's.
    let scoped_key = idempotency_key.map(|key| format!("{}:{key}", principal.token_id));
    let idempotency_key = scoped_key.as_deref();
    let span = tracing::info_span!("command", command = command.name(), %contract_id, tenant = %principal.tenant);
    let _entered = span.enter();

    if let Some(key) = idempotency_key {
        if let Some(first) =
            state.store.remembered(&principal.tenant, key).await.map_err(|e| Problem::unavailable(&e))?
        {
            return replay(state, principal, key, contract_id, first, creates).await;
        }
    }

    let (contract, version) = if creates {
        let version = state.store.stream_version(contract_id).await.map_err(|e| Problem::unavailable(&e))?;
        if version > 0 {
            return Err(Problem::new(StatusCode::CONFLICT, "already_exists", "This contract already exists")
                .detail(format!("contract {contract_id} is already recorded")));
        }
        (Contract::default(), 0)
    } else {
        let loaded = load_contract(state, principal, contract_id).await?;
        (loaded.contract, loaded.version)
    };
    if_match.check(version)?;

    let events = decide(&contract, command, &DecisionContext::new(business_today())).map_err(domain_problem)?;
    let now = Utc::now();
    let new_events: Vec<NewEvent> = events.iter().map(|event| NewEvent::from_event(event, now)).collect();
    let appended = state
        .store
        .append(AppendRequest {
            tenant: &principal.tenant,
            stream_id: contract_id,
            expected_version: version,
            actor: &principal.actor(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            idempotency_key,
            events: &new_events,
        })
        .await
        .map_err(append_problem)?;
    if appended.replayed {
        // A concurrent retry with the same key won the race: answer what it answered.
        return replay(state, principal, idempotency_key.unwrap_or_default(), contract_id, appended, creates).await;
    }
    tracing::info!(version = appended.last_version, "command accepted");
    Ok(Accepted {
        contract_id,
        version: appended.last_version,
        events: new_events.into_iter().map(|e| e.event_type).collect(),
        created: creates,
        replayed: false,
    })
}

async fn replay(
    state: &AppState,
    principal: &Principal,
    key: &str,
    contract_id: Uuid,
    first: Appended,
    creates: bool,
) -> Result<Accepted, Problem> {
    // An award's id is made by the server, so a retried award names the first one's.
    let contract_id = if creates { first.stream_id } else { contract_id };
    if first.stream_id != contract_id {
        return Err(key_reused(key));
    }
    let events = state.store.read_stream(contract_id).await.map_err(|e| Problem::unavailable(&e))?;
    if events.first().is_some_and(|e| e.tenant != principal.tenant) {
        return Err(key_reused(key));
    }
    Ok(Accepted {
        contract_id,
        version: first.last_version,
        events: events
            .into_iter()
            .filter(|e| (first.first_version..=first.last_version).contains(&e.stream_version))
            .map(|e| e.event_type)
            .collect(),
        created: creates,
        replayed: true,
    })
}

fn key_reused(key: &str) -> Problem {
    Problem::invalid(
        "idempotency_key_reused",
        "Idempotency-Key",
        format!("the key {key:?} was already used for another request"),
    )
}

fn append_problem(error: AppendError) -> Problem {
    match error {
        AppendError::Conflict { actual, expected, .. } => Problem::new(
            StatusCode::CONFLICT,
            "concurrent_change",
            "The contract changed while your request was decided",
        )
        .detail(format!(
            "decided on version {expected}, the contract is now at version {actual}; read it again and retry"
        )),
        AppendError::IdempotencyKeyReused { key, .. } => key_reused(&key),
        AppendError::NoEvents => Problem::internal(&AppendError::NoEvents),
        AppendError::Database(e) => Problem::unavailable(&e),
    }
}

/// A domain refusal: 422, its stable code, the field at fault, and the rule in words.
pub fn domain_problem(error: DomainError) -> Problem {
    let problem =
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, error.code(), "The contract's rules refuse this request")
            .detail(error.to_string());
    match error.field() {
        Some(field) => problem.field(field),
        None => problem,
    }
}

/// The tenant an event belongs to must be the principal's: used by listing queries.
pub fn same_tenant(principal: &Principal, tenant: &TenantId) -> bool {
    &principal.tenant == tenant
}

/// Every contract the principal may see (a contractor: only its own), with its version.
pub async fn list_contracts(state: &AppState, principal: &Principal) -> Result<Vec<(Uuid, LoadedContract)>, Problem> {
    let siret = if principal.role == Role::Contractor { principal.siret.as_deref() } else { None };
    let envelopes =
        state.store.read_contracts_of(&principal.tenant, siret).await.map_err(|e| Problem::unavailable(&e))?;
    let mut contracts: Vec<(Uuid, LoadedContract)> = Vec::new();
    for envelope in envelopes {
        let event = envelope.decode_event().map_err(|e| Problem::internal(&e))?;
        match contracts.last_mut() {
            Some((id, loaded)) if *id == envelope.stream_id => {
                loaded.contract.apply(&event);
                loaded.version = envelope.stream_version;
            }
            _ => {
                let mut contract = Contract::default();
                contract.apply(&event);
                contracts.push((envelope.stream_id, LoadedContract { contract, version: envelope.stream_version }));
            }
        }
    }
    Ok(contracts)
}
