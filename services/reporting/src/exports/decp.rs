//! `GET /api/exports/decp.json`: the tenant's contracts as a DECP v2.0.3 file, valid against the
//! official schema, that `suivi import decp` reads back as the same contracts (it records
//! nothing). What each record holds, and what Suivi cannot know, is in
//! `suivi_contracts::decp::export_record`.
//!
//! Which contracts: the read models list them (a page of ids at a time); each one's record is
//! written from its award event, read from the log, since the read models do not keep the
//! award's CPV code, procedure, CCAG, duration or advance rate.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{stream, StreamExt};
use sqlx::{PgPool, Row as _};
use suivi_http::listing::page_headers;
use suivi_http::policies::IndicatorReaders;
use suivi_http::routes::{Doc, Query, Routes, Success};
use suivi_http::{AppState, Authorized, Problem};
use suivi_projector::target::{self, Schema};
use suivi_proto::events::Event;
use suivi_proto::TenantId;
use uuid::Uuid;

use super::{export_query, ExportQuery};
use crate::database_problem;

pub const JSON: &str = "application/json";

/// Contracts per page: each is a record of about 1.5 KB.
const PAGE: i64 = 500;

fn decp_query(raw: Option<&str>) -> Result<ExportQuery, Problem> {
    export_query(raw, false)
}

pub fn routes() -> Routes {
    Routes::new().get(
        "/api/exports/decp.json",
        export,
        Doc::other(
            "exportDecp",
            "exports",
            "Your contracts as DECP v2 (données essentielles de la commande publique)",
            "Your organisation's contracts as a DECP v2.0.3 JSON file (`{\"marches\": {\"marche\": [..]}}`), valid \
             against the official schema; `year` (of notification) and `buyer` narrow it. Each record is the \
             award as notified (`montant` and `dureeMois` initial; amendments are not written as `modifications`). \
             Its `id` is `S` followed by the last 15 hexadecimal digits of the contract's id (DECP ids have 16 \
             characters at most), which `suivi import decp` recognises: importing the file again records nothing. \
             The schema requires fields Suivi does not hold; they carry the neutral value of their vocabulary \
             (`nature` « Marché », `techniques` and `modalitesExecution` « Sans objet », `marcheInnovant` and \
             `sousTraitanceDeclaree` false, `offresRecues` 1, `lieuExecution` « FR » « Code pays », `typesPrix` \
             « Définitif ferme », `formePrix` « Forfaitaire », `typeGroupementOperateurs` « Conjoint » when there \
             are several contractors, `datePublicationDonnees` the date of the export): complete them before \
             publishing. Streamed page by page; contracts listed from the read models (`Suivi-Lag-Events`).",
            Success::File { media_type: JSON, description: "The DECP v2 file." },
        )
        .query(Query {
            parameters: &["YearOptional", "Buyer"],
            parse: |query| decp_query(query).map(drop),
            refused: &[("malformed_year", "year=25"), ("unknown_parameter", "format=xml")],
        }),
    )
}

#[tracing::instrument(skip_all)]
async fn export(
    principal: Authorized<IndicatorReaders>,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let query = decp_query(raw.as_deref())?;
    let pool = state.pool.clone();
    let schema = target::active(&pool).await.map_err(database_problem)?;
    let lag = suivi_projector::lag(&pool, schema).await.map_err(|e| Problem::unavailable(&e))?;
    let exported_on = suivi_application::business_today();
    let pages = Pages { pool, schema, tenant: principal.principal.tenant.clone(), query };
    // The first page before answering: a database out of reach is a 503, not a cut file.
    let (first, next) = pages.page(None, exported_on).await.map_err(database_problem)?;

    let mut headers = page_headers(lag, "", &HashMap::new(), None);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    let year = pages.query.year.map(|year| format!("-{year}")).unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"decp{year}.json\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }

    let head = format!("{{\"marches\":{{\"marche\":[{}", first.join(","));
    let rest = stream::try_unfold(next, move |cursor| {
        let pages = pages.clone();
        async move {
            let Some(cursor) = cursor else { return Ok(None) };
            let (records, next) = pages.page(Some(cursor), exported_on).await.inspect_err(|error| {
                tracing::error!(%error, "DECP export cut short: a page could not be read");
            })?;
            // Every record after the first page follows one: a comma before each.
            let text: String = records.iter().map(|record| format!(",{record}")).collect();
            Ok::<_, sqlx::Error>(Some((Bytes::from(text), next)))
        }
    });
    let body = stream::once(async move { Ok::<_, sqlx::Error>(Bytes::from(head)) })
        .chain(rest)
        .chain(stream::once(async { Ok(Bytes::from_static(b"]}}")) }));
    Ok((headers, Body::from_stream(body)).into_response())
}

#[derive(Clone)]
struct Pages {
    pool: PgPool,
    schema: Schema,
    tenant: TenantId,
    query: ExportQuery,
}

impl Pages {
    /// The records of the contracts after `after` (by id), and where the next page starts.
    async fn page(
        &self,
        after: Option<Uuid>,
        exported_on: chrono::NaiveDate,
    ) -> Result<(Vec<String>, Option<Uuid>), sqlx::Error> {
        // The award is each contract stream's first event.
        let sql = format!(
            "select c.contract_id, e.event_type, e.schema_version, e.payload::text as payload
             from {schema}.contracts c
             join events e on e.stream_id = c.contract_id and e.stream_version = 1 and e.tenant = c.tenant
             where c.tenant = $1 and ($2::text is null or c.buyer_siret = $2)
               and ($3::int is null or extract(year from c.notification_date) = $3)
               and ($4::uuid is null or c.contract_id > $4)
             order by c.contract_id
             limit $5",
            schema = self.schema.name()
        );
        let rows = sqlx::query(&sql)
            .bind(self.tenant.as_str())
            .bind(self.query.buyer.as_deref())
            .bind(self.query.year)
            .bind(after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let contract_id: Uuid = row.try_get("contract_id")?;
            let event_type: String = row.try_get("event_type")?;
            let version: i16 = row.try_get("schema_version")?;
            let payload: String = row.try_get("payload")?;
            let version = u16::try_from(version).unwrap_or_default();
            match Event::decode_str(&event_type, version, &payload) {
                Ok(Event::ContractAwarded(award)) => {
                    let record = suivi_contracts::decp::export_record(contract_id, &award, exported_on);
                    records.push(record.to_string());
                }
                Ok(_) => {
                    let message = format!("contract {contract_id} starts with {event_type}, not its award");
                    return Err(sqlx::Error::Decode(message.into()));
                }
                Err(error) => return Err(sqlx::Error::Decode(Box::new(error))),
            }
        }
        let next = if rows.len() as i64 == PAGE {
            rows.last().map(|row| row.try_get("contract_id")).transpose()?
        } else {
            None
        };
        Ok((records, next))
    }
}
