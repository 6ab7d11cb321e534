//! The example of `GET /api/indicators`: the year 2024 of the examples' contract (see
//! [`super::examples::play`]), as `suivi_projector::indicators` computes it — built from the
//! Rust type, so it has the served shape. Each figure is the story's:
//!
//! - notified 2024-03-01 at 1 000 000 € HT (the amendment to 1 100 000 € does not change the
//!   amount notified), with a social clause and no environmental consideration, to a PME;
//!   1 000 insertion hours committed; not settled, 7 % executed: not at risk;
//! - an advance of 120 000 € TTC paid 2024-03-20 without a guarantee;
//! - instalment 1: March 2024, 151.67 h of a long-term jobseeker hired directly (validated) and
//!   35 h of a young person through an ETTI (rejected); received 2024-04-03, paid 2024-04-25:
//!   22 days, within the 30-day term;
//! - 2024 is compared with the PNAD 2022-2025, as the migration records it (`pnad_targets`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use suivi_projector::indicators::{
    AdvanceTally, Advances, BuyerIndicators, CategoryHours, Considerations, ContractTally, Indicators, InsertionHours,
    LineHours, ModalityHours, NationalPlan, NationalTargets, PaymentDelays, SmeAwards, YearlyIndicators,
};
use suivi_proto::events::{EligibleCategory, InsertionModality};
use suivi_proto::TenantId;

const BUYER_SIRET: &str = "20004869500015";

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal literal")
}

fn hours(declared: &str, validated: &str, rejected: &str) -> LineHours {
    LineHours { declared: dec(declared), validated: dec(validated), rejected: dec(rejected), pending: Decimal::ZERO }
}

/// The plan of `migrations/20261202200001_pnad_targets.sql`.
fn pnad_2022_2025() -> NationalTargets {
    let day = |text: &str| text.parse::<NaiveDate>().expect("a date literal");
    NationalTargets::InForce {
        plan: NationalPlan {
            name: "PNAD 2022-2025".to_owned(),
            period_start: day("2022-01-01"),
            period_end: day("2025-12-31"),
            social_share: Some(dec("0.30")),
            environmental_share: Some(dec("1.00")),
            source: "Plan national pour des achats durables 2022-2025 (Commissariat général au développement durable, \
                     publié le 15 mars 2022) : d'ici 2025, 30 % des contrats notifiés dans l'année avec au moins une \
                     considération sociale et 100 % avec au moins une considération environnementale — \
                     https://www.ecologie.gouv.fr"
                .to_owned(),
        },
    }
}

fn of_the_story(targets: &NationalTargets) -> Indicators {
    let mut none = Indicators::default();
    none.compare_with(targets);
    let advance = AdvanceTally { count: 1, amount_ttc: dec("120000.00") };
    Indicators {
        notified: ContractTally { count: 1, amount_ht: dec("1000000.00") },
        social: Considerations { count: 1, amount_ht: dec("1000000.00"), share: Some(dec("1.0000")), ..none.social },
        environmental: Considerations { share: Some(dec("0.0000")), ..none.environmental },
        sme: SmeAwards {
            count: 1,
            amount_ht: dec("1000000.00"),
            share: Some(dec("1.0000")),
            amount_share: Some(dec("1.0000")),
        },
        hours: InsertionHours {
            committed: dec("1000"),
            lines: hours("186.67", "151.67", "35"),
            shortfall: Decimal::ZERO,
            by_category: vec![
                CategoryHours { category: EligibleCategory::LongTermJobseeker, hours: hours("151.67", "151.67", "0") },
                CategoryHours { category: EligibleCategory::YoungLowQualification, hours: hours("35", "0", "35") },
            ],
            by_modality: vec![
                ModalityHours { modality: InsertionModality::DirectHire, hours: hours("151.67", "151.67", "0") },
                ModalityHours { modality: InsertionModality::TemporaryWorkEtti, hours: hours("35", "0", "35") },
            ],
        },
        beneficiaries: 1,
        firms: 1,
        advances: Advances {
            count: 1,
            amount_ttc: dec("120000.00"),
            to_sme: advance.clone(),
            without_guarantee: advance,
        },
        payments: PaymentDelays {
            paid: 1,
            mean_days_to_pay: Some(dec("22.0")),
            median_days_to_pay: Some(dec("22")),
            on_time: 1,
            on_time_share: Some(dec("1.0000")),
            interest_ttc: Some(dec("0.00")),
            flat_fees_ttc: dec("0.00"),
            interest_due_ttc: Some(dec("0.00")),
            interest_unavailable: None,
        },
        ..none
    }
}

/// The example answer: one buyer, so the consolidated figures are that buyer's.
pub fn yearly_indicators() -> Value {
    let national_targets = pnad_2022_2025();
    let indicators = of_the_story(&national_targets);
    let example = YearlyIndicators {
        year: 2024,
        tenant: TenantId::parse("metropole").expect("a valid tenant id"),
        national_targets,
        consolidated: indicators.clone(),
        buyers: vec![BuyerIndicators {
            buyer_siret: BUYER_SIRET.to_owned(),
            buyer_name: Some("Métropole de démonstration".to_owned()),
            indicators,
        }],
    };
    serde_json::to_value(example).expect("indicators serialise to JSON")
}
