//! Finance: advances and instalment payments reported in. The NATS channel (finance issue) will
//! run the very same commands through `suivi_http::command::execute`.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use suivi_domain::Command;
use suivi_http::command::{execute, Accepted, CommandRequest};
use suivi_http::policies::Finance;
use suivi_http::{AppState, Authorized, IdempotencyKey, IfMatch, JsonBody, Principal, Problem};
use suivi_proto::events::{AdvancePaidV1, InstalmentPaidV1};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contracts/{id}/advance-payments", post(advance_paid))
        .route("/api/contracts/{id}/instalment-payments", post(instalment_paid))
}

async fn run(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    if_match: IfMatch,
    key: &IdempotencyKey,
    command: Command,
) -> Result<Accepted, Problem> {
    execute(
        state,
        CommandRequest {
            principal,
            contract_id: id,
            if_match,
            idempotency_key: key.0.as_deref(),
            command,
            creates: false,
        },
    )
    .await
}

async fn advance_paid(
    principal: Authorized<Finance>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<AdvancePaidV1>,
) -> Result<Accepted, Problem> {
    run(&state, &principal.principal, id, if_match, &key, Command::RecordAdvancePaid(body)).await
}

async fn instalment_paid(
    principal: Authorized<Finance>,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<InstalmentPaidV1>,
) -> Result<Accepted, Problem> {
    run(&state, &principal.principal, id, if_match, &key, Command::RecordInstalmentPaid(body)).await
}
