//! A whole file: every record mapped, rejected or skipped, none lost, order kept.

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;

use serde_json::Value;
use suivi_proto::TenantId;
use uuid::Uuid;

use super::defaults::ImportDefaults;
use super::error::{DecpFileError, RecordError};
use super::file::{read_records, DecpRecord, RecordKind};
use super::record::{map_record, DecpAward};

/// Reason given for every concession record.
pub const CONCESSION_SKIPPED: &str = "concession, not imported";

/// The outcome of a file: each record is in exactly one list, each list in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    pub awards: Vec<DecpAward>,
    /// Records that could not be mapped, each with its id (when readable), position and fault.
    pub rejected: Vec<RecordError>,
    /// Records deliberately not imported: (record id, or `#position` when unreadable; reason).
    pub skipped: Vec<(String, String)>,
}

impl ImportReport {
    /// How many records the file held.
    pub fn total(&self) -> usize {
        self.awards.len() + self.rejected.len() + self.skipped.len()
    }
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    Award(Box<DecpAward>),
    Rejected(RecordError),
    /// (record id, or `#position` when unreadable; reason).
    Skipped(String, String),
}

/// Maps the records of one file for one tenant, remembering which contracts it has seen.
///
/// A record whose contract id (same buyer, same DECP id) was already mapped earlier in the
/// file is skipped: consolidated files repeat records, and one contract has one award. The
/// first one wins, as it is the one a first import would have recorded. This is the only
/// state kept across records: one id and one position per mapped record.
pub struct RecordMapper<'a> {
    tenant: &'a TenantId,
    defaults: &'a ImportDefaults,
    seen: HashMap<Uuid, usize>,
}

impl<'a> RecordMapper<'a> {
    pub fn new(tenant: &'a TenantId, defaults: &'a ImportDefaults) -> Self {
        RecordMapper { tenant, defaults, seen: HashMap::new() }
    }

    pub fn map(&mut self, record: DecpRecord) -> RecordOutcome {
        let label = label(&record.value, record.position);
        if record.kind == RecordKind::Concession {
            return RecordOutcome::Skipped(label, CONCESSION_SKIPPED.to_owned());
        }
        match map_record(&record.value, self.tenant, self.defaults) {
            Ok(award) => {
                if let Some(first) = self.seen.get(&award.contract_id) {
                    RecordOutcome::Skipped(label, format!("same buyer and id as record #{first}: already imported"))
                } else {
                    self.seen.insert(award.contract_id, record.position);
                    RecordOutcome::Award(Box::new(award))
                }
            }
            Err(error) => RecordOutcome::Rejected(error.at(record.position)),
        }
    }
}

/// Streams a file: each record is read, mapped and handed to `on_outcome` before the next is
/// read, so memory holds one record whatever the file's size. See [`read_records`] for the
/// shapes accepted and for a fault found midway.
pub fn import_from<R: Read>(
    reader: R,
    tenant: &TenantId,
    defaults: &ImportDefaults,
    mut on_outcome: impl FnMut(RecordOutcome) -> ControlFlow<()>,
) -> Result<(), DecpFileError> {
    let mut mapper = RecordMapper::new(tenant, defaults);
    read_records(reader, |record| on_outcome(mapper.map(record)))
}

/// Parses and maps a whole file held in memory. Only a file that is not DECP fails as a whole;
/// a bad record is rejected and the others go on.
pub fn import(json: &[u8], tenant: &TenantId, defaults: &ImportDefaults) -> Result<ImportReport, DecpFileError> {
    let mut report = ImportReport::default();
    import_from(json, tenant, defaults, |outcome| {
        match outcome {
            RecordOutcome::Award(award) => report.awards.push(*award),
            RecordOutcome::Rejected(error) => report.rejected.push(error),
            RecordOutcome::Skipped(label, reason) => report.skipped.push((label, reason)),
        }
        ControlFlow::Continue(())
    })?;
    Ok(report)
}

/// The record's `id` when it is a non-blank string, else its position.
fn label(record: &Value, position: usize) -> String {
    match record.get("id").and_then(Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_owned(),
        _ => format!("#{position}"),
    }
}
