//! Shared by the integration tests: paths, the AsyncAPI document, validators, samples.
#![allow(dead_code)]

pub mod samples;

use std::path::PathBuf;

use jsonschema::{Draft, Resource, Validator};
use serde_json::Value;

/// `proto/schemas/`.
pub fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// Names of the `*.json` files under `proto/schemas/`, sorted.
pub fn checked_in_schema_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(schema_dir())
        .expect("read proto/schemas")
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A checked-in schema file, parsed.
pub fn checked_in_schema(name: &str) -> Value {
    let text =
        std::fs::read_to_string(schema_dir().join(name)).unwrap_or_else(|e| panic!("read proto/schemas/{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("proto/schemas/{name}: {e}"))
}

/// `proto/asyncapi.yaml`, as JSON.
pub fn asyncapi() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("asyncapi.yaml");
    let text = std::fs::read_to_string(&path).expect("read proto/asyncapi.yaml");
    serde_yaml::from_str(&text).expect("proto/asyncapi.yaml is YAML that maps to JSON")
}

/// Base URI the AsyncAPI document is given, so that its `./schemas/x.json` references resolve
/// to the checked-in files registered under [`SCHEMAS_BASE`].
const DOCUMENT_URI: &str = "https://suivi.invalid/asyncapi.json";
const SCHEMAS_BASE: &str = "https://suivi.invalid/schemas/";

/// A validator for the payload of one AsyncAPI message (`components.messages.<name>`), as
/// written in the document, with its `$ref`s resolved to the checked-in schema files. So a
/// value it accepts is what an AsyncAPI-driven integrator accepts.
pub fn message_validator(message: &str) -> Validator {
    let doc = asyncapi();
    let payload = doc["components"]["messages"][message]["payload"].clone();
    assert!(payload.is_object(), "no payload for message {message} in asyncapi.yaml");
    // Wrapped, because draft-07 ignores the siblings of a `$ref`, `$id` included.
    let schema = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": DOCUMENT_URI,
        "allOf": [payload],
    });
    let resources = checked_in_schema_files().into_iter().map(|name| {
        let resource = Resource::from_contents(checked_in_schema(&name)).expect("a schema resource");
        (format!("{SCHEMAS_BASE}{name}"), resource)
    });
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .with_resources(resources)
        .build(&schema)
        .unwrap_or_else(|e| panic!("message {message}: its schema does not compile: {e}"))
}

/// The validation errors of `instance`, one per line (empty when valid).
pub fn schema_errors(validator: &Validator, instance: &Value) -> String {
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path)).collect::<Vec<_>>().join("\n")
}
