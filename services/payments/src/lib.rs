//! Finance: advances and instalment payments reported in. The NATS channel (finance issue) will
//! run the very same commands through `suivi_application::Application::execute`.

use suivi_domain::Command;
use suivi_http::policies::Finance;
use suivi_http::routes::{Doc, Routes};
use suivi_http::{CommandContext, ContractId, Created, JsonBody, Problem};
use suivi_proto::events::{AdvancePaidV1, InstalmentPaidV1};

/// Every route of the payments, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/contracts/{id}/advance-payments",
            advance_paid,
            Doc::command(
                "recordAdvancePayment",
                "payments",
                "Report that the advance (avance) was paid",
                "Finance reports the advance it paid: at most the advance the contract grants, once.",
                "The advance payment.",
            ),
        )
        .post(
            "/api/contracts/{id}/instalment-payments",
            instalment_paid,
            Doc::command(
                "recordInstalmentPayment",
                "payments",
                "Report that an approved instalment was paid",
                "Finance reports the payment of an approved instalment, once; late-payment interest is computed on \
                 the amount paid.",
                "The instalment payment.",
            ),
        )
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
