//! The OpenAPI document against the code: checked in as generated, documenting exactly the
//! router's routes (both come from `suivi::app::routes`), every example valid against its schema and its Rust type,
//! every problem code the services answer listed.
//!
//! `SUIVI_BLESS=1 cargo test -p suivi --test openapi` rewrites `services/suivi/openapi.json`
//! instead of failing. The document's validity as OpenAPI 3.1 is checked in CI by
//! `.ci/openapi/validate.sh` (Redocly's linter).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::http::{header, Method as HttpMethod, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use suivi::openapi::{self, Access, Method};
use suivi_domain::{DomainError, Lang};
use suivi_http::{AppState, Problem, ProblemCode};
use tower::ServiceExt as _;

fn checked_in_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(openapi::FILE)
}

fn blessing() -> bool {
    std::env::var_os("SUIVI_BLESS").is_some_and(|v| v == "1")
}

#[test]
fn it_keeps_the_checked_in_document_equal_to_the_generated_one() {
    let generated = openapi::render(&openapi::document());
    let path = checked_in_path();
    if blessing() {
        fs::write(&path, &generated).unwrap();
    }
    let checked_in = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "services/suivi/openapi.json differs from what the code generates (first difference at line {}).\n\
         If the change is intended, regenerate it with\n  SUIVI_BLESS=1 cargo test -p suivi --test openapi",
        first_difference(&checked_in, &generated)
    );
    if !blessing() {
        // What the server serves is the file (compiled in): equal once the crate is rebuilt.
        assert_eq!(openapi::DOCUMENT, checked_in, "rebuild: the served document is stale");
    }
}

fn first_difference(a: &str, b: &str) -> usize {
    a.lines().zip(b.lines()).position(|(a, b)| a != b).unwrap_or_else(|| a.lines().count().min(b.lines().count())) + 1
}

#[test]
fn it_renders_the_document_deterministically() {
    let first = openapi::render(&openapi::document());
    assert_eq!(openapi::render(&openapi::document()), first);
    let reparsed: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(openapi::render(&reparsed), first);
}

// --- Routes -------------------------------------------------------------------------------

/// The router with a pool that never connects: requests are answered before the database is
/// needed (401 without a token), or with 503 when it is (`/readyz`).
fn router() -> Router {
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy("postgres://suivi@127.0.0.1:1/nowhere")
        .unwrap();
    suivi::app::router(
        AppState::new(pool),
        suivi_http::timeouts::RequestLimits::default(),
        suivi_web::WebSettings::default(),
    )
}

const CONTRACT: &str = "01901c4e-8f6a-7b3e-9d2c-5a7e1f3b8c40";

fn concrete(path: &str) -> String {
    path.replace("{id}", CONTRACT)
}

async fn call(router: &Router, method: HttpMethod, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(path);
    request = request.header(header::CONTENT_TYPE, "application/json");
    let response = router.clone().oneshot(request.body(HttpBody::from("{}")).unwrap()).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|value| value.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec();
    (status, content_type, body)
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
    }
}

/// `(path, method)` of every documented operation, from the document itself.
fn documented() -> BTreeSet<(String, String)> {
    let document = openapi::document();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert((path.clone(), method.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn it_routes_every_documented_operation() {
    let router = router();
    for operation in openapi::operations() {
        let (status, content_type, body) =
            call(&router, http_method(operation.method), &concrete(operation.path)).await;
        let what = format!("{} {} answered {status}", operation.method.as_str(), operation.path);
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{what}: documented but not routed");
        assert!(!(status == StatusCode::NOT_FOUND && body.is_empty()), "{what}: documented but not routed");
        match operation.access {
            // The token is checked first, so 401 proves the route's handler was reached.
            Access::Roles(_) => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                assert_eq!(content_type.as_deref(), Some(suivi_http::problem::CONTENT_TYPE), "{what}");
            }
            Access::Public => assert!(
                status == StatusCode::OK || (operation.path == "/readyz" && status == StatusCode::SERVICE_UNAVAILABLE),
                "{what}"
            ),
        }
    }
}

#[tokio::test]
async fn it_serves_the_checked_in_document() {
    let (status, content_type, body) = call(&router(), HttpMethod::GET, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    // Compared with the file on disk and with what the code generates, not with the constant
    // the route serves (which would compare the route with itself).
    let served = String::from_utf8(body).unwrap();
    let on_disk = fs::read_to_string(checked_in_path()).unwrap();
    assert!(served == on_disk, "the served document is not services/suivi/openapi.json (rebuild?)");
    assert!(served == openapi::render(&openapi::document()), "the served document is not the generated one");
    let parsed: Value = serde_json::from_str(&served).unwrap();
    assert!(parsed["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "an OpenAPI 3.1 document");
    assert!(parsed["paths"]["/api/contracts/{id}/termination"]["post"].is_object(), "it documents the routes");
}

#[tokio::test]
async fn it_answers_405_to_every_undocumented_method_of_a_documented_path() {
    let router = router();
    let documented = documented();
    let paths: BTreeSet<&String> = documented.iter().map(|(path, _)| path).collect();
    for path in paths {
        for method in [HttpMethod::GET, HttpMethod::POST, HttpMethod::PUT, HttpMethod::PATCH, HttpMethod::DELETE] {
            if documented.contains(&(path.clone(), method.as_str().to_lowercase())) {
                continue;
            }
            let (status, ..) = call(&router, method.clone(), &concrete(path)).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is served but not documented");
        }
    }
}

/// The router is built from the registry (`suivi::app::routes`) and the document from the same
/// registry: every registered operation is in the document, and nothing else is. With the two
/// tests above (each documented operation reaches its handler; every other method of a
/// documented path is 405), the document and the router agree.
#[test]
fn it_documents_exactly_the_registered_routes() {
    let registered: BTreeSet<(String, String)> = openapi::operations()
        .iter()
        .map(|operation| (operation.path.to_owned(), operation.method.as_str().to_owned()))
        .collect();
    assert_eq!(registered.len(), openapi::operations().len(), "a (path, method) registered twice");
    assert_eq!(documented(), registered);
}

// --- Examples and schemas -----------------------------------------------------------------

/// A 2020-12 validator for `schema`, resolving `#/components/schemas/…` in the document.
fn validator(document: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": { "schemas": document["components"]["schemas"] },
        "allOf": [schema],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|error| panic!("invalid schema {schema}: {error}"))
}

fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => resolve(document, document.pointer(pointer.trim_start_matches('#')).unwrap()),
        None => value,
    }
}

/// Every example of every media type: `(where, schema, example)`.
fn media_examples(document: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    let mut visit = |location: String, content: &Value| {
        for (media_type, media) in content.as_object().into_iter().flatten() {
            let Some(schema) = media.get("schema") else { continue };
            if let Some(example) = media.get("example") {
                found.push((format!("{location} {media_type}"), schema.clone(), example.clone()));
            }
            for (name, example) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
                let example = resolve(document, example);
                found.push((format!("{location} {media_type} {name}"), schema.clone(), example["value"].clone()));
            }
        }
    };
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(body) = operation.get("requestBody") {
                visit(format!("{method} {path} request"), &body["content"]);
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                visit(format!("{method} {path} {status}"), &resolve(document, response)["content"]);
            }
        }
    }
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        visit(format!("components/responses/{name}"), &response["content"]);
    }
    found
}

#[test]
fn every_example_validates_against_its_schema() {
    let document = openapi::document();
    let examples = media_examples(&document);
    assert!(examples.len() > 40, "too few examples found: {}", examples.len());
    let mut failures = Vec::new();
    for (location, schema, example) in examples {
        let validator = validator(&document, &schema);
        let errors: Vec<String> =
            validator.iter_errors(&example).map(|e| format!("{e} at {}", e.instance_path)).collect();
        if !errors.is_empty() {
            failures.push(format!("{location}:\n    {}", errors.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "examples that their schema refuses:\n{}", failures.join("\n"));
}

/// A proposal that cannot be computed is documented too (the examples show a computed one).
#[test]
fn the_penalty_schema_documents_an_unavailable_proposal() {
    use suivi_domain::reference::{NoValueInForce, ReferenceTable};
    use suivi_domain::ProposedPenalty;
    let document = openapi::document();
    let validator = validator(&document, &json!({ "$ref": "#/components/schemas/ProposedPenalty" }));
    let missing = NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: "2021-06-01".parse().unwrap() };
    let unavailable = serde_json::to_value(ProposedPenalty::unavailable(missing)).unwrap();
    let errors: Vec<String> = validator.iter_errors(&unavailable).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{unavailable}: {errors:?}");
    let mut untagged = unavailable.clone();
    untagged.as_object_mut().unwrap().remove("status");
    assert!(!validator.is_valid(&untagged), "the schema accepts a proposal without its status");
}

#[test]
fn every_request_example_is_read_by_the_handler_s_own_parser() {
    for operation in openapi::operations() {
        let Some(body) = operation.body else { continue };
        let examples = openapi::examples::request(operation.operation_id);
        assert!(!examples.is_empty(), "{}: no example", operation.operation_id);
        for example in examples {
            let bytes = serde_json::to_vec(&example.value).unwrap();
            if let Err(problem) = (body.parse)(&bytes) {
                panic!("{} example {}: {problem:?}", operation.operation_id, example.name);
            }
        }
    }
}

/// The schemas refuse what the parser refuses: a broken value of each example is refused by both.
#[test]
fn request_schemas_refuse_what_the_handlers_refuse() {
    let document = openapi::document();
    for operation in openapi::operations() {
        let Some(body) = operation.body else { continue };
        let schema = &document["paths"][operation.path][operation.method.as_str()]["requestBody"]["content"]
            ["application/json"]["schema"];
        let validator = validator(&document, schema);
        let example = openapi::examples::request(operation.operation_id).remove(0).value;
        let mut unknown_field = example.clone();
        unknown_field["surprise"] = json!(true);
        let mut wrong_type = example.clone();
        let (key, value) = example.as_object().unwrap().iter().find(|(_, v)| v.is_string() || v.is_number()).unwrap();
        wrong_type[key] = if value.is_string() { json!(12.5) } else { json!("12") };
        for (what, broken) in [("an unknown field", unknown_field), ("a value of the wrong type", wrong_type)] {
            assert!(!validator.is_valid(&broken), "{}: the schema accepts {what}", operation.operation_id);
            assert!(
                (body.parse)(&serde_json::to_vec(&broken).unwrap()).is_err(),
                "{}: the parser accepts {what}",
                operation.operation_id
            );
        }
    }
}

// --- Shape of the document ------------------------------------------------------------------

#[test]
fn every_operation_documents_its_parameters_security_and_problems() {
    let document = openapi::document();
    for operation in openapi::operations() {
        let object = &document["paths"][operation.path][operation.method.as_str()];
        let what = format!("{} {}", operation.method.as_str(), operation.path);
        assert!(object["summary"].as_str().is_some_and(|s| !s.is_empty()), "{what}: summary");
        assert!(object["description"].as_str().is_some_and(|s| !s.is_empty()), "{what}: description");
        let parameters: Vec<&str> = object["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["$ref"].as_str().unwrap().rsplit('/').next().unwrap())
            .collect();
        assert_eq!(parameters.contains(&"ContractId"), operation.path.contains("{id}"), "{what}: path id");
        assert_eq!(parameters.contains(&"ParticipantCode"), operation.path.contains("{code}"), "{what}: path code");
        // Commands on contracts take a retry key; changes to the participants' register do not
        // (the same person registered twice is refused with its code, erasing twice too).
        assert_eq!(parameters.contains(&"IdempotencyKey"), operation.is_command, "{what}: Idempotency-Key");
        assert_eq!(operation.is_command || operation.registers, operation.method == Method::Post, "{what}: POST");
        let existing_contract = operation.method == Method::Post && operation.path.contains("{id}");
        assert_eq!(parameters.contains(&"IfMatch"), existing_contract, "{what}: If-Match");
        let responses: BTreeSet<&str> = object["responses"].as_object().unwrap().keys().map(String::as_str).collect();
        match operation.access {
            Access::Public => assert_eq!(object["security"], json!([]), "{what}"),
            Access::Roles(roles) => {
                assert_eq!(object["security"], json!([{ "bearer": [] }]), "{what}");
                let listed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                assert_eq!(object["x-roles"], json!(listed), "{what}");
                for status in ["401", "500", "503"] {
                    assert!(responses.contains(status), "{what}: {status}");
                }
            }
        }
        if operation.is_command {
            for status in ["400", "409", "413", "415", "422"] {
                assert!(responses.contains(status), "{what}: {status}");
            }
            assert!(responses.contains(if operation.path == "/api/contracts" { "201" } else { "200" }), "{what}");
        }
        if operation.registers {
            for status in ["400", "409", "413", "415", "422"] {
                assert!(responses.contains(status), "{what}: {status}");
            }
            let created = operation.path == "/api/participants";
            assert!(responses.contains(if created { "201" } else { "200" }), "{what}");
        }
        if operation.path.contains("{code}") {
            assert!(responses.contains("404"), "{what}: 404");
        }
        if existing_contract {
            assert!(responses.contains("404") && responses.contains("412"), "{what}: 404/412");
        }
    }
}

/// `ProblemType`'s entries: type URI → description.
fn problem_catalogue(document: &Value) -> BTreeMap<String, String> {
    let one_of = document["components"]["schemas"]["ProblemType"]["oneOf"].as_array().unwrap();
    let catalogue: BTreeMap<String, String> = one_of
        .iter()
        .map(|entry| (entry["const"].as_str().unwrap().to_owned(), entry["description"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(catalogue.len(), one_of.len(), "a type listed twice");
    catalogue
}

/// Every problem the services can answer is made from a `ProblemCode` or a `DomainError` (there
/// is no other way to make one): each of those is in the catalogue, with its status, and the
/// catalogue lists nothing else.
#[test]
fn it_documents_every_problem_code_with_its_status() {
    let catalogue = problem_catalogue(&openapi::document());
    let mut expected = BTreeMap::new();
    for code in ProblemCode::ALL {
        expected.insert(code.type_uri(), code.status().as_u16());
    }
    for error in DomainError::examples() {
        let problem = Problem::rule(&error);
        expected.insert(problem.type_uri(), problem.status_code().as_u16());
    }
    for (type_uri, status) in &expected {
        let description = catalogue.get(type_uri).unwrap_or_else(|| panic!("{type_uri} is not documented"));
        assert!(description.starts_with(&format!("HTTP {status}. ")), "{type_uri}: {description}");
    }
    let undocumented: Vec<&String> = catalogue.keys().filter(|type_uri| !expected.contains_key(*type_uri)).collect();
    assert!(undocumented.is_empty(), "documented but never answered: {undocumented:?}");
}

/// An operation's own problems (`extra_problems`) are listed under the response of their status.
#[test]
fn every_operation_lists_its_own_problems_under_their_status() {
    let document = openapi::document();
    for operation in openapi::operations() {
        for code in operation.extra_problems {
            let status = code.status().as_u16().to_string();
            let response = &document["paths"][operation.path][operation.method.as_str()]["responses"][&status];
            let description = response["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("`{}`", code.type_uri())),
                "{} {}: {} not listed under {status}",
                operation.method.as_str(),
                operation.path,
                code.code()
            );
        }
    }
}

/// Every example of a problem is French, as the API answers by default, but the English ones;
/// none names a Rust type.
#[test]
fn problem_examples_are_in_french_unless_named_english() {
    let document = openapi::document();
    let mut seen = 0;
    for (location, _, example) in media_examples(&document) {
        if !location.contains(suivi_http::problem::CONTENT_TYPE) {
            continue;
        }
        seen += 1;
        let title = example["title"].as_str().unwrap();
        let code = ProblemCode::ALL.iter().find(|code| code.type_uri() == example["type"]);
        let lang = if location.ends_with("in_english") { Lang::En } else { Lang::Fr };
        match code {
            Some(code) => assert_eq!(title, code.title(lang), "{location}"),
            None => assert_eq!(title, suivi_http::problem::rule_title(lang), "{location}"),
        }
        // Our own words never name a Rust type (the JSON parser's, in invalid_field and
        // malformed_json, are its own).
        let parser_s = code.is_some_and(|code| matches!(code, ProblemCode::InvalidField | ProblemCode::MalformedJson));
        if let (Some(detail), false) = (example["detail"].as_str(), parser_s) {
            let camel = detail
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .find(|word| word.chars().zip(word.chars().skip(1)).any(|(a, b)| a.is_lowercase() && b.is_uppercase()));
            assert!(camel.is_none() && !detail.contains("Some("), "{location}: {detail}");
        }
    }
    assert!(seen > 20, "too few problem examples: {seen}");
}

#[test]
fn it_states_the_body_limit_the_app_enforces() {
    let limit = format!("{} KiB", suivi::app::MAX_BODY_BYTES / 1024);
    let document = openapi::render(&openapi::document());
    assert!(document.contains(&format!("larger than {limit}")), "the 413 description does not say {limit}");
    assert!(document.contains(&format!("at most {limit}")), "the introduction does not say {limit}");
}
