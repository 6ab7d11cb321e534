//! A 1 000 000 € HT works contract notified on 2024-03-01 for 12 months, with an insertion
//! clause of 1 000 h and an advance of 10 % recovered between 65 % and 80 %; and the events of
//! its life. Instalment `n` covers calendar month n of the contract (1 = March 2024).
#![allow(dead_code)]

use chrono::{Days, Months, NaiveDate};
use suivi_domain::{Command, DatedRates, References};
use suivi_proto::codes::{CpvCode, ParticipantCode, Siret};
use suivi_proto::events::*;
use suivi_proto::Event;

/// The day decisions are taken unless a test says otherwise.
pub const TODAY: &str = "2025-06-30";
pub const BUYER: &str = "20004869500015";
pub const CONTRACTOR: &str = "73282932000074";
pub const CO_CONTRACTOR: &str = "44306184100047";
/// 14 digits, but the Luhn checksum fails.
pub const BAD_CHECKSUM: &str = "73282932000075";
/// La Poste: fails Luhn, passes La Poste's own rule.
pub const LA_POSTE: &str = "35600000052135";

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

/// The tests' own reference tables (the production ones are the database's `reference_rates`):
/// gross hourly SMIC in euros, ECB main refinancing rate as a fraction of 1.
pub fn references() -> References {
    let table = |rows: &[(&str, &str)]| {
        DatedRates::new(rows.iter().map(|(from, value)| (date(from), dec(value))).collect())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    References {
        smic: table(&[
            ("2023-01-01", "11.27"),
            ("2023-05-01", "11.52"),
            ("2024-01-01", "11.65"),
            ("2024-11-01", "11.88"),
        ]),
        ecb: table(&[("2023-09-20", "0.045"), ("2024-06-12", "0.0425"), ("2024-09-18", "0.0365")]),
    }
}

pub fn siret(text: &str) -> Siret {
    Siret::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The participant named by `seed`, e.g. `P0000097` for `'a'`.
pub fn code(seed: char) -> ParticipantCode {
    ParticipantCode::parse(&format!("P{:07}", u32::from(seed))).unwrap_or_else(|e| panic!("{e}"))
}

pub fn person(seed: char) -> Beneficiary {
    Beneficiary::Participant { code: code(seed) }
}

pub fn period(start: &str, end: &str) -> Period {
    Period { start: date(start), end: date(end) }
}

pub fn award() -> ContractAwardedV1 {
    ContractAwardedV1 {
        buyer_siret: siret(BUYER),
        buyer_kind: BuyerKind::LocalAuthority,
        contractors: vec![Contractor { siret: siret(CONTRACTOR), size: CompanySize::Pme, role: ContractorRole::Sole }],
        object: "Réhabilitation du gymnase communautaire".to_owned(),
        cpv_code: CpvCode::parse("45212222-8").unwrap_or_else(|e| panic!("{e}")),
        procedure: "Appel d'offres ouvert".to_owned(),
        ccag: Some("Travaux".to_owned()),
        lot: None,
        amount_ht: dec("1000000.00"),
        vat_rate: dec("0.20"),
        duration_months: 12,
        notification_date: date("2024-03-01"),
        social_considerations: vec![SocialConsideration::ClauseSociale],
        environmental_considerations: vec![EnvironmentalConsideration::PasDeConsiderationEnvironnementale],
        reserved_basis: None,
        insertion_clause: Some(InsertionClause {
            committed_hours: dec("1000"),
            penalty_terms: PenaltyTerms {
                rate: PenaltyRate::Fixed { amount_per_hour_ht: dec("60.00") },
                basis: HoursBasis::Validated,
                tolerance_share: dec("0"),
                cap_share: Some(dec("0.2")),
                exemption_threshold_ht: None,
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

pub fn awarded() -> Event {
    award().into()
}

/// The same contract with other advance terms.
pub fn awarded_with_advance(rate: &str, recovery: AdvanceRecovery) -> Event {
    ContractAwardedV1 {
        advance_terms: Some(AdvanceTerms { rate: dec(rate), with_guarantee: false, recovery }),
        ..award()
    }
    .into()
}

/// Amendment `number`, signed in June 2024, raising the amount to 1 100 000 € HT.
pub fn amendment(number: u32) -> ContractAmendedV2 {
    ContractAmendedV2 {
        amendment_number: number,
        signed_on: date("2024-06-03"),
        new_amount_ht: Some(dec("1100000.00")),
        new_duration_months: None,
        new_committed_hours: None,
        insertion_clause: None,
        reason: "Travaux supplémentaires de désamiantage".to_owned(),
    }
}

/// Terminated on 2024-09-30 with 600 000 € HT executed.
pub fn termination() -> ContractTerminatedV1 {
    ContractTerminatedV1 {
        terminated_on: date("2024-09-30"),
        value_executed_ht: dec("600000.00"),
        reason: "Résiliation pour motif d'intérêt général".to_owned(),
    }
}

pub fn advance(amount_ttc: &str) -> AdvancePaidV1 {
    AdvancePaidV1 {
        amount_ttc: dec(amount_ttc),
        paid_on: date("2024-03-20"),
        with_guarantee: false,
        finance_reference: "MDT-2024-001873".to_owned(),
    }
}

/// First day of the contract's month `n` (1 = March 2024).
pub fn month_start(n: u32) -> NaiveDate {
    date("2024-03-01") + Months::new(n - 1)
}

pub fn month_end(n: u32) -> NaiveDate {
    month_start(n + 1) - Days::new(1)
}

pub fn received_on(n: u32) -> NaiveDate {
    month_end(n) + Days::new(3)
}

pub fn approved_on(n: u32) -> NaiveDate {
    received_on(n) + Days::new(7)
}

/// Instalment `n`, covering month `n`, without statement lines.
pub fn request(n: u32, cumulative_value_ht: &str) -> InstalmentRequestedV2 {
    InstalmentRequestedV2 {
        number: n,
        period: Period { start: month_start(n), end: month_end(n) },
        cumulative_value_ht: dec(cumulative_value_ht),
        received_on: received_on(n),
        statement: HourStatement { lines: vec![] },
    }
}

pub fn request_with(n: u32, cumulative_value_ht: &str, lines: Vec<StatementLine>) -> InstalmentRequestedV2 {
    InstalmentRequestedV2 { statement: HourStatement { lines }, ..request(n, cumulative_value_ht) }
}

pub fn line(line_id: u32, who: char, hours: &str, start: &str, end: &str) -> StatementLine {
    StatementLine {
        line_id,
        beneficiary: person(who),
        category: EligibleCategory::LongTermJobseeker,
        modality: InsertionModality::DirectHire,
        hours: dec(hours),
        period: period(start, end),
    }
}

/// A line covering the whole of the contract's month `n`.
pub fn month_line(line_id: u32, who: char, hours: &str, n: u32) -> StatementLine {
    StatementLine {
        period: Period { start: month_start(n), end: month_end(n) },
        ..line(line_id, who, hours, "2024-03-01", "2024-03-01")
    }
}

pub fn validated(line_id: u32) -> LineDecision {
    LineDecision { line_id, decision: Decision::Validated {} }
}

pub fn rejected(line_id: u32, reason: &str) -> LineDecision {
    LineDecision { line_id, decision: Decision::Rejected { reason: reason.to_owned() } }
}

pub fn review(instalment_number: u32, decisions: Vec<LineDecision>) -> StatementReviewedV1 {
    StatementReviewedV1 { instalment_number, decisions }
}

/// Approve instalment `n` a week after receipt, without other deductions.
pub fn approve(n: u32) -> Command {
    approve_with(n, "0")
}

pub fn approve_with(n: u32, other_deductions_ttc: &str) -> Command {
    Command::ApproveInstalment {
        number: n,
        approved_on: approved_on(n),
        other_deductions_ttc: dec(other_deductions_ttc),
    }
}

/// What [`approve`] decides: gross, advance recovery, net (no other deduction).
pub fn approved(n: u32, gross: &str, recovery: &str, net: &str) -> Event {
    approved_with(n, gross, recovery, "0", net)
}

pub fn approved_with(n: u32, gross: &str, recovery: &str, other: &str, net: &str) -> Event {
    InstalmentApprovedV1 {
        number: n,
        gross_ttc: dec(gross),
        advance_recovery_ttc: dec(recovery),
        other_deductions_ttc: dec(other),
        net_to_pay_ttc: dec(net),
        approved_on: approved_on(n),
    }
    .into()
}

pub fn paid(n: u32, amount_ttc: &str) -> InstalmentPaidV1 {
    InstalmentPaidV1 {
        number: n,
        amount_ttc: dec(amount_ttc),
        paid_on: approved_on(n) + Days::new(10),
        finance_reference: format!("MDT-2024-{n:06}"),
    }
}

pub fn settlement() -> ContractSettledV1 {
    ContractSettledV1 { final_amount_ht: dec("1000000.00"), settled_on: date("2025-04-15") }
}

/// The proposal notified to the contractor three days after the settlement, with the default
/// 15 days for observations (until 2025-05-03).
pub fn notified(amount_ht: &str) -> PenaltyNotifiedV1 {
    PenaltyNotifiedV1 { amount_ht: dec(amount_ht), notified_on: date("2025-04-18"), observation_days: 15 }
}

pub fn observations(received_on: &str) -> PenaltyObservationsReceivedV1 {
    PenaltyObservationsReceivedV1 {
        observations: "Deux salariés en insertion ont été embauchés en CDI.".to_owned(),
        received_on: date(received_on),
    }
}

pub fn confirmed(amount_ht: &str) -> PenaltyConfirmedV1 {
    PenaltyConfirmedV1 { amount_ht: dec(amount_ht), reason: None, decided_on: date("2025-05-20") }
}

pub fn adjusted(amount_ht: &str, reason: &str) -> PenaltyAdjustedV1 {
    PenaltyAdjustedV1 { amount_ht: dec(amount_ht), reason: reason.to_owned(), decided_on: date("2025-05-20") }
}

pub fn waived(reason: &str) -> PenaltyWaivedV1 {
    PenaltyWaivedV1 { reason: reason.to_owned(), decided_on: date("2025-05-20") }
}
