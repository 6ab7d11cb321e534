//! `paths`, and the components they share: parameters, headers, problem responses.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use suivi_http::{Lang, ProblemCode, Role};

use super::examples::{self, Story};
use suivi_http::routes::{Access, Body, Operation, Query, Success};

use super::problem_examples as problems;
use super::schemas::{Direction, Schemas};

const ALL_ROLES: &[Role] = &[Role::Buyer, Role::Contractor, Role::Facilitator, Role::Finance, Role::Admin];

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}

fn problem_ref() -> Value {
    reference("schemas", "Problem")
}

/// A Markdown list item `- `/problems/<code>`: meaning` for each code, after a blank line.
fn codes(codes: &[ProblemCode]) -> String {
    let items: Vec<String> = codes.iter().map(|code| format!("- `{}`: {}", code.type_uri(), code.meaning())).collect();
    format!("\n\n{}", items.join("\n"))
}

/// A problem+json response with its possible codes and examples.
fn problem_response(summary: &str, codes_: &[ProblemCode], examples: Vec<(&str, Value)>) -> Value {
    let mut content = json!({ "schema": problem_ref() });
    if !examples.is_empty() {
        let examples: Map<String, Value> =
            examples.into_iter().map(|(name, value)| (name.to_owned(), json!({ "value": value }))).collect();
        content["examples"] = Value::Object(examples);
    }
    json!({
        "description": format!("{summary}{}", codes(codes_)),
        "headers": { "Content-Language": reference("headers", "ContentLanguage") },
        "content": { suivi_http::problem::CONTENT_TYPE: content },
    })
}

/// Responses every operation of a kind shares, under `components/responses`.
pub fn shared_responses() -> Value {
    json!({
        "Unauthorized": problem_response(
            "No valid bearer token.", &[ProblemCode::Unauthorized], vec![("unauthorized", problems::unauthorized())]),
        "Forbidden": problem_response(
            "The token's role may not call this operation.", &[ProblemCode::Forbidden], vec![("forbidden", problems::forbidden())]),
        "NotFound": problem_response(
            "No such contract for the caller.", &[ProblemCode::NotFound], vec![("not_found", problems::not_found())]),
        "PreconditionFailed": problem_response(
            "`If-Match` is stale: the contract changed since you read it. Read it again (its new `ETag`), \
             decide again, retry.",
            &[ProblemCode::PreconditionFailed],
            vec![("precondition_failed", problems::precondition_failed())]),
        "PayloadTooLarge": problem_response(
            "The body is too large.", &[ProblemCode::BodyTooLarge], vec![("body_too_large", problems::body_too_large())]),
        "UnsupportedMediaType": problem_response(
            "The body is not JSON.",
            &[ProblemCode::UnsupportedMediaType],
            vec![("unsupported_media_type", problems::unsupported_media_type())]),
        "InternalError": problem_response(
            "An internal error: nothing about it is disclosed.", &[ProblemCode::Internal], vec![("internal", problems::internal())]),
        "Unavailable": problem_response(
            "A dependency (the database) is unavailable, or the request was not answered within its deadline: \
             retry later, with the same `Idempotency-Key` for a command.",
            &[ProblemCode::Unavailable, ProblemCode::DeadlineExceeded],
            vec![("unavailable", problems::unavailable()), ("deadline_exceeded", problems::deadline_exceeded())]),
        "RequestTimeout": problem_response(
            "The body stopped arriving before it was complete.",
            &[ProblemCode::RequestTimeout],
            vec![("request_timeout", problems::request_timeout())]),
        "TooManyRequests": too_many_requests(),
    })
}

/// 429 with the `Retry-After` header the throttle sets.
fn too_many_requests() -> Value {
    let mut response = problem_response(
        "Too many requests without a verified token from this client: wait `Retry-After` seconds.",
        &[ProblemCode::TooManyRequests],
        vec![("too_many_requests", problems::too_many_requests())],
    );
    response["headers"]["Retry-After"] = json!({
        "description": "Seconds to wait before the next attempt.",
        "schema": { "type": "integer", "minimum": 1 },
    });
    response
}

pub fn parameters() -> Value {
    json!({
        "ContractId": {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The contract's id, as `POST /api/contracts` made it.",
            "schema": { "type": "string", "format": "uuid", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" },
            "example": examples::CONTRACT_ID,
        },
        "ParticipantCode": {
            "name": "code",
            "in": "path",
            "required": true,
            "description": "The participant's code, as its registration answered it (lower case is read as upper case).",
            "schema": { "type": "string", "pattern": "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{8}$" },
            "example": "K7M2QX9A",
        },
        "Year": {
            "name": "year",
            "in": "query",
            "required": true,
            "description": "The calendar year, from 2000 to 2100.",
            "schema": { "type": "integer", "minimum": suivi_reporting::YEARS.start(), "maximum": suivi_reporting::YEARS.end() },
            "example": 2024,
        },
        "YearOptional": {
            "name": "year",
            "in": "query",
            "required": false,
            "description": "Only this calendar year, from 2000 to 2100 (every year when absent).",
            "schema": { "type": "integer", "minimum": suivi_reporting::YEARS.start(), "maximum": suivi_reporting::YEARS.end() },
            "example": 2024,
        },
        "Buyer": {
            "name": "buyer",
            "in": "query",
            "required": false,
            "description": "Only this buyer's contracts (one of your organisation's buyer SIRETs).",
            "schema": { "type": "string", "pattern": "^[0-9]{14}$" },
            "example": "20004869500015",
        },
        "Status": {
            "name": "status",
            "in": "query",
            "required": false,
            "description": "Only contracts in this state.",
            "schema": { "$ref": "#/components/schemas/ContractStatus" },
            "example": "awarded",
        },
        "NotifiedIn": {
            "name": "year",
            "in": "query",
            "required": false,
            "description": "Only contracts notified in this calendar year, from 2000 to 2100.",
            "schema": { "type": "integer", "minimum": 2000, "maximum": 2100 },
            "example": 2025,
        },
        "AtRisk": {
            "name": "at_risk",
            "in": "query",
            "required": false,
            "description": "Only contracts at risk (`true`), or not at risk (`false`): see `docs/indicators.md`.",
            "schema": { "type": "boolean" },
            "example": true,
        },
        "HasClause": {
            "name": "has_clause",
            "in": "query",
            "required": false,
            "description": "Only contracts with (`true`) or without (`false`) an insertion clause (committed hours).",
            "schema": { "type": "boolean" },
            "example": true,
        },
        "Search": {
            "name": "q",
            "in": "query",
            "required": false,
            "description": "Only contracts whose object contains this text, case ignored (blank: every contract).",
            "schema": { "type": "string", "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$" },
            "example": "gymnase",
        },
        "Limit": {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size, 1 to 500 (100 by default). A full page answers `Link: <…>; rel=\"next\"`; \
                `Suivi-Lag-Events` and `Suivi-Lag-Seconds` say how far the lists are behind the log.",
            "schema": { "type": "integer", "minimum": 1, "maximum": 500 },
            "example": 50,
        },
        "Cursor": {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "Where the page starts: the `cursor` of the previous page's `Link` header (opaque).",
            "schema": { "type": "string" },
        },
        "IdempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Makes a retry safe: a command whose key the same token already sent records nothing \
                and answers what the first one answered (a key already used on another contract is refused: 422 \
                `idempotency_key_reused`). 1 to 255 visible ASCII characters; a UUID is a good choice.",
            "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" },
            "example": "5f0c6a52-0b8e-4f7d-a7f1-3c2d9e4b1a60",
        },
        "AcceptLanguage": {
            "name": "Accept-Language",
            "in": "header",
            "required": false,
            "description": "The language of an error's `title` and `detail`: French unless English is preferred \
                (`en`, `en-GB`, or `en` weighing more than `fr`, e.g. `en;q=0.9, fr;q=0.5`). The problem's \
                `type` is the same in both; data is not translated.",
            "schema": { "type": "string" },
            "example": "en",
        },
        "IfMatch": {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "description": "The contract's `ETag` as you read it (`\"v<version>\"`): the command is decided only \
                if the contract is still at that version (412 otherwise). Without it, the command is decided on \
                the version the server reads, and a concurrent change is a 409. As RFC 9110 says: ETags compare \
                strongly, so a weak one (`W/\"v7\"`) never matches; a comma-separated list matches if any of its \
                ETags does; `*` matches any existing contract.",
            "schema": { "type": "string", "pattern": "^(\\*|(W/)?\"[!#-~]*\"([ \\t]*,[ \\t]*(W/)?\"[!#-~]*\")*)$" },
            "example": "\"v7\"",
        },
    })
}

pub fn headers() -> Value {
    json!({
        "ETag": {
            "description": "The contract's version, `\"v<version>\"`: send it back in `If-Match`.",
            "schema": { "type": "string", "pattern": "^\"v[0-9]+\"$" },
            "example": "\"v7\"",
        },
        "ContentLanguage": {
            "description": "The language of the problem's `title` and `detail`: `fr`, or `en` when \
                `Accept-Language` prefers English.",
            "schema": { "type": "string", "enum": ["fr", "en"] },
            "example": "fr",
        },
        "Location": {
            "description": "The new contract: `/api/contracts/{id}`.",
            "schema": { "type": "string", "format": "uri-reference" },
            "example": format!("/api/contracts/{}", examples::CONTRACT_ID),
        },
    })
}

/// The `paths` object: one path item per path, one operation per method.
pub fn paths(operations: &[Operation], schemas: &mut Schemas, story: &Story) -> Value {
    let mut paths = Map::new();
    for operation in operations {
        let item = paths.entry(operation.path).or_insert_with(|| json!({}));
        item[operation.method.as_str()] = operation_object(operation, schemas, story);
    }
    Value::Object(paths)
}

fn operation_object(operation: &Operation, schemas: &mut Schemas, story: &Story) -> Value {
    let mut object = json!({
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
        "description": format!("{}{}", operation.description, roles_sentence(operation.access)),
        "responses": responses(operation, schemas, story),
    });
    match operation.access {
        Access::Public => object["security"] = json!([]),
        Access::Roles(roles) => {
            object["security"] = json!([{ "bearer": [] }]);
            object["x-roles"] = json!(roles.iter().map(|role| role.as_str()).collect::<Vec<_>>());
        }
    }
    let mut parameters = Vec::new();
    if operation.on_contract {
        parameters.push(reference("parameters", "ContractId"));
    }
    if operation.on_participant {
        parameters.push(reference("parameters", "ParticipantCode"));
    }
    for parameter in operation.query.iter().flat_map(|query| query.parameters) {
        parameters.push(reference("parameters", parameter));
    }
    if operation.is_command {
        parameters.push(reference("parameters", "IdempotencyKey"));
    }
    if operation.takes_if_match() {
        parameters.push(reference("parameters", "IfMatch"));
    }
    if let Access::Roles(_) = operation.access {
        parameters.push(reference("parameters", "AcceptLanguage"));
    }
    if !parameters.is_empty() {
        object["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = operation.body {
        object["requestBody"] = request_body(operation, &body, schemas);
    }
    object
}

fn roles_sentence(access: Access) -> String {
    match access {
        Access::Public => "\n\nNo token needed.".to_owned(),
        Access::Roles(roles) if roles == ALL_ROLES => "\n\n**Roles:** every role.".to_owned(),
        Access::Roles(roles) => {
            let names: Vec<String> = roles.iter().map(|role| format!("`{}`", role.as_str())).collect();
            format!("\n\n**Roles:** {}.", names.join(", "))
        }
    }
}

fn named_examples(examples: &[examples::Example]) -> Value {
    let map: Map<String, Value> = examples
        .iter()
        .map(|example| (example.name.to_owned(), json!({ "summary": example.summary, "value": example.value })))
        .collect();
    Value::Object(map)
}

fn request_body(operation: &Operation, body: &Body, schemas: &mut Schemas) -> Value {
    json!({
        "description": body.description,
        "required": true,
        "content": {
            "application/json": {
                "schema": schemas.schema(body.schema, Direction::Request),
                "examples": named_examples(&examples::request(operation.operation_id)),
            }
        }
    })
}

fn json_content(schema: Value, example: Value) -> Value {
    json!({ "application/json": { "schema": schema, "example": example } })
}

fn etag_header() -> Value {
    json!({ "ETag": reference("headers", "ETag") })
}

fn responses(operation: &Operation, schemas: &mut Schemas, story: &Story) -> Value {
    let mut responses = Map::new();
    let mut add = |status: u16, response: Value| {
        responses.insert(status.to_string(), response);
    };
    match operation.success {
        Success::Accepted { created } => {
            let example = story.accepted.get(operation.operation_id).cloned().unwrap_or(Value::Null);
            let content = json_content(schemas.subschema::<suivi_application::Accepted>(Direction::Response), example);
            if created {
                add(
                    201,
                    json!({
                        "description": "Recorded: the new contract's id, version and the events appended.",
                        "headers": { "ETag": reference("headers", "ETag"), "Location": reference("headers", "Location") },
                        "content": content,
                    }),
                );
            } else {
                add(
                    200,
                    json!({
                        "description": "Recorded (or, for a retried `Idempotency-Key`, recorded before): the \
                            contract's new version and the events appended.",
                        "headers": etag_header(),
                        "content": content,
                    }),
                );
            }
        }
        Success::Json { description, schema, etag } => {
            let content = json_content(
                schemas.schema(schema, Direction::Response),
                examples::response(operation.operation_id, story),
            );
            let mut response = json!({ "description": description, "content": content });
            if etag {
                response["headers"] = etag_header();
            }
            add(200, response);
        }
        Success::Registered { description, schema } => {
            let content = json_content(
                schemas.schema(schema, Direction::Response),
                examples::response(operation.operation_id, story),
            );
            add(
                201,
                json!({
                    "description": description,
                    "headers": { "Location": reference("headers", "Location") },
                    "content": content,
                }),
            );
        }
        Success::File { media_type, description } => add(200, file_response(media_type, description)),
        Success::Alive => add(
            200,
            json!({
                "description": "The process serves HTTP.",
                "content": { "text/plain": { "schema": { "type": "string", "const": "ok" }, "example": "ok" } },
            }),
        ),
        Success::Ready => {
            let readiness = reference("schemas", "Readiness");
            add(
                200,
                json!({
                    "description": "Every check passes. Events the read models could not take are reported (`failed_events`) but do not make the service unready.",
                    "content": json_content(readiness.clone(), json!({
                        "ready": true, "failed": [], "database": "ok",
                        "projector": { "lag_events": 0, "lag_seconds": 0.0, "failed_events": 0, "quarantined_contracts": 0, "ready": true },
                        "relay": { "started": true, "lag_events": 0, "lag_seconds": 0.0, "last_sequence": 1520, "ready": true },
                        "nats": { "state": "connected", "ready": true },
                        "blocking_transaction": { "seconds": null, "ready": true },
                    })),
                }),
            );
            add(
                503,
                json!({
                    "description": "A check failed: `failed` names it.",
                    "content": json_content(readiness, json!({
                        "ready": false, "failed": ["blocking_transaction"], "database": "ok",
                        "projector": { "lag_events": 12, "lag_seconds": 95.2, "failed_events": 0, "quarantined_contracts": 0, "ready": false },
                        "relay": { "started": true, "lag_events": 12, "lag_seconds": 95.2, "last_sequence": 1520, "ready": false },
                        "nats": { "state": "connected", "ready": true },
                        "blocking_transaction": { "seconds": 97.4, "ready": false },
                    })),
                }),
            );
        }
        Success::Document => add(
            200,
            json!({
                "description": "The OpenAPI 3.1 document.",
                "content": { "application/json": { "schema": { "type": "object" } } },
            }),
        ),
    }
    if let Access::Roles(roles) = operation.access {
        if let Some(response) = bad_request(operation) {
            add(400, response);
        }
        add(401, reference("responses", "Unauthorized"));
        if roles != ALL_ROLES {
            add(403, reference("responses", "Forbidden"));
        }
        if operation.on_contract || operation.on_participant {
            add(404, reference("responses", "NotFound"));
        }
        if operation.is_command {
            add(409, conflict(operation));
        } else if let Some(response) = register_conflict(operation) {
            add(409, response);
        }
        if operation.takes_if_match() {
            add(412, reference("responses", "PreconditionFailed"));
        }
        if operation.body.is_some() {
            add(408, reference("responses", "RequestTimeout"));
            add(413, reference("responses", "PayloadTooLarge"));
            add(415, reference("responses", "UnsupportedMediaType"));
        }
        if let Some(body) = operation.body {
            add(422, unprocessable(operation, &body));
        } else if let Some(query) = operation.query {
            add(422, invalid_query(&query));
        }
        add(429, reference("responses", "TooManyRequests"));
        add(500, reference("responses", "InternalError"));
        let unavailable: Vec<ProblemCode> = operation
            .extra_problems
            .iter()
            .copied()
            .filter(|code| code.status() == StatusCode::SERVICE_UNAVAILABLE)
            .collect();
        if unavailable.is_empty() {
            add(503, reference("responses", "Unavailable"));
        } else {
            let mut codes_ = vec![ProblemCode::Unavailable, ProblemCode::DeadlineExceeded];
            codes_.extend(unavailable);
            add(503, problem_response("The service cannot answer now; retry later.", &codes_, vec![]));
        }
    }
    Value::Object(responses)
}

/// 200 with a file: a binary workbook, or text (CSV, JSON) streamed as it is read.
fn file_response(media_type: &str, description: &str) -> Value {
    let schema = if media_type.starts_with("application/vnd.") {
        json!({ "type": "string", "contentMediaType": media_type })
    } else if media_type == "application/json" {
        json!({ "type": "object", "required": ["marches"], "properties": { "marches": { "type": "object" } } })
    } else {
        json!({ "type": "string" })
    };
    json!({
        "description": description,
        "headers": {
            "Content-Disposition": {
                "description": "`attachment` with the file's name, e.g. `marches-2025.csv`.",
                "schema": { "type": "string" },
            },
            "Suivi-Lag-Events": {
                "description": "Events in the log not yet in the read models the file was read from.",
                "schema": { "type": "integer", "minimum": 0 },
            },
            "Suivi-Lag-Seconds": {
                "description": "Age, in seconds, of the oldest event not yet in those read models (0 when caught up).",
                "schema": { "type": "string", "pattern": "^[0-9]+\\.[0-9]{3}$" },
            },
        },
        "content": { media_type: { "schema": schema } },
    })
}

/// 400: a malformed body, header or path id.
fn bad_request(operation: &Operation) -> Option<Value> {
    let mut codes_ = Vec::new();
    let mut examples = Vec::new();
    if operation.body.is_some() {
        codes_.push(ProblemCode::MalformedJson);
        examples.push(("malformed_json", problems::malformed_json()));
    }
    if operation.is_command {
        codes_.push(ProblemCode::InvalidHeader);
        examples.push(("invalid_header", problems::invalid_header()));
    }
    if operation.on_contract || operation.on_participant {
        codes_.push(ProblemCode::InvalidPath);
        examples.push(("invalid_path", problems::invalid_path()));
    }
    if codes_.is_empty() {
        return None;
    }
    Some(problem_response("The request is malformed.", &codes_, examples))
}

/// 409 of a change to the participants' register, when it has one.
fn register_conflict(operation: &Operation) -> Option<Value> {
    let codes_: Vec<ProblemCode> =
        operation.extra_problems.iter().copied().filter(|code| code.status() == StatusCode::CONFLICT).collect();
    (!codes_.is_empty()).then(|| problem_response("The register's state conflicts with the request.", &codes_, vec![]))
}

fn conflict(operation: &Operation) -> Value {
    let mut codes_ = vec![ProblemCode::ConcurrentChange];
    codes_.extend(operation.extra_problems.iter().filter(|code| code.status() == StatusCode::CONFLICT));
    problem_response(
        "The contract's state conflicts with the request.",
        &codes_,
        vec![("concurrent_change", problems::concurrent_change())],
    )
}

fn unprocessable(operation: &Operation, body: &Body) -> Value {
    let mut codes_ = vec![ProblemCode::InvalidField];
    if operation.is_command {
        codes_.push(ProblemCode::IdempotencyKeyReused);
    }
    codes_.extend(operation.extra_problems.iter().filter(|code| code.status() == StatusCode::UNPROCESSABLE_ENTITY));
    let mut examples = Vec::new();
    if let Some(first) = examples::request(operation.operation_id).first() {
        if let Some(problem) = problems::invalid_field(body.parse, &first.value) {
            examples.push(("invalid_field", problem));
        }
    }
    if let Some(error) = examples::refusal(operation.operation_id) {
        examples.push(("domain_rule", problems::domain(&error, Lang::Fr)));
        examples.push(("domain_rule_in_english", problems::domain(&error, Lang::En)));
    }
    let mut response = problem_response(
        "The request is well-formed but refused: a value of the wrong shape (`field` is its JSON path), or \
         a rule of the contract (`type` is `/problems/<code>` of the rule; see the `ProblemType` schema for \
         every code).",
        &codes_,
        examples,
    );
    response["description"] = json!(format!(
        "{}\n- `/problems/<rule>`: a rule of the contract refuses the request (see `ProblemType`).",
        response["description"].as_str().unwrap_or_default()
    ));
    response
}

fn invalid_query(query: &Query) -> Value {
    let examples =
        query.refused.iter().map(|&(name, refused)| (name, problems::invalid_query(query.parse, refused))).collect();
    problem_response(
        "A query parameter is missing, invalid or unknown: `field` names it.",
        &[ProblemCode::InvalidField],
        examples,
    )
}
