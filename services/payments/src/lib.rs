//! Finance: advances and instalment payments reported in. The NATS channel (finance issue) will
//! run the very same commands through `suivi_application::Application::execute`.

use axum::routing::post;
use axum::Router;
use suivi_domain::Command;
use suivi_http::policies::Finance;
use suivi_http::{AppState, CommandContext, ContractId, Created, JsonBody, Problem};
use suivi_proto::events::{AdvancePaidV1, InstalmentPaidV1};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contracts/{id}/advance-payments", post(advance_paid))
        .route("/api/contracts/{id}/instalment-payments", post(instalment_paid))
}

#[tracing::instrument(skip_all)]
async fn advance_paid(
    command: CommandContext<Finance>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<AdvancePaidV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::RecordAdvancePaid(body)).await
}

#[tracing::instrument(skip_all)]
async fn instalment_paid(
    command: CommandContext<Finance>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<InstalmentPaidV1>,
) -> Result<Created, Problem> {
    command.run(id, &digest, Command::RecordInstalmentPaid(body)).await
}
