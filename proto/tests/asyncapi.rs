//! `proto/asyncapi.yaml` describes every event type and finance message of the Rust catalogue,
//! with the checked-in schema files as payloads: the types, the schemas and the document
//! cannot drift apart. (`.ci/asyncapi/validate.sh` checks the document against the AsyncAPI
//! specification itself.)

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::samples;
use serde_json::Value;
use suivi_proto::events::{Event, ParticipantEvent, EVENT_TYPES, PARTICIPANT_EVENT_TYPES};
use suivi_proto::ledger::{BalanceRequest, ContractBalance, LedgerFact, LEDGER_FACTS};
use suivi_proto::messages::{FinanceMessage, FinanceRejection, FINANCE_MESSAGE_TYPES};
use suivi_proto::schema::{
    payload_file, BALANCE_REQUEST_FILE, CONTRACT_BALANCE_FILE, ENVELOPE_FILE, FINANCE_REJECTION_FILE, LEDGER_FACT_FILE,
};
use suivi_proto::{EventEnvelope, Subjects, TenantId};

/// The current schema version of every event type, read from the Rust types.
fn current_versions() -> BTreeMap<&'static str, u16> {
    samples::events().iter().map(|e| (e.event_type(), e.schema_version())).collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

fn reference(value: &Value) -> &str {
    value["$ref"].as_str().unwrap_or_else(|| panic!("expected a $ref, got {value}"))
}

/// Every `$ref` of the document that points at a file under `./schemas/`.
fn schema_file_refs(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                if let Some(file) = target.strip_prefix("./schemas/") {
                    found.insert(file.to_owned());
                }
            }
            map.values().for_each(|v| schema_file_refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| schema_file_refs(v, found)),
        _ => {}
    }
}

#[test]
fn it_is_an_asyncapi_3_document_for_a_nats_server() {
    let doc = common::asyncapi();
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_eq!(doc["info"]["title"], "Suivi");
    let servers = doc["servers"].as_object().expect("servers");
    assert!(!servers.is_empty());
    for (name, server) in servers {
        assert_eq!(server["protocol"], "nats", "server {name}");
    }
    assert_eq!(doc["servers"]["local"]["host"], "localhost:4222");
}

#[test]
fn it_lists_a_channel_a_send_operation_and_a_message_for_every_event_type() {
    let doc = common::asyncapi();
    let versions = current_versions();
    let tenant = TenantId::parse("grand-besancon").expect("tenant");
    for &event_type in EVENT_TYPES {
        let channel = &doc["channels"][event_type];
        let address = channel["address"].as_str().unwrap_or_else(|| panic!("no channel {event_type}"));
        assert_eq!(address, format!("suivi.{{tenant}}.evt.{event_type}.{{contract_id}}"));
        let concrete =
            address.replace("{tenant}", tenant.as_str()).replace("{contract_id}", &samples::contract_id().to_string());
        assert_eq!(concrete, Subjects::default().event(&tenant, event_type, samples::contract_id()));
        assert_eq!(keys(&channel["parameters"]), ["contract_id", "tenant"].map(String::from).into());
        assert_eq!(reference(&channel["messages"][event_type]), format!("#/components/messages/{event_type}"));

        let operation = &doc["operations"][format!("send_{event_type}")];
        assert_eq!(operation["action"], "send", "operation send_{event_type}");
        assert_eq!(reference(&operation["channel"]), format!("#/channels/{event_type}"));

        let message = &doc["components"]["messages"][event_type];
        assert_eq!(message["name"], event_type);
        let parts = message["payload"]["allOf"].as_array().expect("payload: allOf [envelope, specifics]");
        assert_eq!(reference(&parts[0]), format!("./schemas/{ENVELOPE_FILE}"));
        let specifics = &parts[1]["properties"];
        assert_eq!(specifics["event_type"]["const"], event_type);
        assert_eq!(specifics["schema_version"]["const"], versions[event_type]);
        assert_eq!(
            reference(&specifics["payload"]),
            format!("./schemas/{}", payload_file(event_type, versions[event_type]))
        );
    }
}

#[test]
fn it_lists_a_channel_a_send_operation_and_a_message_for_every_participant_event_type() {
    let doc = common::asyncapi();
    let tenant = TenantId::parse("grand-besancon").expect("tenant");
    let participant = uuid::Uuid::from_u128(7);
    for &event_type in PARTICIPANT_EVENT_TYPES {
        let channel = &doc["channels"][event_type];
        let address = channel["address"].as_str().unwrap_or_else(|| panic!("no channel {event_type}"));
        let concrete =
            address.replace("{tenant}", tenant.as_str()).replace("{participant_id}", &participant.to_string());
        assert_eq!(concrete, Subjects::default().event(&tenant, event_type, participant));
        assert_eq!(keys(&channel["parameters"]), ["participant_id", "tenant"].map(String::from).into());
        let operation = &doc["operations"][format!("send_{event_type}")];
        assert_eq!(operation["action"], "send", "operation send_{event_type}");
        let message = &doc["components"]["messages"][event_type];
        let specifics = &message["payload"]["allOf"][1]["properties"];
        assert_eq!(specifics["event_type"]["const"], event_type);
        assert_eq!(reference(&specifics["payload"]), format!("./schemas/{}", payload_file(event_type, 1)));
    }
}

#[test]
fn it_lists_a_channel_a_receive_operation_and_a_message_for_every_finance_message_type() {
    let doc = common::asyncapi();
    let tenant = TenantId::parse("vichy-communaute").expect("tenant");
    for &message_type in FINANCE_MESSAGE_TYPES {
        let channel = &doc["channels"][message_type];
        let address = channel["address"].as_str().unwrap_or_else(|| panic!("no channel {message_type}"));
        assert_eq!(
            address.replace("{tenant}", tenant.as_str()),
            Subjects::default().finance_inbound(&tenant, message_type)
        );
        assert_eq!(keys(&channel["parameters"]), ["tenant".to_owned()].into());
        let operation = &doc["operations"][format!("receive_{message_type}")];
        assert_eq!(operation["action"], "receive");
        assert_eq!(reference(&operation["channel"]), format!("#/channels/{message_type}"));
        let message = &doc["components"]["messages"][message_type];
        assert_eq!(reference(&message["payload"]), format!("./schemas/{}", payload_file(message_type, 1)));
        let headers = &doc["components"]["messageTraits"]["finance"]["headers"];
        assert_eq!(reference(headers), "#/components/schemas/FinanceHeaders");
    }
}

/// What Suivi sends finance and answers it: (channel, message, operation, schema file).
const FINANCE_OUTBOUND: &[(&str, &str, &str, &str)] = &[
    ("ledger", "ledger_fact", "send_ledger_fact", LEDGER_FACT_FILE),
    ("finance_rejected", "finance_rejection", "send_finance_rejection", FINANCE_REJECTION_FILE),
    ("balance_query", "balance_request", "receive_balance_query", BALANCE_REQUEST_FILE),
    ("balance_reply", "contract_balance", "receive_balance_query", CONTRACT_BALANCE_FILE),
];

#[test]
fn it_lists_the_ledger_rejections_and_balance_query_on_their_real_subjects() {
    let doc = common::asyncapi();
    let subjects = Subjects::default();
    let tenant = TenantId::parse("grand-besancon").expect("tenant");
    let contract = samples::contract_id();
    let address = |channel: &str| doc["channels"][channel]["address"].as_str().unwrap_or_default().to_owned();
    for &fact in LEDGER_FACTS {
        let concrete = address("ledger")
            .replace("{tenant}", tenant.as_str())
            .replace("{fact}", fact)
            .replace("{contract_id}", &contract.to_string());
        assert_eq!(concrete, subjects.ledger(&tenant, fact, contract));
    }
    let facts: Vec<&str> = doc["components"]["parameters"]["fact"]["enum"]
        .as_array()
        .expect("the facts listed")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(facts, LEDGER_FACTS);
    for &message_type in FINANCE_MESSAGE_TYPES {
        let concrete =
            address("finance_rejected").replace("{tenant}", tenant.as_str()).replace("{message_type}", message_type);
        assert_eq!(concrete, subjects.finance_rejected(&tenant, message_type));
    }
    assert_eq!(address("balance_query").replace("{tenant}", tenant.as_str()), subjects.query(&tenant, "balance"));
    let description = doc["info"]["description"].as_str().expect("a description");
    for stream in [
        subjects.event_stream_name(),
        subjects.finance_inbound_stream_name(),
        subjects.finance_dead_letter_stream_name(),
        subjects.ledger_stream_name(),
    ] {
        assert!(description.contains(&format!("`{stream}`")), "the description names stream {stream}");
    }
    assert!(description.contains(
        &subjects.finance_consumer(&TenantId::parse("tenant").expect("tenant")).replace("tenant", "<tenant>")
    ));
    for (channel, message, operation, file) in FINANCE_OUTBOUND {
        assert_eq!(
            reference(&doc["channels"][channel]["messages"][message]),
            format!("#/components/messages/{message}")
        );
        assert_eq!(reference(&doc["components"]["messages"][message]["payload"]), format!("./schemas/{file}"));
        assert!(doc["operations"][operation].is_object(), "operation {operation}");
    }
    assert_eq!(doc["operations"]["receive_balance_query"]["action"], "receive");
    assert_eq!(reference(&doc["operations"]["receive_balance_query"]["reply"]["channel"]), "#/channels/balance_reply");
}

#[test]
fn it_lists_nothing_the_rust_catalogue_does_not_have() {
    let doc = common::asyncapi();
    let mut expected: BTreeSet<String> = EVENT_TYPES.iter().map(|t| t.to_string()).collect();
    expected.extend(PARTICIPANT_EVENT_TYPES.iter().map(|t| t.to_string()));
    expected.extend(FINANCE_MESSAGE_TYPES.iter().map(|t| t.to_string()));
    let mut channels = expected.clone();
    channels.extend(FINANCE_OUTBOUND.iter().map(|(channel, ..)| channel.to_string()));
    assert_eq!(keys(&doc["channels"]), channels, "channels");
    let mut messages = expected;
    messages.extend(FINANCE_OUTBOUND.iter().map(|(_, message, ..)| message.to_string()));
    assert_eq!(keys(&doc["components"]["messages"]), messages, "messages");
    let mut operations: BTreeSet<String> =
        EVENT_TYPES.iter().chain(PARTICIPANT_EVENT_TYPES).map(|t| format!("send_{t}")).collect();
    operations.extend(FINANCE_MESSAGE_TYPES.iter().map(|t| format!("receive_{t}")));
    operations.extend(FINANCE_OUTBOUND.iter().map(|(_, _, operation, _)| operation.to_string()));
    assert_eq!(keys(&doc["operations"]), operations, "operations");
}

#[test]
fn it_references_exactly_the_checked_in_schema_files_of_the_current_versions() {
    let mut referenced = BTreeSet::new();
    schema_file_refs(&common::asyncapi(), &mut referenced);
    let mut current: BTreeSet<String> =
        current_versions().into_iter().map(|(event_type, version)| payload_file(event_type, version)).collect();
    current.extend(FINANCE_MESSAGE_TYPES.iter().chain(PARTICIPANT_EVENT_TYPES).map(|t| payload_file(t, 1)));
    current.insert(ENVELOPE_FILE.to_owned());
    current.extend(FINANCE_OUTBOUND.iter().map(|(.., file)| file.to_string()));
    assert_eq!(referenced, current);
    let checked_in: BTreeSet<String> = common::checked_in_schema_files().into_iter().collect();
    let missing: Vec<_> = current.difference(&checked_in).collect();
    assert!(missing.is_empty(), "referenced but not checked in under proto/schemas/: {missing:?}");
}

/// Decodes an example of what Suivi sends finance as its Rust type: `false` for other messages.
fn decodes_as_outbound(name: &str, payload: &Value) -> bool {
    fn decode<T: serde::de::DeserializeOwned>(name: &str, payload: &Value) {
        serde_json::from_value::<T>(payload.clone()).unwrap_or_else(|e| panic!("{name} example: {e}"));
    }
    match name {
        "ledger_fact" => decode::<LedgerFact>(name, payload),
        "finance_rejection" => decode::<FinanceRejection>(name, payload),
        "balance_request" => decode::<BalanceRequest>(name, payload),
        "contract_balance" => decode::<ContractBalance>(name, payload),
        _ => return false,
    }
    true
}

#[test]
fn it_gives_examples_that_validate_against_their_message_and_decode() {
    let doc = common::asyncapi();
    let messages = doc["components"]["messages"].as_object().expect("messages");
    for (name, message) in messages {
        let examples = message["examples"].as_array().unwrap_or_else(|| panic!("{name}: no examples"));
        let validator = common::message_validator(name);
        for example in examples {
            let payload = &example["payload"];
            let errors = common::schema_errors(&validator, payload);
            assert!(errors.is_empty(), "{name} example refused by its schema:\n{errors}");
            if decodes_as_outbound(name, payload) {
                continue;
            }
            let msg_id = example["headers"]["Nats-Msg-Id"].as_str().expect("a Nats-Msg-Id header");
            if FINANCE_MESSAGE_TYPES.contains(&name.as_str()) {
                FinanceMessage::decode(name, 1, payload).unwrap_or_else(|e| panic!("{name}: {e}"));
            } else {
                let envelope: EventEnvelope =
                    serde_json::from_value(payload.clone()).unwrap_or_else(|e| panic!("{name} example envelope: {e}"));
                assert_eq!(msg_id, envelope.event_id.to_string(), "{name}: Nats-Msg-Id is the event_id");
                if ParticipantEvent::is_participant_type(name) {
                    let text = envelope.payload.to_string();
                    let event = ParticipantEvent::decode_str(name, envelope.schema_version, &text)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(event.event_type(), name);
                } else {
                    let event: Event = envelope.decode_event().unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(event.event_type(), name);
                }
            }
        }
    }
}
