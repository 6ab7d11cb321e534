//! `POST /api/participants/{code}/erasure`: the identity destroyed for good, the rest kept.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use suivi_application::business_today;
use suivi_http::policies::Erasers;
use suivi_http::{AppState, CodePath, JsonBody, Problem, ProblemCode, Registrar, Text};
use suivi_proto::events::{ParticipantErasedV1, ParticipantEvent};
use suivi_proto::NewEvent;
use suivi_store::participants::{self, EraseError, Recorded};

use crate::body::ErasureBody;
use crate::view::ParticipantView;

#[tracing::instrument(skip_all)]
pub(crate) async fn erase(
    registrar: Registrar<Erasers>,
    State(state): State<AppState>,
    CodePath(code): CodePath,
    JsonBody(body, _digest): JsonBody<ErasureBody>,
) -> Result<Json<ParticipantView>, Problem> {
    body.check()?;
    let principal = &registrar.caller.principal;
    let erased_on = business_today();
    let event = ParticipantEvent::Erased(ParticipantErasedV1 { code: code.clone(), reason: body.reason, erased_on });
    let event = NewEvent::from_participant_event(&event, Utc::now());
    let recorded = Recorded {
        tenant: &principal.tenant,
        actor: &principal.actor,
        correlation_id: registrar.request_id.0,
        event: &event,
    };
    match participants::erase(&state.pool, &code, erased_on, recorded).await {
        Ok(participant) => {
            tracing::info!(%code, "participant erased");
            Ok(Json(ParticipantView::new(participant, None)))
        }
        Err(EraseError::Unknown(_)) => {
            Err(Problem::not_found(Text::new(format!("aucun participant {code}"), format!("no participant {code}"))))
        }
        Err(EraseError::AlreadyErased { erased_on, .. }) => Err(Problem::of(ProblemCode::ParticipantAlreadyErased)
            .detail(
                format!("le participant {code} a déjà été effacé le {}", erased_on.format("%d/%m/%Y")),
                format!("participant {code} was already erased on {erased_on}"),
            )),
        Err(EraseError::Database(e)) => Err(Problem::unavailable(&e)),
    }
}
