//! The shape of a DECP file, checked once; records are left as JSON, to be mapped one by one.

use serde_json::{Map, Value};

use super::error::DecpFileError;
use super::fields::describe;

/// A DECP file split into records, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct DecpFile {
    pub records: Vec<DecpRecord>,
}

/// One record of the file, unchecked.
#[derive(Debug, Clone, PartialEq)]
pub struct DecpRecord {
    /// 0-based place in [`DecpFile::records`]: names a record whose `id` is unreadable.
    pub position: usize,
    pub kind: RecordKind,
    pub value: Value,
}

/// What a record is, as far as the file's structure tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A public contract (`marche`): mapped to an award.
    Contract,
    /// A concession contract (`contrat-concession`): no buyer, amount or advance in the sense
    /// of a public contract, and outside the clauses Suivi follows; reported as skipped.
    Concession,
}

const MARCHE: &str = "marche";
const CONCESSION: &str = "contrat-concession";

/// Reads the file's structure. Accepted shapes:
///
/// - `{"marches": {"marche": [..], "contrat-concession": [..]}}` (v2 schema; either list may be
///   absent, not both). Contracts come first, then concessions, each list in file order: the
///   JSON object does not keep the order of its keys.
/// - `{"marches": [..]}` (seen in consolidated files): a record is a concession when it has an
///   `autoriteConcedante`, a `nature` starting with "Concession" or a `_type` naming a
///   concession (2019 format); a contract otherwise.
///
/// A UTF-8 byte-order mark, which spreadsheet exports add, is ignored.
pub fn parse_file(json: &[u8]) -> Result<DecpFile, DecpFileError> {
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    let root: Value = serde_json::from_slice(json).map_err(|e| DecpFileError::NotJson(e.to_string()))?;
    let Value::Object(mut root) = root else {
        return Err(DecpFileError::TopLevelNotObject(describe(&root)));
    };
    let records: Vec<(RecordKind, Value)> = match root.remove("marches").ok_or(DecpFileError::NoMarches)? {
        Value::Array(items) => items.into_iter().map(|v| (kind_of(&v), v)).collect(),
        Value::Object(lists) => by_list(lists)?,
        other => return Err(DecpFileError::MarchesWrongType(describe(&other))),
    };
    let records =
        records.into_iter().enumerate().map(|(position, (kind, value))| DecpRecord { position, kind, value }).collect();
    Ok(DecpFile { records })
}

fn by_list(mut lists: Map<String, Value>) -> Result<Vec<(RecordKind, Value)>, DecpFileError> {
    if !lists.contains_key(MARCHE) && !lists.contains_key(CONCESSION) {
        return Err(DecpFileError::NoRecordList);
    }
    let mut records = Vec::new();
    for (key, kind) in [(MARCHE, RecordKind::Contract), (CONCESSION, RecordKind::Concession)] {
        match lists.remove(key) {
            None => {}
            Some(Value::Array(items)) => records.extend(items.into_iter().map(|v| (kind, v))),
            Some(other) => return Err(DecpFileError::RecordListWrongType { key, found: describe(&other) }),
        }
    }
    Ok(records)
}

fn kind_of(record: &Value) -> RecordKind {
    if looks_like_concession(record) {
        RecordKind::Concession
    } else {
        RecordKind::Contract
    }
}

/// In a flat list, a concession has an `autoriteConcedante` where a contract has an `acheteur`;
/// `nature` and `_type` catch records that lack both.
fn looks_like_concession(record: &Value) -> bool {
    let text = |key| record.get(key).and_then(Value::as_str).unwrap_or_default();
    record.get("autoriteConcedante").is_some()
        || text("nature").starts_with("Concession")
        || text("_type").to_lowercase().contains("concession")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn kinds(json: &Value) -> Vec<RecordKind> {
        parse_file(json.to_string().as_bytes()).unwrap().records.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn it_reads_the_v2_lists_contracts_first() {
        let file = json!({"marches": {"contrat-concession": [{"id": "C"}], "marche": [{"id": "M1"}, {"id": "M2"}]}});
        let parsed = parse_file(file.to_string().as_bytes()).unwrap();
        let ids: Vec<_> = parsed.records.iter().map(|r| (r.position, r.value["id"].as_str().unwrap())).collect();
        assert_eq!(ids, [(0, "M1"), (1, "M2"), (2, "C")]);
        assert_eq!(kinds(&file), [RecordKind::Contract, RecordKind::Contract, RecordKind::Concession]);
    }

    #[test]
    fn it_reads_a_flat_list_telling_concessions_apart() {
        let file = json!({"marches": [
            {"id": "M", "acheteur": {"id": "x"}},
            {"id": "C1", "autoriteConcedante": {"id": "x"}},
            {"id": "C2", "nature": "Concession de service"},
            {"id": "C3", "_type": "Contrat de concession"},
            "not a record",
        ]});
        use RecordKind::*;
        assert_eq!(kinds(&file), [Contract, Concession, Concession, Concession, Contract]);
    }

    #[test]
    fn it_ignores_a_byte_order_mark() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(br#"{"marches": {"marche": []}}"#);
        assert_eq!(parse_file(&bytes).unwrap().records, []);
    }

    #[test]
    fn it_refuses_files_without_the_decp_structure() {
        assert!(matches!(parse_file(b"<marches/>"), Err(DecpFileError::NotJson(_))));
        assert_eq!(parse_file(b"[]"), Err(DecpFileError::TopLevelNotObject("an array".into())));
        assert_eq!(parse_file(br#"{"marche": []}"#), Err(DecpFileError::NoMarches));
        assert_eq!(parse_file(br#"{"marches": "x"}"#), Err(DecpFileError::MarchesWrongType("the string \"x\"".into())));
        assert_eq!(parse_file(br#"{"marches": {}}"#), Err(DecpFileError::NoRecordList));
        assert_eq!(
            parse_file(br#"{"marches": {"marche": {"id": "1"}}}"#),
            Err(DecpFileError::RecordListWrongType { key: "marche", found: "an object".into() })
        );
    }
}
