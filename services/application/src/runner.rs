//! Running a command against a contract: load what the principal may see, check the caller's
//! precondition, decide (on `today` and the dated reference tables, see [`crate::references`]),
//! append with the version read, answer a retry with the first answer.
//!
//! Every edge (HTTP, NATS, the DECP import, the demo) runs commands here, so a command means
//! the same thing whichever way it arrives, and nothing else appends.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use suivi_domain::participants::{hours_deltas, ParticipantFacts};
use suivi_domain::{decide, Command, Contract, DecisionContext, References};
use suivi_proto::NewEvent;
use suivi_store::{AppendError, AppendRequest, Appended, EventStore, StoredEvent};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::aggregates::{Aggregate, AggregateCache};
use crate::error::ApplicationError;
use crate::principal::Principal;
use crate::references::{ReferenceCache, REFERENCES_MAX_AGE};
use crate::tenancy;

/// How many contracts the command path keeps in memory (see [`AggregateCache`]).
pub const DEFAULT_AGGREGATE_CACHE: usize = 10_000;

/// The application: the event store, the tenants' tables, recently used contracts, and the
/// dated reference tables (read from `reference_rates`, see [`crate::references`]).
pub struct Application {
    store: EventStore,
    aggregates: AggregateCache,
    references: ReferenceCache,
}

/// A contract as the caller may see it, at `version`.
#[derive(Debug, Clone)]
pub struct LoadedContract {
    pub contract: Contract,
    pub version: i64,
}

/// The version(s) the caller says it read (`If-Match` over HTTP).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Expected {
    /// Decide on whatever version is current (a race is still caught at append).
    #[default]
    Any,
    /// Decide only if the contract is at one of these versions.
    OneOf(Vec<i64>),
}

/// A retry key and a digest of the request it came with: the same key with another digest is
/// another request, refused.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub request_digest: &'a [u8],
}

/// A command and what the application needs to run it.
#[derive(Debug, Clone)]
pub struct CommandRequest<'a> {
    pub principal: &'a Principal,
    /// For an award, the id the new contract will have (made by the edge).
    pub contract_id: Uuid,
    pub expected: Expected,
    pub idempotency: Option<Idempotency<'a>>,
    pub command: Command,
    /// The business day the command is decided on (no recorded fact may be dated after it).
    pub today: NaiveDate,
    /// Written into every appended event: the request id an edge logs and returns.
    pub correlation_id: Uuid,
}

/// The answer to an accepted command (or to its retry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Accepted {
    pub contract_id: Uuid,
    /// The contract's version after the command: its new ETag.
    pub version: i64,
    /// Event types appended, in order.
    pub events: Vec<String>,
    /// True for an award: a contract was created.
    #[serde(skip)]
    pub created: bool,
    /// True when this answers a retry: nothing was appended this time.
    #[serde(skip)]
    #[schemars(skip)]
    pub replayed: bool,
}

/// Today in France (Europe/Paris), the calendar every date of a contract is read in.
pub fn business_today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

impl Application {
    pub fn new(store: EventStore) -> Self {
        Application::with_cache(store, DEFAULT_AGGREGATE_CACHE)
    }

    /// An application keeping at most about `cached_contracts` contracts in memory.
    pub fn with_cache(store: EventStore, cached_contracts: usize) -> Self {
        Application {
            store,
            aggregates: AggregateCache::new(cached_contracts),
            references: ReferenceCache::new(REFERENCES_MAX_AGE),
        }
    }

    /// Reads `reference_rates` again once its copy is `max_age` old (default
    /// [`REFERENCES_MAX_AGE`]; [`Duration::ZERO`] reads it for every decision).
    pub fn with_reference_max_age(mut self, max_age: Duration) -> Self {
        self.references = ReferenceCache::new(max_age);
        self
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The dated reference tables (gross hourly SMIC, ECB main refinancing rate), at most
    /// [`REFERENCES_MAX_AGE`] old: what decisions are taken with, and what a view of a proposal
    /// must be computed with to show what a confirmation will be checked against.
    pub async fn references(&self) -> Result<Arc<References>, ApplicationError> {
        self.references.get(self.store.pool()).await
    }

    /// Loads a contract the principal may see: same tenant, and for a contractor one of the
    /// contract's contractors. Anything else is [`ApplicationError::NotFound`], so existence is
    /// not disclosed.
    #[tracing::instrument(skip_all, fields(%contract_id, tenant = %principal.tenant), err(level = "debug"))]
    pub async fn load_contract(
        &self,
        principal: &Principal,
        contract_id: Uuid,
    ) -> Result<LoadedContract, ApplicationError> {
        let (aggregate, _) = self.read(principal, contract_id, None).await?;
        let aggregate = visible(principal, contract_id, aggregate)?;
        Ok(LoadedContract { contract: aggregate.contract, version: aggregate.version })
    }

    /// Runs `request`: see the module documentation.
    pub async fn execute(&self, request: CommandRequest<'_>) -> Result<Accepted, ApplicationError> {
        let command = request.command.name();
        let span = tracing::info_span!(
            "command",
            command,
            contract_id = %request.contract_id,
            tenant = %request.principal.tenant,
            correlation_id = %request.correlation_id,
        );
        // Two statements naming the same participant and month may both pass the domain's check
        // on hours read before either committed; the database lets one through. Decided again
        // on what that one left, the other gets its refusal with the figures (or passes).
        let outcome = match self.execute_inner(request.clone()).instrument(span.clone()).await {
            Err(ApplicationError::ParticipantHoursRaced) => self.execute_inner(request).instrument(span.clone()).await,
            outcome => outcome,
        };
        let label = match &outcome {
            Ok(accepted) if accepted.replayed => "replayed",
            Ok(_) => "accepted",
            Err(error) => error.label(),
        };
        span.in_scope(|| match &outcome {
            Ok(accepted) => tracing::info!(version = accepted.version, outcome = label, "command done"),
            Err(error) => tracing::info!(outcome = label, "command refused: {error}"),
        });
        metrics::counter!("suivi_commands_total", "command" => command, "outcome" => label).increment(1);
        outcome
    }

    async fn execute_inner(&self, request: CommandRequest<'_>) -> Result<Accepted, ApplicationError> {
        let CommandRequest { principal, contract_id, expected, idempotency, command, today, correlation_id } = request;
        let creates = matches!(command, Command::Award(_));
        let scoped_key = idempotency.map(|i| principal.scoped_key(i.key));
        let key = scoped_key.as_deref().zip(idempotency.map(|i| i.request_digest));

        let (aggregate, remembered) = self.read(principal, contract_id, key.map(|(key, _)| key)).await?;
        if let (Some(first), Some((_, digest))) = (remembered, key) {
            return self.replay(principal, contract_id, creates, first, digest).await;
        }

        let (contract, version) = if creates {
            if aggregate.version > 0 {
                return Err(ApplicationError::AlreadyExists { contract_id });
            }
            if let Command::Award(award) = &command {
                let siret = award.buyer_siret.as_str();
                if !tenancy::covers_buyer(self.store.pool(), &principal.tenant, siret)
                    .await
                    .map_err(ApplicationError::unavailable)?
                {
                    return Err(ApplicationError::BuyerNotInTenant { siret: siret.to_owned() });
                }
            }
            (Contract::default(), 0)
        } else {
            let aggregate = visible(principal, contract_id, aggregate)?;
            (aggregate.contract, aggregate.version)
        };
        if let Expected::OneOf(versions) = &expected {
            if !versions.contains(&version) {
                return Err(ApplicationError::PreconditionFailed { expected: versions.clone(), actual: version });
            }
        }

        let mut command = command;
        let participants = self.participants_named(principal, &mut command).await?;
        let context = DecisionContext::new(today, self.references().await?).with_participants(participants);
        let events = match decide(&contract, command, &context) {
            Ok(events) => events,
            Err(refusal) => {
                // A concurrent retry may have won between our read and now: decided on the state
                // it left, this one would be refused; it must get the first answer instead.
                if let Some(first) = self.remembered_since_read(principal, key).await? {
                    let digest = key.map(|(_, digest)| digest).unwrap_or_default();
                    return self.replay(principal, contract_id, creates, first, digest).await;
                }
                return Err(refusal.into());
            }
        };
        let now = Utc::now();
        let new_events: Vec<NewEvent> = events.iter().map(|event| NewEvent::from_event(event, now)).collect();
        let hours = hours_deltas(&contract, &events);
        let appended = self
            .store
            .append_with_hours(
                AppendRequest {
                    tenant: &principal.tenant,
                    stream_id: contract_id,
                    expected_version: version,
                    actor: &principal.actor,
                    correlation_id,
                    causation_id: None,
                    idempotency_key: key.map(|(key, _)| key),
                    request_digest: key.map(|(_, digest)| digest),
                    events: &new_events,
                },
                &hours,
            )
            .await
            .map_err(append_error)?;
        if appended.replayed {
            // A concurrent retry with the same key won the race: answer what it answered.
            let digest = key.map(|(_, digest)| digest).unwrap_or_default();
            let first = suivi_store::Remembered { appended, request_digest: Some(digest.to_vec()) };
            return self.replay(principal, contract_id, creates, first, digest).await;
        }

        let mut decided = contract;
        for event in &events {
            decided.apply(event);
        }
        let aggregate =
            Aggregate { tenant: principal.tenant.clone(), contract: decided, version: appended.last_version };
        self.aggregates.put(contract_id, aggregate);
        Ok(Accepted {
            contract_id,
            version: appended.last_version,
            events: new_events.into_iter().map(|e| e.event_type).collect(),
            created: creates,
            replayed: false,
        })
    }

    /// What the tenant's register says about the participants a statement names (nothing for
    /// other commands). Each participant line takes the register's category: a firm names the
    /// person by code only, and the category indicators count is the one the facilitator
    /// registered, whatever the edge put in the line.
    async fn participants_named(
        &self,
        principal: &Principal,
        command: &mut Command,
    ) -> Result<ParticipantFacts, ApplicationError> {
        let Command::RequestInstalment(request) = command else { return Ok(ParticipantFacts::default()) };
        let codes: Vec<&str> =
            request.statement.lines.iter().filter_map(|l| l.beneficiary.participant()).map(|c| c.as_str()).collect();
        let facts = suivi_store::participants::facts(self.store.pool(), &principal.tenant, &codes)
            .await
            .map_err(ApplicationError::unavailable)?;
        for line in &mut request.statement.lines {
            if let Some(fact) = line.beneficiary.participant().and_then(|code| facts.get(code)) {
                line.category = fact.category;
            }
        }
        Ok(facts)
    }

    /// The contract as stored (from the cache, completed by the events after its version) and
    /// the first use of `key`, read in one round trip.
    async fn read(
        &self,
        principal: &Principal,
        contract_id: Uuid,
        key: Option<&str>,
    ) -> Result<(Aggregate, Option<suivi_store::Remembered>), ApplicationError> {
        let cached = self.aggregates.get(contract_id);
        let after = cached.as_ref().map_or(0, |a| a.version);
        let read =
            self.store.read_for_command(contract_id, after, &principal.tenant, key, principal.unverified_token).await?;
        if !read.token_live {
            return Err(ApplicationError::Unauthenticated);
        }
        let mut aggregate = cached.unwrap_or_else(|| Aggregate {
            tenant: read.events.first().map_or_else(|| principal.tenant.clone(), |e| e.tenant.clone()),
            contract: Contract::default(),
            version: 0,
        });
        let caught_up = !read.events.is_empty();
        fold(&mut aggregate, &read.events)?;
        if caught_up {
            self.aggregates.put(contract_id, aggregate.clone());
        }
        Ok((aggregate, read.remembered))
    }

    async fn remembered_since_read(
        &self,
        principal: &Principal,
        key: Option<(&str, &[u8])>,
    ) -> Result<Option<suivi_store::Remembered>, ApplicationError> {
        let Some((key, _)) = key else { return Ok(None) };
        self.store.remembered_request(&principal.tenant, key).await.map_err(ApplicationError::unavailable)
    }

    /// The first answer to the request that used this key, if this request is a retry of it.
    async fn replay(
        &self,
        principal: &Principal,
        contract_id: Uuid,
        creates: bool,
        first: suivi_store::Remembered,
        digest: &[u8],
    ) -> Result<Accepted, ApplicationError> {
        // An award's id is made by the edge on each request, so a retried award names the first's.
        let contract_id = if creates { first.appended.stream_id } else { contract_id };
        if !first.is_retry_of(contract_id, Some(digest)) {
            return Err(ApplicationError::IdempotencyKeyReused);
        }
        let appended: Appended = first.appended;
        let events = self.store.read_stored_stream(contract_id, appended.last_version).await?;
        if events.first().is_some_and(|e| e.tenant != principal.tenant) {
            return Err(ApplicationError::IdempotencyKeyReused);
        }
        Ok(Accepted {
            contract_id,
            version: appended.last_version,
            events: events
                .into_iter()
                .filter(|e| e.stream_version >= appended.first_version)
                .map(|e| e.event_type)
                .collect(),
            created: creates,
            replayed: true,
        })
    }
}

fn fold(aggregate: &mut Aggregate, events: &[StoredEvent]) -> Result<(), ApplicationError> {
    for stored in events {
        aggregate.contract.apply(&stored.decode_event().map_err(ApplicationError::internal)?);
        aggregate.version = stored.stream_version;
    }
    Ok(())
}

/// The aggregate if the principal may see it: an awarded contract of its tenant that, for a
/// contractor, it holds.
fn visible(principal: &Principal, contract_id: Uuid, aggregate: Aggregate) -> Result<Aggregate, ApplicationError> {
    let sees = aggregate.tenant == principal.tenant
        && aggregate.contract.awarded().is_some_and(|awarded| principal.sees(awarded));
    if sees {
        Ok(aggregate)
    } else {
        Err(ApplicationError::NotFound { contract_id })
    }
}

fn append_error(error: AppendError) -> ApplicationError {
    match error {
        AppendError::Conflict { actual, expected, .. } => ApplicationError::Conflict { expected, actual },
        AppendError::IdempotencyKeyReused { .. } => ApplicationError::IdempotencyKeyReused,
        AppendError::NoEvents => ApplicationError::internal(AppendError::NoEvents),
        AppendError::ParticipantHoursExceeded => ApplicationError::ParticipantHoursRaced,
        AppendError::Database(e) => ApplicationError::unavailable(e),
    }
}
