//! Any text read from the log as any event type and version: no panic, and what reads back
//! writes back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use suivi_proto::events::Event;

const TYPES: [&str; 13] = [
    "contract_awarded",
    "contract_amended",
    "contract_terminated",
    "advance_paid",
    "instalment_requested",
    "statement_reviewed",
    "instalment_approved",
    "instalment_paid",
    "contract_settled",
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
        // The two readers agree on what they accept.
        let from_value = Event::decode(event_type, version, &value);
        assert_eq!(from_text.is_ok(), from_value.is_ok(), "{event_type} v{version}: {from_text:?} / {from_value:?}");
    }
    if let Ok(event) = from_text {
        suivi_fuzz::check_round_trip(&event);
    }
});
