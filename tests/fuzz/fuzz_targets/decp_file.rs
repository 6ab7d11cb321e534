//! Any file given to `suivi import decp`: read as a stream of records, each mapped to an award
//! and decided; a bad file or record is reported, never a panic.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use suivi_contracts::decp::{map_record, read_records, ImportDefaults, RecordKind};
use suivi_domain::{decide, Command, Contract};
use suivi_fuzz::{apply_all, check_refusal, context};
use suivi_proto::events::BuyerKind;
use suivi_proto::TenantId;

fuzz_target!(|data: &[u8]| {
    let tenant = TenantId::parse("fuzz").unwrap_or_else(|e| panic!("{e}"));
    let defaults = ImportDefaults::for_buyer_kind(BuyerKind::LocalAuthority);
    let outcome = read_records(data, |record| {
        if record.kind == RecordKind::Contract {
            if let Ok(mapped) = map_record(&record.value, &tenant, &defaults) {
                let mut state = Contract::default();
                match decide(&state, Command::Award(mapped.award), &context()) {
                    Ok(events) => apply_all(&mut state, &events),
                    Err(error) => check_refusal(&error),
                }
            }
        }
        ControlFlow::Continue(())
    });
    if let Err(error) = outcome {
        assert!(!error.to_string().is_empty());
    }
});
