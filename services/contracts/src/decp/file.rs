//! The shape of a DECP file, read as a stream: records are handed over one at a time, as JSON,
//! to be mapped one by one. Memory holds one record, never the file.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

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
    /// 0-based place among the file's records, in file order: names a record whose `id` is
    /// unreadable.
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

const MARCHES: &str = "marches";
const MARCHE: &str = "marche";
const CONCESSION: &str = "contrat-concession";

/// Reads a whole file into memory: for tests and small files. [`read_records`] streams.
pub fn parse_file(json: &[u8]) -> Result<DecpFile, DecpFileError> {
    let mut records = Vec::new();
    read_records(json, |record| {
        records.push(record);
        ControlFlow::Continue(())
    })?;
    Ok(DecpFile { records })
}

/// Reads the file's structure and hands each record to `on_record`, in file order, as soon as
/// it is read; `on_record` may stop the reading (`Break`), which is then not an error.
/// Accepted shapes:
///
/// - `{"marches": {"marche": [..], "contrat-concession": [..]}}` (v2 schema; either list may be
///   absent, not both). Each list is read in file order, in the order the lists are written.
/// - `{"marches": [..]}` (seen in consolidated files): a record is a concession when it has an
///   `autoriteConcedante`, a `nature` starting with "Concession" or a `_type` naming a
///   concession (2019 format); a contract otherwise.
///
/// Other top-level keys are skipped without being kept. A UTF-8 byte-order mark, which
/// spreadsheet exports add, is ignored. The reader is buffered here: pass a plain `File`.
///
/// A structural fault found after some records (the JSON is cut short, say) fails the whole
/// file *after* those records were handed over: a caller that must not act on a bad file
/// reads it once with [`check_file`] first.
pub fn read_records<R: Read>(
    reader: R,
    mut on_record: impl FnMut(DecpRecord) -> ControlFlow<()>,
) -> Result<(), DecpFileError> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let start = reader.fill_buf().map_err(|e| DecpFileError::Unreadable(e.to_string()))?;
    if start.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut sink = Sink { on_record: &mut on_record, next_position: 0, failure: None, stopped: false };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let outcome = de::Deserializer::deserialize_any(&mut deserializer, Node { sink: &mut sink, level: Level::Root })
        .and_then(|()| deserializer.end());
    let Err(error) = outcome else { return Ok(()) };
    if sink.stopped {
        return Ok(());
    }
    if let Some(failure) = sink.failure.take() {
        return Err(failure);
    }
    Err(if error.is_io() {
        DecpFileError::Unreadable(error.to_string())
    } else {
        DecpFileError::NotJson(error.to_string())
    })
}

/// Reads the whole file, keeping nothing: its structure is DECP, and how many records it holds.
pub fn check_file<R: Read>(reader: R) -> Result<usize, DecpFileError> {
    let mut count = 0;
    read_records(reader, |_| {
        count += 1;
        ControlFlow::Continue(())
    })?;
    Ok(count)
}

/// Where the records go, and what stopped the reading.
struct Sink<'f> {
    on_record: &'f mut dyn FnMut(DecpRecord) -> ControlFlow<()>,
    next_position: usize,
    /// A structural fault, kept here because serde errors carry strings only.
    failure: Option<DecpFileError>,
    /// `on_record` asked to stop.
    stopped: bool,
}

impl Sink<'_> {
    fn fail<E: de::Error>(&mut self, failure: DecpFileError) -> E {
        let message = failure.to_string();
        self.failure = Some(failure);
        E::custom(message)
    }

    fn emit<E: de::Error>(&mut self, kind: RecordKind, value: Value) -> Result<(), E> {
        let position = self.next_position;
        self.next_position += 1;
        match (self.on_record)(DecpRecord { position, kind, value }) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => {
                self.stopped = true;
                Err(E::custom("stopped by the caller"))
            }
        }
    }
}

/// Which part of the file a value is.
#[derive(Clone, Copy)]
enum Level {
    /// The document: an object with `marches`.
    Root,
    /// The value of `marches`: a flat list, or an object of lists.
    Marches,
    /// `marches.marche` or `marches.contrat-concession`.
    List(&'static str, RecordKind),
}

/// Reads one level of the file, records handed to the sink.
struct Node<'s, 'f> {
    sink: &'s mut Sink<'f>,
    level: Level,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    /// The value found where this level expects another shape.
    fn wrong<E: de::Error>(self, found: String) -> Result<(), E> {
        let failure = match self.level {
            Level::Root => DecpFileError::TopLevelNotObject(found),
            Level::Marches => DecpFileError::MarchesWrongType(found),
            Level::List(key, _) => DecpFileError::RecordListWrongType { key, found },
        };
        Err(self.sink.fail(failure))
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DECP file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let sink = self.sink;
        match self.level {
            Level::Root => {
                let mut found = false;
                while let Some(key) = map.next_key::<String>()? {
                    if key == MARCHES && !found {
                        found = true;
                        map.next_value_seed(Node { sink: &mut *sink, level: Level::Marches })?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                if !found {
                    return Err(sink.fail(DecpFileError::NoMarches));
                }
            }
            Level::Marches => {
                let mut found = false;
                while let Some(key) = map.next_key::<String>()? {
                    let level = match key.as_str() {
                        MARCHE => Level::List(MARCHE, RecordKind::Contract),
                        CONCESSION => Level::List(CONCESSION, RecordKind::Concession),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    found = true;
                    map.next_value_seed(Node { sink: &mut *sink, level })?;
                }
                if !found {
                    return Err(sink.fail(DecpFileError::NoRecordList));
                }
            }
            Level::List(..) => return Node { sink, level: self.level }.wrong("an object".to_owned()),
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.level {
            Level::Root => self.wrong("an array".to_owned()),
            Level::Marches => {
                while let Some(value) = seq.next_element::<Value>()? {
                    self.sink.emit(kind_of(&value), value)?;
                }
                Ok(())
            }
            Level::List(_, kind) => {
                while let Some(value) = seq.next_element::<Value>()? {
                    self.sink.emit(kind, value)?;
                }
                Ok(())
            }
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.wrong(describe(&Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.wrong(describe(&Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.wrong(describe(&Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.wrong(describe(&Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.wrong(describe(&Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.wrong(describe(&Value::Null))
    }
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
    fn it_reads_the_v2_lists_in_file_order() {
        let file = br#"{"marches": {"marche": [{"id": "M1"}, {"id": "M2"}], "contrat-concession": [{"id": "C"}]}}"#;
        let parsed = parse_file(file).unwrap();
        let ids: Vec<_> = parsed.records.iter().map(|r| (r.position, r.value["id"].as_str().unwrap())).collect();
        assert_eq!(ids, [(0, "M1"), (1, "M2"), (2, "C")]);
        let kinds: Vec<_> = parsed.records.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [RecordKind::Contract, RecordKind::Contract, RecordKind::Concession]);
        let reversed = br#"{"marches": {"contrat-concession": [{"id": "C"}], "marche": [{"id": "M1"}]}}"#;
        let ids: Vec<_> = parse_file(reversed).unwrap().records.iter().map(|r| r.value["id"].clone()).collect();
        assert_eq!(ids, ["C", "M1"]);
    }

    #[test]
    fn it_hands_records_over_one_at_a_time_and_stops_when_asked() {
        let file = br#"{"version": {"big": [1, 2, 3]}, "marches": [{"id": "A"}, {"id": "B"}, {"id": "C"}]}"#;
        let mut seen = Vec::new();
        read_records(&file[..], |record| {
            seen.push(record.value["id"].as_str().unwrap().to_owned());
            if seen.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(seen, ["A", "B"]);
        assert_eq!(check_file(&file[..]), Ok(3));
    }

    #[test]
    fn it_fails_a_file_cut_short_after_its_first_records() {
        let file = br#"{"marches": [{"id": "A"}, {"id": "#;
        assert!(matches!(check_file(&file[..]), Err(DecpFileError::NotJson(_))));
        assert!(matches!(check_file(&br#"{"marches": []} x"#[..]), Err(DecpFileError::NotJson(_))));
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
