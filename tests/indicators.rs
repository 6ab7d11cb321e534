//! Yearly indicators against a real database: a small history built by hand across two buyers
//! and two years (and another tenant's contracts that must never count), projected, and every
//! indicator compared with its hand-computed value; then `GET /api/indicators` over HTTP.
//!
//! Tenant "agglo", buyers B1 (20004869500015) and B2 (21000000000013); contractors C1
//! (73282932000074, PME), C2 (44306184100047, TPE), C3 (51212131000019, GE); people p1…p6.
//!
//! | contract | buyer | notified | amount HT | considerations | contractor | hours committed |
//! |---|---|---|---|---|---|---|
//! | K1 | B1 | 2025-01-15 | 1 000 000 | clause sociale, clause environnementale | C1 | 1 000 (60 €/h) |
//! | K2 | B1 | 2025-06-02 | 200 000 | pas de considération sociale, critère environnemental | C3 | — |
//! | K3 | B2 | 2025-09-01 | 500 000 | marché réservé, pas de considération environnementale | C2 | 300 (50 €/h) |
//! | K4 | B2 | 2026-02-02 | 400 000 | clause + critère social, clause + critère environnemental | C1 | 500 (40 €/h) |
//! | K5 | B2 | 2026-03-02 | 100 000 | clause sociale, pas de considération environnementale | C2 | 100 (30 €/h) |
//! | K6 | B1 | 2026-04-01 | 80 000 | clause sociale, pas de considération environnementale | C3 | 10 (100 €/h) |
//! | K7 | B1 | 2024-05-02 | 50 000 | clause sociale, clause environnementale | C1 | 10 (60 €/h) |
//!
//! What happens to each is written where it is recorded, in [`seed`].

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, BUYER_SIRET, CONTRACTOR_SIRET, MEMBER_COMMUNE_SIRET};
use suivi_e2e::{project_everything, ContractHistory, TestApp, TestDatabase};
use suivi_http::tenants::{add_buyers, name_buyer, NamedBy, Naming};
use suivi_projector::indicators::{
    AdvanceTally, Advances, BeneficiaryProfile, CategoryHours, Considerations, ContractTally, Indicators,
    InsertionHours, InterestUnavailable, LineHours, ModalityHours, NationalTargets, PaymentDelays, Penalties,
    PenaltyDecisions, ProfileCount, SmeAwards, YearlyIndicators,
};
use suivi_projector::{cached_yearly_indicators, target, yearly_indicators, Projector, ProjectorConfig};
use suivi_proto::events::{EligibleCategory as Category, InsertionModality as Modality};
use suivi_proto::TenantId;

const B1: &str = "20004869500015";
const B2: &str = "21000000000013";
const C1: &str = "73282932000074";
const C2: &str = "44306184100047";
const C3: &str = "51212131000019";

// --- Building the history ---------------------------------------------------------------------

/// One contract's stream, with shorthands for the commands these histories use.
struct Contract(ContractHistory);

impl Contract {
    async fn award(db: &TestDatabase, tenant: &str, award: Award) -> Contract {
        let mut contract = Contract(ContractHistory::new(&db.pool, tenant));
        contract.run("award", award.body()).await;
        contract
    }

    async fn run(&mut self, kind: &str, body: Value) {
        self.0.run(kind, body).await;
    }

    async fn advance(&mut self, amount_ttc: &str, paid_on: &str, with_guarantee: bool) {
        let body = json!({ "amount_ttc": amount_ttc, "paid_on": paid_on, "with_guarantee": with_guarantee,
                           "finance_reference": "M-advance" });
        self.run("advance", body).await;
    }

    /// An instalment request covering one month, its lines all in that month.
    async fn request(&mut self, number: u32, month: (&str, &str), cumulative: &str, received_on: &str, lines: &[Line]) {
        let lines: Vec<Value> = lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                json!({ "line_id": index + 1, "beneficiary": line.person.repeat(64), "category": line.category,
                        "modality": line.modality, "hours": line.hours,
                        "period": { "start": month.0, "end": month.1 } })
            })
            .collect();
        let body = json!({ "number": number, "period": { "start": month.0, "end": month.1 },
                           "cumulative_value_ht": cumulative, "received_on": received_on,
                           "statement": { "lines": lines } });
        self.run("request", body).await;
    }

    /// Validates the lines listed, rejects those listed; leaves the others pending.
    async fn review(&mut self, instalment: u32, validated: &[u32], rejected: &[u32]) {
        let mut decisions: Vec<Value> =
            validated.iter().map(|id| json!({ "line_id": id, "decision": { "kind": "validated" } })).collect();
        decisions.extend(
            rejected
                .iter()
                .map(|id| json!({ "line_id": id, "decision": { "kind": "rejected", "reason": "No payslip" } })),
        );
        self.run("review", json!({ "instalment_number": instalment, "decisions": decisions })).await;
    }

    async fn approve_and_pay(&mut self, number: u32, approved_on: &str, amount_ttc: &str, paid_on: &str) {
        self.run("approve", json!({ "number": number, "approved_on": approved_on, "other_deductions_ttc": "0.00" }))
            .await;
        let body =
            json!({ "number": number, "amount_ttc": amount_ttc, "paid_on": paid_on, "finance_reference": "M-pay" });
        self.run("pay", body).await;
    }

    async fn settle(&mut self, final_amount_ht: &str, settled_on: &str) {
        self.run("settle", json!({ "final_amount_ht": final_amount_ht, "settled_on": settled_on })).await;
    }
}

struct Line {
    person: &'static str,
    category: &'static str,
    modality: &'static str,
    hours: &'static str,
}

fn line(person: &'static str, category: &'static str, modality: &'static str, hours: &'static str) -> Line {
    Line { person, category, modality, hours }
}

/// An award: 20 % VAT, 30-day payment term; an insertion clause when `clause` is set
/// (committed hours, € HT per missing hour, no tolerance, pro-rata on termination), an advance
/// recovered between 65 % and 80 % when `advance` is set (rate, with a guarantee).
struct Award {
    buyer: &'static str,
    contractor: (&'static str, &'static str),
    amount_ht: &'static str,
    months: u32,
    notified: &'static str,
    social: &'static [&'static str],
    environmental: &'static [&'static str],
    clause: Option<(&'static str, &'static str)>,
    advance: Option<(&'static str, bool)>,
}

impl Award {
    fn body(&self) -> Value {
        let mut body = json!({
            "buyer_siret": self.buyer, "buyer_kind": "local_authority",
            "contractors": [{ "siret": self.contractor.0, "size": self.contractor.1, "role": "sole" }],
            "object": "Travaux", "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert",
            "amount_ht": self.amount_ht, "vat_rate": "0.20", "duration_months": self.months,
            "notification_date": self.notified,
            "social_considerations": self.social, "environmental_considerations": self.environmental,
            "payment_term_days": 30
        });
        if let Some((committed, rate)) = self.clause {
            body["insertion_clause"] = json!({ "committed_hours": committed, "penalty_terms": {
                "rate": { "kind": "fixed", "amount_per_hour_ht": rate }, "basis": "validated",
                "tolerance_share": "0", "pro_rata_on_termination": true } });
        }
        if let Some((rate, with_guarantee)) = self.advance {
            body["advance_terms"] = json!({ "rate": rate, "with_guarantee": with_guarantee,
                "recovery": { "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" } });
        }
        body
    }
}

/// The history of the module's table, then the other tenant's, then projects it all.
async fn seed(db: &TestDatabase) {
    let agglo = "agglo";
    // K1: advance 60 000 paid 2025-02-03 without a guarantee (the most granted: 10 % of
    // 12 × 1 000 000 ÷ 24 months × 1.2). Instalment 1 (February 2025): p1, p2, p3 200 h each
    // validated, p4 200 h rejected; received 2025-03-03, due 2025-04-02, paid 2025-04-12:
    // 40 days, 10 late. Instalment 2 (January 2026): p1 100 h validated; received 2026-02-02,
    // paid 2026-02-20: 18 days. Settled 2026-03-01; penalty adjusted 2026-03-20.
    let mut k1 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B1,
            contractor: (C1, "pme"),
            amount_ht: "1000000.00",
            months: 24,
            notified: "2025-01-15",
            social: &["clause_sociale"],
            environmental: &["clause_environnementale"],
            clause: Some(("1000", "60.00")),
            advance: Some(("0.10", false)),
        },
    )
    .await;
    k1.advance("60000.00", "2025-02-03", false).await;
    let february_2025 = ("2025-02-01", "2025-02-28");
    k1.request(
        1,
        february_2025,
        "700000.00",
        "2025-03-03",
        &[
            line("1", "long_term_jobseeker", "direct_hire", "200"),
            line("2", "long_term_jobseeker", "direct_hire", "200"),
            line("3", "minimum_income_recipient", "temporary_work_etti", "200"),
            line("4", "young_low_qualification", "direct_hire", "200"),
        ],
    )
    .await;
    k1.review(1, &[1, 2, 3], &[4]).await;
    k1.approve_and_pay(1, "2025-03-10", "820000.00", "2025-04-12").await;
    let january_2026 = ("2026-01-01", "2026-01-31");
    k1.request(2, january_2026, "1000000.00", "2026-02-02", &[line("1", "long_term_jobseeker", "direct_hire", "100")])
        .await;
    k1.review(2, &[1], &[]).await;
    k1.approve_and_pay(2, "2026-02-05", "320000.00", "2026-02-20").await;
    k1.settle("1000000.00", "2026-03-01").await;
    // Proposed: (1 000 − 700 validated) × 60 = 18 000; adjusted to 9 000.
    k1.0.hear("9000.00", "2026-03-20").await;
    k1.run(
        "adjust",
        json!({ "amount_ht": "9000.00", "reason": "Observations du titulaire", "decided_on": "2026-03-20" }),
    )
    .await;

    // K2: no clause. Instalment 1 (June 2025) without lines: received 2025-07-01, paid
    // 2025-07-21, 20 days. Settled 2026-01-15: no penalty to propose.
    let mut k2 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B1,
            contractor: (C3, "ge"),
            amount_ht: "200000.00",
            months: 12,
            notified: "2025-06-02",
            social: &["pas_de_consideration_sociale"],
            environmental: &["critere_environnemental"],
            clause: None,
            advance: None,
        },
    )
    .await;
    k2.request(1, ("2025-06-02", "2025-06-30"), "100000.00", "2025-07-01", &[]).await;
    k2.approve_and_pay(1, "2025-07-05", "120000.00", "2025-07-21").await;
    k2.settle("100000.00", "2026-01-15").await;

    // K3: reserved. Advance 150 000 paid 2026-01-05 with a guarantee (notified in 2025, paid in
    // 2026). Instalment 1 (December 2025): p1 100 h validated, p5 50 h left pending; received
    // 2026-01-02, due 2026-02-01, paid 2026-02-20: 49 days, 19 late. 10 % executed: not at risk.
    let mut k3 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B2,
            contractor: (C2, "tpe"),
            amount_ht: "500000.00",
            months: 12,
            notified: "2025-09-01",
            social: &["marche_reserve"],
            environmental: &["pas_de_consideration_environnementale"],
            clause: Some(("300", "50.00")),
            advance: Some(("0.30", true)),
        },
    )
    .await;
    k3.advance("150000.00", "2026-01-05", true).await;
    k3.request(
        1,
        ("2025-12-01", "2025-12-31"),
        "50000.00",
        "2026-01-02",
        &[
            // p1's category is the register's (long-term jobseeker, as on K1): a line cannot
            // give a person another one.
            line("1", "long_term_jobseeker", "subcontracting_siae", "100"),
            line("5", "long_term_jobseeker", "direct_hire", "50"),
        ],
    )
    .await;
    k3.review(1, &[1], &[]).await;
    k3.approve_and_pay(1, "2026-01-10", "60000.00", "2026-02-20").await;

    // K4: instalment 1 (February 2026), 50 % executed, p6 100 h validated: at risk, since
    // 100 < 500 × 0.50 × 0.8 = 200. Not approved.
    let mut k4 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B2,
            contractor: (C1, "pme"),
            amount_ht: "400000.00",
            months: 24,
            notified: "2026-02-02",
            social: &["clause_sociale", "critere_social"],
            environmental: &["clause_environnementale", "critere_environnemental"],
            clause: Some(("500", "40.00")),
            advance: None,
        },
    )
    .await;
    k4.request(
        1,
        ("2026-02-02", "2026-02-28"),
        "200000.00",
        "2026-03-02",
        &[line("6", "jobseeker_over50", "geiq", "100")],
    )
    .await;
    k4.review(1, &[1], &[]).await;

    // K5: terminated 2026-06-30 at 50 000 executed, so 100 h pro-rated to 50 h; settled
    // 2026-09-01 with no hour done; penalty 50 × 30 = 1 500 waived 2026-09-15.
    let mut k5 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B2,
            contractor: (C2, "tpe"),
            amount_ht: "100000.00",
            months: 6,
            notified: "2026-03-02",
            social: &["clause_sociale"],
            environmental: &["pas_de_consideration_environnementale"],
            clause: Some(("100", "30.00")),
            advance: None,
        },
    )
    .await;
    k5.run(
        "terminate",
        json!({ "terminated_on": "2026-06-30", "value_executed_ht": "50000.00", "reason": "Motif d'intérêt général" }),
    )
    .await;
    k5.settle("50000.00", "2026-09-01").await;
    k5.run("waive", json!({ "reason": "Contexte local", "decided_on": "2026-09-15" })).await;

    // K6: settled 2026-06-30 with no hour done; penalty 10 × 100 = 1 000 confirmed 2026-07-15.
    let mut k6 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B1,
            contractor: (C3, "ge"),
            amount_ht: "80000.00",
            months: 3,
            notified: "2026-04-01",
            social: &["clause_sociale"],
            environmental: &["pas_de_consideration_environnementale"],
            clause: Some(("10", "100.00")),
            advance: None,
        },
    )
    .await;
    k6.settle("80000.00", "2026-06-30").await;
    k6.0.hear("1000.00", "2026-07-15").await;
    k6.run("confirm", json!({ "amount_ht": "1000.00", "decided_on": "2026-07-15" })).await;

    // K7: notified in 2024; p2 10 h validated in June 2024; settled 2025-05-02 with every hour
    // done: the proposal is 0, confirmed 2025-05-12 ("no penalty due", not a penalty).
    let mut k7 = Contract::award(
        db,
        agglo,
        Award {
            buyer: B1,
            contractor: (C1, "pme"),
            amount_ht: "50000.00",
            months: 12,
            notified: "2024-05-02",
            social: &["clause_sociale"],
            environmental: &["clause_environnementale"],
            clause: Some(("10", "60.00")),
            advance: None,
        },
    )
    .await;
    k7.request(
        1,
        ("2024-06-01", "2024-06-30"),
        "50000.00",
        "2024-07-01",
        &[line("2", "long_term_jobseeker", "direct_hire", "10")],
    )
    .await;
    k7.review(1, &[1], &[]).await;
    k7.run("approve", json!({ "number": 1, "approved_on": "2024-07-05", "other_deductions_ttc": "0.00" })).await;
    k7.settle("50000.00", "2025-05-02").await;
    k7.run("confirm", json!({ "amount_ht": "0.00", "decided_on": "2025-05-12" })).await;

    seed_other_tenant(db).await;
    project_everything(&db.pool).await;
}

/// Tenant "other": the same buyer SIRET B1, contractor, person p1 and years as "agglo", so any
/// leak would show in agglo's figures. O1 is at risk (50 < 1 000 × 1/3 × 0.8), with an advance
/// and a late payment in 2025; O2 is settled in 2025 with a penalty of 20 × 60 = 1 200 confirmed.
async fn seed_other_tenant(db: &TestDatabase) {
    let mut o1 = Contract::award(
        db,
        "other",
        Award {
            buyer: B1,
            contractor: (C1, "pme"),
            amount_ht: "300000.00",
            months: 12,
            notified: "2025-03-03",
            social: &["clause_sociale"],
            environmental: &["clause_environnementale"],
            clause: Some(("1000", "60.00")),
            advance: Some(("0.10", false)),
        },
    )
    .await;
    o1.advance("30000.00", "2025-04-01", false).await;
    o1.request(
        1,
        ("2025-03-03", "2025-03-31"),
        "100000.00",
        "2025-04-01",
        &[line("1", "long_term_jobseeker", "direct_hire", "50")],
    )
    .await;
    o1.review(1, &[1], &[]).await;
    o1.approve_and_pay(1, "2025-04-05", "120000.00", "2025-05-20").await;

    let mut o2 = Contract::award(
        db,
        "other",
        Award {
            buyer: B1,
            contractor: (C2, "tpe"),
            amount_ht: "100000.00",
            months: 12,
            notified: "2025-02-03",
            social: &["clause_sociale"],
            environmental: &["pas_de_consideration_environnementale"],
            clause: Some(("20", "60.00")),
            advance: None,
        },
    )
    .await;
    o2.settle("100000.00", "2025-10-01").await;
    o2.0.hear("1200.00", "2025-10-15").await;
    o2.run("confirm", json!({ "amount_ht": "1200.00", "decided_on": "2025-10-15" })).await;
}

// --- Expected figures -------------------------------------------------------------------------

/// The profile of `participants` registered by the tests' harness (gender not stated, level 3,
/// 26 to 49, outside QPV), `seen` of them validated in an earlier year, by category; validated
/// hours per beneficiary.
fn profile(participants: i64, seen: i64, categories: &[(&str, i64)], per_beneficiary: &str) -> BeneficiaryProfile {
    let all = |value: &str| vec![ProfileCount { value: value.to_owned(), participants }];
    BeneficiaryProfile {
        participants,
        new: participants - seen,
        seen_in_an_earlier_year: seen,
        priority_neighbourhood_residents: 0,
        by_category: categories
            .iter()
            .map(|(value, participants)| ProfileCount { value: (*value).to_owned(), participants: *participants })
            .collect(),
        by_gender: all("not_stated"),
        by_age_band: all("26_to_49"),
        by_qualification: all("level_3"),
        hours_per_beneficiary: Some(d(per_beneficiary)),
    }
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn tally(count: i64, amount_ht: &str) -> ContractTally {
    ContractTally { count, amount_ht: d(amount_ht) }
}

/// `target`: the share the plan in force aims at, `None` when no plan is in force.
fn considerations(count: i64, amount_ht: &str, share: &str, target: Option<&str>, criterion: i64) -> Considerations {
    Considerations {
        count,
        amount_ht: d(amount_ht),
        share: Some(d(share)),
        target_share: target.map(d),
        with_award_criterion: criterion,
    }
}

fn sme(count: i64, amount_ht: &str, share: &str, amount_share: &str) -> SmeAwards {
    SmeAwards { count, amount_ht: d(amount_ht), share: Some(d(share)), amount_share: Some(d(amount_share)) }
}

/// Declared, validated, rejected, pending.
fn hours(declared: &str, validated: &str, rejected: &str, pending: &str) -> LineHours {
    LineHours { declared: d(declared), validated: d(validated), rejected: d(rejected), pending: d(pending) }
}

fn category(category: Category, hours: LineHours) -> CategoryHours {
    CategoryHours { category, hours }
}

fn modality(modality: Modality, hours: LineHours) -> ModalityHours {
    ModalityHours { modality, hours }
}

fn decisions(count: i64, proposed: &str, decided: &str) -> PenaltyDecisions {
    PenaltyDecisions { count, proposed_amount_ht: d(proposed), decided_amount_ht: d(decided) }
}

fn advances(count: i64, amount: &str, to_sme: (i64, &str), without_guarantee: (i64, &str)) -> Advances {
    Advances {
        count,
        amount_ttc: d(amount),
        to_sme: AdvanceTally { count: to_sme.0, amount_ttc: d(to_sme.1) },
        without_guarantee: AdvanceTally { count: without_guarantee.0, amount_ttc: d(without_guarantee.1) },
    }
}

/// Paid, mean, median, on time, share on time, interest, flat fees.
fn payments(
    paid: i64,
    mean: &str,
    median: &str,
    on_time: i64,
    share: &str,
    interest: &str,
    fees: &str,
) -> PaymentDelays {
    PaymentDelays {
        paid,
        mean_days_to_pay: Some(d(mean)),
        median_days_to_pay: Some(d(median)),
        on_time,
        on_time_share: Some(d(share)),
        interest_ttc: Some(d(interest)),
        flat_fees_ttc: d(fees),
        interest_due_ttc: Some(d(interest) + d(fees)),
        interest_unavailable: None,
    }
}

fn no_payments() -> PaymentDelays {
    PaymentDelays::default()
}

async fn indicators_of(db: &TestDatabase, tenant: &str, year: i32) -> YearlyIndicators {
    let schema = target::active(&db.pool).await.unwrap();
    yearly_indicators(&db.pool, schema, &TenantId::parse(tenant).unwrap(), year).await.unwrap()
}

/// The consolidated figures, then each buyer's, compared one by one for readable failures.
fn assert_indicators(got: &YearlyIndicators, consolidated: &Indicators, buyers: &[(&str, &Indicators)]) {
    assert_eq!(&got.consolidated, consolidated, "consolidated");
    let sirets: Vec<&str> = got.buyers.iter().map(|b| b.buyer_siret.as_str()).collect();
    assert_eq!(sirets, buyers.iter().map(|(siret, _)| *siret).collect::<Vec<_>>(), "buyers listed");
    for (got, (siret, expected)) in got.buyers.iter().zip(buyers) {
        assert_eq!(&got.indicators, *expected, "buyer {siret}");
    }
}

// --- Tests ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_2025_indicators_count_each_figure_in_the_year_its_date_decides() {
    let db = TestDatabase::new().await;
    seed(&db).await;
    let got = indicators_of(&db, "agglo", 2025).await;
    assert_eq!((got.year, got.tenant.as_str()), (2025, "agglo"));
    // 2025 is within the 2022-2025 plan the migration records: its targets are beside the shares.
    let NationalTargets::InForce { plan } = &got.national_targets else { panic!("{:?}", got.national_targets) };
    assert_eq!(
        (plan.name.as_str(), plan.period_start, plan.period_end),
        ("PNAD 2022-2025", day("2022-01-01"), day("2025-12-31"))
    );
    assert_eq!((plan.social_share, plan.environmental_share), (Some(d("0.30")), Some(d("1.00"))));
    assert!(plan.source.contains("Plan national pour des achats durables 2022-2025"), "{}", plan.source);

    // B1 in 2025: K1 and K2 notified (K7 was notified in 2024); K1's February lines; K7 settled
    // (proposal 0, its confirmation of 0 € not a penalty); K1's advance; K1's and K2's payments.
    let b1 = Indicators {
        notified: tally(2, "1200000.00"),                                // 1 000 000 + 200 000
        social: considerations(1, "1000000.00", "0.5", Some("0.30"), 0), // K1: 1 ÷ 2
        environmental: considerations(2, "1200000.00", "1", Some("1.00"), 1), // K1, K2 (critère): 2 ÷ 2
        reserved: tally(0, "0"),
        sme: sme(1, "1000000.00", "0.5", "0.8333"), // K1: 1 ÷ 2; 1 000 000 ÷ 1 200 000 = 0.83333…
        hours: InsertionHours {
            committed: d("1000"),                   // K1
            lines: hours("800", "600", "200", "0"), // 4 × 200; p1, p2, p3 validated; p4 rejected
            shortfall: d("0"),                      // K7: 10 committed − 10 validated
            by_category: vec![
                category(Category::LongTermJobseeker, hours("400", "400", "0", "0")), // p1 + p2
                category(Category::MinimumIncomeRecipient, hours("200", "200", "0", "0")), // p3
                category(Category::YoungLowQualification, hours("200", "0", "200", "0")), // p4
            ],
            by_modality: vec![
                modality(Modality::DirectHire, hours("600", "400", "200", "0")), // p1 + p2 + p4
                modality(Modality::TemporaryWorkEtti, hours("200", "200", "0", "0")), // p3
            ],
        },
        beneficiaries: 3, // p1, p2, p3
        // p2 was validated in 2024 already (K7), p1 and p3 are new; 600 h ÷ 3.
        beneficiary_profile: profile(3, 1, &[("long_term_jobseeker", 2), ("minimum_income_recipient", 1)], "200"),
        firms: 1, // C1 (K1)
        penalties: Penalties {
            proposed: tally(0, "0"), // K7's proposal is 0 €
            ..Penalties::default()   // K7's confirmation of 0 € is not counted
        },
        advances: advances(1, "60000.00", (1, "60000.00"), (1, "60000.00")), // K1, PME, no guarantee
        // K1: 40 days, 10 late; K2: 20 days. Mean (40 + 20) ÷ 2 = 30, median 30, 1 on time of 2;
        // K1's interest 820 000 × 10 ÷ 365 × (3.15 % + 8 %) = 2 504.93, plus 40.
        payments: payments(2, "30", "30", 1, "0.5", "2504.93", "40.00"),
        at_risk_contracts: 0,
    };
    // B2 in 2025: K3 notified; K3's December lines; no advance or payment in 2025 (both 2026).
    let b2 = Indicators {
        notified: tally(1, "500000.00"),
        social: considerations(1, "500000.00", "1", Some("0.30"), 0), // marché réservé
        environmental: considerations(0, "0", "0", Some("1.00"), 0),
        reserved: tally(1, "500000.00"),
        sme: sme(1, "500000.00", "1", "1"), // C2 is a TPE
        hours: InsertionHours {
            committed: d("300"),
            lines: hours("150", "100", "0", "50"), // p1 100 validated, p5 50 pending
            shortfall: d("0"),
            by_category: vec![category(Category::LongTermJobseeker, hours("150", "100", "0", "50"))], // p1, p5
            by_modality: vec![
                modality(Modality::DirectHire, hours("50", "0", "0", "50")),
                modality(Modality::SubcontractingSiae, hours("100", "100", "0", "0")),
            ],
        },
        beneficiaries: 1, // p1
        // p1's first validated hours were in February 2025, the same year: new in 2025.
        beneficiary_profile: profile(1, 0, &[("long_term_jobseeker", 1)], "100"),
        firms: 1, // C2 (K3)
        payments: no_payments(),
        ..Indicators::default()
    };
    let consolidated = Indicators {
        notified: tally(3, "1700000.00"), // 1 200 000 + 500 000
        social: considerations(2, "1500000.00", "0.6667", Some("0.30"), 0), // K1, K3: 2 ÷ 3
        environmental: considerations(2, "1200000.00", "0.6667", Some("1.00"), 1), // K1, K2: 2 ÷ 3
        reserved: tally(1, "500000.00"),
        sme: sme(2, "1500000.00", "0.6667", "0.8824"), // K1, K3: 2 ÷ 3; 1 500 000 ÷ 1 700 000 = 0.88235…
        hours: InsertionHours {
            committed: d("1300"),                    // 1 000 + 300
            lines: hours("950", "700", "200", "50"), // 800 + 150; 600 + 100; 200 + 0; 0 + 50
            shortfall: d("0"),
            by_category: vec![
                category(Category::LongTermJobseeker, hours("550", "500", "0", "50")),
                category(Category::MinimumIncomeRecipient, hours("200", "200", "0", "0")),
                category(Category::YoungLowQualification, hours("200", "0", "200", "0")),
            ],
            by_modality: vec![
                modality(Modality::DirectHire, hours("650", "400", "200", "50")),
                modality(Modality::SubcontractingSiae, hours("100", "100", "0", "0")),
                modality(Modality::TemporaryWorkEtti, hours("200", "200", "0", "0")),
            ],
        },
        beneficiaries: 3, // p1 (both buyers, counted once), p2, p3: not 3 + 1
        // p2 seen in 2024; 700 h ÷ 3 = 233.333…
        beneficiary_profile: profile(3, 1, &[("long_term_jobseeker", 2), ("minimum_income_recipient", 1)], "233.33"),
        firms: 2, // C1, C2
        penalties: b1.penalties.clone(),
        advances: b1.advances.clone(),
        payments: b1.payments.clone(),
        at_risk_contracts: 0,
    };
    assert_indicators(&got, &consolidated, &[(B1, &b1), (B2, &b2)]);
}

/// Without the ECB rate of its half-year, a late payment's interest cannot be computed: the
/// year's interest is not a 0 but null, beside the late payments concerned, the interest of the
/// others and the rate missing; the 40 € flat fee is owed all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interest_without_its_ecb_rate_is_not_computed_and_the_flat_fee_still_counts() {
    use suivi_domain::reference::{MissingReference, NoValueInForce, ReferenceTable};

    let db = TestDatabase::new().await;
    // The table as if it started after the first half of 2025.
    sqlx::query("delete from reference_rates where kind = 'ecb_main_refinancing' and in_force_from < '2025-06-01'")
        .execute(&db.pool)
        .await
        .unwrap();
    seed(&db).await;
    let got = indicators_of(&db, "agglo", 2025).await;
    // K1 paid 10 days late, interest from 3 April 2025: the rate of 1 January 2025 is missing.
    // K2 paid on time: no interest, which is known (0.00).
    let missing = NoValueInForce { table: ReferenceTable::EcbMainRefinancingRate, date: "2025-01-01".parse().unwrap() };
    let expected = PaymentDelays {
        interest_ttc: None,
        interest_due_ttc: None,
        interest_unavailable: Some(InterestUnavailable {
            payments: 1,
            interest_computed_ttc: d("0.00"),
            missing: vec![MissingReference::of(missing)],
        }),
        ..payments(2, "30", "30", 1, "0.5", "0", "40.00")
    };
    assert_eq!(got.consolidated.payments, expected);
    let json = serde_json::to_value(&got.consolidated.payments).unwrap();
    assert_eq!(json["interest_ttc"], Value::Null);
    assert_eq!(json["flat_fees_ttc"], "40.00");
    assert_eq!(json["interest_unavailable"]["missing"][0]["missing_table"], "ecb_main_refinancing_rate");
    assert_eq!(json["interest_unavailable"]["missing"][0]["in_force_on"], "2025-01-01");
    assert!(json["interest_unavailable"]["missing"][0]["reason"].as_str().unwrap().contains("01/01/2025"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_2026_indicators_count_each_figure_in_the_year_its_date_decides() {
    let db = TestDatabase::new().await;
    seed(&db).await;
    let got = indicators_of(&db, "agglo", 2026).await;
    // The 2022-2025 plan ended on 31 December 2025 and no later plan is recorded: no target, and
    // the answer says why instead of showing the 2022-2025 figures as 2026's.
    let NationalTargets::NoPlan { in_force_on, reason } = &got.national_targets else {
        panic!("no plan is in force in 2026: {:?}", got.national_targets)
    };
    assert_eq!(*in_force_on, day("2026-12-31"));
    assert!(
        reason.contains("pas d'objectif national pour 2026 (le plan « PNAD 2022-2025 » a pris fin le 31/12/2025)"),
        "{reason}"
    );

    // B1 in 2026: K6 notified; K1's January line; K1, K2, K6 settled; K1 adjusted, K6
    // confirmed; K1's second payment.
    let b1 = Indicators {
        notified: tally(1, "80000.00"),
        social: considerations(1, "80000.00", "1", None, 0),
        environmental: considerations(0, "0", "0", None, 0),
        reserved: tally(0, "0"),
        sme: sme(0, "0", "0", "0"), // C3 is a GE
        hours: InsertionHours {
            committed: d("10"),
            lines: hours("100", "100", "0", "0"), // p1
            // K1: 1 000 − (600 + 100) = 300; K2: no clause; K6: 10 − 0 = 10
            shortfall: d("310"),
            by_category: vec![category(Category::LongTermJobseeker, hours("100", "100", "0", "0"))],
            by_modality: vec![modality(Modality::DirectHire, hours("100", "100", "0", "0"))],
        },
        beneficiaries: 1, // p1
        // p1 was validated in 2025 already: seen in an earlier year.
        beneficiary_profile: profile(1, 1, &[("long_term_jobseeker", 1)], "100"),
        firms: 1, // C1 (K1)
        penalties: Penalties {
            proposed: tally(2, "19000.00"), // K1: 300 × 60 = 18 000; K6: 10 × 100 = 1 000
            confirmed: decisions(1, "1000.00", "1000.00"), // K6
            adjusted: decisions(1, "18000.00", "9000.00"), // K1
            waived: decisions(0, "0", "0"),
        },
        advances: Advances::default(),
        payments: payments(1, "18", "18", 1, "1", "0", "0"), // K1: 2026-02-02 → 2026-02-20
        at_risk_contracts: 0,
    };
    // B2 in 2026: K4, K5 notified; K4's February line; K5 settled and waived; K3's advance and
    // payment; K4 at risk.
    let b2 = Indicators {
        notified: tally(2, "500000.00"),                               // 400 000 + 100 000
        social: considerations(2, "500000.00", "1", None, 1),          // K4 (critère too), K5
        environmental: considerations(1, "400000.00", "0.5", None, 1), // K4: 1 ÷ 2
        reserved: tally(0, "0"),
        sme: sme(2, "500000.00", "1", "1"), // C1 PME, C2 TPE
        hours: InsertionHours {
            committed: d("600"),                  // 500 + 100 (as awarded; K5's pro-rata is for the shortfall)
            lines: hours("100", "100", "0", "0"), // p6
            shortfall: d("50"),                   // K5: 100 × 50 000 ÷ 100 000 = 50 − 0
            by_category: vec![category(Category::JobseekerOver50, hours("100", "100", "0", "0"))],
            by_modality: vec![modality(Modality::Geiq, hours("100", "100", "0", "0"))],
        },
        beneficiaries: 1, // p6
        beneficiary_profile: profile(1, 0, &[("jobseeker_over50", 1)], "100"),
        firms: 1, // C1 (K4)
        penalties: Penalties {
            proposed: tally(1, "1500.00"),        // K5: 50 × 30
            waived: decisions(1, "1500.00", "0"), // K5
            ..Penalties::default()
        },
        advances: advances(1, "150000.00", (1, "150000.00"), (0, "0")), // K3, TPE, with a guarantee
        // K3: 49 days, 19 late; 60 000 × 19 ÷ 365 × (2.15 % + 8 %) = 317.0136… → 317.01, plus 40.
        payments: payments(1, "49", "49", 0, "0", "317.01", "40.00"),
        at_risk_contracts: 1, // K4
    };
    let consolidated = Indicators {
        notified: tally(3, "580000.00"), // 80 000 + 500 000
        social: considerations(3, "580000.00", "1", None, 1),
        environmental: considerations(1, "400000.00", "0.3333", None, 1), // 1 ÷ 3
        reserved: tally(0, "0"),
        sme: sme(2, "500000.00", "0.6667", "0.8621"), // 2 ÷ 3; 500 000 ÷ 580 000 = 0.86206…
        hours: InsertionHours {
            committed: d("610"),
            lines: hours("200", "200", "0", "0"),
            shortfall: d("360"), // 310 + 50
            by_category: vec![
                category(Category::JobseekerOver50, hours("100", "100", "0", "0")),
                category(Category::LongTermJobseeker, hours("100", "100", "0", "0")),
            ],
            by_modality: vec![
                modality(Modality::DirectHire, hours("100", "100", "0", "0")),
                modality(Modality::Geiq, hours("100", "100", "0", "0")),
            ],
        },
        beneficiaries: 2, // p1, p6
        beneficiary_profile: profile(2, 1, &[("jobseeker_over50", 1), ("long_term_jobseeker", 1)], "100"),
        firms: 1, // C1 holds K1 (B1) and K4 (B2): one firm, not 1 + 1
        penalties: Penalties {
            proposed: tally(3, "20500.00"), // 19 000 + 1 500
            confirmed: b1.penalties.confirmed.clone(),
            adjusted: b1.penalties.adjusted.clone(),
            waived: b2.penalties.waived.clone(),
        },
        advances: b2.advances.clone(),
        // 18 and 49 days: mean 33.5, median (18 + 49) ÷ 2 = 33.5; 1 on time of 2.
        payments: payments(2, "33.5", "33.5", 1, "0.5", "317.01", "40.00"),
        at_risk_contracts: 1,
    };
    assert_indicators(&got, &consolidated, &[(B1, &b1), (B2, &b2)]);

    // A rebuild of the other schema gives the same figures (the advance's date included).
    let mut rebuilder = Projector::new(db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    let rebuilt = rebuilder.rebuild().await.unwrap();
    let from_rebuilt = yearly_indicators(&db.pool, rebuilt, &TenantId::parse("agglo").unwrap(), 2026).await.unwrap();
    assert_eq!(from_rebuilt, got);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_contracts_never_reach_the_indicators() {
    let db = TestDatabase::new().await;
    seed(&db).await;
    // The 2025 and 2026 figures above are exact with "other"'s contracts in the database; here,
    // "other"'s own figures, to show there was something to leak.
    let other = indicators_of(&db, "other", 2025).await;
    assert_eq!(other.buyers.len(), 1);
    assert_eq!(other.buyers[0].buyer_siret, B1, "the same buyer SIRET as agglo's");
    let figures = &other.consolidated;
    assert_eq!(figures.notified, tally(2, "400000.00")); // O1 300 000 + O2 100 000
    assert_eq!(figures.hours.lines, hours("50", "50", "0", "0")); // p1 in O1
    assert_eq!((figures.beneficiaries, figures.firms, figures.at_risk_contracts), (1, 1, 1));
    assert_eq!(figures.penalties.proposed, tally(1, "1200.00")); // O2: 20 × 60
    assert_eq!(figures.penalties.confirmed, decisions(1, "1200.00", "1200.00"));
    assert_eq!(figures.advances, advances(1, "30000.00", (1, "30000.00"), (1, "30000.00")));
    assert_eq!(figures.payments.paid, 1);
    assert_eq!(other.consolidated, other.buyers[0].indicators);

    // A tenant with nothing: zeros, no share, no buyer; the year's targets all the same.
    let nobody = indicators_of(&db, "nobody", 2025).await;
    assert!(nobody.buyers.is_empty());
    let mut nothing = Indicators::default();
    nothing.social.target_share = Some(d("0.30"));
    nothing.environmental.target_share = Some(d("1"));
    assert_eq!(nobody.consolidated, nothing);
    assert_eq!(nobody.consolidated.social.share, None);
}

// --- HTTP ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_indicators_answers_the_callers_organisation_for_the_year_asked() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let request = instalment_body(1, "100000.00", &[("DUP-0042", "35")]);
    let response = app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &request).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    project_everything(&app.db.pool).await;

    let response = app.get("/api/indicators?year=2025", &app.tokens.buyer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    // The sample award (1 000 000 € HT, clause sociale and environnementale, a PME, 833 h),
    // notified 2025-01-15; 35 h declared in March 2025, not reviewed yet.
    assert_eq!(body["year"], 2025);
    assert_eq!(body["tenant"], "grand-agglo");
    // Which plan the shares are compared with: its name, period and source.
    let plan = &body["national_targets"];
    assert_eq!(
        (&plan["status"], &plan["name"], &plan["period_start"], &plan["period_end"]),
        (&json!("in_force"), &json!("PNAD 2022-2025"), &json!("2022-01-01"), &json!("2025-12-31"))
    );
    assert_eq!((&plan["social_share"], &plan["environmental_share"]), (&json!("0.3000"), &json!("1.0000")));
    assert!(plan["source"].as_str().is_some_and(|source| source.contains("15 mars 2022")), "{plan}");
    let consolidated = &body["consolidated"];
    assert_eq!(consolidated["notified"], json!({ "count": 1, "amount_ht": "1000000.00" }));
    assert_eq!(consolidated["social"]["share"], "1.0000");
    assert_eq!(consolidated["social"]["target_share"], "0.3000");
    assert_eq!(consolidated["environmental"]["target_share"], "1.0000");
    assert_eq!(consolidated["hours"]["committed"], "833");
    assert_eq!(consolidated["hours"]["declared"], "35");
    assert_eq!(consolidated["hours"]["pending"], "35");
    assert_eq!(consolidated["hours"]["by_category"][0]["category"], "long_term_jobseeker");
    assert_eq!(consolidated["beneficiaries"], 0, "no validated hour yet");
    assert_eq!(consolidated["payments"]["mean_days_to_pay"], Value::Null);
    assert_eq!(body["buyers"][0]["buyer_siret"], BUYER_SIRET);
    assert_eq!(body["buyers"][0]["buyer_name"], Value::Null, "no name recorded for it");
    assert_eq!(body["buyers"][0]["indicators"], *consolidated);
    // The whole body, figure by figure, as worked out from the scenario (not from the module
    // under test): one award of 1 000 000 € HT to a PME, with a social and an environmental
    // consideration and no award criterion; 35 h declared and not reviewed; nothing settled,
    // advanced, paid or decided. One format (docs/indicators.md): amounts with two decimals even
    // when nothing is counted, shares and targets with four, hours without trailing zeros.
    let pending_35 = json!({ "declared": "35", "validated": "0", "rejected": "0", "pending": "35" });
    let mut by_category = pending_35.clone();
    by_category["category"] = "long_term_jobseeker".into();
    let mut by_modality = pending_35;
    by_modality["modality"] = "direct_hire".into();
    let no_decision = json!({ "count": 0, "proposed_amount_ht": "0.00", "decided_amount_ht": "0.00" });
    let nothing = json!({ "count": 0, "amount_ht": "0.00" });
    let expected = json!({
        "notified": { "count": 1, "amount_ht": "1000000.00" },
        // 1 of 1 contract (and of its amount) with the consideration: share 1.
        "social": { "count": 1, "amount_ht": "1000000.00", "share": "1.0000", "target_share": "0.3000",
                    "with_award_criterion": 0 },
        "environmental": { "count": 1, "amount_ht": "1000000.00", "share": "1.0000", "target_share": "1.0000",
                           "with_award_criterion": 0 },
        "sme": { "count": 1, "amount_ht": "1000000.00", "share": "1.0000", "amount_share": "1.0000" },
        "reserved": nothing,
        // Nothing settled: no shortfall yet.
        "hours": { "committed": "833", "declared": "35", "validated": "0", "rejected": "0", "pending": "35",
                   "shortfall": "0", "by_category": [by_category], "by_modality": [by_modality] },
        // Beneficiaries and firms count validated hours only.
        "beneficiaries": 0,
        "beneficiary_profile": { "participants": 0, "new": 0, "seen_in_an_earlier_year": 0,
                                 "priority_neighbourhood_residents": 0, "by_category": [], "by_gender": [],
                                 "by_age_band": [], "by_qualification": [] },
        "firms": 0,
        "penalties": { "proposed": nothing, "confirmed": no_decision, "adjusted": no_decision,
                       "waived": no_decision },
        "advances": { "count": 0, "amount_ttc": "0.00", "to_sme": { "count": 0, "amount_ttc": "0.00" },
                      "without_guarantee": { "count": 0, "amount_ttc": "0.00" } },
        "payments": { "paid": 0, "on_time": 0, "on_time_share": null, "mean_days_to_pay": null,
                      "median_days_to_pay": null, "interest_ttc": "0.00", "interest_due_ttc": "0.00",
                      "flat_fees_ttc": "0.00", "interest_unavailable": null },
        // 100 000 of 1 000 000 € executed: 10 %, below the 25 % from which the hours' lag is judged.
        "at_risk_contracts": 0,
    });
    assert_eq!(*consolidated, expected);
    assert_eq!(body["buyers"].as_array().map(Vec::len), Some(1), "only the buyer with a contract");
    assert!(!body.to_string().contains(CONTRACTOR_SIRET), "no contractor SIRET is listed");

    for token in [&app.tokens.facilitator, &app.tokens.admin] {
        let response = app.get("/api/indicators?year=2025", token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().await.unwrap(), body);
    }
    // Another year; another tenant's buyer sees only its own organisation (nothing).
    let response = app.get("/api/indicators?year=2024", &app.tokens.buyer).await;
    let earlier: Value = response.json().await.unwrap();
    assert_eq!(earlier["consolidated"]["notified"]["count"], 0);
    let response = app.get("/api/indicators?year=2025", &app.tokens.other_tenant_buyer).await;
    let other: Value = response.json().await.unwrap();
    assert_eq!((other["tenant"].as_str(), other["buyers"].as_array().map(Vec::len)), (Some("other-agglo"), Some(0)));
}

/// Each buyer is named beside its SIRET, with the name its organisation recorded (here as
/// `suivi tenant name-buyer` records it); a buyer without one has `null`. Another organisation
/// listing the same SIRET under another name does not change it.
#[tokio::test]
async fn get_indicators_names_each_buyer_beside_its_siret() {
    let app = TestApp::spawn().await;
    app.award(&award_body()).await;
    let mut member = award_body();
    member["buyer_siret"] = MEMBER_COMMUNE_SIRET.into();
    app.award(&member).await;
    project_everything(&app.db.pool).await;
    let buyers = |body: &Value| -> Vec<(Value, Value)> {
        let listed = body["buyers"].as_array().unwrap();
        listed.iter().map(|buyer| (buyer["buyer_siret"].clone(), buyer["buyer_name"].clone())).collect()
    };

    let body: Value = app.get("/api/indicators?year=2025", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(buyers(&body), [(json!(BUYER_SIRET), Value::Null), (json!(MEMBER_COMMUNE_SIRET), Value::Null)]);

    let (agglo, other) = (TenantId::parse("grand-agglo").unwrap(), TenantId::parse("other-agglo").unwrap());
    let named = name_buyer(&app.db.pool, &agglo, BUYER_SIRET, "Grand Agglo (siège)", NamedBy::Administrator).await;
    assert_eq!(named.unwrap(), Naming::Named);
    add_buyers(&app.db.pool, &other, &[BUYER_SIRET.to_owned()]).await.unwrap();
    name_buyer(&app.db.pool, &other, BUYER_SIRET, "Un autre nom", NamedBy::Administrator).await.unwrap();
    // An import does not replace an administrator's name.
    let imported = name_buyer(&app.db.pool, &agglo, BUYER_SIRET, "GRAND AGGLO", NamedBy::DecpImport).await;
    assert_eq!(imported.unwrap(), Naming::KeptAdministratorsName);

    let body: Value = app.get("/api/indicators?year=2025", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(
        buyers(&body),
        [(json!(BUYER_SIRET), json!("Grand Agglo (siège)")), (json!(MEMBER_COMMUNE_SIRET), Value::Null)]
    );
    assert!(!body.to_string().contains("Un autre nom"), "another organisation's name stays its own");
}

/// The 2022-2025 plan is not 2026's target: a year no plan covers says so, with no target beside
/// its shares; once an administrator records the next plan, the year is compared with it.
#[tokio::test]
async fn get_indicators_has_no_national_target_for_a_year_no_plan_covers_until_one_is_recorded() {
    let app = TestApp::spawn().await;
    let mut award = award_body();
    award["notification_date"] = "2026-02-02".into();
    app.award(&award).await;
    project_everything(&app.db.pool).await;

    let response = app.get("/api/indicators?year=2026", &app.tokens.buyer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["national_targets"],
        json!({ "status": "no_plan", "in_force_on": "2026-12-31",
                "reason": "aucun plan national pour des achats durables (PNAD) en vigueur au 31/12/2026 : pas \
                           d'objectif national pour 2026 (le plan « PNAD 2022-2025 » a pris fin le 31/12/2025). Un \
                           administrateur enregistre un plan avec `suivi reference add-plan`." })
    );
    for figures in [&body["consolidated"], &body["buyers"][0]["indicators"]] {
        assert_eq!(figures["social"]["share"], "1.0000", "the shares are still computed");
        assert_eq!(figures["social"]["target_share"], Value::Null, "not the 2022-2025 plan's 30 %");
        assert_eq!(figures["environmental"]["target_share"], Value::Null, "nor its 100 %");
    }
    // The years before the first plan recorded have none either.
    let earlier: Value = app.get("/api/indicators?year=2021", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(earlier["national_targets"]["status"], "no_plan");
    assert_eq!(earlier["consolidated"]["social"]["target_share"], Value::Null);

    // A later plan, as `suivi reference add-plan` records it (made up: only its shape matters).
    sqlx::query(
        "insert into pnad_targets (plan, period_start, period_end, social_share, environmental_share, source)
         values ('Plan de test 2026-2030', '2026-01-01', '2030-12-31', 0.4, null, 'Source de test')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let body: Value = app.get("/api/indicators?year=2026", &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(
        body["national_targets"],
        json!({ "status": "in_force", "name": "Plan de test 2026-2030", "period_start": "2026-01-01",
                "period_end": "2030-12-31", "social_share": "0.4000", "environmental_share": null,
                "source": "Source de test" })
    );
    assert_eq!(body["consolidated"]["social"]["target_share"], "0.4000");
    assert_eq!(body["consolidated"]["environmental"]["target_share"], Value::Null, "the plan sets none");
}

#[tokio::test]
async fn get_indicators_refuses_contractors_and_finance_and_a_missing_or_invalid_year() {
    let app = TestApp::spawn().await;
    for token in [&app.tokens.contractor, &app.tokens.finance] {
        let response = app.get("/api/indicators?year=2025", token).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/forbidden");
    }
    let response = app.request(reqwest::Method::GET, "/api/indicators?year=2025", None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    for (query, field) in [
        ("", "year"),
        ("?year=", "year"),
        ("?year=1999", "year"),
        ("?year=2101", "year"),
        ("?year=twenty", "year"),
        ("?year=2025&year=2026", "year"),
        ("?year=2025&buyer=20004869500015", "buyer"),
    ] {
        let response = app.get(&format!("/api/indicators{query}"), &app.tokens.buyer).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(response.headers()[reqwest::header::CONTENT_TYPE], suivi_http::problem::CONTENT_TYPE, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/invalid_field", "{query}");
        assert_eq!(problem["field"], field, "{query}");
    }
    // A contractor is refused before the year is even read.
    let response = app.get("/api/indicators", &app.tokens.contractor).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// One more contract notified in 2025 (no clause, no advance), projected: the read models move on.
async fn award_one_more_in_2025(db: &TestDatabase) {
    let award = Award {
        buyer: B1,
        contractor: (C1, "pme"),
        amount_ht: "50000.00",
        months: 6,
        notified: "2025-09-01",
        social: &[],
        environmental: &[],
        clause: None,
        advance: None,
    };
    Contract::award(db, "agglo", award).await;
    project_everything(&db.pool).await;
}

/// The dashboard reads the year's indicators through a cache: the same answer while the read
/// models are unchanged, a fresh one as soon as the projector applies a batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cached_indicators_are_recomputed_when_the_projector_moves_on() {
    let db = TestDatabase::new().await;
    seed(&db).await;
    let (schema, tenant) = (target::active(&db.pool).await.unwrap(), TenantId::parse("agglo").unwrap());
    let first = cached_yearly_indicators(&db.pool, schema, &tenant, 2025).await.unwrap();
    let again = cached_yearly_indicators(&db.pool, schema, &tenant, 2025).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first.indicators, &again.indicators), "computed once while nothing changed");
    assert_eq!(*first.indicators, indicators_of(&db, "agglo", 2025).await, "the cache answers what a computation does");

    // A contract notified in 2025, projected: the cached answer follows.
    award_one_more_in_2025(&db).await;
    let after = cached_yearly_indicators(&db.pool, schema, &tenant, 2025).await.unwrap();
    assert_eq!(after.indicators.consolidated.notified.count, first.indicators.consolidated.notified.count + 1);
    assert_eq!(*after.indicators, indicators_of(&db, "agglo", 2025).await);
    assert!(after.projected_at > first.projected_at, "with the time of the data it was computed from");
}

/// While one request computes the new answer, the others get the previous one at once (with the
/// time of its data) instead of all waiting behind the computation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_indicators_are_recomputed_other_requests_get_the_previous_answer_at_once() {
    let db = TestDatabase::new().await;
    seed(&db).await;
    let (schema, tenant) = (target::active(&db.pool).await.unwrap(), TenantId::parse("agglo").unwrap());
    let before = cached_yearly_indicators(&db.pool, schema, &tenant, 2025).await.unwrap();
    award_one_more_in_2025(&db).await;

    // The next computation is held up by a lock on the statement lines it aggregates.
    let lines = format!("{}.statement_lines", schema.name());
    let mut blocker = db.pool.begin().await.unwrap();
    sqlx::query(&format!("lock table {lines} in access exclusive mode")).execute(&mut *blocker).await.unwrap();
    let computing = tokio::spawn({
        let (pool, tenant) = (db.pool.clone(), tenant.clone());
        async move { cached_yearly_indicators(&pool, schema, &tenant, 2025).await.unwrap() }
    });
    let waiting = format!("select count(*) from pg_locks where not granted and relation = '{lines}'::regclass");
    let blocked = async {
        while sqlx::query_scalar::<_, i64>(&waiting).fetch_one(&db.pool).await.unwrap() == 0 {
            assert!(!computing.is_finished(), "the computation ended without waiting for the lock");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), blocked)
        .await
        .expect("the computation waits for the lock");
    let meanwhile = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        cached_yearly_indicators(&db.pool, schema, &tenant, 2025),
    )
    .await
    .expect("answered without waiting for the computation")
    .unwrap();
    assert!(std::sync::Arc::ptr_eq(&meanwhile.indicators, &before.indicators), "the previous answer");
    assert_eq!(meanwhile.projected_at, before.projected_at, "saying how old it is");
    assert!(before.current && !meanwhile.current, "and that it is the previous one");

    blocker.rollback().await.unwrap();
    let fresh = computing.await.unwrap();
    assert_eq!(fresh.indicators.consolidated.notified.count, before.indicators.consolidated.notified.count + 1);
    assert!(fresh.projected_at > before.projected_at && fresh.current);
    let next = cached_yearly_indicators(&db.pool, schema, &tenant, 2025).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&next.indicators, &fresh.indicators), "the new answer, kept");
}
