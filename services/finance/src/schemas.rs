//! The JSON Schemas finance's messages are checked against: those published under
//! `proto/schemas/`, generated from the same Rust types, so a message the schema accepts is one
//! Suivi reads.

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use suivi_proto::messages::PaymentReportedV1;
use suivi_proto::schema::schema_of;
use suivi_proto::Payload as _;

/// One validator per message type and schema version.
pub struct MessageSchemas {
    payment_reported_v1: Validator,
}

impl MessageSchemas {
    /// # Panics
    /// When a generated schema does not compile: a bug caught by every test that starts the edge.
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        let compile = |schema: serde_json::Value| {
            jsonschema::options().with_draft(Draft::Draft7).build(&schema).expect("generated schemas compile")
        };
        MessageSchemas { payment_reported_v1: compile(schema_of::<PaymentReportedV1>()) }
    }

    pub fn get(&self, message_type: &str, schema_version: u16) -> Option<&Validator> {
        (message_type == PaymentReportedV1::TYPE_NAME && schema_version == PaymentReportedV1::SCHEMA_VERSION)
            .then_some(&self.payment_reported_v1)
    }
}

impl Default for MessageSchemas {
    fn default() -> Self {
        Self::new()
    }
}

/// The field a validation error is about, dotted (`item.number`): the value's path, and for a
/// missing or unexpected property that property; `None` for the message as a whole.
pub fn field_at_fault(error: &ValidationError<'_>) -> Option<String> {
    let mut path: Vec<String> =
        error.instance_path.to_string().split('/').filter(|t| !t.is_empty()).map(str::to_owned).collect();
    match &error.kind {
        ValidationErrorKind::Required { property } => path.push(property.as_str().unwrap_or_default().to_owned()),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            path.extend(unexpected.first().cloned());
        }
        _ => {}
    }
    (!path.is_empty()).then(|| path.join("."))
}
