//! Contractors request instalments with their hour statement; facilitators review statements.

mod request;
mod review;

use axum::routing::{get, post};
use axum::Router;
use suivi_http::AppState;

pub use request::{InstalmentRequestBody, StatementLineBody};
pub use review::{queue_query, QueuedStatement};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contracts/{id}/instalments", post(request::request_instalment))
        .route("/api/contracts/{id}/statement-reviews", post(review::review_statement))
        .route("/api/review-queue", get(review::queue))
}
