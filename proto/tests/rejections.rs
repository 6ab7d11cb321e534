//! What the schemas forbid, serde refuses too: the checked-in schemas and the Rust types agree
//! on the border, not only on valid values.

mod common;

use common::samples;
use serde_json::{json, Value};
use suivi_proto::events::{
    AdvancePaidV1, ContractAmendedV2, ContractAwardedV1, ContractTerminatedV1, Event, InstalmentPaidV1,
    InstalmentRequestedV2, PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyObservationsReceivedV1, PenaltyWaivedV1,
    StatementReviewedV1,
};
use suivi_proto::messages::FinanceMessage;
use suivi_proto::{EventEnvelope, Payload};

/// Applies `mutate` to `event` in its envelope, as JSON, and asserts that both the AsyncAPI
/// message schema and serde (envelope, then payload) refuse the result.
fn assert_refused(event: impl Into<Event>, what: &str, mutate: impl FnOnce(&mut Value)) {
    let event = event.into();
    let mut json = samples::envelope_json(&event);
    mutate(&mut json);
    assert!(!common::message_validator(event.event_type()).is_valid(&json), "the schema accepts {what}:\n{json:#}");
    let read = serde_json::from_value::<EventEnvelope>(json)
        .map_err(|e| e.to_string())
        .and_then(|envelope| envelope.decode_event().map_err(|e| e.to_string()));
    assert!(read.is_err(), "serde accepts {what}: {read:?}");
}

/// Same for a finance message body.
fn assert_message_refused(what: &str, mutate: impl FnOnce(&mut Value)) {
    let mut json = serde_json::to_value(samples::payment_reported()).expect("serialise");
    mutate(&mut json);
    assert!(!common::message_validator("payment_reported").is_valid(&json), "the schema accepts {what}:\n{json:#}");
    let read = FinanceMessage::decode("payment_reported", 1, &json);
    assert!(read.is_err(), "serde accepts {what}: {read:?}");
}

fn remove(json: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let parent = json.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent}"));
    let removed = match parent {
        Value::Object(map) => map.remove(key),
        _ => None,
    };
    assert!(removed.is_some(), "nothing at {pointer}");
}

fn set(json: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let parent = json.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent}"));
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
        _ => panic!("{pointer} is not in an object or array"),
    }
}

#[test]
fn it_refuses_a_missing_required_field() {
    let award = samples::contract_awarded;
    for pointer in [
        "/event_id",
        "/tenant",
        "/payload",
        "/payload/amount_ht",
        "/payload/contractors/0/role",
        "/payload/insertion_clause/penalty_terms/tolerance_share",
        "/payload/insertion_clause/penalty_terms/rate/kind",
        "/payload/insertion_clause/penalty_terms/rate/amount_per_hour_ht",
        "/payload/advance_terms/recovery/start_share",
    ] {
        assert_refused(award(), &format!("no {pointer}"), |j| remove(j, pointer));
    }
    assert_refused(samples::instalment_requested(), "a line without hours", |j| {
        remove(j, "/payload/statement/lines/0/hours")
    });
    for event in samples::events() {
        if let Event::PenaltyAdjusted(_) | Event::PenaltyWaived(_) = event {
            assert_refused(event, "a penalty decision without reason", |j| remove(j, "/payload/reason"));
        }
    }
}

#[test]
fn it_refuses_an_unknown_field_at_any_depth() {
    let award = samples::contract_awarded;
    for (pointer, value) in [
        ("/tenant_name", json!("Grand Besançon")),
        ("/payload/contract_id", json!("0192f0c4-5b7e-7a3c-9d1e-3f4a5b6c7d8e")),
        ("/payload/contractors/0/name", json!("BTP Comtois")),
        ("/payload/lot/label", json!("Gros œuvre")),
        ("/payload/insertion_clause/penalty_terms/rate/currency", json!("EUR")),
        ("/payload/advance_terms/recovery/threshold", json!("0.65")),
    ] {
        assert_refused(award(), &format!("an unknown {pointer}"), |j| set(j, pointer, value));
    }
    assert_refused(samples::reserved_contract_awarded(), "a field on a unit variant", |j| {
        set(j, "/payload/advance_terms/recovery/start_share", json!("0.1"))
    });
    assert_refused(samples::instalment_requested(), "a beneficiary's name", |j| {
        set(j, "/payload/statement/lines/0/name", json!("Jean Dupont"))
    });
}

#[test]
fn it_refuses_money_and_hours_that_are_not_decimal_strings() {
    let award = samples::contract_awarded;
    for value in [json!(1200000.0), json!(1200000), json!("NC"), json!("1 200 000,00"), json!("1.2e6")] {
        assert_refused(award(), &format!("amount_ht = {value}"), |j| set(j, "/payload/amount_ht", value));
    }
    assert_refused(award(), "a null amount", |j| set(j, "/payload/amount_ht", Value::Null));
    for value in [json!(151.67), json!("-3"), json!("")] {
        assert_refused(samples::instalment_requested(), &format!("hours = {value}"), |j| {
            set(j, "/payload/statement/lines/0/hours", value)
        });
    }
    assert_message_refused("an amount as a number", |j| set(j, "/amount_ttc", json!(165000)));
}

#[test]
fn it_refuses_rates_outside_zero_to_one_such_as_a_percent() {
    let award = samples::contract_awarded;
    for (pointer, value) in [
        ("/payload/vat_rate", "20"),
        ("/payload/vat_rate", "1.2"),
        ("/payload/insertion_clause/penalty_terms/tolerance_share", "5"),
        ("/payload/insertion_clause/penalty_terms/cap_share", "-0.2"),
        ("/payload/advance_terms/rate", "30"),
        ("/payload/advance_terms/recovery/end_share", "80"),
    ] {
        assert_refused(award(), &format!("{pointer} = {value}"), |j| set(j, pointer, json!(value)));
    }
}

#[test]
fn it_refuses_dates_and_instants_that_are_not_iso_8601() {
    let award = samples::contract_awarded;
    for value in ["2024-02-30", "15/03/2024", "2024-3-15", "2024-03-15T00:00:00Z", ""] {
        assert_refused(award(), &format!("notification_date = {value:?}"), |j| {
            set(j, "/payload/notification_date", json!(value))
        });
    }
    assert_refused(award(), "an instant without time zone", |j| set(j, "/occurred_at", json!("2024-07-03T09:12:45")));
    assert_message_refused("a French date", |j| set(j, "/paid_on", json!("05/08/2024")));
}

#[test]
fn it_refuses_values_outside_an_enumeration() {
    let award = samples::contract_awarded;
    for (pointer, value) in [
        ("/payload/contractors/0/size", json!("small")),
        ("/payload/contractors/0/size", json!("PME")),
        ("/payload/buyer_kind", json!("commune")),
        ("/payload/social_considerations/0", json!("Clause sociale")),
        ("/payload/insertion_clause/penalty_terms/basis", json!("counted")),
        ("/payload/insertion_clause/penalty_terms/rate/kind", json!("percent")),
        ("/payload/advance_terms/recovery/kind", json!("linear")),
        ("/actor/kind", json!("robot")),
    ] {
        assert_refused(award(), &format!("{pointer} = {value}"), |j| set(j, pointer, value));
    }
    assert_refused(samples::instalment_requested(), "an unknown category", |j| {
        set(j, "/payload/statement/lines/0/category", json!("refugee"))
    });
    assert_message_refused("an unknown paid item", |j| set(j, "/item/kind", json!("penalty")));
}

#[test]
fn it_refuses_a_bad_tenant_id() {
    for value in [json!("Grand Besançon"), json!("grand.besancon"), json!(""), json!("x".repeat(33)), json!(7)] {
        assert_refused(samples::contract_awarded(), &format!("tenant = {value}"), |j| set(j, "/tenant", value));
    }
}

#[test]
fn it_refuses_malformed_codes() {
    let award = samples::contract_awarded;
    for (pointer, value) in [
        ("/payload/buyer_siret", "2000486950001"),
        ("/payload/buyer_siret", "200 048 695 00015"),
        ("/payload/contractors/0/siret", "7328293200007A"),
        ("/payload/cpv_code", "45212222-88"),
        ("/payload/cpv_code", "Travaux"),
    ] {
        assert_refused(award(), &format!("{pointer} = {value}"), |j| set(j, pointer, json!(value)));
    }
    for value in [
        json!("a".repeat(64)),
        json!({"kind": "participant", "code": "k7m2qx9a"}),
        json!({"kind": "participant", "code": "K7M2QX9I"}),
        json!({"kind": "participant", "code": "Jean Dupont"}),
        json!({"kind": "participant", "code": "K7M2QX9A", "name": "Jean Dupont"}),
        json!({"kind": "pseudonym", "pseudonym": "A".repeat(64)}),
    ] {
        assert_refused(samples::instalment_requested(), &format!("beneficiary = {value}"), |j| {
            set(j, "/payload/statement/lines/0/beneficiary", value.clone())
        });
    }
}

#[test]
fn it_refuses_counts_that_are_negative_fractional_or_too_large() {
    let award = samples::contract_awarded;
    for (pointer, value) in [
        ("/payload/duration_months", json!(-1)),
        ("/payload/duration_months", json!(1.5)),
        ("/payload/duration_months", json!("18")),
        ("/payload/payment_term_days", json!(70000)),
        ("/schema_version", json!(-1)),
    ] {
        assert_refused(award(), &format!("{pointer} = {value}"), |j| set(j, pointer, value));
    }
}

#[test]
fn it_refuses_a_payload_of_the_wrong_shape() {
    for value in [json!([]), Value::Null, json!("contract_awarded"), json!({})] {
        assert_refused(samples::contract_awarded(), &format!("payload = {value}"), |j| set(j, "/payload", value));
    }
    assert_refused(samples::contract_awarded(), "another event's payload", |j| {
        let other = Event::from(samples::instalment_requested()).to_payload();
        set(j, "/payload", other)
    });
}

#[test]
fn it_refuses_an_instalment_payment_without_its_number() {
    assert_message_refused("an instalment without number", |j| remove(j, "/item/number"));
    assert_message_refused("an advance with a number", |j| set(j, "/item", json!({"kind": "advance", "number": 1})));
    assert_message_refused("no contract id", |j| remove(j, "/contract_id"));
    assert_message_refused("a contract id that is not a UUID", |j| set(j, "/contract_id", json!("MP-2024-12")));
}

/// Every free text of the catalogue, as (event type, pointer in its payload, whether it may span
/// lines). The events come from [`samples::events`], where each of these fields is set.
const FREE_TEXTS: &[(&str, &str, bool)] = &[
    ("contract_awarded", "/object", true),
    ("contract_awarded", "/procedure", false),
    ("contract_awarded", "/ccag", false),
    ("contract_awarded", "/lot/title", false),
    ("contract_amended", "/reason", true),
    ("contract_terminated", "/reason", true),
    ("advance_paid", "/finance_reference", false),
    ("statement_reviewed", "/decisions/1/decision/reason", true),
    ("instalment_paid", "/finance_reference", false),
    ("penalty_observations_received", "/observations", true),
    ("penalty_confirmed", "/reason", true),
    ("penalty_adjusted", "/reason", true),
    ("penalty_waived", "/reason", true),
];

/// The first sample of `event_type` that has a value at `pointer`.
fn sample_with(event_type: &str, pointer: &str) -> Event {
    samples::events()
        .into_iter()
        .find(|e| e.event_type() == event_type && e.to_payload().pointer(pointer).is_some())
        .unwrap_or_else(|| panic!("no {event_type} sample with {pointer}"))
}

#[test]
fn it_refuses_control_characters_in_free_text_yet_reads_stored_events_as_written() {
    for &(event_type, pointer, multi_line) in FREE_TEXTS {
        let mut refused = vec!["Gymnase\u{0}", "\u{1b}[31mGymnase", "Gym\rnase", "Gymnase\u{7f}", "Gymnase\u{85}"];
        let (allowed, line_breaks) = ("Gymnase — lot 2 « gros œuvre »", ["ligne 1\nligne 2", "colonne\tcolonne"]);
        if !multi_line {
            refused.extend(line_breaks);
        }
        let event = sample_with(event_type, pointer);
        let payload_pointer = format!("/payload{pointer}");
        for text in refused {
            let what = format!("{event_type} {pointer} = {text:?}");
            let mut json = samples::envelope_json(&event);
            set(&mut json, &payload_pointer, json!(text));
            assert!(!common::message_validator(event_type).is_valid(&json), "the schema accepts {what}");
            let payload = json["payload"].clone();
            let error = match event_type {
                "contract_awarded" => ContractAwardedV1::decode(1, &payload).map(drop),
                "contract_amended" => ContractAmendedV2::decode(1, &payload).map(drop),
                "contract_terminated" => ContractTerminatedV1::decode(1, &payload).map(drop),
                "advance_paid" => AdvancePaidV1::decode(1, &payload).map(drop),
                "statement_reviewed" => StatementReviewedV1::decode(1, &payload).map(drop),
                "instalment_paid" => InstalmentPaidV1::decode(1, &payload).map(drop),
                "penalty_observations_received" => PenaltyObservationsReceivedV1::decode(1, &payload).map(drop),
                "penalty_confirmed" => PenaltyConfirmedV1::decode(1, &payload).map(drop),
                "penalty_adjusted" => PenaltyAdjustedV1::decode(1, &payload).map(drop),
                "penalty_waived" => PenaltyWaivedV1::decode(1, &payload).map(drop),
                other => panic!("{other} has no free text"),
            }
            .expect_err(&what)
            .to_string();
            assert!(error.contains("control character U+"), "{what}: {error}");

            // Already in the log: read as written, so the contract stays readable.
            let stored = Event::decode(event_type, 1, &payload).unwrap_or_else(|e| panic!("stored {what}: {e}"));
            assert_eq!(stored.to_payload().pointer(pointer), Some(&json!(text)), "{what}");
            let from_text = Event::decode_str(event_type, 1, &payload.to_string());
            assert_eq!(from_text, Ok(stored), "{what}");
        }
        let mut accepted = vec![allowed];
        if multi_line {
            accepted.extend(line_breaks);
        }
        for text in accepted {
            let mut json = samples::envelope_json(&event);
            set(&mut json, &payload_pointer, json!(text));
            let validator = common::message_validator(event_type);
            assert!(
                validator.is_valid(&json),
                "{event_type} {pointer} = {text:?}: {}",
                common::schema_errors(&validator, &json)
            );
            let read = serde_json::from_value::<EventEnvelope>(json).expect("envelope").decode_event();
            assert!(read.is_ok(), "{event_type} {pointer} = {text:?}: {read:?}");
        }
    }
    assert_message_refused("a finance reference with a line feed", |j| set(j, "/finance_reference", json!("MDT\n1")));
    assert_message_refused("a finance reference with a NUL", |j| set(j, "/finance_reference", json!("MDT\u{0}")));
}

#[test]
fn every_free_text_of_the_catalogue_has_a_text_schema() {
    // A new `String` field without a text shape would let control characters in again.
    fn walk(schema: &Value, root: &Value, path: &str, found: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let name = reference.rsplit('/').next().expect("a name");
                    walk(&root["definitions"][name], root, path, found);
                }
                let is_string = map.get("type") == Some(&json!("string"))
                    || map.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&json!("string")));
                let constrained = ["pattern", "enum", "const", "format"].iter().any(|k| map.contains_key(*k));
                if is_string && !constrained {
                    found.push(path.to_owned());
                }
                for (key, value) in map {
                    if key != "definitions" && key != "$ref" {
                        walk(value, root, &format!("{path}/{key}"), found);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, root, path, found)),
            _ => {}
        }
    }
    let mut unconstrained = Vec::new();
    for name in common::checked_in_schema_files() {
        // Strings Suivi writes, not a client: the envelope, and what finance receives.
        let outbound =
            ["envelope.json", "ledger_fact.v1.json", "finance_rejection.v1.json", "contract_balance.v1.json"];
        if outbound.contains(&name.as_str()) {
            continue;
        }
        let schema = common::checked_in_schema(&name);
        let mut found = Vec::new();
        walk(&schema, &schema, "", &mut found);
        unconstrained.extend(found.into_iter().map(|path| format!("{name}: {path}")));
    }
    assert!(unconstrained.is_empty(), "strings without a pattern:\n{}", unconstrained.join("\n"));
}

/// Hours are kept to the hundredth: a client's third decimal is refused, naming the value, but
/// hours already in the log are read as written. The published v1 schemas keep the `Quantity`
/// pattern (a published version never changes), so they accept what the log may hold.
#[test]
fn it_refuses_a_third_decimal_of_hours_from_a_client_yet_reads_stored_hours_as_written() {
    let hours_fields = [
        (Event::from(samples::instalment_requested()), "/statement/lines/0/hours"),
        (Event::from(samples::contract_awarded()), "/insertion_clause/committed_hours"),
    ];
    for (event, pointer) in hours_fields {
        let event_type = event.event_type();
        for (text, accepted) in [("35", true), ("1.5", true), ("1.25", true), ("1.255", false), ("0.001", false)] {
            let what = format!("{event_type} {pointer} = {text:?}");
            let mut json = samples::envelope_json(&event);
            set(&mut json, &format!("/payload{pointer}"), json!(text));
            assert!(common::message_validator(event_type).is_valid(&json), "the v1 schema refuses {what}");
            let payload = json["payload"].clone();
            let from_client = match event_type {
                "instalment_requested" => InstalmentRequestedV2::decode(2, &payload).map(drop),
                _ => ContractAwardedV1::decode(1, &payload).map(drop),
            };
            match (accepted, from_client) {
                (true, read) => assert_eq!(read, Ok(()), "{what}"),
                (false, Err(error)) => assert!(
                    error.to_string().contains(&format!("invalid value \"{text}\": hours have at most two decimals")),
                    "{what}: {error}"
                ),
                (false, Ok(())) => panic!("a client's {what} is accepted"),
            }
            let version = event.schema_version();
            let stored = Event::decode(event_type, version, &payload).unwrap_or_else(|e| panic!("stored {what}: {e}"));
            assert_eq!(stored.to_payload().pointer(pointer), Some(&json!(text)), "{what}");
            assert_eq!(Event::decode_str(event_type, version, &payload.to_string()), Ok(stored), "{what}");
        }
    }
}

/// A `contract_amended` written as v1 (before an amendment could agree a clause) reads as v2
/// without one.
#[test]
fn a_v1_amendment_reads_as_v2_without_a_clause() {
    let v1 = serde_json::json!({
        "amendment_number": 1, "signed_on": "2024-09-02", "new_committed_hours": "1050",
        "reason": "Travaux supplémentaires"
    });
    let read = suivi_proto::Event::decode("contract_amended", 1, &v1).expect("a v1 amendment reads");
    let suivi_proto::Event::ContractAmended(amendment) = read else { panic!("{read:?}") };
    assert_eq!(amendment.insertion_clause, None);
    assert_eq!(amendment.new_committed_hours.map(|h| h.to_string()), Some("1050".to_owned()));
}
