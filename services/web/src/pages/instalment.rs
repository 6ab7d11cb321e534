//! `/marches/{id}/acompte`: an instalment request with its hour statement, the form of
//! `POST /api/contracts/{id}/instalments`. The contract's own contractor sends it; a buyer may
//! record one received on paper (with its reception date), as the API allows.
//!
//! The form is read into the API's request body ([`InstalmentRequestBody`]), which the API's
//! own reading turns into the command ([`instalment_command`]), run by the application's
//! runner ([`submit::run`]): one set of rules, whichever way a request arrives.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use suivi_application::{Expected, LoadedContract};
use suivi_declarations::{
    instalment_command, participant_code, InstalmentRequestBody, StatementBody, StatementLineBody,
};
use suivi_http::auth::Policy as _;
use suivi_http::policies::Requesters;
use suivi_http::{AppState, RequestId, Role};
use suivi_proto::events::{InsertionModality, Period};
use suivi_proto::quantities::{Hours, MoneyHt};
use uuid::Uuid;

use super::fields::{as_api, date, figure, in_words, Errors, Field, SummaryLink};
use super::{render, submit, Nav, PageError};
use crate::csrf::{Fields, SessionForm};
use crate::labels;
use crate::sessions::{random_token, Session};

/// Statement lines the form offers; blank ones are ignored. A statement with more lines is sent
/// in several requests, or through the API.
pub const LINES: usize = 10;

/// Labels of a line's inputs, by the suffix of their id.
const LINE_INPUTS: [(&str, &str); 5] =
    [("code", "Code du participant"), ("modalite", "Modalité"), ("heures", "Heures"), ("debut", "Du"), ("fin", "Au")];

pub struct LineFields {
    pub number: usize,
    pub fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "acompte.html")]
struct RequestPage {
    nav: Option<Nav>,
    contract_href: String,
    object: String,
    action: String,
    csrf: String,
    key: String,
    buyer: bool,
    general: Vec<String>,
    summary: Vec<SummaryLink>,
    request: Vec<Field>,
    lines: Vec<LineFields>,
}

/// `GET /marches/{id}/acompte`: the blank form, the next instalment's number filled in.
pub async fn form(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (id, loaded) = open(&state, &session, &id).await?;
    let next = loaded.contract.awarded().map_or(1, |awarded| awarded.last_instalment_number() + 1);
    let typed = |name: &str| if name == "numero" { next.to_string() } else { String::new() };
    Ok(page(StatusCode::OK, &session, id, &loaded, &typed, &Errors::default(), random_token()))
}

/// `POST /marches/{id}/acompte`: 303 to the contract on success; 422 and the form as typed,
/// each error beside its field, otherwise.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request_id: RequestId,
    SessionForm { session, fields, .. }: SessionForm,
) -> Result<Response, PageError> {
    let (id, loaded) = open(&state, &session, &id).await?;
    let typed = |name: &str| fields.text(name);
    let key = match fields.text(submit::KEY_FIELD) {
        key if key.is_empty() => random_token(),
        key => key,
    };
    let mut errors = Errors::default();
    let Some((body, rows)) = read(&fields, session.principal.role == Role::Buyer, &mut errors) else {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &session, id, &loaded, &typed, &errors, key));
    };
    let number = body.number;
    let refusal = match instalment_command(session.principal.role, body) {
        Err(problem) => submit::refused(&problem),
        Ok(command) => {
            let path = format!("/marches/{id}/acompte");
            match submit::run(&state, &session, request_id, (id, Expected::Any), &path, &fields, command).await? {
                Ok(_) => return Ok(Redirect::to(&format!("/marches/{id}?acompte={number}")).into_response()),
                Err(refusal) => refusal,
            }
        }
    };
    match refusal.field.as_deref().and_then(|path| input_of(path, &rows)) {
        Some(input) => errors.field(&input, in_words(&refusal.message, refusal.field.as_deref(), &label_of(&input))),
        None => errors.general(refusal.message),
    }
    // A key already used for other values stays used: the corrected form gets a new one.
    let key = if refusal.field.as_deref() == Some("Idempotency-Key") { random_token() } else { key };
    Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &session, id, &loaded, &typed, &errors, key))
}

/// The contract, if this person may request one of its instalments: a role that never may is
/// refused (403); a contract it may not see is not found, exactly as on its page.
async fn open(state: &AppState, session: &Session, id: &str) -> Result<(Uuid, LoadedContract), PageError> {
    if !Requesters::ROLES.contains(&session.principal.role) {
        return Err(PageError::NotAllowed);
    }
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    let loaded = state.app.load_contract(&session.principal, id).await?;
    Ok((id, loaded))
}

fn page(
    status: StatusCode,
    session: &Session,
    id: Uuid,
    loaded: &LoadedContract,
    typed: &dyn Fn(&str) -> String,
    errors: &Errors,
    key: String,
) -> Response {
    let buyer = session.principal.role == Role::Buyer;
    let mut request = vec![
        Field::new("numero", label_of("numero"), "text", typed("numero")).input_mode("numeric"),
        Field::new("debut", label_of("debut"), "date", typed("debut")).hint("JJ/MM/AAAA"),
        Field::new("fin", label_of("fin"), "date", typed("fin")).hint("JJ/MM/AAAA"),
        Field::new("valeur", label_of("valeur"), "text", typed("valeur"))
            .input_mode("decimal")
            .hint("Depuis le début du marché, en euros hors taxes, par exemple 120 000,00"),
    ];
    if buyer {
        request.push(
            Field::new("recu_le", label_of("recu_le"), "date", typed("recu_le"))
                .hint("Pour une demande reçue par courrier ; vide : aujourd'hui"),
        );
    }
    let request: Vec<Field> = request.into_iter().map(|field| field.checked(errors)).collect();
    let lines: Vec<LineFields> = (1..=LINES)
        .map(|number| LineFields {
            number,
            fields: LINE_INPUTS
                .iter()
                .map(|(input, _)| {
                    let id = format!("lignes-{number}-{input}");
                    let kind = match *input {
                        "debut" | "fin" => "date",
                        "modalite" => "select",
                        _ => "text",
                    };
                    let field = Field::new(&id, label_of(&id), kind, typed(&id));
                    let field = match *input {
                        "modalite" => field.choices(labels::MODALITIES.map(|(name, m)| (name, labels::modality(m)))),
                        "heures" => field.input_mode("decimal"),
                        _ => field,
                    };
                    field.checked(errors)
                })
                .collect(),
        })
        .collect();
    let summary = errors.summary(request.iter().chain(lines.iter().flat_map(|line| &line.fields)));
    let page = RequestPage {
        nav: Nav::of(session),
        contract_href: format!("/marches/{id}"),
        object: loaded.contract.awarded().map(|awarded| awarded.award().object.clone()).unwrap_or_default(),
        action: format!("/marches/{id}/acompte"),
        csrf: session.csrf_token.clone(),
        key,
        buyer,
        general: errors.general_messages().to_vec(),
        summary,
        request,
        lines,
    };
    render(status, &page)
}

/// What an input is called, alone (in the error summary, in a message).
fn label_of(id: &str) -> String {
    match id {
        "numero" => "Numéro de l'acompte".to_owned(),
        "debut" => "Début de la période".to_owned(),
        "fin" => "Fin de la période".to_owned(),
        "valeur" => "Valeur cumulée exécutée HT".to_owned(),
        "recu_le" => "Demande reçue le".to_owned(),
        _ => {
            let mut parts = id.splitn(3, '-').skip(1);
            let (number, input) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let label = LINE_INPUTS.iter().find(|(name, _)| *name == input).map_or(input, |(_, label)| label);
            format!("{label} (ligne {number})")
        }
    }
}

/// The input a refusal's field (a JSON path into the request) stands for; `rows[k]` is the form
/// line of the request's line `k` (blank lines are not sent).
fn input_of(path: &str, rows: &[usize]) -> Option<String> {
    let simple = match path {
        "number" => Some("numero"),
        "period" | "period.start" => Some("debut"),
        "period.end" => Some("fin"),
        "cumulative_value_ht" => Some("valeur"),
        "received_on" => Some("recu_le"),
        _ => None,
    };
    if let Some(simple) = simple {
        return Some(simple.to_owned());
    }
    let rest = path.strip_prefix("statement.lines[")?;
    let (index, leaf) = rest.split_once("].")?;
    let row = rows.get(index.parse::<usize>().ok()?)?;
    let input = match leaf {
        "participant" | "line_id" => "code",
        "modality" => "modalite",
        "hours" => "heures",
        "period" | "period.start" => "debut",
        "period.end" => "fin",
        _ => return None,
    };
    Some(format!("lignes-{row}-{input}"))
}

/// The request body the form stands for, and the form line of each statement line; `None`
/// when some value cannot be read — every such value gets its error, not only the first.
fn read(fields: &Fields, buyer: bool, errors: &mut Errors) -> Option<(InstalmentRequestBody, Vec<usize>)> {
    let number = required(fields, "numero", errors, "Indiquez le numéro de l'acompte.").and_then(|text| {
        let number = text.parse::<u32>().ok().filter(|n| *n > 0);
        if number.is_none() {
            errors.field("numero", "Le numéro est un nombre entier : 1 pour le premier acompte, 2 pour le suivant…");
        }
        number
    });
    let period = read_period(fields, ("debut", "fin"), errors, "la période");
    let value =
        required(fields, "valeur", errors, "Indiquez la valeur cumulée exécutée hors taxes.").and_then(|text| {
            let value = as_api::<MoneyHt>(&figure(&text));
            if value.is_none() {
                errors.field(
                    "valeur",
                    "Montant invalide : un nombre d'euros hors taxes, au centime près (par exemple 120 000,00).",
                );
            }
            value
        });
    let received_on = match fields.text("recu_le") {
        text if text.is_empty() || !buyer => None,
        text => match date(&text).and_then(|iso| iso.parse::<chrono::NaiveDate>().ok()) {
            Some(day) => Some(day),
            None => {
                errors.field("recu_le", INVALID_DATE);
                None
            }
        },
    };
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for row in 1..=LINES {
        let id = |input: &str| format!("lignes-{row}-{input}");
        let blank = ["code", "heures", "debut", "fin"].iter().all(|input| fields.text(&id(input)).is_empty());
        if blank {
            continue;
        }
        let index = rows.len();
        rows.push(row);
        let code = required(fields, &id("code"), errors, "Indiquez le code du participant.").and_then(|code| {
            // The API's reading of a code, and its words when it is not one.
            match participant_code(index, &code) {
                Ok(_) => Some(code),
                Err(problem) => {
                    errors.field(id("code"), submit::refused(&problem).message);
                    None
                }
            }
        });
        let modality = required(fields, &id("modalite"), errors, "Choisissez la modalité.").and_then(|name| {
            let modality = as_api::<InsertionModality>(&name);
            if modality.is_none() {
                errors.field(id("modalite"), "Modalité inconnue : choisissez-en une dans la liste.");
            }
            modality
        });
        let hours = required(fields, &id("heures"), errors, "Indiquez le nombre d'heures.").and_then(|text| {
            let hours = as_api::<Hours>(&figure(&text));
            if hours.is_none() {
                errors.field(
                    id("heures"),
                    "Nombre d'heures invalide : un nombre, deux décimales au plus (par exemple 35 ou 7,5).",
                );
            }
            hours
        });
        let line_period = read_period(fields, (&id("debut"), &id("fin")), errors, "la période de la ligne");
        if let (Some(participant), Some(modality), Some(hours), Some(period)) = (code, modality, hours, line_period) {
            lines.push(StatementLineBody { line_id: row as u32, participant, modality, hours, period });
        }
    }
    let (number, period, cumulative_value_ht) = (number?, period?, value?);
    if !errors.is_empty() {
        return None;
    }
    let body =
        InstalmentRequestBody { number, period, cumulative_value_ht, received_on, statement: StatementBody { lines } };
    Some((body, rows))
}

const INVALID_DATE: &str = "Date invalide : écrivez-la JJ/MM/AAAA (par exemple 31/03/2025).";

fn required(fields: &Fields, id: &str, errors: &mut Errors, missing: &str) -> Option<String> {
    let text = fields.text(id);
    if text.is_empty() {
        errors.field(id, missing);
        return None;
    }
    Some(text)
}

/// A period from its two date inputs, read as the API reads one.
fn read_period(fields: &Fields, (start, end): (&str, &str), errors: &mut Errors, what: &str) -> Option<Period> {
    let mut day = |id: &str, missing: String| {
        let iso = date(&required(fields, id, errors, &missing)?);
        if iso.is_none() {
            errors.field(id, INVALID_DATE);
        }
        iso
    };
    let start = day(start, format!("Indiquez le premier jour de {what}."));
    let end = day(end, format!("Indiquez le dernier jour de {what}."));
    serde_json::from_value(json!({ "start": start?, "end": end? })).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_line_is_shown_on_its_form_line() {
        // Form lines 2 and 5 were sent, as the request's lines 0 and 1.
        let rows = [2, 5];
        assert_eq!(input_of("statement.lines[1].hours", &rows).as_deref(), Some("lignes-5-heures"));
        assert_eq!(input_of("statement.lines[0].participant", &rows).as_deref(), Some("lignes-2-code"));
        assert_eq!(input_of("period", &rows).as_deref(), Some("debut"));
        assert_eq!(input_of("statement.lines[7].hours", &rows), None);
        assert_eq!(input_of("Idempotency-Key", &rows), None);
        assert_eq!(label_of("lignes-5-heures"), "Heures (ligne 5)");
    }
}
