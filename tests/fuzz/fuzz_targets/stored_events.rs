//! Any text read from the log as any event type and version: no panic, and what reads back
//! writes back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use suivi_proto::events::Event;

const TYPES: [&str; 15] = [
    "contract_awarded",
    "contract_amended",
    "contract_terminated",
    "advance_paid",
    "instalment_requested",
    "statement_reviewed",
    "instalment_approved",
    "instalment_paid",
    "contract_settled",
    "penalty_notified",
    "penalty_observations_received",
    "penalty_confirmed",
    "penalty_adjusted",
    "penalty_waived",
    "not_an_event",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let event_type = TYPES[usize::from(selector) % TYPES.len()];
    let version = u16::from(selector / 16);
    let from_text = Event::decode_str(event_type, version, text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let from_value = Event::decode(event_type, version, &value).ok();
        // What the text reader accepts, the value reader reads the same. Not the converse: a
        // text with a key written twice is refused as text, while a `Value` keeps the last one.
        if let Ok(event) = &from_text {
            assert_eq!(from_value.as_ref(), Some(event), "{event_type} v{version}");
        }
        // On one JSON document (no duplicate key), the two readers agree.
        let from_same_text = Event::decode_str(event_type, version, &value.to_string()).ok();
        assert_eq!(from_value, from_same_text, "{event_type} v{version}");
    }
    if let Ok(event) = from_text {
        suivi_fuzz::check_round_trip(&event);
    }
});
