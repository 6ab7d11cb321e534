//! Fields with a fixed syntax: SIRET, CPV code, date. Each reuses the wire contract's own
//! parser so an imported award is exactly as strict as one sent by a client.

use chrono::NaiveDate;
use serde_json::Value;
use suivi_proto::codes::{CpvCode, Siret};

use super::error::{Problem, RecordError};
use super::fields::Fields;

/// A SIRET with a valid checksum (Luhn, or La Poste's rule).
///
/// Published DECP holds SIRETs that fail the check (typos, test data). Such a record is
/// rejected rather than imported with a warning: the SIRET is how a contractor signs in to
/// declare hours and how indicators count firms, and an establishment that cannot exist
/// would be an orphan. The report names it so the buyer can correct the source.
pub(crate) fn siret(fields: &Fields<'_>, key: &str) -> Result<Siret, RecordError> {
    let raw = fields.string(key)?;
    let siret = Siret::parse(raw).map_err(|_| fields.fail(key, Problem::InvalidSiret(raw.to_owned())))?;
    if !siret.has_valid_checksum() {
        return Err(fields.fail(key, Problem::SiretChecksum(raw.to_owned())));
    }
    Ok(siret)
}

/// A CPV code, with or without its check digit (the schema tolerates both).
pub(crate) fn cpv(fields: &Fields<'_>, key: &str) -> Result<CpvCode, RecordError> {
    let raw = fields.string(key)?;
    CpvCode::parse(raw).map_err(|_| fields.fail(key, Problem::InvalidCpv(raw.to_owned())))
}

/// A calendar date written exactly `YYYY-MM-DD` (no time, no offset: `2024-05-15+02:00`
/// appears in published data and is refused, as the wire contract refuses it).
pub(crate) fn date(fields: &Fields<'_>, key: &str) -> Result<NaiveDate, RecordError> {
    let raw = fields.string(key)?;
    suivi_proto::date::deserialize(Value::String(raw.to_owned()))
        .map_err(|_| fields.fail(key, Problem::InvalidDate(raw.to_owned())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn with<T>(value: Value, read: impl Fn(&Fields<'_>) -> Result<T, RecordError>) -> Result<T, Problem> {
        let record = json!({ "x": value });
        read(&Fields::record(Some("R"), record.as_object().unwrap())).map_err(|e| e.problem)
    }

    #[test]
    fn it_refuses_malformed_sirets_and_failed_checksums_differently() {
        assert!(with(json!("73282932000074"), |f| siret(f, "x")).is_ok());
        assert!(with(json!("35600000052135"), |f| siret(f, "x")).is_ok(), "La Poste's rule");
        assert_eq!(
            with(json!("73282932000075"), |f| siret(f, "x")),
            Err(Problem::SiretChecksum("73282932000075".into()))
        );
        assert_eq!(with(json!("732 829 320"), |f| siret(f, "x")), Err(Problem::InvalidSiret("732 829 320".into())));
        assert!(matches!(with(json!(73282932000074_u64), |f| siret(f, "x")), Err(Problem::WrongType { .. })));
    }

    #[test]
    fn it_reads_cpv_codes_with_or_without_check_digit() {
        assert_eq!(with(json!("45000000-7"), |f| cpv(f, "x")).unwrap().as_str(), "45000000-7");
        assert_eq!(with(json!("45112500"), |f| cpv(f, "x")).unwrap().as_str(), "45112500");
        assert_eq!(with(json!("4500000"), |f| cpv(f, "x")), Err(Problem::InvalidCpv("4500000".into())));
    }

    #[test]
    fn it_reads_only_plain_dates() {
        assert_eq!(with(json!("2024-05-15"), |f| date(f, "x")), Ok(NaiveDate::from_ymd_opt(2024, 5, 15).unwrap()));
        for bad in ["2024-05-15+02:00", "15/05/2024", "2023-02-29"] {
            assert_eq!(with(json!(bad), |f| date(f, "x")), Err(Problem::InvalidDate(bad.into())), "{bad}");
        }
    }
}
