//! Buyers' commands, and the contract views every role may read (each its own contracts).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use suivi_application::lists::{parse_status, ContractFilter, MAX_PAGE};
use suivi_domain::Command;
use suivi_http::listing::{a_cursor, decode_cursor, encode_cursor, limit, page_headers, parameter, parse_query};
use suivi_http::policies::{Buyers, Correctors, Readers};
use suivi_http::routes::{Doc, Query, Routes};
use suivi_http::{
    AppState, Authorized, CommandContext, ContractId, Created, JsonBody, Problem, ProblemCode, Tagged, Text,
};
use suivi_proto::events::{
    ContractAmendedV2, ContractAwardedV1, ContractSettledV1, ContractTerminatedV1, FactCorrectedV1,
};
use suivi_proto::quantities::MoneyTtc;
use uuid::Uuid;

use crate::views::{ContractSummary, ContractView};

/// Every route of the contracts, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/contracts",
            award,
            Doc::command(
                "awardContract",
                "contracts",
                "Record an awarded contract (marché notifié)",
                "Records a notified contract with everything its rules need: contractors, amount, VAT rate, \
                 duration, insertion clause and penalty terms, advance terms, payment term. Suivi makes the \
                 contract's id (a UUID v7) and answers 201 with its `Location` and `ETag`. The buyer must be \
                 one your organisation purchases for. A retry with the same `Idempotency-Key` answers the \
                 first contract again instead of recording a second one.",
                "The contract as notified.",
            )
            .creating()
            .problems(&[ProblemCode::AlreadyExists, ProblemCode::BuyerNotInTenant]),
        )
        .get(
            "/api/contracts",
            list,
            Doc::read(
                "listContracts",
                "contracts",
                "List the contracts you follow",
                "The contracts of your organisation, with their amounts, insertion hours and at-risk \
                flag; a contractor sees only the contracts it holds. Served from the read models, by pages, \
                filtered by buyer, status, year of notification and risk.",
                "A page of contracts, in the order of their ids (the order they were recorded).",
            )
            .query(Query {
                parameters: &["Buyer", "Status", "NotifiedIn", "AtRisk", "HasClause", "Search", "Limit", "Cursor"],
                parse: |query| list_query(query).map(drop),
                refused: &[("unknown_status", "status=open"), ("unknown_parameter", "colour=red")],
            }),
        )
        .get(
            "/api/contracts/{id}",
            show,
            Doc::read(
                "getContract",
                "contracts",
                "Read one contract (suivi du marché)",
                "The contract in full, with what each figure is computed from: the award's `terms` (VAT rate, \
                payment term, advance granted and its recovery, penalty terms), amounts and the value executed \
                including VAT, insertion hours (committed, pro-rated by a termination when the terms say so, \
                declared, validated, rejected, pending, remaining), advance outstanding, and every instalment with \
                its statement lines, their review, its approval, its due date and its payment (days late, the ECB \
                rate used, late-payment interest — or why it cannot be computed — and the 40 € flat fee). The \
                `ETag` is the version to send back in `If-Match`.",
                "The contract.",
            ),
        )
        .post(
            "/api/contracts/{id}/amendments",
            amend,
            Doc::command(
                "amendContract",
                "contracts",
                "Record an amendment (avenant)",
                "Records a signed amendment: a new total amount, duration or number of committed insertion hours \
                 (absent fields are unchanged). Amendments are numbered 1, 2, … in signature order.",
                "The amendment.",
            ),
        )
        .post(
            "/api/contracts/{id}/termination",
            terminate,
            Doc::command(
                "terminateContract",
                "contracts",
                "Record an early termination (résiliation)",
                "Records that the contract ended early, with the value executed: committed insertion hours are \
                 pro-rated to it when the penalty terms say so.",
                "The termination.",
            ),
        )
        .post(
            "/api/contracts/{id}/instalment-approvals",
            approve_instalment,
            Doc::command(
                "approveInstalment",
                "contracts",
                "Approve an instalment (acompte) for payment",
                "Approves a requested instalment; Suivi computes the gross amount including VAT, the advance \
                 recovered on it and the net to pay, which finance then pays. Instalments are approved in order.",
                "The approval.",
            ),
        )
        .post(
            "/api/contracts/{id}/settlement",
            settle,
            Doc::command(
                "settleContract",
                "contracts",
                "Record the final settlement (décompte général et définitif)",
                "Records the final amount. Every statement line must have been reviewed first: the penalty for \
                 insertion hours not done is computed from here on.",
                "The final settlement.",
            ),
        )
        .post(
            "/api/contracts/{id}/corrections",
            correct,
            Doc::command(
                "correctFact",
                "contracts",
                "Correct an entry mistake (correction d'une saisie)",
                "Events are never edited: a buyer or an administrator records a correction, with a written \
                 reason, and every view, penalty and indicator reads the history as corrected (the contract \
                 view lists the corrections). What can be corrected, until when: the settlement's date \
                 (`settlement_date`, until the penalty is decided, checked as a settlement is); an instalment's \
                 reception date (`reception_date`, until the settlement, not after its approval); the last \
                 instalment, recorded twice or by mistake (`instalment_withdrawn`, until it is approved and \
                 before the settlement: its statement stops counting).",
                "The correction: what, its right value, and why.",
            ),
        )
}

/// `POST …/corrections`: a buyer or an administrator corrects an entry mistake.
#[tracing::instrument(skip_all)]
async fn correct(
    command: CommandContext<Correctors>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<FactCorrectedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::CorrectFact(body)).await
}

/// `POST /api/contracts`: records a notified contract; its id is made here (UUID v7).
#[tracing::instrument(skip_all)]
async fn award(
    command: CommandContext<Buyers>,
    JsonBody(body, digest): JsonBody<ContractAwardedV1>,
) -> Result<Created, Problem> {
    command.run(Uuid::now_v7(), &digest, Command::Award(body)).await
}

#[tracing::instrument(skip_all)]
async fn amend(
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ContractAmendedV2>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::Amend(body)).await
}

#[tracing::instrument(skip_all)]
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
    pub other_deductions_ttc: MoneyTtc,
}

#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all)]
async fn settle(
    command: CommandContext<Buyers>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<ContractSettledV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::Settle(body)).await
}

/// `GET /api/contracts`: the caller's contracts (a contractor's: those it holds), from the read
/// models, by pages: `buyer`, `status`, `year` (of notification), `at_risk`, `has_clause`, `q`
/// (text the object contains), `limit`, `cursor`.
#[tracing::instrument(skip_all)]
async fn list(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(HeaderMap, Json<Vec<ContractSummary>>), Problem> {
    let (parameters, filter) = list_query(query.as_deref())?;
    let page = state.app.list_contracts(&principal.principal, &filter).await?;
    let next = page.next.map(|id| encode_cursor(&id.to_string()));
    let headers = page_headers(page.lag, "/api/contracts", &parameters, next);
    let items: Vec<ContractSummary> = page.items.iter().map(ContractSummary::from_row).collect();
    Ok((headers, Json(items)))
}

/// Reads the list's query string: its parameters (kept for the next page's link) and the filter.
pub fn list_query(query: Option<&str>) -> Result<(HashMap<String, String>, ContractFilter), Problem> {
    let parameters = parse_query(query, &["buyer", "status", "year", "at_risk", "has_clause", "q", "limit", "cursor"])?;
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
        has_clause: parameter(&parameters, "has_clause", Text::new("true ou false", "true or false"), |v| {
            v.parse().ok()
        })?,
        // Blank is no filter; a control character (a NUL PostgreSQL cannot compare) is refused.
        search: parameter(
            &parameters,
            "q",
            Text::new(
                "au plus 200 caractères, sans caractère de contrôle",
                "at most 200 characters, no control character",
            ),
            |v| {
                let fits = v.chars().count() <= 200 && !v.chars().any(char::is_control);
                fits.then(|| Some(v.trim().to_owned()).filter(|words| !words.is_empty()))
            },
        )?
        .flatten(),
    };
    Ok((parameters, filter))
}

/// `GET /api/contracts/{id}`: one contract, with its ETag for `If-Match`.
#[tracing::instrument(skip_all)]
async fn show(
    principal: Authorized<Readers>,
    State(state): State<AppState>,
    ContractId(id): ContractId,
) -> Result<Tagged<ContractView>, Problem> {
    let loaded = state.app.load_contract(&principal.principal, id).await?;
    // The ECB rates the application decides with (`reference_rates`, at most a minute old).
    let references = state.app.references().await?;
    let view =
        ContractView::of(id, loaded.version, &loaded.contract, &references).ok_or_else(|| Problem::no_contract(id))?;
    Ok(Tagged(loaded.version, view))
}
