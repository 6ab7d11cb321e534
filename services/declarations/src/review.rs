//! Facilitators: the queue of statement lines waiting for review, and the review itself.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use suivi_application::lists::{PendingStatement, QueueCursor, MAX_PAGE};
use suivi_domain::Command;
use suivi_http::listing::{a_cursor, decode_cursor, encode_cursor, limit, page_headers, parameter, parse_query};
use suivi_http::policies::{Facilitators, Reviewers};
use suivi_http::{AppState, Authorized, CommandContext, ContractId, Created, JsonBody, Problem};
use suivi_proto::events::{EligibleCategory, InsertionModality, Period, StatementReviewedV1};
use uuid::Uuid;

#[tracing::instrument(skip_all)]
pub async fn review_statement(
    command: CommandContext<Facilitators>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<StatementReviewedV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::ReviewStatement(body)).await
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
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub hours: Decimal,
    pub period: Period,
}

/// `GET /api/review-queue`: statements with lines to review, oldest received first, from the read
/// models, by pages (`limit`, `cursor`).
#[tracing::instrument(skip_all)]
pub async fn queue(
    principal: Authorized<Reviewers>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(HeaderMap, Json<Vec<QueuedStatement>>), Problem> {
    let parameters = parse_query(query.as_deref(), &["limit", "cursor"])?;
    let after = parameter(&parameters, "cursor", a_cursor(), |v| decode_cursor(v).and_then(|t| t.parse().ok()))?;
    let page = state.app.review_queue(&principal.principal, after, limit(&parameters, MAX_PAGE)?).await?;
    let next = page.next.map(|cursor| encode_cursor(&cursor.to_string()));
    let headers = page_headers(page.lag, "/api/review-queue", &parameters, next);
    let items: Vec<QueuedStatement> = page.items.into_iter().map(QueuedStatement::from).collect();
    Ok((headers, Json(items)))
}

/// The review queue's query string, read.
pub struct QueueQuery {
    /// Kept for the next page's link.
    pub parameters: HashMap<String, String>,
    pub after: Option<QueueCursor>,
    pub limit: u32,
}

/// Reads the queue's query string: its parameters, where the page starts, and its size.
pub fn queue_query(query: Option<&str>) -> Result<QueueQuery, Problem> {
    let parameters = parse_query(query, &["limit", "cursor"])?;
    let after = parameter(&parameters, "cursor", a_cursor(), |v| decode_cursor(v).and_then(|text| text.parse().ok()))?;
    let limit = limit(&parameters, MAX_PAGE)?;
    Ok(QueueQuery { parameters, after, limit })
}

impl From<PendingStatement> for QueuedStatement {
    fn from(statement: PendingStatement) -> Self {
        QueuedStatement {
            contract_id: statement.contract_id,
            contract_object: statement.contract_object,
            version: statement.version,
            instalment_number: statement.instalment_number,
            received_on: statement.received_on,
            lines: statement
                .lines
                .into_iter()
                .map(|line| QueuedLine {
                    line_id: line.line_id,
                    beneficiary: line.beneficiary,
                    category: line.category,
                    modality: line.modality,
                    hours: line.hours,
                    period: line.period,
                })
                .collect(),
        }
    }
}
