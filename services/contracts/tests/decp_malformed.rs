//! Invalid DECP as published in the wild (`tests/fixtures/decp_*.json`): each bad record is
//! reported with its id and reason while the good records of the same file still map.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use rust_decimal::Decimal;
use suivi_contracts::decp::{
    import, map_record, parse_file, DecpFileError, ImportDefaults, ImportReport, Problem, RecordError,
    CONCESSION_SKIPPED,
};
use suivi_proto::events::{AdvanceRecovery, AdvanceTerms, BuyerKind, ContractorRole, SocialConsideration};
use suivi_proto::text::{InvalidText, TextShape};
use suivi_proto::TenantId;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rennes() -> TenantId {
    TenantId::parse("rennes").unwrap()
}

fn rejected(id: Option<&str>, position: usize, field: &str, problem: Problem) -> RecordError {
    RecordError { id: id.map(str::to_owned), position: Some(position), field: field.to_owned(), problem }
}

const NATURES: &[&str] = &["Marché", "Marché de partenariat", "Marché de défense ou de sécurité"];
const LIEUX: &[&str] = &[
    "Code postal",
    "Code commune",
    "Code arrondissement",
    "Code canton",
    "Code département",
    "Code région",
    "Code pays",
];

fn unknown(value: &str, allowed: &'static [&'static str]) -> Problem {
    Problem::UnknownVocabulary { value: value.to_owned(), allowed }
}

fn wrong_type(expected: &'static str, found: &str) -> Problem {
    Problem::WrongType { expected, found: found.to_owned() }
}

#[test]
fn it_reports_each_bad_record_with_its_id_and_reason() {
    let report = import(&fixture("decp_malformed_records.json"), &rennes(), &ImportDefaults::default()).unwrap();

    let social = Problem::UnknownVocabulary {
        value: "Insertion professionnelle".into(),
        allowed: &["Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale"],
    };
    assert_eq!(
        report.rejected,
        [
            rejected(Some("2024-NC-MONTANT"), 1, "montant", wrong_type("a number", "the string \"NC\"")),
            rejected(Some("2024-STR-DUREE"), 2, "dureeMois", wrong_type("a whole number", "the string \"24\"")),
            rejected(Some("2024-NO-CPV"), 3, "codeCPV", Problem::Missing),
            rejected(Some("2024-BAD-SIRET"), 4, "acheteur.id", Problem::InvalidSiret("2435001390".into())),
            rejected(
                Some("2024-LUHN"),
                5,
                "titulaires[0].titulaire.id",
                Problem::SiretChecksum("73282932000075".into())
            ),
            rejected(
                Some("2024-TVA"),
                6,
                "titulaires[0].titulaire.typeIdentifiant",
                Problem::UnsupportedIdentifier("TVA".into())
            ),
            rejected(Some("2024-SOCIAL"), 7, "considerationsSociales.considerationSociale[0]", social),
            rejected(Some("2024-DATE"), 8, "dateNotification", Problem::InvalidDate("01/03/2024".into())),
            rejected(Some("2024-ZERO"), 9, "montant", Problem::NotPositive("0".into())),
            rejected(None, 10, "", Problem::NotAnObject("the string \"pas un marché\"".into())),
            rejected(None, 11, "id", wrong_type("a string", "the number 42")),
            // Fields the award does not hold, checked against the DECP schema all the same.
            rejected(Some("2024-INNOVANT"), 14, "marcheInnovant", wrong_type("true or false", "the string \"non\"")),
            rejected(
                Some("2024-ID-DE-21-CHARSXX"),
                15,
                "id",
                Problem::OutOfRange { rule: "at most 16 characters", found: "21 characters".into() }
            ),
            rejected(Some("2024-NATURE"), 16, "nature", unknown("Accord-cadre", NATURES)),
            rejected(Some("2024-FORME"), 17, "formePrix", unknown("Global", &["Unitaire", "Forfaitaire", "Mixte"])),
            rejected(Some("2024-OFFRES"), 18, "offresRecues", Problem::NotPositive("0".into())),
            rejected(Some("2024-LIEU"), 19, "lieuExecution.typeCode", unknown("Commune", LIEUX)),
            rejected(Some("2024-TECHNIQUE"), 20, "techniques.technique[1]", Problem::Duplicate("Concours".into())),
            rejected(
                Some("2024-ORIGINE"),
                21,
                "origineFrance",
                Problem::OutOfRange { rule: "a fraction between 0 and 1", found: "1.2".into() }
            ),
            rejected(
                Some("2024-CENTIMES"),
                22,
                "montant",
                Problem::OutOfRange { rule: "at least 1", found: "0.5".into() }
            ),
            rejected(Some("2024-PUBLIE"), 23, "datePublicationDonnees", Problem::InvalidDate("10/03/2024".into())),
            rejected(Some("2024-SOUSTRAIT"), 24, "sousTraitanceDeclaree", wrong_type("true or false", "the number 1")),
        ]
    );
    assert_eq!(
        report.rejected[11].to_string(),
        "DECP record \"2024-INNOVANT\" (#14): `marcheInnovant`: expected true or false, found the string \"non\""
    );
    assert_eq!(
        report.rejected[0].to_string(),
        "DECP record \"2024-NC-MONTANT\" (#1): `montant`: expected a number, found the string \"NC\""
    );
}

#[test]
fn it_still_maps_the_good_records_of_a_bad_file() {
    let report = import(&fixture("decp_malformed_records.json"), &rennes(), &ImportDefaults::default()).unwrap();

    let ids: Vec<&str> = report.awards.iter().map(|a| a.decp_id.as_str()).collect();
    assert_eq!(ids, ["2024-OK-1", "2024-OK-2"]);
    let first = &report.awards[0].award;
    assert_eq!(first.amount_ht.amount(), Decimal::new(8_499_950, 2));
    assert_eq!(first.ccag.as_deref(), Some("Fournitures courantes et services"));
    assert_eq!(first.social_considerations, [SocialConsideration::PasDeConsiderationSociale]);
    assert_eq!(first.advance_terms, None);

    let second = &report.awards[1];
    assert_eq!(second.award.ccag, None, "\"Pas de CCAG\"");
    let roles: Vec<_> = second.award.contractors.iter().map(|c| (c.siret.as_str(), c.role)).collect();
    assert_eq!(roles, [("38103128500491", ContractorRole::Lead), ("38103128500574", ContractorRole::CoContractor)]);
    assert_eq!(
        second.award.advance_terms,
        Some(AdvanceTerms {
            rate: suivi_proto::Share::new(Decimal::new(3, 1)).unwrap(),
            with_guarantee: false,
            recovery: AdvanceRecovery::Proportional {}
        })
    );
    assert_eq!(second.award.reserved_basis, None);
    assert!(second.warnings.iter().any(|w| w.starts_with("reserved contract: its legal basis")));
    assert!(second.warnings.contains(&"2 modifications not imported: record amendments in Suivi".to_owned()));
}

#[test]
fn it_puts_every_record_in_exactly_one_list() {
    let report = import(&fixture("decp_malformed_records.json"), &rennes(), &ImportDefaults::default()).unwrap();

    assert_eq!((report.awards.len(), report.rejected.len(), report.skipped.len()), (2, 22, 1));
    assert_eq!(report.total(), parse_file(&fixture("decp_malformed_records.json")).unwrap().records.len());
    // The last record repeats the buyer and id of the first.
    assert_eq!(
        report.skipped,
        [("2024-OK-1".to_owned(), "same buyer and id as record #0: already imported".to_owned())]
    );
    assert_eq!(report.awards[0].award.object, "Entretien des espaces verts", "the first one wins");
}

#[test]
fn it_imports_the_same_bytes_twice_identically() {
    let bytes = fixture("decp_malformed_records.json");
    let defaults = ImportDefaults::default();

    let first = import(&bytes, &rennes(), &defaults).unwrap();
    let second = import(&bytes, &rennes(), &defaults).unwrap();

    let ids = |r: &ImportReport| r.awards.iter().map(|a| a.contract_id).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
    assert_eq!(first, second);
}

#[test]
fn it_reads_a_flat_marches_list_and_skips_its_concessions() {
    let report = import(&fixture("decp_flat_marches.json"), &rennes(), &ImportDefaults::default()).unwrap();

    let ids: Vec<&str> = report.awards.iter().map(|a| a.decp_id.as_str()).collect();
    assert_eq!(ids, ["2023-FLAT-1"]);
    assert_eq!(report.rejected, []);
    assert_eq!(report.skipped, [("2023-CONC-1".to_owned(), CONCESSION_SKIPPED.to_owned())]);
}

#[test]
fn it_applies_the_buyer_defaults_to_every_award() {
    let defaults = ImportDefaults::for_buyer_kind(BuyerKind::Hospital);
    let report = import(&fixture("decp_flat_marches.json"), &rennes(), &defaults).unwrap();

    let award = &report.awards[0].award;
    assert_eq!((award.buyer_kind, award.payment_term_days), (BuyerKind::Hospital, 50));
}

#[test]
fn it_refuses_a_file_that_is_not_json() {
    let error = import(&fixture("decp_not_json.json"), &rennes(), &ImportDefaults::default()).unwrap_err();
    assert!(matches!(&error, DecpFileError::NotJson(message) if message.contains("line 1")), "{error}");
}

#[test]
fn it_refuses_a_file_without_marches() {
    assert_eq!(
        import(&fixture("decp_no_marches.json"), &rennes(), &ImportDefaults::default()),
        Err(DecpFileError::NoMarches)
    );
}

#[test]
fn it_refuses_a_record_that_is_not_an_object() {
    let error = map_record(&serde_json::json!(["TEST2022"]), &rennes(), &ImportDefaults::default()).unwrap_err();
    assert_eq!(
        error,
        RecordError {
            id: None,
            position: None,
            field: String::new(),
            problem: Problem::NotAnObject("an array".into())
        }
    );
}

#[test]
fn it_rejects_a_record_whose_text_holds_a_control_character_and_imports_the_others() {
    let flat: serde_json::Value = serde_json::from_slice(&fixture("decp_flat_marches.json")).unwrap();
    let good = flat["marches"][0].clone();
    let with = |id: &str, key: &str, value: &str| {
        let mut record = good.clone();
        record["id"] = id.into();
        record[key] = value.into();
        record
    };
    let file = serde_json::json!({ "marches": { "marche": [
        with("2024-NUL", "objet", "Entretien des espaces verts\u{0}"),
        with("2024-LIGNES", "objet", "Entretien des espaces verts\n\tlot 1 : tontes"),
        with("2024-ESC", "objet", "\u{1b}[2JEntretien"),
        with("2024-ID\u{0}", "objet", "Entretien"),
        with("2024-PROC", "procedure", "Procédure\nadaptée"),
    ] } });
    let report = import(&serde_json::to_vec(&file).unwrap(), &rennes(), &ImportDefaults::default()).unwrap();

    let ids: Vec<&str> = report.awards.iter().map(|a| a.decp_id.as_str()).collect();
    assert_eq!(ids, ["2024-LIGNES"], "line feeds and tabs are allowed in `objet`");
    assert_eq!(report.awards[0].award.object, "Entretien des espaces verts\n\tlot 1 : tontes");
    let control = |shape, character, index| Problem::ControlCharacter(InvalidText { shape, character, index });
    assert_eq!(
        report.rejected,
        [
            rejected(Some("2024-NUL"), 0, "objet", control(TextShape::MultiLine, '\0', 27)),
            rejected(Some("2024-ESC"), 2, "objet", control(TextShape::MultiLine, '\u{1b}', 0)),
            rejected(Some("2024-ID\0"), 3, "id", control(TextShape::SingleLine, '\0', 7)),
            rejected(Some("2024-PROC"), 4, "procedure", control(TextShape::SingleLine, '\n', 9)),
        ]
    );
    assert_eq!(
        report.rejected[0].to_string(),
        "DECP record \"2024-NUL\" (#0): `objet`: control character U+0000 at character 28: \
         text may hold line feeds and tabs but no other control character"
    );
}
