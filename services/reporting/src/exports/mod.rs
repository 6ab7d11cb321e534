//! Exports for the sustainability service and the procurement office: contracts, statement
//! lines, penalties and the yearly indicators as CSV or XLSX, and the tenant's contracts as a
//! DECP v2 file (`decp.rs`).
//!
//! Same readers as the indicators (buyer, facilitator, admin of the tenant: every buyer's
//! contracts, so no contractor). Rows come from the read models a page at a time
//! ([`datasets::PAGE`]); a CSV is streamed as its pages are read, a workbook is written row by
//! row on a blocking thread into a sheet that keeps no row in memory once written, then sent
//! whole (a ZIP is only complete at its end). The first page is read before answering, so a
//! database out of reach is a 503, not a cut download.

mod datasets;
mod decp;
mod indicator_rows;
pub mod labels;
mod table;

pub use datasets::{Dataset, Scope};
pub use table::{Cell, XlsxTable};

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{stream, StreamExt};
use sqlx::PgPool;
use suivi_http::listing::{page_headers, parameter, parse_query};
use suivi_http::policies::IndicatorReaders;
use suivi_http::routes::{Doc, Query, Routes, Success};
use suivi_http::{AppState, Authorized, Problem, Text};
use suivi_projector::target;

use crate::{database_problem, YEARS};
use datasets::Cursor;
use table::{csv_header, csv_line, Row, BOM};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an export is asked for: `year` (required but for the DECP file) and `buyer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    pub year: Option<i32>,
    pub buyer: Option<String>,
}

/// Reads an export's query string: `year` (2000 to 2100) and `buyer` (a SIRET), each once, no
/// other parameter; a refusal is a 422 naming the parameter, as for every list.
pub fn export_query(raw: Option<&str>, year_required: bool) -> Result<ExportQuery, Problem> {
    let parameters: HashMap<String, String> = parse_query(raw, &["year", "buyer"])?;
    let (first, last) = (*YEARS.start(), *YEARS.end());
    let year = parameter(
        &parameters,
        "year",
        Text::new(format!("une année de {first} à {last}"), format!("a year from {first} to {last}")),
        |v| v.parse().ok().filter(|y| v.bytes().all(|b| b.is_ascii_digit()) && YEARS.contains(y)),
    )?;
    if year_required && year.is_none() {
        return Err(suivi_http::listing::invalid_query(
            "year",
            Text::new(
                "`year` est obligatoire : une année civile, par exemple ?year=2025",
                "`year` is required: a calendar year, e.g. ?year=2025",
            ),
        ));
    }
    let buyer = parameter(&parameters, "buyer", Text::new("un SIRET (14 chiffres)", "a SIRET (14 digits)"), |v| {
        (v.len() == 14 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.to_owned())
    })?;
    Ok(ExportQuery { year, buyer })
}

/// The tables' query: `year` required.
fn table_query(raw: Option<&str>) -> Result<ExportQuery, Problem> {
    export_query(raw, true)
}

const TABLE_QUERY: Query = Query {
    parameters: &["Year", "Buyer"],
    parse: |query| table_query(query).map(drop),
    refused: &[("missing_year", "buyer=20004869500015"), ("malformed_buyer", "year=2025&buyer=2000")],
};

/// The export's scope for the caller's tenant.
async fn scope(pool: &PgPool, tenant: &suivi_proto::TenantId, query: ExportQuery) -> Result<Scope, Problem> {
    let schema = target::active(pool).await.map_err(database_problem)?;
    Ok(Scope {
        schema,
        tenant: tenant.clone(),
        // Only the DECP file goes without a year, and it has no `Scope`.
        year: query.year.unwrap_or_default(),
        buyer: query.buyer,
        as_of: suivi_application::business_today(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => CSV,
            Format::Xlsx => XLSX,
        }
    }
}

/// The headers of a download: its type, its file name, and how far the read models were
/// behind the log (as on every list).
async fn download_headers(pool: &PgPool, scope: &Scope, stem: &str, format: Format) -> Result<HeaderMap, Problem> {
    let lag = suivi_projector::lag(pool, scope.schema).await.map_err(|e| Problem::unavailable(&e))?;
    let mut headers = page_headers(lag, "", &HashMap::new(), None);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let buyer = scope.buyer.as_deref().map(|siret| format!("-{siret}")).unwrap_or_default();
    let name = format!("attachment; filename=\"{stem}-{}{buyer}.{}\"", scope.year, format.extension());
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(headers)
}

/// The tables a person downloads from the web interface's pages, by the file names of the API's
/// routes (`contracts.xlsx`, `indicators.csv`…): the same file as the API gives for `query`, to a
/// reader of the indicators (the caller checks the role). `None` for a name that is no table.
pub async fn table_download(
    state: AppState,
    principal: &suivi_http::Principal,
    name: &str,
    query: ExportQuery,
) -> Option<Result<Response, Problem>> {
    let (stem, format) = match name.rsplit_once('.')? {
        (stem, "csv") => (stem, Format::Csv),
        (stem, "xlsx") => (stem, Format::Xlsx),
        _ => return None,
    };
    Some(match stem {
        "contracts" => export_dataset(state, principal, query, Dataset::Contracts, format).await,
        "statement-lines" => export_dataset(state, principal, query, Dataset::StatementLines, format).await,
        "penalties" => export_dataset(state, principal, query, Dataset::Penalties, format).await,
        "indicators" => export_indicators(state, principal, query, format).await,
        _ => return None,
    })
}

/// A table of the read models, as CSV or XLSX.
async fn export_dataset(
    state: AppState,
    principal: &suivi_http::Principal,
    query: ExportQuery,
    dataset: Dataset,
    format: Format,
) -> Result<Response, Problem> {
    let pool = state.pool.clone();
    let scope = scope(&pool, &principal.tenant, query).await?;
    let headers = download_headers(&pool, &scope, dataset.file_stem(), format).await?;
    let (first, next) = dataset.page(&pool, &scope, None).await.map_err(database_problem)?;
    let body = match format {
        Format::Csv => csv_body(pool, scope, dataset, first, next),
        Format::Xlsx => Body::from(xlsx(pool, scope, dataset, first, next).await?),
    };
    Ok((headers, body).into_response())
}

/// The CSV, streamed: the header line and the first page, then each page as it is read. A
/// failure past the first page ends the body early (the status is already sent): the client
/// sees a cut download, the log says why.
fn csv_body(pool: PgPool, scope: Scope, dataset: Dataset, first: Vec<Row>, next: Option<Cursor>) -> Body {
    let mut head = String::from(BOM);
    head.push_str(&csv_header(dataset.headers()));
    head.extend(first.into_iter().map(csv_line));
    let rest = stream::try_unfold(next, move |cursor| {
        let (pool, scope) = (pool.clone(), scope.clone());
        async move {
            let Some(cursor) = cursor else { return Ok(None) };
            let (rows, next) = dataset.page(&pool, &scope, Some(cursor)).await.inspect_err(|error| {
                tracing::error!(%error, "export cut short: a page could not be read");
            })?;
            let text: String = rows.into_iter().map(csv_line).collect();
            Ok::<_, sqlx::Error>(Some((Bytes::from(text), next)))
        }
    });
    Body::from_stream(stream::once(async move { Ok::<_, sqlx::Error>(Bytes::from(head)) }).chain(rest))
}

/// Pages handed to the workbook's thread, at most: the database runs a page ahead of the writer.
const PAGES_IN_FLIGHT: usize = 2;

/// The workbook: written on a blocking thread (compression is CPU work) from pages read here.
async fn xlsx(
    pool: PgPool,
    scope: Scope,
    dataset: Dataset,
    first: Vec<Row>,
    mut next: Option<Cursor>,
) -> Result<Vec<u8>, Problem> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<Row>>(PAGES_IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || write_workbook(dataset.sheet(), dataset.headers(), receiver));
    let mut page = Some(first);
    while let Some(rows) = page.take() {
        if sender.send(rows).await.is_err() {
            break; // The writer failed: its error is below.
        }
        if let Some(cursor) = next {
            let (rows, after) = dataset.page(&pool, &scope, Some(cursor)).await.map_err(database_problem)?;
            (page, next) = (Some(rows), after);
        }
    }
    drop(sender);
    workbook_bytes(writer.await)
}

fn write_workbook(
    sheet: &str,
    headers: &[&str],
    mut pages: tokio::sync::mpsc::Receiver<Vec<Row>>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut table = XlsxTable::new(sheet, headers)?;
    while let Some(rows) = pages.blocking_recv() {
        for row in &rows {
            table.write_row(row)?;
        }
    }
    table.finish()
}

fn workbook_bytes(
    written: Result<Result<Vec<u8>, rust_xlsxwriter::XlsxError>, tokio::task::JoinError>,
) -> Result<Vec<u8>, Problem> {
    match written {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => Err(Problem::internal(&error)),
        Err(error) => Err(Problem::internal(&error)),
    }
}

/// The year's indicators, one row per figure.
async fn export_indicators(
    state: AppState,
    principal: &suivi_http::Principal,
    query: ExportQuery,
    format: Format,
) -> Result<Response, Problem> {
    let scope = scope(&state.pool, &principal.tenant, query).await?;
    let headers = download_headers(&state.pool, &scope, indicator_rows::FILE_STEM, format).await?;
    let indicators = suivi_projector::yearly_indicators(&state.pool, scope.schema, &scope.tenant, scope.year)
        .await
        .map_err(database_problem)?;
    let rows = indicator_rows::rows(&indicators, scope.buyer.as_deref(), scope.as_of);
    let body = match format {
        Format::Csv => {
            let mut text = String::from(BOM);
            text.push_str(&csv_header(indicator_rows::HEADERS));
            text.extend(rows.into_iter().map(csv_line));
            Body::from(text)
        }
        Format::Xlsx => {
            let (sender, receiver) = tokio::sync::mpsc::channel(1);
            let writer = tokio::task::spawn_blocking(move || {
                write_workbook(indicator_rows::SHEET, indicator_rows::HEADERS, receiver)
            });
            // The receiver lives until the writer ends; a failed writer reports below.
            let _ = sender.send(rows).await;
            drop(sender);
            Body::from(workbook_bytes(writer.await)?)
        }
    };
    Ok((headers, body).into_response())
}

/// One handler per route (axum routes functions; the registry reads each one's extractors).
macro_rules! table_handler {
    ($name:ident, $dataset:expr, $format:expr) => {
        #[tracing::instrument(skip_all)]
        async fn $name(
            principal: Authorized<IndicatorReaders>,
            State(state): State<AppState>,
            RawQuery(query): RawQuery,
        ) -> Result<Response, Problem> {
            export_dataset(state, &principal.principal, table_query(query.as_deref())?, $dataset, $format).await
        }
    };
}

table_handler!(contracts_csv, Dataset::Contracts, Format::Csv);
table_handler!(contracts_xlsx, Dataset::Contracts, Format::Xlsx);
table_handler!(lines_csv, Dataset::StatementLines, Format::Csv);
table_handler!(lines_xlsx, Dataset::StatementLines, Format::Xlsx);
table_handler!(penalties_csv, Dataset::Penalties, Format::Csv);
table_handler!(penalties_xlsx, Dataset::Penalties, Format::Xlsx);

#[tracing::instrument(skip_all)]
async fn indicators_csv(
    principal: Authorized<IndicatorReaders>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    export_indicators(state, &principal.principal, table_query(query.as_deref())?, Format::Csv).await
}

#[tracing::instrument(skip_all)]
async fn indicators_xlsx(
    principal: Authorized<IndicatorReaders>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    export_indicators(state, &principal.principal, table_query(query.as_deref())?, Format::Xlsx).await
}

/// The words every table's description shares (literals, for `concat!`).
macro_rules! csv_words {
    () => {
        " As CSV the way French Excel opens it: UTF-8 with a byte-order mark, `;` between fields, CRLF line ends; \
        figures written as the API writes them (amounts with two decimals and a point, hours with the decimals \
        they have, dates `AAAA-MM-JJ`); a text a spreadsheet would run as a formula starts with an apostrophe. \
        Streamed page by page."
    };
}

macro_rules! xlsx_words {
    () => {
        " As an XLSX workbook, one sheet, header row frozen and filterable, typed cells: dates as dates \
        (`dd/mm/yyyy`), amounts as numbers (`# ##0,00` in French Excel), hours and counts as numbers, shares as \
        percentages."
    };
}

macro_rules! common_words {
    () => {
        " French column headers and French words for statuses, categories, modalities and decisions; buyers by \
        the name your organisation gave them (`suivi tenant name-buyer`, or a DECP import); the last column, \
        « Données au », is the date of the export. `year` (required) and `buyer` (one of your buyer SIRETs) \
        choose the rows. Read from the read models, which follow the log within seconds (`Suivi-Lag-Events`, \
        `Suivi-Lag-Seconds`)."
    };
}

macro_rules! contracts_words {
    () => {
        "The contracts notified in the year (notification date), with their amounts, considerations, \
        insertion hours (committed, pro-rated by a termination, declared, validated, rejected, pending, \
        remaining) and status."
    };
}

macro_rules! lines_words {
    () => {
        "The statement lines whose month (when the work was done) is in the year: contract, instalment, \
        participant code (never an identity), category of person, modality, hours, review."
    };
}

macro_rules! penalties_words {
    () => {
        "The penalties of the contracts settled in the year: hours due, counted and short, the amount \
        proposed, the decision and the amount applied, with its reason."
    };
}

macro_rules! indicators_words {
    () => {
        "The figures of `GET /api/indicators` (see `docs/indicators.md`), one per row: the organisation's, \
        then each buyer's (only that buyer's with `buyer`), with their unit."
    };
}

fn file(media_type: &'static str, description: &'static str) -> Success {
    Success::File { media_type, description }
}

/// Every export route, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/api/exports/contracts.csv",
            contracts_csv,
            Doc::other(
                "exportContractsCsv",
                "exports",
                "Contracts of a year, as CSV (marchés)",
                concat!(contracts_words!(), csv_words!(), common_words!()),
                file(CSV, "The contracts notified in the year, one per line."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/contracts.xlsx",
            contracts_xlsx,
            Doc::other(
                "exportContractsXlsx",
                "exports",
                "Contracts of a year, as XLSX (marchés)",
                concat!(contracts_words!(), xlsx_words!(), common_words!()),
                file(XLSX, "The contracts notified in the year, one per row."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/statement-lines.csv",
            lines_csv,
            Doc::other(
                "exportStatementLinesCsv",
                "exports",
                "Statement lines of a year, as CSV (lignes d'états d'heures)",
                concat!(lines_words!(), csv_words!(), common_words!()),
                file(CSV, "The statement lines of the year, one per line."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/statement-lines.xlsx",
            lines_xlsx,
            Doc::other(
                "exportStatementLinesXlsx",
                "exports",
                "Statement lines of a year, as XLSX (lignes d'états d'heures)",
                concat!(lines_words!(), xlsx_words!(), common_words!()),
                file(XLSX, "The statement lines of the year, one per row."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/penalties.csv",
            penalties_csv,
            Doc::other(
                "exportPenaltiesCsv",
                "exports",
                "Penalties of a year, as CSV (pénalités)",
                concat!(penalties_words!(), csv_words!(), common_words!()),
                file(CSV, "The penalties of the contracts settled in the year, one per line."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/penalties.xlsx",
            penalties_xlsx,
            Doc::other(
                "exportPenaltiesXlsx",
                "exports",
                "Penalties of a year, as XLSX (pénalités)",
                concat!(penalties_words!(), xlsx_words!(), common_words!()),
                file(XLSX, "The penalties of the contracts settled in the year, one per row."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/indicators.csv",
            indicators_csv,
            Doc::other(
                "exportIndicatorsCsv",
                "exports",
                "Indicators of a year, as CSV (indicateurs)",
                concat!(indicators_words!(), csv_words!(), common_words!()),
                file(CSV, "One line per figure: consolidated, then per buyer."),
            )
            .query(TABLE_QUERY),
        )
        .get(
            "/api/exports/indicators.xlsx",
            indicators_xlsx,
            Doc::other(
                "exportIndicatorsXlsx",
                "exports",
                "Indicators of a year, as XLSX (indicateurs)",
                concat!(indicators_words!(), xlsx_words!(), common_words!()),
                file(XLSX, "One row per figure: consolidated, then per buyer."),
            )
            .query(TABLE_QUERY),
        )
        .merge(decp::routes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_field(raw: &str, year_required: bool) -> Option<String> {
        export_query(Some(raw), year_required).err().and_then(|problem| problem.field_path().map(str::to_owned))
    }

    #[test]
    fn it_reads_a_year_and_a_buyer() {
        let query = export_query(Some("year=2025&buyer=20004869500015"), true).ok();
        assert_eq!(query, Some(ExportQuery { year: Some(2025), buyer: Some("20004869500015".into()) }));
        assert_eq!(export_query(None, false).ok(), Some(ExportQuery { year: None, buyer: None }));
    }

    #[test]
    fn it_refuses_a_missing_malformed_or_unknown_parameter_naming_it() {
        assert_eq!(refused_field("buyer=20004869500015", true).as_deref(), Some("year"));
        for year in ["1999", "2101", "+2025", "25", ""] {
            assert_eq!(refused_field(&format!("year={year}"), false).as_deref(), Some("year"), "{year}");
        }
        assert_eq!(refused_field("year=2025&buyer=2000486950001", true).as_deref(), Some("buyer"));
        assert_eq!(refused_field("year=2025&format=xml", true).as_deref(), Some("format"));
    }
}
