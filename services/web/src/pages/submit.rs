//! A form's command, run as the API runs one: through the application's one command runner
//! (`Application::execute`), with the same visibility, precondition, idempotency and
//! concurrency rules. Only the transport differs: the retry key is a hidden field of the form
//! (a double click, or the back button and « send again », gets the first answer), and the
//! refusal is words for a page rather than a problem document.

use sha2::{Digest, Sha256};
use suivi_application::{business_today, Accepted, ApplicationError, CommandRequest, Expected, Idempotency};
use suivi_domain::Command;
use suivi_http::{AppState, Lang, Problem, RequestId};
use uuid::Uuid;

use super::PageError;
use crate::csrf::{Fields, FIELD};
use crate::sessions::Session;

/// The hidden field holding the form's retry key.
pub const KEY_FIELD: &str = "cle";

/// Why a command was refused, for the form: the field at fault as the API names it (a JSON path
/// into the command), and the reason in French.
pub struct Refusal {
    pub field: Option<String>,
    pub message: String,
    /// The contract moved since the form was read (`If-Match` stale, or a race lost).
    pub stale: bool,
}

/// Runs `command` on contract `contract_id` for `session`. The request digest covers the path
/// and every field but the CSRF token, so the same key with other values is refused, as the
/// API refuses it.
pub async fn run(
    state: &AppState,
    session: &Session,
    request_id: RequestId,
    (contract_id, expected): (Uuid, Expected),
    path: &str,
    fields: &Fields,
    command: Command,
) -> Result<Result<Accepted, Refusal>, PageError> {
    let key = fields.text(KEY_FIELD);
    let digest = digest(path, fields);
    let request = CommandRequest {
        principal: &session.principal,
        contract_id,
        expected,
        idempotency: (!key.is_empty()).then_some(Idempotency { key: &key, request_digest: &digest }),
        command,
        today: business_today(),
        correlation_id: request_id.0,
    };
    match state.app.execute(request).await {
        Ok(accepted) => Ok(Ok(accepted)),
        Err(error) => refusal(error).map(Err),
    }
}

/// A refusal the person can act on, or the page for one they cannot (gone, unavailable).
fn refusal(error: ApplicationError) -> Result<Refusal, PageError> {
    let stale = matches!(
        error,
        ApplicationError::PreconditionFailed { .. }
            | ApplicationError::Conflict { .. }
            | ApplicationError::ParticipantHoursRaced
    );
    match error {
        ApplicationError::NotFound { .. }
        | ApplicationError::Unauthenticated
        | ApplicationError::Unavailable(_)
        | ApplicationError::Internal(_) => Err(PageError::from(error)),
        // The API's words for everything else: one translation of each refusal.
        refused => {
            let problem = Problem::from(refused);
            let message = problem.detail_in(Lang::Fr).unwrap_or(problem.title(Lang::Fr)).to_owned();
            Ok(Refusal { field: problem.field_path().map(str::to_owned), message, stale })
        }
    }
}

/// The form's refusal before it reached the runner (a rule of the edge's, the API's words).
pub fn refused(problem: &Problem) -> Refusal {
    let message = problem.detail_in(Lang::Fr).unwrap_or(problem.title(Lang::Fr)).to_owned();
    Refusal { field: problem.field_path().map(str::to_owned), message, stale: false }
}

fn digest(path: &str, fields: &Fields) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(b"POST ");
    hash.update(path.as_bytes());
    for (name, value) in fields.pairs().iter().filter(|(name, _)| name != FIELD) {
        // Lengths first: `a=b&c` and `a=b&c=` must not hash alike.
        hash.update((name.len() as u64).to_be_bytes());
        hash.update(name.as_bytes());
        hash.update((value.len() as u64).to_be_bytes());
        hash.update(value.as_bytes());
    }
    hash.finalize().to_vec()
}
