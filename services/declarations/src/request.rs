//! `POST /api/contracts/{id}/instalments`: an instalment request with its hour statement.
//!
//! The contractor names each person by the participant code a facilitator handed it: the
//! register (not the firm) knows who the person is and which category it counts in.

use chrono::NaiveDate;
use serde::Deserialize;
use suivi_application::business_today;
use suivi_domain::Command;
use suivi_http::policies::Requesters;
use suivi_http::{CommandContext, ContractId, Created, JsonBody, Problem, ProblemCode, Role, Text};
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::{
    Beneficiary, EligibleCategory, HourStatement, InsertionModality, InstalmentRequestedV2, Period, StatementLine,
};
use suivi_proto::quantities::{Hours, MoneyHt};

/// The request body: [`InstalmentRequestedV2`] with participant codes (the category comes from the
/// register), and a reception date only a buyer may set (for a request that reached it another
/// way).
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
    /// The participant's code, as the facilitator handed it (e.g. `K7M2QX9A`; lower case is read
    /// as upper case). The participant's category is the register's.
    #[schemars(with = "ParticipantCode")]
    pub participant: String,
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
    ContractId(id): ContractId,
    JsonBody(body, digest): JsonBody<InstalmentRequestBody>,
) -> Result<Created, Problem> {
    let request = instalment_command(command.caller.role, body)?;
    command.run(id, &digest, request).await
}

/// The command a request body stands for, as `role` sent it: the one reading of a request the
/// API and the web form share (the reception date's rule, the participant codes).
pub fn instalment_command(role: Role, body: InstalmentRequestBody) -> Result<Command, Problem> {
    let received_on = match (role, body.received_on) {
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
    let mut lines = Vec::with_capacity(body.statement.lines.len());
    for (index, line) in body.statement.lines.into_iter().enumerate() {
        let code = participant_code(index, &line.participant)?;
        lines.push(StatementLine {
            line_id: line.line_id,
            beneficiary: Beneficiary::Participant { code },
            // Replaced by the register's category when the command runs (see
            // `suivi_application::Application::execute`): the firm does not choose it.
            category: EligibleCategory::OtherEligible,
            modality: line.modality,
            hours: line.hours,
            period: line.period,
        });
    }
    Ok(Command::RequestInstalment(InstalmentRequestedV2 {
        number: body.number,
        period: body.period,
        cumulative_value_ht: body.cumulative_value_ht,
        received_on,
        statement: HourStatement { lines },
    }))
}

/// The participant code of statement line `index`, as typed (lower case is read as upper case).
pub fn participant_code(index: usize, typed: &str) -> Result<ParticipantCode, Problem> {
    ParticipantCode::read_typed(typed).map_err(|_| {
        Problem::invalid(
            ProblemCode::InvalidParticipantCode,
            format!("statement.lines[{index}].participant"),
            Text::new(
                "un code de participant compte 8 caractères (chiffres et lettres sauf I, L, O, U), tel que le \
                 facilitateur l'a transmis",
                "a participant code is 8 characters (digits and letters but I, L, O, U), as the facilitator \
                 handed it",
            ),
        )
    })
}
