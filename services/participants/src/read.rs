//! `GET /api/participants` and `GET /api/participants/{code}`.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use suivi_http::listing::{a_cursor, decode_cursor, encode_cursor, limit, page_headers, parameter, parse_query};
use suivi_http::policies::RegisterReaders;
use suivi_http::{AppState, Authorized, CodePath, Problem, Role, Text};
use suivi_privacy::{context, Identity, WrappedKey};
use suivi_projector::Lag;
use suivi_proto::codes::ParticipantCode;
use suivi_store::participants;

use crate::keys;
use crate::view::ParticipantView;

/// The largest page of participants.
const MAX_PAGE: u32 = 500;

/// The list's query string, read.
pub struct ListQuery {
    parameters: HashMap<String, String>,
    after: Option<ParticipantCode>,
    limit: u32,
}

pub(crate) fn list_query(query: Option<&str>) -> Result<ListQuery, Problem> {
    let parameters = parse_query(query, &["limit", "cursor"])?;
    let after = parameter(&parameters, "cursor", a_cursor(), |value| {
        decode_cursor(value).and_then(|code| ParticipantCode::parse(&code).ok())
    })?;
    let limit = limit(&parameters, MAX_PAGE)?;
    Ok(ListQuery { parameters, after, limit })
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    principal: Authorized<RegisterReaders>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(HeaderMap, Json<Vec<ParticipantView>>), Problem> {
    let ListQuery { parameters, after, limit } = list_query(query.as_deref())?;
    let mut page = participants::list(&state.pool, &principal.principal.tenant, after.as_ref(), i64::from(limit) + 1)
        .await
        .map_err(|e| Problem::unavailable(&e))?;
    let next = (page.len() > limit as usize).then(|| {
        page.truncate(limit as usize);
        page.last().map(|last| encode_cursor(last.registration.code.as_str()))
    });
    // The register is written with its events: it never lags.
    let headers = page_headers(Lag { events: 0, seconds: 0.0 }, "/api/participants", &parameters, next.flatten());
    Ok((headers, Json(page.into_iter().map(|participant| ParticipantView::new(participant, None)).collect())))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn one(
    principal: Authorized<RegisterReaders>,
    State(state): State<AppState>,
    CodePath(code): CodePath,
) -> Result<Json<ParticipantView>, Problem> {
    let tenant = &principal.principal.tenant;
    let (participant, sealed) =
        participants::find(&state.pool, tenant, &code).await.map_err(|e| Problem::unavailable(&e))?.ok_or_else(
            || Problem::not_found(Text::new(format!("aucun participant {code}"), format!("no participant {code}"))),
        )?;
    let identity = match sealed {
        Some(sealed) if principal.principal.role == Role::Facilitator => {
            let vault = keys::vault(&state)?;
            let id = participant.participant_id.to_string();
            let data_key =
                keys::data_key(vault, &id, WrappedKey { kek_id: sealed.kek_id, sealed: sealed.wrapped_key })?;
            let identity = Identity::open(&data_key, &context::participant_identity(&id), &sealed.identity)
                .map_err(|e| Problem::internal(&e))?;
            Some(identity)
        }
        _ => None,
    };
    Ok(Json(ParticipantView::new(participant, identity)))
}
