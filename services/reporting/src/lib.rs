//! Reporting for the sustainability service: the organisation's yearly indicators (domain.md
//! §5), as `docs/indicators.md` defines them, computed by `suivi_projector::indicators` over the
//! active read models; and each contract's penalty proposal, explained, with its decision.

pub mod exports;
mod penalties;

pub use penalties::{DecisionView, NoticeView, PenaltyView};

use std::ops::RangeInclusive;

use axum::extract::{RawQuery, State};
use axum::Json;
use suivi_http::policies::IndicatorReaders;
use suivi_http::routes::{Doc, Query, Routes};
use suivi_http::{AppState, Authorized, Problem, ProblemCode, Text};
use suivi_projector::{cached_yearly_indicators, target, YearlyIndicators};

/// The years indicators may be asked for.
pub const YEARS: RangeInclusive<i32> = 2000..=2100;

/// Every route of reporting, with its documentation (see `suivi_http::routes`).
pub fn routes() -> Routes {
    indicator_routes().merge(exports::routes())
}

fn indicator_routes() -> Routes {
    Routes::new()
        .get(
            "/api/indicators",
            indicators,
            Doc::read(
                "getYearlyIndicators",
                "indicators",
                "Yearly indicators (indicateurs SPASER et PNAD)",
                "Your organisation's indicators for one calendar year, consolidated and for each buyer \
                SIRET: contracts notified and those with social or environmental considerations, beside the \
                targets of the national plan (PNAD) in force on 31 December of the year — `national_targets` names \
                it, with its period and source, or says that no plan covers the year (then no target is shown); \
                reserved contracts, awards to SMEs; insertion hours committed, \
                declared, validated, rejected and short, by category of person and by modality; distinct \
                beneficiaries and firms; penalties proposed, confirmed, adjusted and waived; advances; payment \
                delays and late-payment interest; contracts at risk. `docs/indicators.md` defines each figure \
                and the date that puts it in a year. Computed from the read models, which follow the log within \
                seconds (see `/readyz`), once per state of them: while the answer to a new state is being \
                computed, other requests get the previous one, at most two minutes old.",
                "The year's indicators, consolidated and per buyer.",
            )
            .query(Query {
                parameters: &["Year"],
                parse: |query| year_of(query).map(drop),
                refused: &[("missing_year", ""), ("year_out_of_range", "year=1999")],
            }),
        )
        .get(
            "/api/contracts/{id}/penalty",
            penalties::show,
            Doc::read(
                "getPenalty",
                "penalties",
                "Read the penalty proposal (pénalité d'insertion) and its computation",
                "Once the contract is settled, the penalty for insertion hours not done: hours committed \
                (after amendments, pro-rated on termination), counted (validated, or declared when the contract \
                says so), shortfall, tolerance, rate (fixed, or a multiple of the SMIC in force at the reference \
                date), raw amount, cap, exemption threshold, final amount — and `explanation`, the same steps in \
                French for the contractor's letter. With the decision, once taken. 404 before the settlement or \
                without an insertion clause. Contractors read their own contracts' proposal, to make their \
                observations before the decision.",
                "The proposal, its steps, and the decision if taken.",
            ),
        )
        .post(
            "/api/contracts/{id}/penalty-notification",
            penalties::notify,
            Doc::command(
                "notifyPenalty",
                "penalties",
                "Notify the contractor of the intended penalty (procédure contradictoire)",
                "Opens the contradictory procedure: the contractor is told the penalty intended (`amount_ht`, more \
                 than 0: the proposal, or the amount you mean to adjust to) and may present observations for \
                 `observation_days` days (15 when not given, 1 to 90). A confirmation or an adjustment is refused \
                 until the observations are received or the period is over; a waiver needs no notification. Once \
                 per contract, after the settlement, before the decision.",
                "The notification.",
            ),
        )
        .post(
            "/api/contracts/{id}/penalty-observations",
            penalties::observe,
            Doc::command(
                "submitPenaltyObservations",
                "penalties",
                "Present observations on the notified penalty",
                "The contractor's answer to the notification, from the day it was notified to the last day of the \
                 period (`observations_until` of `GET …/penalty`), once, before the decision. A facilitator may \
                 record observations received by post in the contractor's stead.",
                "The observations.",
            ),
        )
        .post(
            "/api/contracts/{id}/penalty-confirmation",
            penalties::confirm,
            Doc::command(
                "confirmPenalty",
                "penalties",
                "Confirm the penalty as proposed",
                "Applies the proposal as computed; `amount_ht` restates it (`proposed_amount_ht` of \
                 `GET …/penalty`), so what is confirmed is what was read. One decision per contract, after the \
                 settlement, final; confirmed amounts go to finance for deduction. Above 0, the contractor must have been \
                 notified (`penalty-notification`) and its observations received or its period over.",
                "The confirmation.",
            ),
        )
        .post(
            "/api/contracts/{id}/penalty-adjustment",
            penalties::adjust,
            Doc::command(
                "adjustPenalty",
                "penalties",
                "Adjust the penalty, with a reason",
                "Applies another amount than proposed (more than 0: to apply none, waive), with the written reason. \
                 One decision per contract, after the settlement, final; the contractor must have been notified and \
                 its observations received or its period over.",
                "The adjustment.",
            ),
        )
        .post(
            "/api/contracts/{id}/penalty-waiver",
            penalties::waive,
            Doc::command(
                "waivePenalty",
                "penalties",
                "Waive the penalty, with a reason",
                "Applies no penalty, with the written reason (the contractor's observations admitted, say). One \
                 decision per contract, after the settlement, final.",
                "The waiver.",
            ),
        )
}

/// `GET /api/indicators?year=2025`: the caller's organisation's indicators for that calendar
/// year, per buyer and consolidated.
#[tracing::instrument(skip_all)]
async fn indicators(
    principal: Authorized<IndicatorReaders>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<YearlyIndicators>, Problem> {
    let year = year_of(query.as_deref())?;
    let schema = target::active(&state.pool).await.map_err(database_problem)?;
    let cached =
        cached_yearly_indicators(&state.pool, schema, &principal.tenant, year).await.map_err(database_problem)?;
    Ok(Json(YearlyIndicators::clone(&cached.indicators)))
}

/// Reads the query string as the handler does: `year` is required, once, a calendar year in
/// [`YEARS`] written in digits; no other parameter is accepted (a typo would otherwise be
/// ignored silently). A refusal is a 422 naming the parameter in `field`.
pub fn year_of(query: Option<&str>) -> Result<i32, Problem> {
    let mut year = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name != "year" {
            return Err(invalid_year(
                name.into_owned(),
                "paramètre inconnu : le seul est `year`",
                "unknown query parameter: the only one is `year`",
            ));
        }
        if year.replace(value).is_some() {
            return Err(invalid_year("year", "`year` est donné plusieurs fois", "`year` is given more than once"));
        }
    }
    let Some(value) = year else {
        return Err(invalid_year(
            "year",
            "`year` est obligatoire : une année civile, par exemple ?year=2025",
            "`year` is required: a calendar year, e.g. ?year=2025",
        ));
    };
    value
        .parse::<i32>()
        .ok()
        .filter(|year| value.bytes().all(|b| b.is_ascii_digit()) && YEARS.contains(year))
        .ok_or_else(|| {
            let (first, last) = (YEARS.start(), YEARS.end());
            invalid_year(
                "year",
                format!("`year` est une année civile de {first} à {last} : reçu {value:?}"),
                format!("`year` is a calendar year from {first} to {last}: got {value:?}"),
            )
        })
}

fn invalid_year(field: impl Into<String>, fr: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::invalid(ProblemCode::InvalidField, field, Text::new(fr, en))
}

/// The database out of reach is a 503 (retry later); anything else a 500.
pub(crate) fn database_problem(error: sqlx::Error) -> Problem {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Problem::unavailable(&error),
        _ => Problem::internal(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::year_of;

    fn refusal(query: Option<&str>) -> (u16, Option<String>) {
        let problem = year_of(query).expect_err("refused");
        (problem.status_code().as_u16(), problem.field_path().map(str::to_owned))
    }

    #[test]
    fn it_reads_a_year_in_range() {
        assert_eq!(year_of(Some("year=2025")).ok(), Some(2025));
        assert_eq!(year_of(Some("year=2000")).ok(), Some(2000));
        assert_eq!(year_of(Some("year=2100")).ok(), Some(2100));
    }

    #[test]
    fn it_refuses_a_missing_malformed_or_out_of_range_year_naming_it() {
        for query in [None, Some(""), Some("year="), Some("year=1999"), Some("year=2101"), Some("year=+2025")] {
            assert_eq!(refusal(query), (422, Some("year".to_owned())), "{query:?}");
        }
        assert_eq!(refusal(Some("year=2025&year=2024")), (422, Some("year".to_owned())));
        assert_eq!(refusal(Some("year=2025&yaer=2024")), (422, Some("yaer".to_owned())));
    }
}
