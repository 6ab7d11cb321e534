//! Facilitators: the queue of statement lines waiting for review, and the review itself.

use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use suivi_domain::Command;
use suivi_http::command::{execute, list_contracts, Accepted, CommandRequest};
use suivi_http::policies::{Facilitators, Reviewers};
use suivi_http::{AppState, Authorized, IdempotencyKey, IfMatch, JsonBody, Problem};
use suivi_proto::events::{EligibleCategory, InsertionModality, Period, StatementReviewedV1};
use uuid::Uuid;

pub async fn review_statement(
    principal: Authorized<Facilitators>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<StatementReviewedV1>,
) -> Result<Accepted, Problem> {
    execute(
        &state,
        CommandRequest {
            principal: &principal.principal,
            contract_id: id,
            if_match,
            idempotency_key: key.0.as_deref(),
            command: Command::ReviewStatement(body),
            creates: false,
        },
    )
    .await
}

/// One statement waiting for review: the lines still undecided.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct QueuedStatement {
    pub contract_id: Uuid,
    pub contract_object: String,
    /// The contract's ETag value, to send back in `If-Match` with the review.
    pub version: i64,
    pub instalment_number: u32,
    pub received_on: NaiveDate,
    pub lines: Vec<QueuedLine>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct QueuedLine {
    pub line_id: u32,
    /// The pseudonym: enough to spot one person across lines, nothing more.
    pub beneficiary: String,
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    #[serde(with = "suivi_proto::decimal::quantity")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub hours: Decimal,
    pub period: Period,
}

/// `GET /api/review-queue`: statements with lines to review, oldest received first.
pub async fn queue(
    principal: Authorized<Reviewers>,
    State(state): State<AppState>,
) -> Result<Json<Vec<QueuedStatement>>, Problem> {
    let mut queue: Vec<QueuedStatement> = Vec::new();
    for (contract_id, loaded) in list_contracts(&state, &principal.principal).await? {
        let Some(awarded) = loaded.contract.awarded() else { continue };
        for pending in awarded.pending_review_lines() {
            let line = QueuedLine {
                line_id: pending.line.line_id,
                beneficiary: pending.line.beneficiary.as_str().to_owned(),
                category: pending.line.category,
                modality: pending.line.modality,
                hours: pending.line.hours,
                period: pending.line.period,
            };
            match queue.last_mut() {
                Some(last)
                    if last.contract_id == contract_id && last.instalment_number == pending.instalment_number =>
                {
                    last.lines.push(line)
                }
                _ => queue.push(QueuedStatement {
                    contract_id,
                    contract_object: awarded.award().object.clone(),
                    version: loaded.version,
                    instalment_number: pending.instalment_number,
                    received_on: pending.received_on,
                    lines: vec![line],
                }),
            }
        }
    }
    queue.sort_by_key(|statement| statement.received_on);
    Ok(Json(queue))
}
