use suivi_domain::{Command, DomainError};
use suivi_proto::events::*;
use suivi_proto::quantities::{Hours, Share};

use crate::support::fixtures::*;
use crate::support::given;

/// Awards `award` to a blank contract and expects `error`.
#[track_caller]
fn refused(award: ContractAwardedV1, error: DomainError) {
    given([]).when(Command::Award(award)).then_err(error);
}

fn out_of_range(field: &str, value: &str, range: &'static str) -> DomainError {
    DomainError::OutOfRange { field: field.to_owned(), value: dec(value), range }
}

fn clause(edit: impl FnOnce(&mut InsertionClause)) -> ContractAwardedV1 {
    let mut award = award();
    edit(award.insertion_clause.as_mut().unwrap());
    award
}

fn recovery(start: &str, end: Option<&str>) -> ContractAwardedV1 {
    let mut award = award();
    award.advance_terms.as_mut().unwrap().recovery =
        AdvanceRecovery::Thresholds { start_share: dec(start), end_share: end.map(dec) };
    award
}

#[test]
fn it_awards_a_contract() {
    given([]).when(Command::Award(award())).then([awarded()]);
}

#[test]
fn it_awards_a_group_led_by_la_poste_with_a_hospital_term_and_no_clause_nor_advance() {
    let award = ContractAwardedV1 {
        buyer_kind: BuyerKind::Hospital,
        payment_term_days: 50,
        contractors: vec![
            Contractor { siret: siret(LA_POSTE), size: CompanySize::Ge, role: ContractorRole::Lead },
            Contractor { siret: siret(CO_CONTRACTOR), size: CompanySize::Tpe, role: ContractorRole::CoContractor },
        ],
        insertion_clause: None,
        advance_terms: None,
        ..award()
    };
    given([]).when(Command::Award(award.clone())).then([award.into()]);
}

#[test]
fn it_accepts_a_payment_term_shorter_than_the_legal_maximum() {
    let award = ContractAwardedV1 { payment_term_days: 20, ..award() };
    given([]).when(Command::Award(award.clone())).then([award.into()]);
}

#[test]
fn it_accepts_recovery_without_an_end_bound_and_an_advance_rate_not_stated() {
    let mut award = recovery("0.65", None);
    award.advance_terms.as_mut().unwrap().rate = dec("0");
    given([]).when(Command::Award(award.clone())).then([award.into()]);
}

#[test]
fn it_refuses_to_award_twice() {
    given([awarded()]).when(Command::Award(award())).then_err(DomainError::AlreadyAwarded);
}

#[test]
fn it_refuses_a_buyer_siret_failing_its_checksum() {
    refused(
        ContractAwardedV1 { buyer_siret: siret(BAD_CHECKSUM), ..award() },
        DomainError::InvalidSiretChecksum { field: "buyer_siret".to_owned(), siret: siret(BAD_CHECKSUM) },
    );
}

#[test]
fn it_refuses_a_contractor_siret_failing_its_checksum() {
    let mut award = award();
    award.contractors[0].siret = siret(BAD_CHECKSUM);
    refused(
        award,
        DomainError::InvalidSiretChecksum { field: "contractors[0].siret".to_owned(), siret: siret(BAD_CHECKSUM) },
    );
}

#[test]
fn it_refuses_a_contract_without_contractor() {
    refused(ContractAwardedV1 { contractors: vec![], ..award() }, DomainError::NoContractor);
}

#[test]
fn it_refuses_a_contractor_listed_twice() {
    let lead = Contractor { siret: siret(CONTRACTOR), size: CompanySize::Pme, role: ContractorRole::Lead };
    let again = Contractor { role: ContractorRole::CoContractor, ..lead.clone() };
    refused(
        ContractAwardedV1 { contractors: vec![lead, again], ..award() },
        DomainError::DuplicateContractor { index: 1, siret: siret(CONTRACTOR) },
    );
}

#[test]
fn it_refuses_roles_other_than_one_sole_or_one_lead_with_co_contractors() {
    let contractor = |siret_text: &str, role| Contractor { siret: siret(siret_text), size: CompanySize::Pme, role };
    for contractors in [
        vec![contractor(CONTRACTOR, ContractorRole::Lead)],
        vec![contractor(CONTRACTOR, ContractorRole::Sole), contractor(CO_CONTRACTOR, ContractorRole::CoContractor)],
        vec![contractor(CONTRACTOR, ContractorRole::Lead), contractor(CO_CONTRACTOR, ContractorRole::Lead)],
    ] {
        refused(ContractAwardedV1 { contractors, ..award() }, DomainError::InvalidContractorRoles);
    }
}

#[test]
fn it_refuses_a_blank_object_procedure_or_ccag() {
    let blank = |field: &str| DomainError::BlankText { field: field.to_owned() };
    refused(ContractAwardedV1 { object: "  ".to_owned(), ..award() }, blank("object"));
    refused(ContractAwardedV1 { procedure: String::new(), ..award() }, blank("procedure"));
    refused(ContractAwardedV1 { ccag: Some(String::new()), ..award() }, blank("ccag"));
}

#[test]
fn it_refuses_no_consideration_combined_with_a_consideration() {
    let social = vec![SocialConsideration::ClauseSociale, SocialConsideration::PasDeConsiderationSociale];
    refused(
        ContractAwardedV1 { social_considerations: social, ..award() },
        DomainError::ContradictoryConsiderations { field: "social_considerations".to_owned() },
    );
    let environmental = vec![
        EnvironmentalConsideration::PasDeConsiderationEnvironnementale,
        EnvironmentalConsideration::ClauseEnvironnementale,
    ];
    refused(
        ContractAwardedV1 { environmental_considerations: environmental, ..award() },
        DomainError::ContradictoryConsiderations { field: "environmental_considerations".to_owned() },
    );
}

#[test]
fn it_refuses_an_amount_that_is_zero_too_large_or_not_in_cents() {
    refused(
        ContractAwardedV1 { amount_ht: dec("0"), ..award() },
        DomainError::NotPositive { field: "amount_ht".to_owned(), value: dec("0") },
    );
    refused(
        ContractAwardedV1 { amount_ht: dec("1000000000000.01"), ..award() },
        out_of_range("amount_ht", "1000000000000.01", "0 to 1000000000000"),
    );
    refused(
        ContractAwardedV1 { amount_ht: dec("1000.005"), ..award() },
        DomainError::NotInCents { field: "amount_ht".to_owned(), value: dec("1000.005") },
    );
}

#[test]
fn it_refuses_a_vat_rate_of_100_percent() {
    refused(ContractAwardedV1 { vat_rate: dec("1"), ..award() }, out_of_range("vat_rate", "1", "[0, 1)"));
}

#[test]
fn it_refuses_a_duration_of_zero_months() {
    refused(
        ContractAwardedV1 { duration_months: 0, ..award() },
        DomainError::NotPositive { field: "duration_months".to_owned(), value: dec("0") },
    );
}

/// 4 294 967 295 months was once accepted, with an end date no wire format can write.
#[test]
fn it_refuses_a_duration_over_a_hundred_years() {
    for months in [1201, u32::MAX] {
        refused(
            ContractAwardedV1 { duration_months: months, ..award() },
            out_of_range("duration_months", &months.to_string(), "1 to 1200"),
        );
    }
    let longest = ContractAwardedV1 { duration_months: 1200, ..award() };
    given([]).when(Command::Award(longest.clone())).then([longest.into()]);
}

#[test]
fn it_refuses_a_notification_date_in_the_future() {
    refused(
        ContractAwardedV1 { notification_date: date("2025-07-01"), ..award() },
        DomainError::DateInFuture {
            field: "notification_date".to_owned(),
            date: date("2025-07-01"),
            today: date(TODAY),
        },
    );
}

#[test]
fn it_refuses_negative_committed_hours_and_penalty_rates() {
    let negative = |field: &str, value: &str| DomainError::Negative { field: field.to_owned(), value: dec(value) };
    // Negative hours cannot even be built: the edge refuses them when it parses the request.
    assert!(Hours::new(dec("-1")).is_none());
    assert!("-1".parse::<Hours>().is_err());
    refused(
        clause(|c| c.penalty_terms.rate = PenaltyRate::Fixed { amount_per_hour_ht: dec("-60") }),
        negative("insertion_clause.penalty_terms.rate.amount_per_hour_ht", "-60"),
    );
    refused(
        clause(|c| c.penalty_terms.rate = PenaltyRate::SmicMultiple { multiple: dec("-2"), reference_date: None }),
        DomainError::OutOfRange {
            field: "insertion_clause.penalty_terms.rate.multiple".to_owned(),
            value: dec("-2"),
            range: "(0, 10]",
        },
    );
    refused(
        clause(|c| c.penalty_terms.exemption_threshold_ht = Some(dec("-1000"))),
        negative("insertion_clause.penalty_terms.exemption_threshold_ht", "-1000"),
    );
}

#[test]
fn it_refuses_tolerance_and_cap_shares_outside_their_range() {
    // A share above 1 cannot even be built: the edge refuses it when it parses the request.
    assert!(Share::new(dec("1.5")).is_none());
    assert!("1.5".parse::<Share>().is_err());
    refused(
        clause(|c| c.penalty_terms.cap_share = Some(dec("0"))),
        out_of_range("insertion_clause.penalty_terms.cap_share", "0", "(0, 1]"),
    );
}

#[test]
fn it_refuses_advance_rates_and_thresholds_outside_zero_to_one() {
    // Such shares cannot even be built: the edge refuses them when it parses the request.
    for outside in ["1.2", "-0.1", "1.1"] {
        assert!(Share::new(dec(outside)).is_none(), "{outside}");
        assert!(outside.parse::<Share>().is_err(), "{outside}");
    }
    for inside in ["0", "0.65", "1"] {
        assert_eq!(Share::new(dec(inside)), Some(dec(inside)), "{inside}");
    }
}

#[test]
fn it_refuses_recovery_that_ends_before_it_starts() {
    refused(
        recovery("0.8", Some("0.65")),
        DomainError::RecoveryThresholdsInverted { start_share: dec("0.8"), end_share: Some(dec("0.65")) },
    );
    refused(recovery("1", None), DomainError::RecoveryThresholdsInverted { start_share: dec("1"), end_share: None });
}

#[test]
fn it_refuses_a_payment_term_of_zero_days() {
    refused(
        ContractAwardedV1 { payment_term_days: 0, ..award() },
        DomainError::NotPositive { field: "payment_term_days".to_owned(), value: dec("0") },
    );
}

#[test]
fn it_refuses_a_payment_term_longer_than_the_legal_maximum_for_the_buyer() {
    refused(
        ContractAwardedV1 { payment_term_days: 50, ..award() },
        DomainError::PaymentTermAboveLegalMaximum { days: 50, maximum: 30, buyer_kind: BuyerKind::LocalAuthority },
    );
}

#[test]
fn it_refuses_every_other_command_before_the_award() {
    given([]).when(Command::Amend(amendment(1))).then_err(DomainError::NotAwarded);
    given([]).when(approve(1)).then_err(DomainError::NotAwarded);
    given([]).when(Command::WaivePenalty(waived("x"))).then_err(DomainError::NotAwarded);
}

/// Committed hours paid at the SMIC cannot cost more than the whole contract: 1 000 000 € HT at
/// 11.65 €/h (the SMIC on the notification date, 2024-03-01) holds 85 836.90 h at most.
#[test]
fn it_refuses_committed_hours_no_contract_amount_could_pay() {
    refused(
        clause(|c| c.committed_hours = dec("85837")),
        DomainError::ImplausibleCommittedHours {
            field: "insertion_clause.committed_hours".to_owned(),
            committed: dec("85837"),
            maximum: dec("85836.90"),
        },
    );
    given([]).when(Command::Award(clause(|c| c.committed_hours = dec("85836")))).then([ContractAwardedV1 {
        insertion_clause: Some(InsertionClause { committed_hours: dec("85836"), ..award().insertion_clause.unwrap() }),
        ..award()
    }
    .into()]);
}

#[test]
fn it_refuses_a_smic_multiple_above_ten_or_of_zero() {
    for multiple in ["10.01", "0"] {
        refused(
            clause(|c| {
                c.penalty_terms.rate = PenaltyRate::SmicMultiple { multiple: dec(multiple), reference_date: None }
            }),
            out_of_range("insertion_clause.penalty_terms.rate.multiple", multiple, "(0, 10]"),
        );
    }
}
