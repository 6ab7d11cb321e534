//! Buyers' commands, and the contract views every role may read (each its own contracts).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use suivi_application::lists::{parse_status, ContractFilter, MAX_PAGE};
use suivi_domain::Command;
use suivi_http::listing::{a_cursor, decode_cursor, encode_cursor, limit, page_headers, parameter, parse_query};
use suivi_http::policies::{Buyers, Readers};
use suivi_http::{etag, AppState, Authorized, CommandContext, ContractId, Created, JsonBody, Problem, Text};
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

/// `POST /api/contracts`: records a notified contract; its id is made here (UUID v7).
async fn award(
    command: CommandContext<Buyers>,
    JsonBody(body, digest): JsonBody<ContractAwardedV1>,
) -> Result<Created, Problem> {
    command.run(Uuid::now_v7(), &digest, Command::Award(body)).await
}

async fn amend(
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ContractAmendedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::Amend(body)).await
}

async fn terminate(
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ContractTerminatedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::Terminate(body)).await
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
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ApprovalBody>,
) -> Result<Created, Problem> {
    let approval = Command::ApproveInstalment {
        number: body.number,
        approved_on: body.approved_on,
        other_deductions_ttc: body.other_deductions_ttc,
    };
    command.run(id, &digest, approval).await
}

async fn settle(
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ContractSettledV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::Settle(body)).await
}

/// `GET /api/contracts`: the caller's contracts (a contractor's: those it holds), from the read
/// models, by pages: `buyer`, `status`, `year` (of notification), `at_risk`, `limit`, `cursor`.
async fn list(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let (parameters, filter) = list_query(query.as_deref())?;
    let page = state.app.list_contracts(&principal.principal, &filter).await?;
    let next = page.next.map(|id| encode_cursor(&id.to_string()));
    let headers = page_headers(page.lag, "/api/contracts", &parameters, next);
    let items: Vec<ContractSummary> = page.items.iter().map(ContractSummary::from_row).collect();
    Ok((headers, Json(items)).into_response())
}

/// Reads the list's query string: its parameters (kept for the next page's link) and the filter.
pub fn list_query(query: Option<&str>) -> Result<(HashMap<String, String>, ContractFilter), Problem> {
    let parameters = parse_query(query, &["buyer", "status", "year", "at_risk", "limit", "cursor"])?;
    let filter = ContractFilter {
        buyer_siret: parameter(
            &parameters,
            "buyer",
            Text::new("un SIRET (14 chiffres)", "a SIRET (14 digits)"),
            |v| (v.len() == 14 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.to_owned()),
        )?,
        status: parameter(
            &parameters,
            "status",
            Text::new("awarded, terminated ou settled", "awarded, terminated or settled"),
            parse_status,
        )?,
        year: parameter(
            &parameters,
            "year",
            Text::new("une année de 2000 à 2100", "a year from 2000 to 2100"),
            |v| v.parse().ok().filter(|y| (2000..=2100).contains(y)),
        )?,
        at_risk: parameter(&parameters, "at_risk", Text::new("true ou false", "true or false"), |v| v.parse().ok())?,
        after: parameter(&parameters, "cursor", a_cursor(), |v| decode_cursor(v).and_then(|text| text.parse().ok()))?,
        limit: limit(&parameters, MAX_PAGE)?,
    };
    Ok((parameters, filter))
}

/// `GET /api/contracts/{id}`: one contract, with its ETag for `If-Match`.
async fn show(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    ContractId(id): ContractId,
) -> Result<Response, Problem> {
    let loaded = state.app.load_contract(&principal.principal, id).await?;
    let view = ContractView::of(id, loaded.version, &loaded.contract).ok_or_else(|| Problem::no_contract(id))?;
    Ok(([(header::ETAG, etag(loaded.version))], Json(view)).into_response())
}
