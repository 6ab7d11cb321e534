//! DECP v2 import: published *données essentielles* → `contract_awarded` payloads.
//!
//! Pure: a reader in, awards and a report out. The caller opens the file, appends the events
//! and shows the report; nothing here touches a clock or a database.
//!
//! # Streaming
//!
//! A file is read as a stream ([`read_records`], [`import_from`]): each record of the
//! `marches` list is deserialized on its own, mapped and handed to the caller before the next
//! one is read, so a file of any size is imported in bounded memory. [`check_file`] reads a
//! file once without keeping anything, for a caller that refuses a structurally bad file
//! before acting on any record; [`import`] collects a small file's report in memory.
//!
//! # Why record by record
//!
//! Published DECP is often invalid ("NC" for numbers, SIRETs that fail their checksum, strings
//! outside the vocabulary). A file is checked for its structure only ([`read_records`]); then
//! each record is read from its own `serde_json::Value` ([`map_record`]), so one bad record is
//! reported with its id and field ([`RecordError`]) and the others are still imported.
//!
//! # Choices where the rules are silent
//!
//! | question | choice |
//! |---|---|
//! | contract id | UUID v5 of `"{tenant}/{acheteur.id}/{id}"` in [`DECP_NAMESPACE`] (DECP ids are unique per buyer; two tenants may list the same buyer) |
//! | concessions (`contrat-concession`) | skipped as [`CONCESSION_SKIPPED`]: not public contracts |
//! | same buyer and id twice in a file | the first is mapped, later ones skipped |
//! | SIRET failing its checksum (buyer or contractor) | record rejected ([`Problem::SiretChecksum`]) |
//! | contractor identified by TVA, TAHITI, … | record rejected: the award holds SIRETs only |
//! | several contractors | first listed is `lead`, others `co_contractor`; one alone is `sole` |
//! | company size | [`ImportDefaults::contractor_size`] (default `pme`) plus a warning on every record |
//! | advance granted, `tauxAvance` 0 or absent | no terms, a warning; [`ImportDefaults::unknown_advance_rate`] |
//! | advance guarantee and recovery | from [`ImportDefaults`] (none; proportional) |
//! | `modifications[]` | not imported (amendments are Suivi events); a warning counts them |
//! | "Marché réservé" | `reserved_basis` left empty (DECP does not give the article) with a warning |
//! | "Clause sociale" | no insertion clause (DECP has no hours) with a warning |
//! | `ccag` "Pas de CCAG" or absent | recorded as none (absent also warns) |
//! | `procedure`, `ccag`, considerations | exact DECP v2.0.3 spelling, else rejected |
//! | consideration list absent / empty | rejected / kept empty with a warning |
//! | "Pas de considération …" next to another value | rejected as contradictory |
//! | `montant` | exact decimal of the JSON number, must be > 0; a string such as "NC" is rejected |
//! | `dureeMois` | whole number ≥ 1 (`12.0` and `"12"` rejected) |
//! | `null` | read as absent |
//! | control character in a string (NUL, escape…) | rejected; `objet` may hold line feeds and tabs |
//! | `montant` below 1 | rejected (schema `minimum: 1`) |
//! | `lieuExecution`, `offresRecues`, `nature`, `formePrix`, `marcheInnovant`, … | not imported, but checked against the schema when present (`schema.rs`): a violation rejects the record |
//! | a field the schema `require`s but the award does not need, absent | tolerated |
//! | keys the schema does not know (`additionalProperties`) | ignored, but `acheteur.nom` |
//! | `acheteur.nom` (DECP v1, still often published) | the buyer's name, for the tenant's list of buyers (`buyer.rs`); not a string, a control character or over 250 characters: left out with a warning |
//! | an `id` of the form `S` + 15 hexadecimal digits (what Suivi's export writes, `export.rs`) | the tenant's contract of that buyer and notification date whose id ends with them, if there is one (the import looks it up) |
//! | `modifications` | must be an array when present (`[]` tolerated); its items are not checked |

mod advance;
mod buyer;
mod codes;
mod considerations;
mod contractors;
mod defaults;
mod error;
mod export;
mod fields;
mod file;
mod import;
mod record;
mod schema;
mod vocabulary;

pub use buyer::BUYER_NAME_MAX_CHARS;
pub use defaults::ImportDefaults;
pub use error::{DecpFileError, Problem, RecordError};
pub use export::{export_id, exported_suffix, record as export_record};
pub use file::{check_file, parse_file, read_records, DecpFile, DecpRecord, RecordKind};
pub use import::{import, import_from, ImportReport, RecordMapper, RecordOutcome, CONCESSION_SKIPPED};
pub use record::{contract_id, map_record, DecpAward, DECP_NAMESPACE};
