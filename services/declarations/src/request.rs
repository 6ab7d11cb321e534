//! `POST /api/contracts/{id}/instalments`: an instalment request with its hour statement.
//!
//! The contractor names each person by its own reference; the server keeps only the tenant's
//! keyed pseudonym of it (see `suivi_http::tenants`) and never stores or logs the reference.

use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use suivi_application::business_today;
use suivi_domain::Command;
use suivi_http::policies::Requesters;
use suivi_http::tenants::{pseudonymiser, TenantError};
use suivi_http::{AppState, CommandContext, ContractId, Created, JsonBody, Problem, ProblemCode, Role, Text};
use suivi_proto::events::{
    EligibleCategory, HourStatement, InsertionModality, InstalmentRequestedV1, Period, StatementLine,
};
use suivi_proto::quantities::{Hours, MoneyHt};

/// The request body: [`InstalmentRequestedV1`] with references instead of pseudonyms, and a
/// reception date only a buyer may set (for a request that reached it another way).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentRequestBody {
    pub number: u32,
    pub period: Period,
    pub cumulative_value_ht: MoneyHt,
    #[serde(default, with = "suivi_proto::date::option")]
    #[schemars(with = "Option<NaiveDate>")]
    pub received_on: Option<NaiveDate>,
    pub statement: StatementBody,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementBody {
    pub lines: Vec<StatementLineBody>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementLineBody {
    pub line_id: u32,
    /// The contractor's own reference for the person (never stored).
    pub beneficiary_reference: String,
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    // Statements are kept to the hundredth of an hour: the schema says so (`HoursInRequest`'s
    // description), `Hours` refuses a third decimal when it reads the body.
    #[schemars(with = "suivi_proto::quantities::HoursInRequest")]
    pub hours: Hours,
    pub period: Period,
}

#[tracing::instrument(skip_all)]
pub async fn request_instalment(
    command: CommandContext<Requesters>,
    State(state): State<AppState>,
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<InstalmentRequestBody>,
) -> Result<Created, Problem> {
    let principal = &command.caller;
    let received_on = match (principal.role, body.received_on) {
        (Role::Buyer, Some(date)) => date,
        (_, Some(_)) => return Err(Problem::invalid(
            ProblemCode::ReceivedOnSetByServer,
            "received_on",
            Text::new(
                "la date de réception est fixée par Suivi à l'envoi ; seul un acheteur peut en enregistrer une autre",
                "the reception date is stamped by Suivi on submission; only a buyer may record another one",
            ),
        )),
        (_, None) => business_today(),
    };
    for (index, line) in body.statement.lines.iter().enumerate() {
        let reference = line.beneficiary_reference.trim();
        if reference.is_empty() || reference.chars().count() > 64 {
            return Err(Problem::invalid(
                ProblemCode::InvalidBeneficiaryReference,
                format!("statement.lines[{index}].beneficiary_reference"),
                Text::new(
                    "la référence d'une personne compte de 1 à 64 caractères",
                    "a beneficiary reference is 1 to 64 characters",
                ),
            ));
        }
    }
    let pseudonyms = pseudonymiser(&state.pool, &principal.tenant).await.map_err(|e| match e {
        TenantError::NoActiveKey(_) => Problem::of(ProblemCode::NoPseudonymKey),
        other => Problem::unavailable(&other),
    })?;
    let lines = body
        .statement
        .lines
        .into_iter()
        .map(|line| StatementLine {
            line_id: line.line_id,
            beneficiary: pseudonyms.pseudonym(&line.beneficiary_reference),
            category: line.category,
            modality: line.modality,
            hours: line.hours,
            period: line.period,
        })
        .collect();
    let request = Command::RequestInstalment(InstalmentRequestedV1 {
        number: body.number,
        period: body.period,
        cumulative_value_ht: body.cumulative_value_ht,
        received_on,
        statement: HourStatement { lines },
    });
    command.run(id, &digest, request).await
}
