//! Example problem bodies, made by the code that answers them wherever it is reachable from
//! here (the extractors, `Problem`'s constructors, `Problem::rule`), so their titles and
//! details are the real ones: in French, the default, unless said otherwise.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, Request};
use serde_json::{json, Value};
use suivi_application::ApplicationError;
use suivi_domain::{DomainError, Lang};
use suivi_http::policies::Buyers;
use suivi_http::{auth::Policy, IfMatch, JsonBody, Principal, Problem, ProblemCode, Role};
use suivi_proto::TenantId;
use uuid::Uuid;

use super::examples::CONTRACT_ID;

fn to_json(problem: Problem) -> Value {
    in_language(problem, Lang::Fr)
}

fn in_language(problem: Problem, lang: Lang) -> Value {
    serde_json::to_value(problem.body(lang)).expect("a problem serialises to JSON")
}

fn refused<T>(result: Result<T, Problem>) -> Value {
    match result {
        Ok(_) => panic!("the example request was expected to be refused"),
        Err(problem) => to_json(problem),
    }
}

fn request(content_type: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::post(format!("/api/contracts/{CONTRACT_ID}/amendments"));
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(Body::from(body)).expect("a valid request")
}

pub fn malformed_json() -> Value {
    refused(suivi_http::json::parse::<Value>(b"{\"amendment_number\": 1,"))
}

pub fn invalid_header() -> Value {
    let (mut parts, ()) =
        Request::post("/").header(header::IF_MATCH, "7").body(()).expect("a valid request").into_parts();
    refused(futures::executor::block_on(IfMatch::from_request_parts(&mut parts, &())))
}

pub fn unauthorized() -> Value {
    to_json(Problem::unauthorized())
}

pub fn forbidden() -> Value {
    let tenant = TenantId::parse("metropole").expect("a valid tenant id");
    let contractor = Principal::new(Uuid::nil().to_string(), Role::Contractor, tenant, Some("73282932000074".into()));
    refused(suivi_http::require(&contractor, Buyers::ROLES))
}

pub fn not_found() -> Value {
    to_json(Problem::no_contract(CONTRACT_ID))
}

pub fn concurrent_change() -> Value {
    to_json(Problem::from(ApplicationError::Conflict { expected: 7, actual: 8 }))
}

pub fn precondition_failed() -> Value {
    refused(IfMatch::version(6).check(7))
}

pub fn body_too_large() -> Value {
    // Over axum's default limit (2 MiB), which the extractor meets here without the app's layer.
    let body = vec![b' '; 2 * 1024 * 1024 + 1];
    refused(futures::executor::block_on(JsonBody::<Value>::from_request(request(Some("application/json"), body), &())))
}

pub fn unsupported_media_type() -> Value {
    let form = request(Some("application/x-www-form-urlencoded"), b"amendment_number=1".to_vec());
    refused(futures::executor::block_on(JsonBody::<Value>::from_request(form, &())))
}

/// What `parse` answers when the first scalar field of `example` has the wrong type.
pub fn invalid_field(parse: fn(&[u8]) -> Result<(), Problem>, example: &Value) -> Option<Value> {
    let mut body = example.clone();
    let object = body.as_object_mut()?;
    let (_, value) = object.iter_mut().find(|(_, value)| value.is_string() || value.is_number())?;
    *value = if value.is_string() { json!(12) } else { json!("12") };
    let bytes = serde_json::to_vec(&body).expect("JSON serialises");
    Some(refused(parse(&bytes)))
}

/// What `parse` answers to a query string it refuses.
pub fn invalid_query(parse: fn(Option<&str>) -> Result<(), Problem>, query: &str) -> Value {
    refused(parse(Some(query)))
}

pub fn domain(error: &DomainError, lang: Lang) -> Value {
    in_language(Problem::rule(error), lang)
}

pub fn internal() -> Value {
    to_json(Problem::internal(&std::io::Error::other("example")))
}

pub fn unavailable() -> Value {
    to_json(Problem::unavailable(&std::io::Error::other("example")))
}

pub fn invalid_path() -> Value {
    to_json(suivi_http::ContractId::refusal("Cannot parse `id` with value `42`: UUID parsing failed"))
}

pub fn deadline_exceeded() -> Value {
    to_json(Problem::of(ProblemCode::DeadlineExceeded))
}

pub fn request_timeout() -> Value {
    to_json(Problem::of(ProblemCode::RequestTimeout))
}

pub fn too_many_requests() -> Value {
    to_json(Problem::of(ProblemCode::TooManyRequests))
}
