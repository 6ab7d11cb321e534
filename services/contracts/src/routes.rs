//! Buyers' commands, and the contract views every role may read (each its own contracts).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use suivi_domain::Command;
use suivi_http::command::{execute, list_contracts, load_contract, Accepted, CommandRequest};
use suivi_http::policies::{Buyers, Readers};
use suivi_http::tenants::covers_buyer;
use suivi_http::{etag, AppState, Authorized, IdempotencyKey, IfMatch, JsonBody, Principal, Problem};
use suivi_proto::events::{ContractAmendedV1, ContractAwardedV1, ContractSettledV1, ContractTerminatedV1};
use uuid::Uuid;

use crate::views::{ContractSummary, ContractView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contracts", post(award).get(list))
        .route("/api/contracts/{id}", get(show))
        .route("/api/contracts/{id}/amendments", post(amend))
        .route("/api/contracts/{id}/termination", post(terminate))
        .route("/api/contracts/{id}/instalment-approvals", post(approve_instalment))
        .route("/api/contracts/{id}/settlement", post(settle))
}

async fn buyer_command(
    state: &AppState,
    principal: &Principal,
    contract_id: Uuid,
    if_match: IfMatch,
    key: &IdempotencyKey,
    command: Command,
) -> Result<Accepted, Problem> {
    let creates = matches!(command, Command::Award(_));
    execute(
        state,
        CommandRequest { principal, contract_id, if_match, idempotency_key: key.0.as_deref(), command, creates },
    )
    .await
}

/// `POST /api/contracts`: records a notified contract; its id is made here (UUID v7).
async fn award(
    principal: Authorized<Buyers>,
    State(state): State<AppState>,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ContractAwardedV1>,
) -> Result<Accepted, Problem> {
    let covered = covers_buyer(&state.pool, &principal.tenant, body.buyer_siret.as_str())
        .await
        .map_err(|e| Problem::unavailable(&e))?;
    if !covered {
        return Err(Problem::invalid(
            "buyer_not_in_tenant",
            "buyer_siret",
            format!("{} is not one of the buyers your organisation purchases for", body.buyer_siret.as_str()),
        ));
    }
    buyer_command(&state, &principal.principal, Uuid::now_v7(), IfMatch(None), &key, Command::Award(body)).await
}

async fn amend(
    principal: Authorized<Buyers>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ContractAmendedV1>,
) -> Result<Accepted, Problem> {
    buyer_command(&state, &principal.principal, id, if_match, &key, Command::Amend(body)).await
}

async fn terminate(
    principal: Authorized<Buyers>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ContractTerminatedV1>,
) -> Result<Accepted, Problem> {
    buyer_command(&state, &principal.principal, id, if_match, &key, Command::Terminate(body)).await
}

/// The approval request: the domain computes gross, advance recovery and net to pay.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    pub number: u32,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub approved_on: NaiveDate,
    /// Other deductions, euros including VAT ("0.00" when none).
    #[serde(with = "suivi_proto::decimal::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub other_deductions_ttc: Decimal,
}

async fn approve_instalment(
    principal: Authorized<Buyers>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ApprovalBody>,
) -> Result<Accepted, Problem> {
    let command = Command::ApproveInstalment {
        number: body.number,
        approved_on: body.approved_on,
        other_deductions_ttc: body.other_deductions_ttc,
    };
    buyer_command(&state, &principal.principal, id, if_match, &key, command).await
}

async fn settle(
    principal: Authorized<Buyers>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<ContractSettledV1>,
) -> Result<Accepted, Problem> {
    buyer_command(&state, &principal.principal, id, if_match, &key, Command::Settle(body)).await
}

/// `GET /api/contracts`: the caller's contracts (a contractor's: those it holds).
async fn list(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ContractSummary>>, Problem> {
    let contracts = list_contracts(&state, &principal.principal).await?;
    Ok(Json(
        contracts
            .iter()
            .filter_map(|(id, loaded)| ContractSummary::of(*id, loaded.version, &loaded.contract))
            .collect(),
    ))
}

/// `GET /api/contracts/{id}`: one contract, with its ETag for `If-Match`.
async fn show(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Response, Problem> {
    let loaded = load_contract(&state, &principal.principal, id).await?;
    let view = ContractView::of(id, loaded.version, &loaded.contract)
        .ok_or_else(|| Problem::not_found(format!("no contract {id}")))?;
    Ok(([(header::ETAG, etag(loaded.version))], Json(view)).into_response())
}
