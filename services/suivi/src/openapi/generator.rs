//! The generator of the document (feature `openapi`).

use serde_json::{json, Map, Value};
use suivi_http::routes::Operation;

use super::schemas::{self, Schemas};
use super::{examples, paths, problems};

const DESCRIPTION: &str = "\
Suivi follows the execution of French public contracts that carry social and environmental \
clauses: the hours of work for people far from employment a contractor commits to (*clause \
d'insertion*), the hour statement sent with each instalment request, the facilitator's review, \
the buyer's approval, finance's payments, the final settlement.

**Authentication.** Every `/api/` operation but this document takes a bearer token \
(`Authorization: Bearer suivi_…`), made by `suivi token create`. A token belongs to one \
organisation (tenant) and has one role: `buyer` (service de la commande publique), `contractor` \
(titulaire, bound to its SIRET), `facilitator` (facilitateur), `finance` or `admin`. Each \
operation says which roles may call it. Contracts of another organisation, and for a contractor \
contracts it does not hold, do not exist for the caller (404).

**Values.** Money, hours and rates are decimal strings (`\"1234.56\"`), never JSON numbers; rates \
and shares are fractions of 1 (`\"0.20\"` is 20 %); money fields say whether VAT is excluded \
(`_ht`) or included (`_ttc`); dates are `YYYY-MM-DD`. Unknown fields are refused. Bodies are \
`application/json`, at most 256 KiB.

**Commands and concurrency.** Every POST is a command that records events on the contract. \
Send an `Idempotency-Key` to make retries safe. A contract's `ETag` is its version (`\"v7\"`): \
send it back in `If-Match` to have the command decided only on the version you read (412 \
otherwise).

**Errors** are RFC 9457 `application/problem+json`: a stable `type` (`/problems/<code>`, every \
code listed in the `ProblemType` schema), a `title`, the `status`, a `detail` and, when one input \
is at fault, its `field` (a JSON path into the body, or a header name). Server errors (5xx) \
disclose nothing.

**Language.** The `title` and `detail` of errors are in French (dates `JJ/MM/AAAA`, decimal \
commas) unless `Accept-Language` prefers English (`Accept-Language: en`: dates `YYYY-MM-DD`); \
`Content-Language` says which. The `type`, `status` and `field` are the same in both. One \
exception: when a body has a value of the wrong shape (`/problems/invalid_field`), `detail` is the \
JSON parser's own words, in English. Data (contracts, the penalty explanation) is the same \
whatever the language.";

/// The document, generated from the code.
///
/// # Panics
///
/// When the code contradicts itself: an example the domain refuses, or one schema name for
/// two different types. Tests call this; the server serves [`super::DOCUMENT`].
pub fn document() -> Value {
    let operations = operations();
    assert_tagged(&operations);
    let story = examples::play();
    let mut schemas = Schemas::default();
    let paths = paths::paths(&operations, &mut schemas, &story);
    // The components every problem response refers to, whether or not an operation named them.
    schemas.subschema::<suivi_http::problem::ProblemBody>(schemas::Direction::Response);
    let mut components = schemas.into_components();
    link_problem_types(&mut components);
    components.insert("Readiness".to_owned(), readiness_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Suivi",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Follow-up of the social clauses of public contracts (suivi des clauses sociales)",
            "description": DESCRIPTION,
            "license": { "name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later" },
        },
        "servers": [{ "url": "/", "description": "The server that serves this document" }],
        "tags": TAGS.iter().map(|(name, description)| json!({ "name": name, "description": description })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": components,
            "parameters": paths::parameters(),
            "headers": paths::headers(),
            "responses": paths::shared_responses(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made by `suivi token create`, shown once: `suivi_<43 base64url characters>`.",
                },
            },
        },
    })
}

/// Every operation of the API, as the router routes them, in the order they are registered.
pub fn operations() -> Vec<Operation> {
    crate::app::routes().operations().to_vec()
}

/// The tags, in the order a reader meets them, with their description.
pub const TAGS: &[(&str, &str)] = &[
    ("contracts", "Buyers (service de la commande publique) record a contract's life; every role reads contracts."),
    (
        "declarations",
        "Contractors (titulaires) request instalments with their hour statement; facilitators review them.",
    ),
    (
        "participants",
        "The facilitators' register of the people insertion clauses are for: registration (the code handed to \
         firms), reading, erasure. Identities are sealed and erasable; events carry codes and profiles only.",
    ),
    ("payments", "Finance reports the payments it made."),
    (
        "penalties",
        "The penalty for insertion hours not done, proposed at final settlement with its computation; the \
         sustainability service (facilitators) confirms, adjusts or waives it.",
    ),
    ("indicators", "Yearly indicators of responsible procurement (SPASER, PNAD targets), per buyer and consolidated."),
    (
        "exports",
        "Files to download: contracts, statement lines, penalties and indicators of a year as CSV or XLSX, in \
         French; the organisation's contracts as DECP v2 JSON.",
    ),
    ("operations", "Health checks and this document."),
];

/// Every operation's tag is one of [`TAGS`], and every operation id is unique.
fn assert_tagged(operations: &[Operation]) {
    let mut ids = std::collections::BTreeSet::new();
    for operation in operations {
        assert!(TAGS.iter().any(|(tag, _)| *tag == operation.tag), "{}: unknown tag", operation.operation_id);
        assert!(ids.insert(operation.operation_id), "{}: operation id used twice", operation.operation_id);
    }
}

/// Points `Problem.type` at the catalogue of codes.
fn link_problem_types(components: &mut Map<String, Value>) {
    components.insert("ProblemType".to_owned(), problems::problem_type_schema());
    if let Some(problem) = components.get_mut("Problem") {
        problem["description"] = json!("An RFC 9457 problem: why the request was refused.");
    }
    if let Some(type_property) =
        components.get_mut("Problem").and_then(|problem| problem.pointer_mut("/properties/type"))
    {
        *type_property = json!({ "$ref": "#/components/schemas/ProblemType" });
    }
}

fn readiness_schema() -> Value {
    let check = |description: &str, properties: Value, required: Value| {
        json!({
            "type": "object",
            "description": description,
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    };
    let lag = |reader: &str| {
        json!({
            "lag_events": { "type": "integer", "minimum": 0, "description": format!("Committed events of the log {reader}, including those an open transaction elsewhere keeps it from reading yet.") },
            "lag_seconds": { "type": "number", "minimum": 0, "description": "How long the oldest of them has been waiting (0 when caught up)." },
        })
    };
    let mut projector = lag("not yet projected");
    projector["failed_events"] = json!({
        "type": "integer",
        "minimum": 0,
        "description": "Events the read models could not take (e.g. a text the database cannot store), each recorded with its reason; their contracts are quarantined. Reported, not a cause of unreadiness: every other contract is up to date.",
    });
    projector["quarantined_contracts"] = json!({
        "type": "integer",
        "minimum": 0,
        "description": "Contracts whose read models stopped at a failed event (`suivi projector status` lists them).",
    });
    projector["ready"] = json!({ "type": "boolean" });
    let mut relay = lag("after the last event in the JetStream stream");
    relay["started"] = json!({ "type": "boolean", "description": "Whether the relay has read the stream's head yet." });
    relay["last_sequence"] = json!({ "type": "integer", "minimum": 0, "description": "The stream's last sequence." });
    relay["ready"] = json!({ "type": "boolean" });
    json!({
        "description": "The readiness checks: which failed, and what each measured. A check this process does not run (`relay`, `nats`) is absent; when the database does not answer, so are the checks that need it.",
        "type": "object",
        "properties": {
            "ready": { "type": "boolean" },
            "failed": {
                "type": "array",
                "items": { "type": "string", "enum": ["database", "projector", "relay", "nats", "blocking_transaction"] },
                "description": "The checks that failed; empty when ready.",
            },
            "database": { "type": "string", "enum": ["ok", "unreachable"] },
            "projector": check(
                "How far the read models are behind the committed log.",
                projector,
                json!(["lag_events", "lag_seconds", "failed_events", "quarantined_contracts", "ready"]),
            ),
            "relay": check(
                "How far the JetStream stream is behind the committed log.",
                relay,
                json!(["started", "ready"]),
            ),
            "nats": check(
                "The NATS client's connection.",
                json!({
                    "state": { "type": "string", "enum": ["connected", "disconnected", "pending"] },
                    "ready": { "type": "boolean" },
                }),
                json!(["state", "ready"]),
            ),
            "blocking_transaction": check(
                "The oldest transaction of the database holding the log's readers (relay, projector) back: one with a transaction id (it wrote, or asked for one), however idle.",
                json!({
                    "seconds": { "type": ["number", "null"], "minimum": 0, "description": "How long it has been running; null when there is none." },
                    "ready": { "type": "boolean" },
                }),
                json!(["seconds", "ready"]),
            ),
        },
        "required": ["ready", "failed", "database"],
        "additionalProperties": false,
    })
}

/// The text of the checked-in file: pretty JSON, sorted keys, final newline. Deterministic
/// whatever serde_json's `preserve_order` feature is.
pub fn render(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&suivi_proto::schema::sorted(document.clone()))
        .expect("a JSON value always serialises");
    text.push('\n');
    text
}
