//! Realistic values of every event and message, as a contractor, a facilitator or finance
//! would produce them for a public-works contract of an intercommunality.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use suivi_proto::codes::{CpvCode, ParticipantCode, Siret};
use suivi_proto::events::*;
use suivi_proto::messages::{PaidItem, PaymentReportedV1};
use suivi_proto::{Actor, ActorKind, EventEnvelope, LogPosition, TenantId};
use uuid::Uuid;

/// A decimal, an amount, hours or a share, as the context asks: `dec("60.00")`.
pub fn dec<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Display,
{
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub fn contract_id() -> Uuid {
    Uuid::parse_str("0192f0c4-5b7e-7a3c-9d1e-3f4a5b6c7d8e").expect("a UUID v7")
}

fn period(start: &str, end: &str) -> Period {
    Period { start: date(start), end: date(end) }
}

fn pseudonym(seed: char) -> Beneficiary {
    let code = ParticipantCode::parse(&seed.to_ascii_uppercase().to_string().repeat(8)).expect("8 code characters");
    Beneficiary::Participant { code }
}

/// A 1.2 M€ works contract with an insertion clause of 1 000 h and an advance.
pub fn contract_awarded() -> ContractAwardedV1 {
    ContractAwardedV1 {
        buyer_siret: Siret::parse("20004869500015").expect("SIRET"),
        buyer_kind: BuyerKind::LocalAuthority,
        contractors: vec![
            Contractor {
                siret: Siret::parse("73282932000074").expect("SIRET"),
                size: CompanySize::Pme,
                role: ContractorRole::Lead,
            },
            Contractor {
                siret: Siret::parse("44306184100047").expect("SIRET"),
                size: CompanySize::Tpe,
                role: ContractorRole::CoContractor,
            },
        ],
        object: "Réhabilitation du gymnase communautaire — lot 2 gros œuvre".to_owned(),
        cpv_code: CpvCode::parse("45212222-8").expect("CPV"),
        procedure: "Appel d'offres ouvert".to_owned(),
        ccag: Some("Travaux".to_owned()),
        lot: Some(Lot { number: 2, title: "Gros œuvre".to_owned() }),
        amount_ht: dec("1200000.00"),
        vat_rate: dec("0.20"),
        duration_months: 18,
        notification_date: date("2024-03-15"),
        social_considerations: vec![SocialConsideration::ClauseSociale],
        environmental_considerations: vec![EnvironmentalConsideration::CritereEnvironnemental],
        reserved_basis: None,
        insertion_clause: Some(InsertionClause {
            committed_hours: dec("1000"),
            penalty_terms: PenaltyTerms {
                rate: PenaltyRate::Fixed { amount_per_hour_ht: dec("60.00") },
                basis: HoursBasis::Validated,
                tolerance_share: dec("0.05"),
                cap_share: Some(dec("0.2")),
                exemption_threshold_ht: Some(dec("1000.00")),
                pro_rata_on_termination: true,
            },
        }),
        advance_terms: Some(AdvanceTerms {
            rate: dec("0.10"),
            with_guarantee: false,
            recovery: AdvanceRecovery::Thresholds { start_share: dec("0.65"), end_share: Some(dec("0.80")) },
        }),
        payment_term_days: 30,
    }
}

/// A reserved contract with a SMIC-based penalty, proportional recovery and no lot.
pub fn reserved_contract_awarded() -> ContractAwardedV1 {
    ContractAwardedV1 {
        buyer_kind: BuyerKind::Hospital,
        contractors: vec![Contractor {
            siret: Siret::parse("35600000052135").expect("La Poste SIRET"),
            size: CompanySize::Ge,
            role: ContractorRole::Sole,
        }],
        object: "Entretien des espaces verts".to_owned(),
        cpv_code: CpvCode::parse("77310000").expect("CPV without check digit"),
        procedure: "Procédure adaptée".to_owned(),
        ccag: None,
        lot: None,
        amount_ht: dec("85000"),
        vat_rate: dec("0.2"),
        duration_months: 24,
        social_considerations: vec![SocialConsideration::MarcheReserve, SocialConsideration::ClauseSociale],
        environmental_considerations: vec![EnvironmentalConsideration::PasDeConsiderationEnvironnementale],
        reserved_basis: Some(ReservedBasis::Insertion),
        insertion_clause: Some(InsertionClause {
            committed_hours: dec("420.5"),
            penalty_terms: PenaltyTerms {
                rate: PenaltyRate::SmicMultiple { multiple: dec("5"), reference_date: None },
                basis: HoursBasis::Declared,
                tolerance_share: dec("0"),
                cap_share: None,
                exemption_threshold_ht: None,
                pro_rata_on_termination: false,
            },
        }),
        advance_terms: Some(AdvanceTerms {
            rate: dec("0.25"),
            with_guarantee: false,
            recovery: AdvanceRecovery::Proportional {},
        }),
        payment_term_days: 50,
        ..contract_awarded()
    }
}

pub fn instalment_requested() -> InstalmentRequestedV2 {
    InstalmentRequestedV2 {
        number: 3,
        period: period("2024-06-01", "2024-06-30"),
        cumulative_value_ht: dec("412500.00"),
        received_on: date("2024-07-03"),
        statement: HourStatement {
            lines: vec![
                StatementLine {
                    line_id: 1,
                    beneficiary: pseudonym('a'),
                    category: EligibleCategory::LongTermJobseeker,
                    modality: InsertionModality::DirectHire,
                    hours: dec("151.67"),
                    period: period("2024-06-01", "2024-06-30"),
                },
                StatementLine {
                    line_id: 2,
                    beneficiary: pseudonym('7'),
                    category: EligibleCategory::YoungLowQualification,
                    modality: InsertionModality::TemporaryWorkEtti,
                    hours: dec("72"),
                    period: period("2024-06-10", "2024-06-21"),
                },
            ],
        },
    }
}

/// Every event type at least once (the award twice: full and minimal settings).
pub fn events() -> Vec<Event> {
    vec![
        contract_awarded().into(),
        reserved_contract_awarded().into(),
        ContractAmendedV2 {
            amendment_number: 1,
            signed_on: date("2024-09-02"),
            new_amount_ht: Some(dec("1260000.00")),
            new_duration_months: Some(20),
            new_committed_hours: Some(dec("1050")),
            insertion_clause: None,
            reason: "Travaux supplémentaires de désamiantage".to_owned(),
        }
        .into(),
        ContractAmendedV2 {
            amendment_number: 2,
            signed_on: date("2024-11-12"),
            new_amount_ht: None,
            new_duration_months: Some(22),
            new_committed_hours: None,
            insertion_clause: None,
            reason: "Prolongation pour intempéries".to_owned(),
        }
        .into(),
        ContractTerminatedV1 {
            terminated_on: date("2025-02-28"),
            value_executed_ht: dec("930000.00"),
            reason: "Résiliation pour motif d'intérêt général".to_owned(),
        }
        .into(),
        AdvancePaidV1 {
            amount_ttc: dec("96000.00"),
            paid_on: date("2024-04-10"),
            with_guarantee: false,
            finance_reference: "MDT-2024-001873".to_owned(),
        }
        .into(),
        instalment_requested().into(),
        InstalmentRequestedV2 { statement: HourStatement { lines: vec![] }, ..instalment_requested() }.into(),
        StatementReviewedV1 {
            instalment_number: 3,
            decisions: vec![
                LineDecision { line_id: 1, decision: Decision::Validated {} },
                LineDecision {
                    line_id: 2,
                    decision: Decision::Rejected { reason: "Relevé d'heures ETTI manquant".to_owned() },
                },
            ],
        }
        .into(),
        InstalmentApprovedV1 {
            number: 3,
            gross_ttc: dec("165000.00"),
            advance_recovery_ttc: dec("0.00"),
            other_deductions_ttc: dec("0.00"),
            net_to_pay_ttc: dec("165000.00"),
            approved_on: date("2024-07-12"),
        }
        .into(),
        InstalmentPaidV1 {
            number: 3,
            amount_ttc: dec("165000.00"),
            paid_on: date("2024-08-05"),
            finance_reference: "MDT-2024-004512".to_owned(),
        }
        .into(),
        ContractSettledV1 { final_amount_ht: dec("1248312.40"), settled_on: date("2025-06-20") }.into(),
        PenaltyNotifiedV1 { amount_ht: dec("9000.00"), notified_on: date("2025-06-25"), observation_days: 15 }.into(),
        PenaltyObservationsReceivedV1 {
            observations: "Deux salariés en insertion ont été recrutés en CDI.\nNous demandons la remise.".to_owned(),
            received_on: date("2025-07-08"),
        }
        .into(),
        PenaltyConfirmedV1 { amount_ht: dec("9000.00"), reason: None, decided_on: date("2025-07-15") }.into(),
        PenaltyConfirmedV1 {
            amount_ht: dec("9000.00"),
            reason: Some("Observations du titulaire examinées".to_owned()),
            decided_on: date("2025-07-15"),
        }
        .into(),
        PenaltyAdjustedV1 {
            amount_ht: dec("4500.00"),
            reason: "Heures de formation reconnues après coup".to_owned(),
            decided_on: date("2025-07-16"),
        }
        .into(),
        PenaltyWaivedV1 {
            reason: "Défaillance de la structure d'insertion partenaire".to_owned(),
            decided_on: date("2025-07-16"),
        }
        .into(),
        FactCorrectedV1 {
            correction: Correction::SettlementDate { settled_on: date("2025-06-30") },
            corrected_on: date("2025-07-01"),
            reason: "Date du décompte mal saisie".to_owned(),
        }
        .into(),
        FactCorrectedV1 {
            correction: Correction::ReceptionDate { number: 1, received_on: date("2024-05-02") },
            corrected_on: date("2025-07-01"),
            reason: "Date de réception du courrier".to_owned(),
        }
        .into(),
        FactCorrectedV1 {
            correction: Correction::InstalmentWithdrawn { number: 3 },
            corrected_on: date("2025-07-01"),
            reason: "Demande saisie deux fois".to_owned(),
        }
        .into(),
    ]
}

pub fn payment_reported() -> PaymentReportedV1 {
    PaymentReportedV1 {
        contract_id: contract_id(),
        item: PaidItem::Instalment { number: 3 },
        amount_ttc: dec("165000.00"),
        paid_on: date("2024-08-05"),
        finance_reference: "MDT-2024-004512".to_owned(),
    }
}

/// Every finance message variant.
pub fn payments_reported() -> Vec<PaymentReportedV1> {
    vec![
        payment_reported(),
        PaymentReportedV1 { item: PaidItem::Advance {}, amount_ttc: dec("96000.00"), ..payment_reported() },
    ]
}

/// A stored event as the relay publishes it.
pub fn envelope(event: &Event) -> EventEnvelope {
    EventEnvelope {
        event_id: Uuid::parse_str("0192f0c4-6a00-7b11-8c22-d33e44f55a66").expect("UUID v7"),
        stream_id: contract_id(),
        stream_version: 4,
        log_position: LogPosition { transaction_id: 918_273, position: 120_456 },
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        occurred_at: instant("2024-07-03T09:12:45.123456Z"),
        recorded_at: instant("2024-07-03T09:12:45.201Z"),
        tenant: TenantId::parse("grand-besancon").expect("tenant"),
        actor: Actor { kind: ActorKind::Facilitator, id: "tok_7f3a9c".to_owned() },
        correlation_id: Uuid::parse_str("0192f0c4-69ff-7000-8000-000000000001").expect("UUID"),
        causation_id: Some(Uuid::parse_str("0192f0c4-69ff-7000-8000-000000000002").expect("UUID")),
        payload: event.to_payload(),
    }
}

/// The envelope as JSON, as it travels.
pub fn envelope_json(event: &Event) -> Value {
    serde_json::to_value(envelope(event)).expect("an envelope serialises")
}
