//! Contractors request instalments with their hour statement; facilitators review statements.

mod request;
mod review;

use suivi_http::routes::{Doc, Query, Routes};
use suivi_http::ProblemCode;

pub use request::{instalment_command, participant_code, InstalmentRequestBody, StatementBody, StatementLineBody};
pub use review::{queue_query, QueuedStatement};

/// Every route of the declarations, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/api/contracts/{id}/instalments",
            request::request_instalment,
            Doc::command(
                "requestInstalment",
                "declarations",
                "Request an instalment (demande d'acompte) with the hour statement",
                "The contractor requests an instalment for a period, with the cumulative value executed and the \
                 statement of insertion hours done: one line per person, modality and calendar month. Each \
                 person is named by the participant code the facilitator handed to the firm; the category \
                 counted is the one the facilitator registered. A code not in the register, a line outside the \
                 participant's eligibility, or more than 230 h in a month for one participant over all the \
                 organisation's contracts and firms is refused with the line at fault. Suivi stamps the \
                 reception date, from which the payment term runs; only a buyer, recording a request received on paper, may set `received_on`.",
                "The instalment request and its hour statement.",
            )
            .problems(&[
                ProblemCode::ReceivedOnSetByServer,
                ProblemCode::InvalidParticipantCode,
            ]),
        )
        .post(
            "/api/contracts/{id}/statement-reviews",
            review::review_statement,
            Doc::command(
                "reviewStatement",
                "declarations",
                "Review an hour statement (validation des heures)",
                "The facilitator validates or rejects statement lines of an instalment, each rejection with its \
                 reason. Lines may be reviewed over several calls; each line once.",
                "The decisions on statement lines.",
            ),
        )
        .get(
            "/api/review-queue",
            review::queue,
            Doc::read(
                "getReviewQueue",
                "declarations",
                "List the statements waiting for review",
                "Every instalment with statement lines still undecided, oldest received first, with the \
                contract's version to send in `If-Match` with the review.",
                "The statements waiting for review.",
            )
            .query(Query {
                parameters: &["Limit", "Cursor"],
                parse: |query| queue_query(query).map(drop),
                refused: &[("limit_out_of_range", "limit=0")],
            }),
        )
}
