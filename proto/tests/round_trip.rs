//! Every event and message, serialised as it travels, validates against the schema the AsyncAPI
//! document gives its message, and reads back to an equal value.

mod common;

use std::collections::BTreeSet;

use common::samples;
use serde_json::{json, Value};
use suivi_proto::events::{Beneficiary, DecodeError, Event, Payload, EVENT_TYPES};
use suivi_proto::messages::{FinanceMessage, PaymentReportedV1, FINANCE_MESSAGE_TYPES};
use suivi_proto::{EventEnvelope, NewEvent};

#[test]
fn it_has_a_realistic_sample_of_every_event_type() {
    let sampled: BTreeSet<&str> = samples::events().iter().map(Event::event_type).collect();
    let catalogue: BTreeSet<&str> = EVENT_TYPES.iter().copied().collect();
    assert_eq!(sampled, catalogue);
    assert_eq!(EVENT_TYPES.len(), catalogue.len(), "EVENT_TYPES has duplicates");
}

#[test]
fn it_serialises_every_event_in_an_envelope_its_asyncapi_message_schema_accepts() {
    for event in samples::events() {
        let validator = common::message_validator(event.event_type());
        let json = samples::envelope_json(&event);
        let errors = common::schema_errors(&validator, &json);
        assert!(errors.is_empty(), "{} refused by its schema:\n{errors}\n{json:#}", event.event_type());
    }
}

#[test]
fn it_decodes_every_serialised_envelope_back_to_an_equal_event() {
    for event in samples::events() {
        let text = serde_json::to_string(&samples::envelope(&event)).expect("serialise");
        let envelope: EventEnvelope = serde_json::from_str(&text).expect("read the envelope back");
        assert_eq!(envelope, samples::envelope(&event));
        let decoded = envelope.decode_event().expect("decode the payload");
        assert_eq!(decoded, event);
    }
}

#[test]
fn it_refuses_an_envelope_whose_schema_version_does_not_match_its_message() {
    let event: Event = samples::contract_awarded().into();
    let mut json = samples::envelope_json(&event);
    json["schema_version"] = json!(2);
    assert!(!common::message_validator("contract_awarded").is_valid(&json));
    json["schema_version"] = json!(1);
    json["event_type"] = json!("contract_amended");
    assert!(!common::message_validator("contract_awarded").is_valid(&json));
}

#[test]
fn it_serialises_money_hours_and_rates_as_decimal_strings_and_sum_types_with_a_kind_tag() {
    let payload = Event::from(samples::contract_awarded()).to_payload();
    assert_eq!(payload["amount_ht"], json!("1200000.00"));
    assert_eq!(payload["vat_rate"], json!("0.20"));
    assert_eq!(payload["notification_date"], json!("2024-03-15"));
    let clause = &payload["insertion_clause"];
    assert_eq!(clause["committed_hours"], json!("1000"));
    assert_eq!(clause["penalty_terms"]["rate"], json!({"kind": "fixed", "amount_per_hour_ht": "60.00"}));
    assert_eq!(clause["penalty_terms"]["tolerance_share"], json!("0.05"));
    assert_eq!(
        payload["advance_terms"]["recovery"],
        json!({"kind": "thresholds", "start_share": "0.65", "end_share": "0.80"})
    );
    assert_eq!(payload["contractors"][1], json!({"siret": "44306184100047", "size": "tpe", "role": "co_contractor"}));

    let reviewed = samples::events()
        .into_iter()
        .find(|e| e.event_type() == "statement_reviewed")
        .expect("a statement_reviewed sample")
        .to_payload();
    assert_eq!(
        reviewed["decisions"],
        json!([
            {"line_id": 1, "decision": {"kind": "validated"}},
            {"line_id": 2, "decision": {"kind": "rejected", "reason": "Relevé d'heures ETTI manquant"}}
        ])
    );
}

#[test]
fn it_omits_absent_optional_fields_and_reads_null_as_absent() {
    let award = samples::reserved_contract_awarded();
    let payload = Event::from(award.clone()).to_payload();
    for absent in ["ccag", "lot"] {
        assert!(payload.get(absent).is_none(), "{absent} must be omitted");
    }
    let terms = &payload["insertion_clause"]["penalty_terms"];
    assert!(terms.get("cap_share").is_none() && terms.get("exemption_threshold_ht").is_none());
    assert_eq!(payload["advance_terms"]["recovery"], json!({"kind": "proportional"}));

    let mut with_nulls = payload.clone();
    with_nulls["ccag"] = Value::Null;
    with_nulls["lot"] = Value::Null;
    with_nulls["insertion_clause"]["penalty_terms"]["cap_share"] = Value::Null;
    let decoded = Event::decode("contract_awarded", 1, &with_nulls).expect("null reads as absent");
    assert_eq!(decoded, Event::from(award));
    let validator = common::message_validator("contract_awarded");
    let mut envelope = samples::envelope_json(&decoded);
    envelope["payload"] = with_nulls;
    assert_eq!(common::schema_errors(&validator, &envelope), "");
}

#[test]
fn it_serialises_finance_messages_its_asyncapi_schema_accepts_and_decodes_them() {
    assert_eq!(FINANCE_MESSAGE_TYPES, &["payment_reported"]);
    let validator = common::message_validator("payment_reported");
    for message in samples::payments_reported() {
        let json = message.to_json();
        assert_eq!(common::schema_errors(&validator, &json), "", "{json:#}");
        let decoded = FinanceMessage::decode("payment_reported", 1, &json).expect("decode");
        assert_eq!(decoded.message_type(), "payment_reported");
        assert_eq!(decoded, FinanceMessage::PaymentReported(message));
    }
    assert_eq!(samples::payment_reported().to_json()["item"], json!({"kind": "instalment", "number": 3}));
}

#[test]
fn it_refuses_unknown_types_and_versions_it_cannot_read() {
    let payload = Event::from(samples::contract_awarded()).to_payload();
    assert_eq!(
        Event::decode("contract_signed", 1, &payload),
        Err(DecodeError::UnknownType("contract_signed".to_owned()))
    );
    for version in [0, 2] {
        assert!(
            matches!(
                Event::decode("contract_awarded", version, &payload),
                Err(DecodeError::UnsupportedVersion { schema_version, current: 1, .. }) if schema_version == version
            ),
            "version {version}"
        );
    }
    assert!(matches!(FinanceMessage::decode("payment_cancelled", 1, &json!({})), Err(DecodeError::UnknownType(_))));
    assert_eq!(PaymentReportedV1::SCHEMA_VERSION, 1);
}

#[test]
fn it_wraps_a_typed_event_for_appending_at_its_current_version() {
    let event: Event = samples::instalment_requested().into();
    let occurred_at = "2024-07-03T09:12:45Z".parse().expect("instant");
    let new = NewEvent::from_event(&event, occurred_at);
    assert_eq!(new.event_type, "instalment_requested");
    assert_eq!(new.schema_version, 2);
    assert_eq!(new.event_id.get_version_num(), 7);
    assert_eq!(Event::decode(&new.event_type, new.schema_version, &new.payload), Ok(event));
}

#[test]
fn it_decodes_stored_payload_text_exactly_as_it_decodes_the_parsed_value() {
    for event in samples::events() {
        let payload = event.to_payload();
        let text = payload.to_string();
        let from_text = Event::decode_str(event.event_type(), event.schema_version(), &text);
        assert_eq!(from_text, Event::decode(event.event_type(), event.schema_version(), &payload));
        assert_eq!(from_text.as_ref(), Ok(&event), "{}", event.event_type());
    }
    let mut with_nulls = Event::from(samples::reserved_contract_awarded()).to_payload();
    with_nulls["lot"] = Value::Null;
    assert_eq!(
        Event::decode_str("contract_awarded", 1, &with_nulls.to_string()),
        Ok(Event::from(samples::reserved_contract_awarded()))
    );
}

#[test]
fn it_refuses_stored_payload_text_it_cannot_read() {
    let text = Event::from(samples::contract_awarded()).to_payload().to_string();
    assert_eq!(
        Event::decode_str("contract_signed", 1, &text),
        Err(DecodeError::UnknownType("contract_signed".to_owned()))
    );
    assert!(matches!(
        Event::decode_str("contract_awarded", 2, &text),
        Err(DecodeError::UnsupportedVersion { schema_version: 2, current: 1, .. })
    ));
    let unknown_field = text.replacen('{', r#"{"surprise":1,"#, 1);
    for bad in [unknown_field.as_str(), "{", "[]"] {
        assert!(
            matches!(Event::decode_str("contract_awarded", 1, bad), Err(DecodeError::InvalidPayload { .. })),
            "{bad}"
        );
    }
}

#[test]
fn it_reads_a_v1_statement_written_with_pseudonyms_as_v2_lines_naming_those_pseudonyms() {
    // As a log written before the register holds it, byte for byte.
    let v1 = r#"{"number":3,"period":{"start":"2024-06-01","end":"2024-06-30"},"cumulative_value_ht":"412500.00","received_on":"2024-07-03","statement":{"lines":[{"line_id":1,"beneficiary":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","category":"long_term_jobseeker","modality":"direct_hire","hours":"151.67","period":{"start":"2024-06-01","end":"2024-06-30"}}]}}"#;
    let read = Event::decode_str("instalment_requested", 1, v1).expect("a v1 statement reads");
    let Event::InstalmentRequested(request) = &read else { panic!("{read:?}") };
    let pseudonym = suivi_proto::codes::Pseudonym::parse(&"a".repeat(64)).expect("a pseudonym");
    assert_eq!(request.statement.lines[0].beneficiary, Beneficiary::Pseudonym { pseudonym });
    assert_eq!(request.statement.lines[0].beneficiary.participant(), None);
    assert_eq!(request.statement.lines[0].hours.to_string(), "151.67");
    // The parsed value reads the same, and what it reads is written back as v2.
    let value: serde_json::Value = serde_json::from_str(v1).expect("JSON");
    assert_eq!(Event::decode("instalment_requested", 1, &value).as_ref(), Ok(&read));
    assert_eq!(read.schema_version(), 2);
    assert_eq!(read.to_payload().pointer("/statement/lines/0/beneficiary/kind"), Some(&json!("pseudonym")));
    // A v1 payload is not a v2 one, and no v3 is known.
    assert!(Event::decode_str("instalment_requested", 2, v1).is_err());
    assert!(matches!(
        Event::decode_str("instalment_requested", 3, v1),
        Err(DecodeError::UnsupportedVersion { schema_version: 3, current: 2, .. })
    ));
}
