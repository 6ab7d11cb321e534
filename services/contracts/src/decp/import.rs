//! A whole file: every record mapped, rejected or skipped, none lost, order kept.

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::defaults::ImportDefaults;
use super::error::{DecpFileError, RecordError};
use super::file::{parse_file, RecordKind};
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

/// Parses and maps a whole file. Only a file that is not DECP fails as a whole; a bad record
/// is rejected and the others go on.
///
/// A record whose contract id (same buyer, same DECP id) was already mapped earlier in the
/// file is skipped: consolidated files repeat records, and one contract has one award. The
/// first one wins, as it is the one a first import would have recorded.
pub fn import(json: &[u8], defaults: &ImportDefaults) -> Result<ImportReport, DecpFileError> {
    let file = parse_file(json)?;
    let mut report = ImportReport::default();
    let mut seen: HashMap<Uuid, String> = HashMap::new();
    for record in file.records {
        let label = label(&record.value, record.position);
        if record.kind == RecordKind::Concession {
            report.skipped.push((label, CONCESSION_SKIPPED.to_owned()));
            continue;
        }
        match map_record(&record.value, defaults) {
            Ok(award) => {
                if let Some(first) = seen.get(&award.contract_id) {
                    report.skipped.push((label, format!("same buyer and id as record {first}: already imported")));
                } else {
                    seen.insert(award.contract_id, format!("#{}", record.position));
                    report.awards.push(award);
                }
            }
            Err(error) => report.rejected.push(error.at(record.position)),
        }
    }
    Ok(report)
}

/// The record's `id` when it is a non-blank string, else its position.
fn label(record: &Value, position: usize) -> String {
    match record.get("id").and_then(Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_owned(),
        _ => format!("#{position}"),
    }
}
