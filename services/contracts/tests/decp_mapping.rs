//! The official DECP v2.0.3 examples (vendored in `tests/data/decp/`) through the importer.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_contracts::decp::{
    contract_id, import, ImportDefaults, ImportReport, Problem, RecordError, CONCESSION_SKIPPED,
};
use suivi_proto::events::{
    BuyerKind, CompanySize, ContractAwardedV1, ContractorRole, EnvironmentalConsideration, SocialConsideration,
};
use suivi_proto::{Payload, TenantId};
use uuid::Uuid;

/// The official files, vendored in the repository (`tests/data/decp/`, see its README).
fn official(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/decp").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn paris() -> TenantId {
    TenantId::parse("paris").unwrap()
}

fn import_official(name: &str) -> ImportReport {
    import(&official(name), &paris(), &ImportDefaults::default()).unwrap()
}

/// The id of `TEST2022Bis` imported by tenant `paris` (also what Python's
/// `uuid.uuid5(DECP_NAMESPACE, "paris/21750001630040/TEST2022Bis")` gives): if it changes,
/// every contract imported before would be duplicated by a re-import.
const TEST2022BIS_CONTRACT_ID: &str = "a359a275-3c3e-5816-a505-18766ed3bd9d";

#[test]
fn it_maps_the_official_example_to_an_award() {
    let report = import_official("marches_avec_modifications.json");

    assert_eq!(report.awards.len(), 1);
    let mapped = &report.awards[0];
    assert_eq!(mapped.decp_id, "TEST2022Bis");
    let award = &mapped.award;
    assert_eq!(award.buyer_siret.as_str(), "21750001630040");
    assert_eq!(award.buyer_kind, BuyerKind::LocalAuthority);
    assert_eq!(award.object, "envoi pour Json test 2");
    assert_eq!(award.cpv_code.as_str(), "45000000-7");
    assert_eq!(award.procedure, "Appel d'offres ouvert");
    assert_eq!(award.ccag.as_deref(), Some("Travaux"));
    assert_eq!(award.amount_ht.amount(), Decimal::new(575_000, 0));
    assert_eq!(award.vat_rate.value(), Decimal::new(20, 2));
    assert_eq!(award.duration_months, 48);
    assert_eq!(award.notification_date, NaiveDate::from_ymd_opt(2024, 5, 15).unwrap());
    assert_eq!(award.payment_term_days, 30);
    assert_eq!(award.contractors.len(), 1);
    let contractor = &award.contractors[0];
    assert_eq!(
        (contractor.siret.as_str(), contractor.role, contractor.size),
        ("55204599900869", ContractorRole::Sole, CompanySize::Pme)
    );
    assert_eq!(award.social_considerations, [SocialConsideration::ClauseSociale, SocialConsideration::CritereSocial]);
    assert_eq!(award.environmental_considerations, [EnvironmentalConsideration::ClauseEnvironnementale]);
    assert_eq!(award.reserved_basis, None);
    assert_eq!(award.insertion_clause, None);
    assert_eq!(award.lot, None);
    // `attributionAvance: true` with `tauxAvance: 0`: granted at an unknown rate.
    assert_eq!(award.advance_terms, None);
    assert_eq!(mapped.buyer_name, None, "DECP v2 names the buyer by its SIRET only");
    assert_eq!(
        mapped.warnings,
        [
            "company size is not in DECP: every contractor recorded as pme, to be checked",
            "advance granted at an unknown rate (`tauxAvance` 0 or absent): no advance terms",
            "social clause: insertion hours and penalty terms are not in DECP, to be completed if it is one",
            "1 modification not imported: record amendments in Suivi",
        ]
    );
}

/// `acheteur.nom`, DECP v1's field that many files still publish, names the buyer; the award is
/// the same with or without it (the event has no place for a name).
#[test]
fn it_reads_the_buyers_name_beside_the_award_when_the_record_gives_one() {
    let mut example: serde_json::Value = serde_json::from_slice(&official("marches_avec_modifications.json")).unwrap();
    for record in example["marches"]["marche"].as_array_mut().unwrap() {
        record["acheteur"]["nom"] = "Ville de Paris".into();
    }
    let named = import(&serde_json::to_vec(&example).unwrap(), &paris(), &ImportDefaults::default()).unwrap();
    assert_eq!(named.awards[0].buyer_name.as_deref(), Some("Ville de Paris"));
    let unnamed = import_official("marches_avec_modifications.json");
    assert_eq!(named.awards[0].award, unnamed.awards[0].award);
    assert_eq!(named.awards[0].warnings, unnamed.awards[0].warnings);
}

#[test]
fn it_rejects_the_official_example_whose_buyer_siret_fails_its_checksum() {
    let report = import_official("marches_avec_modifications.json");

    // 21750001630066 has 14 digits but fails Luhn (and is not La Poste's).
    assert_eq!(
        report.rejected,
        [RecordError {
            id: Some("TEST2022".into()),
            position: Some(0),
            field: "acheteur.id".into(),
            problem: Problem::SiretChecksum("21750001630066".into()),
        }]
    );
    assert_eq!(report.skipped, []);
    assert_eq!(report.total(), 2);
}

#[test]
fn it_skips_the_official_concessions_and_maps_the_contracts_beside_them() {
    let report = import_official("marches_concessions.json");

    let ids: Vec<&str> = report.awards.iter().map(|a| a.decp_id.as_str()).collect();
    assert_eq!(ids, ["TEST2022Bis"]);
    let rejected: Vec<_> = report.rejected.iter().map(|e| (e.id.as_deref(), e.position, e.field.as_str())).collect();
    // The file lists its concessions first: positions follow the file.
    assert_eq!(rejected, [(Some("TEST2022"), Some(2), "acheteur.id")]);
    assert_eq!(
        report.skipped,
        [
            ("0612202306122024".to_owned(), CONCESSION_SKIPPED.to_owned()),
            ("0612202306122023".to_owned(), CONCESSION_SKIPPED.to_owned()),
        ]
    );
}

#[test]
fn it_gives_the_same_contract_id_on_every_import() {
    let first = import_official("marches_avec_modifications.json");
    let second = import_official("marches_avec_modifications.json");
    let other_file = import_official("marches_concessions.json");

    let id = first.awards[0].contract_id;
    assert_eq!(id, second.awards[0].contract_id);
    assert_eq!(id, other_file.awards[0].contract_id, "same buyer and DECP id, same contract");
    assert_eq!(id, contract_id(&paris(), "21750001630040", "TEST2022Bis"));
    assert_eq!(id.get_version_num(), 5);
    assert_eq!(id, Uuid::parse_str(TEST2022BIS_CONTRACT_ID).unwrap());
    assert_eq!(first, second);
}
#[test]
fn it_gives_each_tenant_its_own_contract_for_the_same_buyer_and_id() {
    let bytes = official("marches_avec_modifications.json");
    let defaults = ImportDefaults::default();
    let commune = import(&bytes, &paris(), &defaults).unwrap();
    let metropole = import(&bytes, &TenantId::parse("grand-paris").unwrap(), &defaults).unwrap();

    let (a, b) = (commune.awards[0].contract_id, metropole.awards[0].contract_id);
    assert_ne!(a, b, "same buyer SIRET and DECP id in two tenants: two contracts");
    assert_eq!(commune.awards[0].award, metropole.awards[0].award);
    let old_scheme = Uuid::new_v5(&uuid::uuid!("9b45e041-7e0b-4f3a-b2b3-6075ba5a3d0a"), b"21750001630040/TEST2022Bis");
    assert!(a != old_scheme && b != old_scheme);
}

#[test]
fn it_produces_awards_the_wire_contract_reads_back() {
    let report = import_official("marches_avec_modifications.json");

    for mapped in &report.awards {
        let json = mapped.award.to_json();
        assert_eq!(json["amount_ht"], "575000");
        assert_eq!(ContractAwardedV1::decode(1, &json).unwrap(), mapped.award);
    }
}
