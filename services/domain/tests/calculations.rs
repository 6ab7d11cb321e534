//! The projector's calculations against figures computed by hand: penalty proposals, advance
//! recovery, late-payment interest. Every expected figure is written out literally, with the
//! arithmetic in a comment, so a reviewer can redo each row with a pencil.
//!
//! Penalty rows build a real contract: every command of its history goes through `decide` (so
//! the history is one the rules accept) and the events are folded by `Contract::from_events`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use suivi_domain::advance_recovery::{executed_share, instalment_recovery, RecoveryInput, RecoveryPace};
use suivi_domain::late_payment::{late_payment, LatePaymentInput};
use suivi_domain::participants::assume_registered;
use suivi_domain::penalty::{propose_penalty, PenaltyProposal};
use suivi_domain::reference::{DatedRates, NoValueInForce, ReferenceTable};
use suivi_domain::{decide, AwardedContract, Command, Contract, DecisionContext, References};
use suivi_proto::codes::{CpvCode, ParticipantCode, Siret};
use suivi_proto::events::*;
use suivi_proto::quantities::{Hours, MoneyTtc};
use suivi_proto::Event;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The day every decision of these histories is taken.
const TODAY: &str = "2026-06-30";

/// A decimal, an amount, hours or a share, as the context asks.
fn dec<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Display,
{
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Hours and unrounded amounts may be repeating decimals (6000/11 h): compared at 10 decimals.
fn approx(value: Decimal) -> Decimal {
    value.round_dp(10)
}

/// The gross hourly SMIC from August 2022 (décrets and arrêtés of the Journal officiel), euros:
/// the tests' own table (the production one is the `reference_rates` table).
fn smic() -> DatedRates {
    DatedRates::new(vec![
        (date("2022-08-01"), dec("11.07")),
        (date("2023-01-01"), dec("11.27")),
        (date("2023-05-01"), dec("11.52")),
        (date("2024-01-01"), dec("11.65")),
        (date("2024-11-01"), dec("11.88")),
        (date("2026-01-01"), dec("12.02")),
    ])
    .unwrap()
}

/// The ECB main refinancing operations rates from September 2023 (ECB press releases; the
/// production table is the `reference_rates` table), as fractions of 1.
fn ecb() -> DatedRates {
    DatedRates::new(vec![
        (date("2023-09-20"), dec("0.0450")),
        (date("2024-06-12"), dec("0.0425")),
        (date("2024-09-18"), dec("0.0365")),
        (date("2024-10-23"), dec("0.0340")),
        (date("2024-12-18"), dec("0.0315")),
        (date("2025-02-05"), dec("0.0290")),
        (date("2025-03-12"), dec("0.0265")),
        (date("2025-04-23"), dec("0.0240")),
        (date("2025-06-11"), dec("0.0215")),
    ])
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Penalty proposals
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Rate {
    /// € HT per missing hour.
    Fixed(&'static str),
    /// (multiple, reference date; `None` = the notification date).
    Smic(&'static str, Option<&'static str>),
}

/// A contract of 1 000 000 € HT for 24 months and what happened to it. Its one instalment
/// covers the calendar month after the notification and declares `validated` + `rejected`
/// hours, reviewed accordingly; then the contract is terminated (if so) and settled.
#[derive(Debug, Clone, Copy)]
struct Scenario {
    notified: &'static str,
    committed: &'static str,
    rate: Rate,
    basis: HoursBasis,
    tolerance: &'static str,
    cap: Option<&'static str>,
    exemption: Option<&'static str>,
    pro_rata: bool,
    /// An amendment: (new amount HT, new committed hours).
    amended: Option<(&'static str, Option<&'static str>)>,
    /// Terminated with this value executed HT.
    terminated_at: Option<&'static str>,
    validated: &'static str,
    rejected: &'static str,
    /// The settlement's final amount HT.
    final_amount: &'static str,
}

const BASE: Scenario = Scenario {
    notified: "2024-03-01",
    committed: "1000",
    rate: Rate::Fixed("60.00"),
    basis: HoursBasis::Validated,
    tolerance: "0",
    cap: Some("0.2"),
    exemption: None,
    pro_rata: true,
    amended: None,
    terminated_at: None,
    validated: "1000",
    rejected: "0",
    final_amount: "1000000.00",
};

/// Every step of the proposal, as a reviewer computes it.
#[derive(Debug, Clone, Copy)]
struct Expected {
    committed: &'static str,
    pro_rated: Option<&'static str>,
    counted: &'static str,
    shortfall: &'static str,
    tolerance_reached: bool,
    rate: &'static str,
    raw: &'static str,
    cap: Option<&'static str>,
    cap_applied: bool,
    after_cap: &'static str,
    exempted: bool,
    penalty: &'static str,
}

struct PenaltyRow {
    name: &'static str,
    given: Scenario,
    expect: Expected,
}

#[rustfmt::skip]
fn penalty_rows() -> Vec<PenaltyRow> {
    vec![
        // 1 050 ≥ 1 000: no shortfall. Cap 20 % × 1 000 000 = 200 000.
        PenaltyRow { name: "all hours done, and more", given: Scenario { validated: "1050", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "1050", shortfall: "0", tolerance_reached: true, rate: "60.00",
            raw: "0", cap: Some("200000.00"), cap_applied: false, after_cap: "0.00", exempted: false, penalty: "0.00" } },
        // 1 000 − 800 = 200 h × 60 = 12 000 ≤ cap 200 000.
        PenaltyRow { name: "shortfall, cap not binding", given: Scenario { validated: "800", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "800", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("200000.00"), cap_applied: false, after_cap: "12000.00", exempted: false, penalty: "12000.00" } },
        // No hour at all: 1 000 h × 60 = 60 000, no cap.
        PenaltyRow { name: "no hour done, no cap", given: Scenario { validated: "0", cap: None, ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "0", shortfall: "1000", tolerance_reached: false, rate: "60.00",
            raw: "60000", cap: None, cap_applied: false, after_cap: "60000.00", exempted: false, penalty: "60000.00" } },
        // 200 h × 60 = 12 000 > cap 1 % × final 980 000 = 9 800 (the cap's base is the final amount).
        PenaltyRow { name: "cap binding, on the final amount", given: Scenario { validated: "800", cap: Some("0.01"), final_amount: "980000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "800", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("9800.00"), cap_applied: true, after_cap: "9800.00", exempted: false, penalty: "9800.00" } },
        // 200 h × 60 = 12 000 = cap 1.2 % × 1 000 000 = 12 000: not above it, the cap does not apply.
        PenaltyRow { name: "raw amount equal to the cap", given: Scenario { validated: "800", cap: Some("0.012"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "800", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("12000.00"), cap_applied: false, after_cap: "12000.00", exempted: false, penalty: "12000.00" } },
        // Threshold 1 000 × (1 − 10 %) = 900; 920 ≥ 900: the 80 h short are tolerated.
        PenaltyRow { name: "tolerance reached", given: Scenario { validated: "920", tolerance: "0.1", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "920", shortfall: "80", tolerance_reached: true, rate: "60.00",
            raw: "0", cap: Some("200000.00"), cap_applied: false, after_cap: "0.00", exempted: false, penalty: "0.00" } },
        // 900 ≥ 900: at the threshold is within the tolerance.
        PenaltyRow { name: "tolerance reached exactly", given: Scenario { validated: "900", tolerance: "0.1", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "900", shortfall: "100", tolerance_reached: true, rate: "60.00",
            raw: "0", cap: Some("200000.00"), cap_applied: false, after_cap: "0.00", exempted: false, penalty: "0.00" } },
        // 899.5 < 900: the whole shortfall 100.5 h is penalised, × 60 = 6 030.
        PenaltyRow { name: "tolerance not reached: whole shortfall", given: Scenario { validated: "899.5", tolerance: "0.1", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "899.5", shortfall: "100.5", tolerance_reached: false, rate: "60.00",
            raw: "6030", cap: Some("200000.00"), cap_applied: false, after_cap: "6030.00", exempted: false, penalty: "6030.00" } },
        // 19 h × 50 = 950 ≤ threshold 1 000: exempted.
        PenaltyRow { name: "exemption: under the threshold", given: Scenario { validated: "981", rate: Rate::Fixed("50.00"), exemption: Some("1000.00"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "981", shortfall: "19", tolerance_reached: false, rate: "50.00",
            raw: "950", cap: Some("200000.00"), cap_applied: false, after_cap: "950.00", exempted: true, penalty: "0.00" } },
        // 20 h × 50 = 1 000 ≤ threshold 1 000: at the threshold is exempted.
        PenaltyRow { name: "exemption: at the threshold", given: Scenario { validated: "980", rate: Rate::Fixed("50.00"), exemption: Some("1000.00"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "50.00",
            raw: "1000", cap: Some("200000.00"), cap_applied: false, after_cap: "1000.00", exempted: true, penalty: "0.00" } },
        // 21 h × 50 = 1 050 > threshold 1 000: applies in full.
        PenaltyRow { name: "exemption: above the threshold", given: Scenario { validated: "979", rate: Rate::Fixed("50.00"), exemption: Some("1000.00"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "979", shortfall: "21", tolerance_reached: false, rate: "50.00",
            raw: "1050", cap: Some("200000.00"), cap_applied: false, after_cap: "1050.00", exempted: false, penalty: "1050.00" } },
        // 200 h × 60 = 12 000 > cap 0.1 % × 1 000 000 = 1 000; then 1 000 ≤ threshold 1 000: cap first, then exemption.
        PenaltyRow { name: "cap, then exemption", given: Scenario { validated: "800", cap: Some("0.001"), exemption: Some("1000.00"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "800", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("1000.00"), cap_applied: true, after_cap: "1000.00", exempted: true, penalty: "0.00" } },
        // Notified 2024-10-31: SMIC 11.65; × 1.5 = 17.475 €/h; 20 h × 17.475 = 349.50.
        PenaltyRow { name: "SMIC, notified the day before the November 2024 rise", given: Scenario { notified: "2024-10-31", validated: "980", rate: Rate::Smic("1.5", None), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "17.475",
            raw: "349.5", cap: Some("200000.00"), cap_applied: false, after_cap: "349.50", exempted: false, penalty: "349.50" } },
        // Notified 2024-11-01: SMIC 11.88; × 1.5 = 17.82 €/h; 20 h × 17.82 = 356.40.
        PenaltyRow { name: "SMIC, notified the day of the November 2024 rise", given: Scenario { notified: "2024-11-01", validated: "980", rate: Rate::Smic("1.5", None), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "17.82",
            raw: "356.4", cap: Some("200000.00"), cap_applied: false, after_cap: "356.40", exempted: false, penalty: "356.40" } },
        // Reference date 2025-12-31: SMIC still 11.88; × 1.5 = 17.82; × 20 h = 356.40.
        PenaltyRow { name: "SMIC, reference date the day before the 2026 rise", given: Scenario { validated: "980", rate: Rate::Smic("1.5", Some("2025-12-31")), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "17.82",
            raw: "356.4", cap: Some("200000.00"), cap_applied: false, after_cap: "356.40", exempted: false, penalty: "356.40" } },
        // Reference date 2026-01-01: SMIC 12.02; × 1.5 = 18.03; × 20 h = 360.60.
        PenaltyRow { name: "SMIC, reference date the day of the 2026 rise", given: Scenario { validated: "980", rate: Rate::Smic("1.5", Some("2026-01-01")), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "18.03",
            raw: "360.6", cap: Some("200000.00"), cap_applied: false, after_cap: "360.60", exempted: false, penalty: "360.60" } },
        // Reference date 2023-06-01 (before the notification): SMIC 11.52; × 2 = 23.04; × 20 h = 460.80.
        PenaltyRow { name: "SMIC, earlier reference date", given: Scenario { validated: "980", rate: Rate::Smic("2", Some("2023-06-01")), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "980", shortfall: "20", tolerance_reached: false, rate: "23.04",
            raw: "460.8", cap: Some("200000.00"), cap_applied: false, after_cap: "460.80", exempted: false, penalty: "460.80" } },
        // Notified 2024-03-01: 1.5 × 11.65 = 17.475 €/h, not rounded; 1 h → 17.475 → 17.48 (half away from zero).
        PenaltyRow { name: "rounding half away from zero, SMIC rate", given: Scenario { validated: "999", rate: Rate::Smic("1.5", None), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "999", shortfall: "1", tolerance_reached: false, rate: "17.475",
            raw: "17.475", cap: Some("200000.00"), cap_applied: false, after_cap: "17.48", exempted: false, penalty: "17.48" } },
        // 0.5 h × 60.05 = 30.025 → 30.03 (half away from zero).
        PenaltyRow { name: "rounding half away from zero, fixed rate", given: Scenario { validated: "999.5", rate: Rate::Fixed("60.05"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "999.5", shortfall: "0.5", tolerance_reached: false, rate: "60.05",
            raw: "30.025", cap: Some("200000.00"), cap_applied: false, after_cap: "30.03", exempted: false, penalty: "30.03" } },
        // 0.25 h × 60.05 = 15.0125 → 15.01 (below the half cent).
        PenaltyRow { name: "rounding below the half cent", given: Scenario { validated: "999.75", rate: Rate::Fixed("60.05"), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "999.75", shortfall: "0.25", tolerance_reached: false, rate: "60.05",
            raw: "15.0125", cap: Some("200000.00"), cap_applied: false, after_cap: "15.01", exempted: false, penalty: "15.01" } },
        // Declared basis: 900 validated + 100 rejected = 1 000 declared ≥ 1 000: nothing.
        PenaltyRow { name: "declared basis counts rejected hours", given: Scenario { validated: "900", rejected: "100", basis: HoursBasis::Declared, ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "1000", shortfall: "0", tolerance_reached: true, rate: "60.00",
            raw: "0", cap: Some("200000.00"), cap_applied: false, after_cap: "0.00", exempted: false, penalty: "0.00" } },
        // Validated basis, same statement: 900 counted; 100 h × 60 = 6 000.
        PenaltyRow { name: "validated basis leaves rejected hours out", given: Scenario { validated: "900", rejected: "100", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "900", shortfall: "100", tolerance_reached: false, rate: "60.00",
            raw: "6000", cap: Some("200000.00"), cap_applied: false, after_cap: "6000.00", exempted: false, penalty: "6000.00" } },
        // 1 000 h × 600 000 ÷ 1 000 000 = 600 h; 600 − 550 = 50 h × 60 = 3 000; cap 20 % × 600 000 = 120 000.
        PenaltyRow { name: "termination, pro-rata", given: Scenario { validated: "550", terminated_at: Some("600000.00"), final_amount: "600000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: Some("600"), counted: "550", shortfall: "50", tolerance_reached: false, rate: "60.00",
            raw: "3000", cap: Some("120000.00"), cap_applied: false, after_cap: "3000.00", exempted: false, penalty: "3000.00" } },
        // No pro-rata in the terms: 1 000 − 550 = 450 h × 60 = 27 000.
        PenaltyRow { name: "termination, contract excludes the pro-rata", given: Scenario { validated: "550", pro_rata: false, terminated_at: Some("600000.00"), final_amount: "600000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "550", shortfall: "450", tolerance_reached: false, rate: "60.00",
            raw: "27000", cap: Some("120000.00"), cap_applied: false, after_cap: "27000.00", exempted: false, penalty: "27000.00" } },
        // Pro-rated 600 h; threshold 600 × 90 % = 540; 550 ≥ 540: tolerated.
        PenaltyRow { name: "termination, tolerance on the pro-rated commitment", given: Scenario { validated: "550", tolerance: "0.1", terminated_at: Some("600000.00"), final_amount: "600000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: Some("600"), counted: "550", shortfall: "50", tolerance_reached: true, rate: "60.00",
            raw: "0", cap: Some("120000.00"), cap_applied: false, after_cap: "0.00", exempted: false, penalty: "0.00" } },
        // Amended to 1 200 h and 1 100 000: 1 200 − 1 000 = 200 h × 60 = 12 000; cap 20 % × 1 100 000 = 220 000.
        PenaltyRow { name: "amendment raises the commitment", given: Scenario { amended: Some(("1100000.00", Some("1200"))), final_amount: "1100000.00", ..BASE }, expect: Expected {
            committed: "1200", pro_rated: None, counted: "1000", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("220000.00"), cap_applied: false, after_cap: "12000.00", exempted: false, penalty: "12000.00" } },
        // Amended 1 200 h / 1 100 000, terminated at 660 000: 1 200 × 660 000 ÷ 1 100 000 = 720 h; 720 − 700 = 20 h × 60 = 1 200;
        // cap 20 % × 660 000 = 132 000.
        PenaltyRow { name: "amendment, then termination", given: Scenario { validated: "700", amended: Some(("1100000.00", Some("1200"))), terminated_at: Some("660000.00"), final_amount: "660000.00", ..BASE }, expect: Expected {
            committed: "1200", pro_rated: Some("720"), counted: "700", shortfall: "20", tolerance_reached: false, rate: "60.00",
            raw: "1200", cap: Some("132000.00"), cap_applied: false, after_cap: "1200.00", exempted: false, penalty: "1200.00" } },
        // Amount amended to 1 100 000 (hours unchanged), terminated at 600 000: 1 000 × 600 000 ÷ 1 100 000 = 6 000/11
        // = 545.4545… h (not rounded); − 500 = 500/11 = 45.4545… h × 60 = 30 000/11 = 2 727.2727… → 2 727.27.
        PenaltyRow { name: "termination after an amended amount, inexact pro-rata", given: Scenario { validated: "500", amended: Some(("1100000.00", None)), terminated_at: Some("600000.00"), final_amount: "600000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: Some("545.4545454545"), counted: "500", shortfall: "45.4545454545", tolerance_reached: false, rate: "60.00",
            raw: "2727.2727272727", cap: Some("120000.00"), cap_applied: false, after_cap: "2727.27", exempted: false, penalty: "2727.27" } },
        // Same contract, SMIC 1.5 × 11.65 = 17.475, tolerance 5 %: threshold 6 000/11 × 0.95 = 518.18… > 500, not reached;
        // 500/11 h × 17.475 = 8 737.5/11 = 794.3181… → 794.32 > exemption 500.
        PenaltyRow { name: "everything at once", given: Scenario { validated: "500", rate: Rate::Smic("1.5", None), tolerance: "0.05", exemption: Some("500.00"), amended: Some(("1100000.00", None)), terminated_at: Some("600000.00"), final_amount: "600000.00", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: Some("545.4545454545"), counted: "500", shortfall: "45.4545454545", tolerance_reached: false, rate: "17.475",
            raw: "794.3181818182", cap: Some("120000.00"), cap_applied: false, after_cap: "794.32", exempted: false, penalty: "794.32" } },
        // 200 h × 60 = 12 000 > cap 1.11 % × 999 999.99 = 11 099.999889 → 11 100.00 (the cap is rounded to the cent).
        PenaltyRow { name: "cap not in whole cents", given: Scenario { validated: "800", cap: Some("0.0111"), final_amount: "999999.99", ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "800", shortfall: "200", tolerance_reached: false, rate: "60.00",
            raw: "12000", cap: Some("11100.00"), cap_applied: true, after_cap: "11100.00", exempted: false, penalty: "11100.00" } },
        // 1.2345 × 11.65 = 14.381925 €/h; 45 h × 14.381925 = 647.186625 → 647.19.
        PenaltyRow { name: "SMIC multiple with four decimals", given: Scenario { validated: "955", rate: Rate::Smic("1.2345", None), ..BASE }, expect: Expected {
            committed: "1000", pro_rated: None, counted: "955", shortfall: "45", tolerance_reached: false, rate: "14.381925",
            raw: "647.186625", cap: Some("200000.00"), cap_applied: false, after_cap: "647.19", exempted: false, penalty: "647.19" } },
    ]
}

/// The award of a scenario: 1 000 000 € HT, 20 % VAT, 24 months, no advance.
fn award(given: &Scenario) -> ContractAwardedV1 {
    let rate = match given.rate {
        Rate::Fixed(amount) => PenaltyRate::Fixed { amount_per_hour_ht: dec(amount) },
        Rate::Smic(multiple, reference_date) => {
            PenaltyRate::SmicMultiple { multiple: dec(multiple), reference_date: reference_date.map(date) }
        }
    };
    ContractAwardedV1 {
        buyer_siret: Siret::parse("20004869500015").unwrap(),
        buyer_kind: BuyerKind::LocalAuthority,
        contractors: vec![Contractor {
            siret: Siret::parse("73282932000074").unwrap(),
            size: CompanySize::Pme,
            role: ContractorRole::Sole,
        }],
        object: "Réhabilitation du gymnase communautaire".to_owned(),
        cpv_code: CpvCode::parse("45212222-8").unwrap(),
        procedure: "Appel d'offres ouvert".to_owned(),
        ccag: Some("Travaux".to_owned()),
        lot: None,
        amount_ht: dec("1000000.00"),
        vat_rate: dec("0.20"),
        duration_months: 24,
        notification_date: date(given.notified),
        social_considerations: vec![SocialConsideration::ClauseSociale],
        environmental_considerations: vec![EnvironmentalConsideration::PasDeConsiderationEnvironnementale],
        reserved_basis: None,
        insertion_clause: Some(InsertionClause {
            committed_hours: dec(given.committed),
            penalty_terms: PenaltyTerms {
                rate,
                basis: given.basis,
                tolerance_share: dec(given.tolerance),
                cap_share: given.cap.map(dec),
                exemption_threshold_ht: given.exemption.map(dec),
                pro_rata_on_termination: given.pro_rata,
            },
        }),
        advance_terms: None,
        payment_term_days: 30,
    }
}

/// Lines of at most 150 h, one person each (well under 230 h a month), numbered from `first_id`.
fn lines(total: &str, first_id: u32, month: Period) -> Vec<StatementLine> {
    let mut left: Decimal = dec(total);
    let mut lines = Vec::new();
    while left > Decimal::ZERO {
        let hours = left.min(dec("150"));
        let line_hours = Hours::new(hours).unwrap();
        let line_id = first_id + lines.len() as u32;
        lines.push(StatementLine {
            line_id,
            beneficiary: Beneficiary::Participant { code: ParticipantCode::parse(&format!("{line_id:08}")).unwrap() },
            category: EligibleCategory::LongTermJobseeker,
            modality: InsertionModality::DirectHire,
            hours: line_hours,
            period: month,
        });
        left -= hours;
    }
    lines
}

/// The scenario's commands, each decided on the state before it.
fn history(given: &Scenario) -> Vec<Command> {
    let notified = date(given.notified);
    let start = notified.with_day(1).unwrap() + Months::new(1);
    let month = Period { start, end: start + Months::new(1) - Days::new(1) };
    let validated = lines(given.validated, 1, month);
    let rejected = lines(given.rejected, 100, month);
    let mut decisions: Vec<LineDecision> =
        validated.iter().map(|line| LineDecision { line_id: line.line_id, decision: Decision::Validated {} }).collect();
    decisions.extend(rejected.iter().map(|line| LineDecision {
        line_id: line.line_id,
        decision: Decision::Rejected { reason: "Pas de bulletin de paie".to_owned() },
    }));

    let mut commands = vec![Command::Award(award(given))];
    if let Some((amount, hours)) = given.amended {
        commands.push(Command::Amend(ContractAmendedV2 {
            amendment_number: 1,
            signed_on: notified + Days::new(10),
            new_amount_ht: Some(dec(amount)),
            new_duration_months: None,
            new_committed_hours: hours.map(dec),
            insertion_clause: None,
            reason: "Travaux supplémentaires".to_owned(),
        }));
    }
    commands.push(Command::RequestInstalment(InstalmentRequestedV2 {
        number: 1,
        period: month,
        cumulative_value_ht: dec("100000.00"),
        received_on: month.end + Days::new(3),
        statement: HourStatement { lines: validated.into_iter().chain(rejected).collect() },
    }));
    if !decisions.is_empty() {
        commands.push(Command::ReviewStatement(StatementReviewedV1 { instalment_number: 1, decisions }));
    }
    commands.push(Command::ApproveInstalment {
        number: 1,
        approved_on: month.end + Days::new(10),
        other_deductions_ttc: MoneyTtc::ZERO,
    });
    if let Some(value) = given.terminated_at {
        commands.push(Command::Terminate(ContractTerminatedV1 {
            terminated_on: month.end,
            value_executed_ht: dec(value),
            reason: "Résiliation pour motif d'intérêt général".to_owned(),
        }));
    }
    commands.push(Command::Settle(ContractSettledV1 {
        final_amount_ht: dec(given.final_amount),
        settled_on: month.end + Days::new(60),
    }));
    commands
}

/// Folds the commands through `decide`, panicking on the first refusal.
fn contract(commands: Vec<Command>) -> Contract {
    let context = DecisionContext::new(date(TODAY), Arc::new(References { smic: smic(), ecb: ecb() }));
    let mut events: Vec<Event> = Vec::new();
    for command in commands {
        let name = command.name();
        let state = Contract::from_events(&events);
        let context = context.clone().with_participants(assume_registered(&state, &command));
        let decided =
            decide(&state, command, &context).unwrap_or_else(|error| panic!("{name} refused: {error} ({error:?})"));
        events.extend(decided);
    }
    Contract::from_events(&events)
}

fn proposal(given: &Scenario) -> PenaltyProposal {
    let contract = contract(history(given));
    let awarded: &AwardedContract = contract.awarded().unwrap();
    propose_penalty(awarded, &smic()).unwrap().unwrap()
}

#[test]
fn penalty_proposals_match_the_hand_computed_figures() {
    let rows = penalty_rows();
    assert!(rows.len() >= 25);
    for PenaltyRow { name, given, expect } in rows {
        let got = proposal(&given);
        let check = |what: &str, ok: bool| assert!(ok, "{name}: {what}\n{got:#?}");
        check("committed", got.committed_hours == dec(expect.committed));
        check("pro-rated", got.pro_rated_committed_hours.map(|h| approx(h.value())) == expect.pro_rated.map(dec));
        check("counted", got.counted_hours == dec(expect.counted));
        check("shortfall", approx(got.shortfall_hours.value()) == dec(expect.shortfall));
        check("tolerance reached", got.tolerance_reached == expect.tolerance_reached);
        check("rate", got.rate_per_hour_ht == dec(expect.rate));
        check("raw", approx(got.raw_amount_ht.amount()) == dec(expect.raw));
        check("cap", got.cap_amount_ht.map(|cap| cap.to_string()).as_deref() == expect.cap);
        check("cap applied", got.cap_applied == expect.cap_applied);
        check("after cap", got.amount_after_cap_ht.to_string() == expect.after_cap);
        check("exempted", got.exempted == expect.exempted);
        check("penalty", got.final_amount_ht.to_string() == expect.penalty);
        check("basis", got.basis == given.basis);
    }
}

#[test]
fn the_proposal_explains_every_step_in_french() {
    let rows = penalty_rows();
    let row = rows.iter().find(|row| row.name == "everything at once").unwrap();
    assert_eq!(
        proposal(&row.given).explanation(),
        [
            "Heures d'insertion engagées : 1 000 h",
            "Résiliation : engagement proratisé à la valeur exécutée, 1 000 h × 600 000,00 € HT ÷ 1 100 000,00 € HT \
             ≈ 545,45 h (≈ 54,55 % de l'engagement ; ≈ : arrondi pour l'affichage, le calcul garde toutes les \
             décimales)",
            "Heures prises en compte (validées) : 500 h",
            "Heures manquantes : ≈ 545,45 h − 500 h ≈ 45,45 h",
            "Tolérance de 5 % : seuil ≈ 545,45 h × (1 − 5 %) ≈ 518,18 h ; 500 h < seuil, toute l'insuffisance est \
             pénalisée (≈ 45,45 h)",
            "Taux : 1,5 × 11,65 € = 17,475 € HT par heure manquante (1,5 fois le SMIC horaire brut en vigueur le \
             01/03/2024)",
            "Montant brut : ≈ 45,45 h × 17,475 € ≈ 794,32 € HT",
            "Plafond : 20 % × 600 000,00 € HT (montant final) = 120 000,00 € HT, non atteint",
            "Montant arrondi au centime : ≈ 794,32 € HT → 794,32 € HT",
            "Seuil d'exonération : 500,00 € HT ; 794,32 € HT > seuil, la pénalité s'applique",
            "Pénalité proposée : 794,32 € HT",
        ]
    );
}

#[test]
fn the_explanation_says_when_the_cap_and_the_exemption_apply() {
    let rows = penalty_rows();
    let row = rows.iter().find(|row| row.name == "cap, then exemption").unwrap();
    assert_eq!(
        proposal(&row.given).explanation(),
        [
            "Heures d'insertion engagées : 1 000 h",
            "Heures prises en compte (validées) : 800 h",
            "Heures manquantes : 1 000 h − 800 h = 200 h",
            "Tolérance : aucune",
            "Taux : 60,00 € HT par heure manquante (montant fixe du contrat)",
            "Montant brut : 200 h × 60,00 € = 12 000,00 € HT",
            "Plafond : 0,1 % × 1 000 000,00 € HT (montant final) = 1 000,00 € HT, atteint : la pénalité est ramenée \
             au plafond",
            "Montant après plafond : 1 000,00 € HT (le plafond, au centime)",
            "Seuil d'exonération : 1 000,00 € HT ; 1 000,00 € HT ≤ seuil, la pénalité est ramenée à 0",
            "Pénalité proposée : 0,00 € HT",
        ]
    );
    // A cap that is not in whole cents: the exact product, then its rounding.
    let row = rows.iter().find(|row| row.name == "cap not in whole cents").unwrap();
    assert_eq!(
        proposal(&row.given).explanation()[6],
        "Plafond : 1,11 % × 999 999,99 € HT (montant final) = 11 099,999889 €, arrondi au centime : 11 100,00 € HT, \
         atteint : la pénalité est ramenée au plafond"
    );
    // A raw amount with more than two decimals, beside its rounding to the cent.
    let row = rows.iter().find(|row| row.name == "rounding half away from zero, SMIC rate").unwrap();
    let explanation = proposal(&row.given).explanation();
    assert_eq!(explanation[5], "Montant brut : 1 h × 17,475 € = 17,475 € HT");
    assert_eq!(explanation[7], "Montant arrondi au centime : 17,475 € HT → 17,48 € HT");
    let row = rows.iter().find(|row| row.name == "termination, contract excludes the pro-rata").unwrap();
    assert_eq!(
        proposal(&row.given).explanation()[1],
        "Résiliation : le contrat ne proratise pas l'engagement, qui reste de 1 000 h"
    );
}

/// Written as every figure Suivi shows (`suivi_proto::shown`): amounts with two decimals (the
/// unrounded rate and raw amount with the decimals they have), shares with four, hours without
/// trailing zeros — whatever the award's terms were typed as ("0.2", "60").
/// A figure of the explanation: its value and how far from it the computation's figure may be
/// (0 when written in full; half a unit of its last decimal when marked `≈`, rounded for
/// display).
#[derive(Debug, Clone, Copy)]
struct Shown {
    value: Decimal,
    error: Decimal,
}

impl Shown {
    fn exact(value: Decimal) -> Self {
        Shown { value, error: Decimal::ZERO }
    }

    fn low(self) -> Decimal {
        self.value - self.error
    }

    fn high(self) -> Decimal {
        self.value + self.error
    }

    /// `self op other` as an interval (every figure here is ≥ 0).
    fn apply(self, op: char, other: Shown) -> Shown {
        let (low, high) = match op {
            '×' => (self.low() * other.low(), self.high() * other.high()),
            '÷' => (self.low() / other.high(), self.high() / other.low()),
            '−' => (self.low() - other.high(), self.high() - other.low()),
            _ => panic!("unknown operation {op}"),
        };
        let two = Decimal::TWO;
        Shown { value: (low + high) / two, error: (high - low) / two }
    }
}

/// Reads a French figure at the start of `text` (`≈ 1 000,50 €`, `5 %`): the figure and the rest.
fn french_figure(text: &str) -> Option<(Shown, &str)> {
    let (approx, text) = match text.strip_prefix("≈ ") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let bytes = text.as_bytes();
    let mut end = 0;
    let mut digits = String::new();
    while end < bytes.len() {
        let c = bytes[end];
        if c.is_ascii_digit() {
            digits.push(c as char);
            end += 1;
        } else if c == b' '
            && bytes.len() > end + 3
            && bytes[end + 1..end + 4].iter().all(u8::is_ascii_digit)
            && !bytes.get(end + 4).is_some_and(u8::is_ascii_digit)
            && !digits.is_empty()
        {
            end += 1; // a thousands separator
        } else if c == b',' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) && !digits.contains('.') {
            digits.push('.');
            end += 1;
        } else {
            break;
        }
    }
    if digits.is_empty() {
        return None;
    }
    let mut value: Decimal = digits.parse().ok()?;
    let mut rest = &text[end..];
    let mut scale = value.scale();
    if let Some(after) = rest.strip_prefix(" %") {
        value /= Decimal::ONE_HUNDRED;
        scale += 2;
        rest = after;
    }
    let error = if approx { Decimal::new(5, scale + 1) } else { Decimal::ZERO };
    Some((Shown { value, error }, rest))
}

/// Skips units and a parenthetical remark (`€`, `h`, `HT`, `(montant final)`).
fn skip_words(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start();
        if let Some(rest) = ["€", "h", "HT"].iter().find_map(|unit| {
            trimmed.strip_prefix(unit).filter(|rest| rest.is_empty() || rest.starts_with([' ', ',', ';', ')']))
        }) {
            text = rest;
        } else if trimmed.starts_with('(') && !trimmed.starts_with("(1 − ") {
            let Some(close) = trimmed.find(')') else { return trimmed };
            text = &trimmed[close + 1..];
        } else {
            return trimmed;
        }
    }
}

/// An operand: a figure, or `(1 − figure)`.
fn operand(text: &str) -> Option<(Shown, &str)> {
    if let Some(inner) = text.strip_prefix("(1 − ") {
        let (figure, rest) = french_figure(inner)?;
        let rest = rest.strip_prefix(')')?;
        return Some((Shown::exact(Decimal::ONE).apply('−', figure), rest));
    }
    french_figure(text)
}

/// Every operation the explanation writes, `a × b ÷ c = r` or `a − b ≈ r`, and whether it adds
/// up: the result written lies within what the figures written give (exactly, when none is
/// rounded for display). Also every rounding it states (`x → y`, `x, arrondi au centime : y`):
/// `y` is `x` rounded to the cent, half away from zero. Returns how many were checked.
fn check_operations(line: &str) -> usize {
    let mut checked = 0;
    let mut starts: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
    starts.retain(|&i| i == 0 || !line.as_bytes()[i - 1].is_ascii_digit() && line.as_bytes()[i - 1] != b',');
    let mut after_last = 0;
    for start in starts {
        if start < after_last {
            continue;
        }
        let Some((first, mut rest)) = operand(&line[start..]) else { continue };
        let mut value = first;
        let mut operations = 0;
        loop {
            let text = skip_words(rest);
            let Some(op) = ['×', '÷', '−'].into_iter().find(|op| text.starts_with(*op)) else { break };
            let Some((next, after)) = operand(text[op.len_utf8()..].trim_start()) else { break };
            value = value.apply(op, next);
            rest = after;
            operations += 1;
        }
        if operations == 0 {
            continue;
        }
        let text = skip_words(rest);
        let (result, after) = if let Some(exact) = text.strip_prefix("= ") {
            let (result, after) = french_figure(exact).unwrap_or_else(|| panic!("no result after '=' in {line:?}"));
            assert!(result.error.is_zero(), "{line:?}");
            (result, after)
        } else if text.starts_with("≈ ") {
            french_figure(text).unwrap()
        } else {
            panic!("an operation without its result in {line:?}")
        };
        if value.error.is_zero() && result.error.is_zero() {
            assert_eq!(result.value, value.value, "does not multiply out as written: {line:?}");
        } else {
            assert!(
                result.low() <= value.high() && value.low() <= result.high(),
                "{} is not within what the figures give, {}…{}: {line:?}",
                result.value,
                value.low(),
                value.high()
            );
            assert!(!result.error.is_zero(), "an operation on rounded figures cannot be written '=': {line:?}");
        }
        checked += 1;
        after_last = line.len() - after.len();
    }
    for (marker, exact_side) in [(" → ", true), (", arrondi au centime : ", true)] {
        if let Some((before, after)) = line.split_once(marker) {
            let amount_start = before.rfind([':', '=']).map_or(0, |i| i + 1);
            let (raw, _) = french_figure(before[amount_start..].trim_start_matches([' ', '='])).unwrap();
            let (rounded, _) = french_figure(after).unwrap();
            let cent =
                |value: Decimal| value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            if raw.error.is_zero() && exact_side {
                assert_eq!(cent(raw.value), rounded.value, "not rounded to the cent: {line:?}");
            } else {
                assert!(cent(raw.low()) <= rounded.value && rounded.value <= cent(raw.high()), "{line:?}");
            }
            checked += 1;
        }
    }
    checked
}

/// Issue 9: every product of the French explanation multiplies out as written — the figures
/// actually used, or marked `≈` where rounded for display — and every rounding it states is the
/// rounding to the cent. Checked on every row of the table.
#[test]
fn every_operation_of_the_explanation_adds_up_as_written() {
    let mut checked = 0;
    let mut products = 0;
    for row in penalty_rows() {
        let explanation = proposal(&row.given).explanation();
        for line in &explanation {
            checked += check_operations(line);
            products += line.matches('×').count();
        }
        // A figure rounded for display is said to be.
        if explanation.iter().any(|line| line.contains('≈')) {
            assert!(explanation.iter().any(|line| line.contains("≈ : arrondi pour l'affichage")), "{}", row.name);
        }
    }
    assert!(products >= 2 * penalty_rows().len(), "{products} products");
    assert!(checked >= products, "{checked} operations checked of {products} products");
}

#[test]
fn the_checker_catches_a_product_that_does_not_multiply_out() {
    assert_eq!(check_operations("Plafond : 20 % × 600 000,00 € HT (montant final) = 120 000,00 € HT"), 1);
    assert_eq!(check_operations("Montant brut : ≈ 45,45 h × 17,475 € ≈ 794,32 € HT"), 1);
    for wrong in [
        "Plafond : 1,11 % × 999 999,99 € HT (montant final) = 11 100,00 € HT",
        "Montant brut : ≈ 45,45 h × 17,475 € = 794,32 € HT",
        "Montant brut : 200 h × 60,00 € = 12 000,01 € HT",
        "Montant arrondi au centime : 17,475 € HT → 17,47 € HT",
    ] {
        assert!(std::panic::catch_unwind(|| check_operations(wrong)).is_err(), "{wrong}");
    }
}

#[test]
fn the_proposal_serialises_decimals_as_strings() {
    let rows = penalty_rows();
    let row = rows.iter().find(|row| row.name == "rounding half away from zero, SMIC rate").unwrap();
    let json = serde_json::to_value(proposal(&row.given)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "committed_hours": "1000",
            "termination": null,
            "pro_rata_factor": null,
            "pro_rated_committed_hours": null,
            "basis": "validated",
            "counted_hours": "999",
            "shortfall_hours": "1",
            "tolerance_share": "0.0000",
            "tolerance_threshold_hours": "1000",
            "tolerance_reached": false,
            "penalised_hours": "1",
            "rate_per_hour_ht": "17.475",
            "rate_source": { "kind": "smic", "smic_hourly": "11.65", "multiple": "1.5", "reference_date": "2024-03-01" },
            "raw_amount_ht": "17.475",
            "cap_share": "0.2000",
            "final_contract_amount_ht": "1000000.00",
            "cap_amount_ht": "200000.00",
            "cap_applied": false,
            "amount_after_cap_ht": "17.48",
            "exemption_threshold_ht": null,
            "exempted": false,
            "final_amount_ht": "17.48",
        })
    );
}

#[test]
fn nothing_is_proposed_before_the_settlement_or_without_a_clause() {
    let smic = smic();
    let mut commands = history(&Scenario { validated: "800", ..BASE });
    commands.pop(); // not settled
    let running = contract(commands);
    assert_eq!(propose_penalty(running.awarded().unwrap(), &smic), Ok(None));

    let mut no_clause = history(&Scenario { validated: "0", ..BASE });
    no_clause[0] = Command::Award(ContractAwardedV1 { insertion_clause: None, ..award(&BASE) });
    let settled = contract(no_clause);
    assert_eq!(propose_penalty(settled.awarded().unwrap(), &smic), Ok(None));
}

#[test]
fn a_smic_rate_without_a_smic_on_the_reference_date_is_an_error() {
    let given = Scenario { validated: "980", rate: Rate::Smic("1.5", Some("2021-06-01")), ..BASE };
    let settled = contract(history(&given));
    assert_eq!(
        propose_penalty(settled.awarded().unwrap(), &smic()),
        Err(NoValueInForce { table: ReferenceTable::GrossHourlySmic, date: date("2021-06-01") })
    );
}

// ---------------------------------------------------------------------------------------------
// Advance recovery (existing API: RecoveryPace, executed_share, instalment_recovery)
// ---------------------------------------------------------------------------------------------

struct RecoveryRow {
    name: &'static str,
    /// (start, end); `None` end = no end bound. `None` pace = proportional.
    thresholds: Option<(&'static str, Option<&'static str>)>,
    /// Cumulative value executed HT, of an initial amount of 1 000 000 € HT.
    cumulative_ht: &'static str,
    /// Advance paid 120 000 € TTC; already recovered by earlier instalments.
    recovered_so_far: &'static str,
    gross_ttc: &'static str,
    expected: &'static str,
}

#[rustfmt::skip]
fn recovery_rows() -> Vec<RecoveryRow> {
    vec![
        // 60 % executed < 65 %: nothing yet.
        RecoveryRow { name: "65–80 %: below the start", thresholds: Some(("0.65", Some("0.80"))), cumulative_ht: "600000", recovered_so_far: "0", gross_ttc: "720000", expected: "0.00" },
        // 120 000 × (0.70 − 0.65) ÷ (0.80 − 0.65) = 120 000 ÷ 3 = 40 000.
        RecoveryRow { name: "65–80 %: a third at 70 %", thresholds: Some(("0.65", Some("0.80"))), cumulative_ht: "700000", recovered_so_far: "0", gross_ttc: "120000", expected: "40000.00" },
        // At 80 % the whole 120 000 is due; 40 000 already recovered: 80 000.
        RecoveryRow { name: "65–80 %: the rest at 80 %", thresholds: Some(("0.65", Some("0.80"))), cumulative_ht: "800000", recovered_so_far: "40000", gross_ttc: "120000", expected: "80000.00" },
        // Fully recovered at 80 %: the last instalment (100 %) deducts nothing.
        RecoveryRow { name: "65–80 %: fully recovered before the last instalment", thresholds: Some(("0.65", Some("0.80"))), cumulative_ht: "1000000", recovered_so_far: "120000", gross_ttc: "240000", expected: "0.00" },
        // Target 120 000 at 80 %, but the instalment's gross is 50 000: 50 000 now, the rest carried over.
        RecoveryRow { name: "65–80 %: capped by the instalment's gross", thresholds: Some(("0.65", Some("0.80"))), cumulative_ht: "800000", recovered_so_far: "0", gross_ttc: "50000", expected: "50000.00" },
        // No end bound (e = 100 %): 120 000 × 0.15 ÷ 0.35 = 51 428.571… → 51 428.57.
        RecoveryRow { name: "65 % without end bound: at 80 %", thresholds: Some(("0.65", None)), cumulative_ht: "800000", recovered_so_far: "0", gross_ttc: "180000", expected: "51428.57" },
        // At 100 %: 120 000 − 51 428.57 = 68 571.43.
        RecoveryRow { name: "65 % without end bound: the rest at 100 %", thresholds: Some(("0.65", None)), cumulative_ht: "1000000", recovered_so_far: "51428.57", gross_ttc: "240000", expected: "68571.43" },
        // Proportional: 120 000 × 0.30 = 36 000.
        RecoveryRow { name: "proportional: 30 %", thresholds: None, cumulative_ht: "300000", recovered_so_far: "0", gross_ttc: "360000", expected: "36000.00" },
        // Proportional: 120 000 × 0.333333 = 39 999.96; 36 000 already: 3 999.96.
        RecoveryRow { name: "proportional: the increase since the last instalment", thresholds: None, cumulative_ht: "333333", recovered_so_far: "36000", gross_ttc: "39999.96", expected: "3999.96" },
    ]
}

#[test]
fn advance_recovery_matches_the_hand_computed_figures() {
    for row in recovery_rows() {
        let recovery = match row.thresholds {
            Some((start, end)) => AdvanceRecovery::Thresholds { start_share: dec(start), end_share: end.map(dec) },
            None => AdvanceRecovery::Proportional {},
        };
        let deducted = instalment_recovery(
            &RecoveryPace::of(&recovery),
            RecoveryInput {
                advance_paid_ttc: dec("120000.00"),
                recovered_so_far_ttc: dec(row.recovered_so_far),
                executed_share: executed_share(dec(row.cumulative_ht), dec("1000000")),
                gross_ttc: dec(row.gross_ttc),
            },
        );
        assert_eq!(deducted.to_string(), row.expected, "{}", row.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Late-payment interest
// ---------------------------------------------------------------------------------------------

struct LateRow {
    name: &'static str,
    received: &'static str,
    term: u16,
    paid: &'static str,
    amount_ttc: &'static str,
    due: &'static str,
    days_to_pay: i64,
    days_late: i64,
    half_year: Option<&'static str>,
    ecb: Option<&'static str>,
    applied: Option<&'static str>,
    interest: &'static str,
    fee: &'static str,
    total: &'static str,
}

#[rustfmt::skip]
fn late_rows() -> Vec<LateRow> {
    vec![
        // 2024-05-02 + 30 = 2024-06-01; paid 2024-05-20, 18 days after receipt: early.
        LateRow { name: "paid early", received: "2024-05-02", term: 30, paid: "2024-05-20", amount_ttc: "12000.00",
            due: "2024-06-01", days_to_pay: 18, days_late: 0, half_year: None, ecb: None, applied: None, interest: "0.00", fee: "0.00", total: "0.00" },
        // Paid on the due date: on time.
        LateRow { name: "paid on the due date", received: "2024-05-02", term: 30, paid: "2024-06-01", amount_ttc: "12000.00",
            due: "2024-06-01", days_to_pay: 30, days_late: 0, half_year: None, ecb: None, applied: None, interest: "0.00", fee: "0.00", total: "0.00" },
        // 1 day late; interest runs from 2024-06-02 → H1 2024, ECB on 2024-01-01 = 4.50 % + 8 = 12.50 %;
        // 12 000 × 1 × 0.125 ÷ 365 = 1 500 ÷ 365 = 4.1095… → 4.11; + 40 = 44.11.
        LateRow { name: "one day late", received: "2024-05-02", term: 30, paid: "2024-06-02", amount_ttc: "12000.00",
            due: "2024-06-01", days_to_pay: 31, days_late: 1, half_year: Some("2024-01-01"), ecb: Some("0.045"), applied: Some("0.125"), interest: "4.11", fee: "40.00", total: "44.11" },
        // Due 2024-06-30, interest from 2024-07-01 → H2 2024, ECB on 2024-07-01 = 4.25 % (cut of 2024-06-12) + 8 = 12.25 %;
        // 15 days: 12 000 × 15 × 0.1225 ÷ 365 = 22 050 ÷ 365 = 60.4109… → 60.41; + 40 = 100.41.
        LateRow { name: "due 30 June: interest starts 1 July, July's rate", received: "2024-05-31", term: 30, paid: "2024-07-15", amount_ttc: "12000.00",
            due: "2024-06-30", days_to_pay: 45, days_late: 15, half_year: Some("2024-07-01"), ecb: Some("0.0425"), applied: Some("0.1225"), interest: "60.41", fee: "40.00", total: "100.41" },
        // Due 2024-06-29, interest from 2024-06-30 → H1 2024: 12.50 % for all 16 days, July included;
        // 12 000 × 16 × 0.125 ÷ 365 = 24 000 ÷ 365 = 65.7534… → 65.75; + 40 = 105.75.
        LateRow { name: "due 29 June: the first half-year's rate throughout", received: "2024-05-30", term: 30, paid: "2024-07-15", amount_ttc: "12000.00",
            due: "2024-06-29", days_to_pay: 46, days_late: 16, half_year: Some("2024-01-01"), ecb: Some("0.045"), applied: Some("0.125"), interest: "65.75", fee: "40.00", total: "105.75" },
        // Due 2024-02-20, paid 2024-03-01: 10 days (29 February counts as a day), but ÷ 365 all the same;
        // 12 000 × 10 × 0.125 ÷ 365 = 15 000 ÷ 365 = 41.0958… → 41.10; + 40 = 81.10.
        LateRow { name: "leap year: still divided by 365", received: "2024-01-21", term: 30, paid: "2024-03-01", amount_ttc: "12000.00",
            due: "2024-02-20", days_to_pay: 40, days_late: 10, half_year: Some("2024-01-01"), ecb: Some("0.045"), applied: Some("0.125"), interest: "41.10", fee: "40.00", total: "81.10" },
        // Due 2025-02-09, interest from 2025-02-10 → H1 2025: ECB on 2025-01-01 = 3.15 % (the 2025-02-05 cut is later) + 8 = 11.15 %;
        // 30 days: 12 000 × 30 × 0.1115 ÷ 365 = 40 140 ÷ 365 = 109.9726… → 109.97; + 40 = 149.97.
        LateRow { name: "a rate cut within the half-year does not count", received: "2025-01-10", term: 30, paid: "2025-03-11", amount_ttc: "12000.00",
            due: "2025-02-09", days_to_pay: 60, days_late: 30, half_year: Some("2025-01-01"), ecb: Some("0.0315"), applied: Some("0.1115"), interest: "109.97", fee: "40.00", total: "149.97" },
        // Due 2025-07-31, interest from 2025-08-01 → H2 2025: ECB on 2025-07-01 = 2.15 % + 8 = 10.15 %;
        // 10 days: 12 000 × 10 × 0.1015 ÷ 365 = 12 180 ÷ 365 = 33.3698… → 33.37; + 40 = 73.37.
        LateRow { name: "second half of 2025", received: "2025-07-01", term: 30, paid: "2025-08-10", amount_ttc: "12000.00",
            due: "2025-07-31", days_to_pay: 40, days_late: 10, half_year: Some("2025-07-01"), ecb: Some("0.0215"), applied: Some("0.1015"), interest: "33.37", fee: "40.00", total: "73.37" },
        // Hospital, 50 days: 2024-03-01 + 50 = 2024-04-20; 1 day late at 12.50 %:
        // 2 934.60 × 1 × 0.125 ÷ 365 = 366.825 ÷ 365 = 1.005 exactly → 1.01 (half away from zero); + 40 = 41.01.
        LateRow { name: "interest exactly on a half cent", received: "2024-03-01", term: 50, paid: "2024-04-21", amount_ttc: "2934.60",
            due: "2024-04-20", days_to_pay: 51, days_late: 1, half_year: Some("2024-01-01"), ecb: Some("0.045"), applied: Some("0.125"), interest: "1.01", fee: "40.00", total: "41.01" },
    ]
}

#[test]
fn late_payment_interest_matches_the_hand_computed_figures() {
    let ecb = ecb();
    for row in late_rows() {
        let name = row.name;
        let got = late_payment(
            &LatePaymentInput {
                received_on: date(row.received),
                payment_term_days: row.term,
                paid_on: date(row.paid),
                amount_paid_ttc: dec(row.amount_ttc),
            },
            &ecb,
        );
        assert_eq!(got.missing(), None, "{name}: the ECB table covers it");
        assert_eq!(got.due_date, date(row.due), "{name}: due date");
        assert_eq!(got.days_to_pay, row.days_to_pay, "{name}: days to pay");
        assert_eq!(got.days_late, row.days_late, "{name}: days late");
        assert_eq!(got.half_year_start, row.half_year.map(date), "{name}: half-year");
        assert_eq!(got.interest_starts_on, (row.days_late > 0).then(|| date(row.due) + Days::new(1)), "{name}: start");
        assert_eq!(got.ecb_rate(), row.ecb.map(dec), "{name}: ECB rate");
        assert_eq!(got.applied_rate(), row.applied.map(dec), "{name}: applied rate");
        assert_eq!(got.interest_amount().map(|i| i.to_string()).as_deref(), Some(row.interest), "{name}: interest");
        assert_eq!(got.flat_fee.to_string(), row.fee, "{name}: flat fee");
        assert_eq!(got.total().map(|t| t.to_string()).as_deref(), Some(row.total), "{name}: total");
    }
}

/// Before the first ECB rate of the table the interest cannot be computed, but the payment is no
/// less late: its due date, days late and 40 € flat fee stand, and the missing rate is named.
#[test]
fn a_payment_before_the_ecb_table_owes_its_flat_fee_and_names_the_missing_rate() {
    // The test table starts on 2023-09-20: interest starting in H1 2023 has no rate.
    let got = late_payment(
        &LatePaymentInput {
            received_on: date("2023-03-01"),
            payment_term_days: 30,
            paid_on: date("2023-04-10"),
            amount_paid_ttc: dec("12000.00"),
        },
        &ecb(),
    );
    assert_eq!((got.due_date, got.days_late), (date("2023-03-31"), 10));
    assert_eq!(got.flat_fee.to_string(), "40.00");
    assert_eq!(
        got.missing(),
        Some(NoValueInForce { table: ReferenceTable::EcbMainRefinancingRate, date: date("2023-01-01") })
    );
    assert_eq!((got.interest_amount(), got.total()), (None, None), "not computable is not 0");
}

#[test]
fn the_table_has_at_least_25_hand_computed_cases() {
    assert!(penalty_rows().len() + recovery_rows().len() + late_rows().len() >= 25);
}
