//! Any body sent to a command: read as the edge reads it (a refusal is a complete problem),
//! then decided on a contract awarded and running (a refusal is a complete problem; what is
//! accepted survives the wire and applies).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use suivi_domain::participants::assume_registered;
use suivi_domain::{decide, Command, Contract};
use suivi_fuzz::{apply_all, check_problem, check_refusal, context};
use suivi_http::json::parse;
use suivi_proto::events::{
    AdvancePaidV1, ContractAmendedV2, ContractAwardedV1, ContractTerminatedV1, FactCorrectedV1, InstalmentRequestedV2,
    StatementReviewedV1,
};

const AWARD: &str = include_str!("../seeds/bodies/award.json");
const INSTALMENT: &str = include_str!("../seeds/bodies/instalment.json");

fn read<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    parse::<T>(bytes).map_err(|problem| check_problem(&problem)).ok()
}

/// Awarded, with the first instalment requested: most commands have something to act on.
fn running() -> Contract {
    let mut state = Contract::default();
    let context = context();
    for body in [AWARD, INSTALMENT] {
        let command = match state.awarded() {
            None => Command::Award(parse(body.as_bytes()).unwrap_or_else(|p| panic!("seed award: {p:?}"))),
            Some(_) => Command::RequestInstalment(parse(body.as_bytes()).unwrap_or_else(|p| panic!("seed: {p:?}"))),
        };
        // The participants the seed names are in the register, eligible.
        let context = context.clone().with_participants(assume_registered(&state, &command));
        let events = decide(&state, command, &context).unwrap_or_else(|e| panic!("seed refused: {e:?}"));
        apply_all(&mut state, &events);
    }
    state
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let command = match selector % 7 {
        0 => read::<ContractAwardedV1>(body).map(Command::Award),
        1 => read::<ContractAmendedV2>(body).map(Command::Amend),
        2 => read::<ContractTerminatedV1>(body).map(Command::Terminate),
        3 => read::<AdvancePaidV1>(body).map(Command::RecordAdvancePaid),
        4 => read::<InstalmentRequestedV2>(body).map(Command::RequestInstalment),
        5 => read::<StatementReviewedV1>(body).map(Command::ReviewStatement),
        _ => read::<FactCorrectedV1>(body).map(Command::CorrectFact),
    };
    let Some(command) = command else { return };
    let mut state = if selector % 7 == 0 { Contract::default() } else { running() };
    // Whatever participants a statement names are registered and eligible: what is fuzzed is
    // the rest of the rules.
    let context = context().with_participants(assume_registered(&state, &command));
    match decide(&state, command, &context) {
        Ok(events) => apply_all(&mut state, &events),
        Err(error) => check_refusal(&error),
    }
});
