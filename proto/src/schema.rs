//! JSON Schemas (draft-07) generated from the Rust types.
//!
//! The files under `proto/schemas/` are these schemas, checked in so that integrators and the
//! AsyncAPI document can read them without Rust. A test fails when they drift from the types;
//! `SUIVI_BLESS=1 cargo test -p suivi-proto --test schemas` rewrites them.
//!
//! File names: `envelope.json`, and `<type>.v<schema_version>.json` for every event payload and
//! finance message body. A published file is never edited: a breaking change adds a version.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

use crate::envelope::EventEnvelope;
use crate::events::{self, Payload};
use crate::ledger::{BalanceRequest, ContractBalance, LedgerFact};
use crate::messages::{FinanceRejection, PaymentReportedV1};

/// The envelope's schema file.
pub const ENVELOPE_FILE: &str = "envelope.json";
/// A ledger message (`<prefix>.<tenant>.ledger.<fact>.<contract_id>`).
pub const LEDGER_FACT_FILE: &str = "ledger_fact.v1.json";
/// A rejection of a finance message (`<prefix>.<tenant>.fin.rejected.<message_type>`).
pub const FINANCE_REJECTION_FILE: &str = "finance_rejection.v1.json";
/// The balance query's request and answer (`<prefix>.<tenant>.query.balance`).
pub const BALANCE_REQUEST_FILE: &str = "balance_request.v1.json";
pub const CONTRACT_BALANCE_FILE: &str = "contract_balance.v1.json";

/// Shown at the top of every generated file.
const GENERATED: &str = "Generated from the Rust types of suivi-proto: do not edit. \
    Regenerate with `SUIVI_BLESS=1 cargo test -p suivi-proto --test schemas`.";

/// Something that wants every payload type; see [`crate::events`]'s catalogue.
pub(crate) trait VisitPayload {
    fn visit<P: Payload>(&mut self);
}

/// The file name of a payload schema, e.g. `contract_awarded.v1.json`.
pub fn payload_file(type_name: &str, schema_version: u16) -> String {
    format!("{type_name}.v{schema_version}.json")
}

/// The draft-07 schema of `T`, with sorted keys.
pub fn schema_of<T: JsonSchema>() -> Value {
    let mut schema = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(add_format_patterns as fn(&mut Schema)))
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("$comment".to_owned(), GENERATED.into());
    sorted(schema.to_value())
}

/// Every schema file: `(file name, schema)`, the envelope first.
pub fn all_schemas() -> Vec<(String, Value)> {
    struct Collect(Vec<(String, Value)>);
    impl VisitPayload for Collect {
        fn visit<P: Payload>(&mut self) {
            self.0.push((payload_file(P::TYPE_NAME, P::SCHEMA_VERSION), schema_of::<P>()));
        }
    }
    let mut files = Collect(vec![(ENVELOPE_FILE.to_owned(), schema_of::<EventEnvelope>())]);
    events::visit_payload_types(&mut files);
    // Retired versions kept for old readers go here, e.g. `files.visit::<ContractAwardedV1>()`.
    files.visit::<events::InstalmentRequestedV1>();
    files.visit::<events::ContractAmendedV1>();
    files.visit::<events::ParticipantRegisteredV1>();
    files.visit::<events::ParticipantErasedV1>();
    files.visit::<PaymentReportedV1>();
    // What Suivi sends finance, and the balance query (`proto/asyncapi.yaml`).
    files.0.push((LEDGER_FACT_FILE.to_owned(), schema_of::<LedgerFact>()));
    files.0.push((FINANCE_REJECTION_FILE.to_owned(), schema_of::<FinanceRejection>()));
    files.0.push((BALANCE_REQUEST_FILE.to_owned(), schema_of::<BalanceRequest>()));
    files.0.push((CONTRACT_BALANCE_FILE.to_owned(), schema_of::<ContractBalance>()));
    files.0
}

/// The text of a schema file: pretty JSON, sorted keys, final newline. Deterministic
/// whatever serde_json's `preserve_order` feature is.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(schema.clone())).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// Adds a `pattern` to the `uuid` and `date` formats. Draft-07 validators need not check
/// formats (`uuid` is not even a draft-07 format), and many do not by default; a pattern is
/// checked by all of them.
fn add_format_patterns(schema: &mut Schema) {
    let pattern = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        Some("date") => "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        _ => return,
    };
    schema.insert("pattern".to_owned(), pattern.into());
}

/// `value` with every object's keys in order: a deterministic rendering whatever serde_json's
/// `preserve_order` feature is.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
