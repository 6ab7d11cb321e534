//! Property tests of the contract aggregate: an award, then up to 30 commands built from the
//! state reached so far (so most are accepted and some are refused), with these checked after
//! every step:
//!
//! 1. the accepted history, each event read back from its stored text, replays to the state
//!    reached step by step, and `decide` neither mutates the state nor answers differently when
//!    asked twice (it is pure);
//! 2. every accepted event survives the wire (`decode` of its JSON, `decode_str` of its text),
//!    carries no negative number, and fits the state it follows ([`Contract::misfit`] is what
//!    the projector quarantines); the penalty view survives its own wire; every refusal has a
//!    code and a message in both languages;
//! 3. hours and amounts are never negative, and money is always in whole cents;
//! 4. the advance recovered never exceeds the advance paid, nor the advance granted;
//! 5. what `docs/rules.md` states: net = gross − recovery − other deductions, gross is the
//!    increase of the cumulative value with VAT (rounded) and the grosses add up to it to the
//!    cent, recovery catches up with the thresholds unless
//!    the gross caps it, instalments are sequential and approved in order, the cumulative value
//!    never decreases nor exceeds the amount, at most 230 hours per person per month, nothing
//!    pending at settlement, one penalty decision after it and a confirmation at the proposal,
//!    every period within the execution and every fact in date order;
//! 6. the plain case of each command (see [`must_accept`]) is accepted, so that the properties
//!    above cannot hold merely because everything is refused.
//!
//! Payloads are built from JSON and amounts read back through [`amount`], so the file does not
//! depend on the Rust type of an amount field (a `Decimal` today, a newtype tomorrow): only the
//! helpers just below touch those types.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use suivi_domain::advance_recovery::RecoveryPace;
use suivi_domain::contract::PenaltyDecision;
use suivi_domain::participants::assume_registered;
use suivi_domain::{
    decide, propose_penalty, AwardedContract, Command, Contract, DatedRates, DecisionContext, Lang, ProposedPenalty,
    References,
};
use suivi_proto::Event;

// ---------------------------------------------------------------------------------------------
// The only code that knows how amounts are typed. Everything else goes through JSON or `Decimal`
// values read with `amount`.
// ---------------------------------------------------------------------------------------------

/// A payload (or any wire value) from its JSON, as the HTTP edge would parse it.
fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// The number an amount, hours or share stands for, whatever its Rust type, read from its wire
/// form (a JSON string today; a JSON number is accepted too).
fn amount(value: &impl Serialize) -> Decimal {
    amount_opt(value).unwrap_or_else(|| panic!("an amount, not null"))
}

/// [`amount`] of an optional value: `None` for JSON `null`.
fn amount_opt(value: &impl Serialize) -> Option<Decimal> {
    match serde_json::to_value(value).expect("amounts serialise") {
        Value::Null => None,
        Value::String(text) => Some(text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))),
        Value::Number(number) => Some(number.to_string().parse().unwrap_or_else(|e| panic!("{number}: {e}"))),
        other => panic!("not an amount: {other}"),
    }
}

/// The wire form of a number of cents, e.g. `"1234.50"`.
fn cents(value: i64) -> String {
    Decimal::new(value, 2).to_string()
}

/// The wire form of a permille as a fraction of 1, e.g. 650 → `"0.650"`.
fn permille(value: u16) -> String {
    Decimal::new(i64::from(value), 3).to_string()
}

/// Rounded to the cent, half away from zero (rules.md: every computed amount, once).
fn round_cent(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Truncated to the cent, so a fraction of an amount is an amount the domain accepts.
fn floor_cent(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// Whether a figure is a whole number of cents.
fn in_cents(value: Decimal) -> bool {
    value.normalize().scale() <= 2
}

/// The advance granted (rules.md "Advance"): rate × base TTC, the base being the amount TTC up
/// to 12 months, else 12 × amount ÷ duration; rounded to the cent. Recomputed here rather than
/// read from the domain, so the check is independent.
fn granted_advance(award: &Value) -> Decimal {
    let amount_ht: Decimal = amount(&award["amount_ht"]);
    let vat: Decimal = amount(&award["vat_rate"]);
    let months = award["duration_months"].as_u64().expect("months");
    let rate: Decimal = amount(&award["advance_terms"]["rate"]);
    let ttc = amount_ht * (Decimal::ONE + vat);
    let base = if months <= 12 { ttc } else { ttc * Decimal::from(12) / Decimal::from(months) };
    round_cent(base * rate)
}

/// SMIC from 2023 (the generated notifications are in 2024); an award may still ask for an older
/// reference date, which has no SMIC and makes the proposal unavailable.
fn references() -> References {
    let table = |rows: &[(&str, &str)]| {
        DatedRates::new(rows.iter().map(|(from, value)| (date(from), value.parse().expect("a rate"))).collect())
            .expect("ascending dates")
    };
    References {
        smic: table(&[("2023-01-01", "11.27"), ("2024-01-01", "11.65"), ("2024-11-01", "11.88")]),
        ecb: table(&[("2023-09-20", "0.045"), ("2024-06-12", "0.0425")]),
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and constants
// ---------------------------------------------------------------------------------------------

/// Far after any generated date, so a date is refused as future only when a step asks for it.
const TODAY: &str = "2031-12-31";
const BUYER: &str = "20004869500015";
const CONTRACTOR: &str = "73282932000074";
const MAX_HOURS_PER_PERSON_PER_MONTH: u32 = 230;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn today() -> NaiveDate {
    date(TODAY)
}

fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day + Days::new(days)
}

/// A participant, named by its code: one of 16.
fn person(index: u8) -> serde_json::Value {
    let code = char::from_digit(u32::from(index % 16), 16).expect("a hex digit").to_ascii_uppercase().to_string();
    json!({"kind": "participant", "code": code.repeat(8)})
}

// ---------------------------------------------------------------------------------------------
// Generated inputs: knobs that steps turn into commands against the current state.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct AwardSeed {
    amount_cents: i64,
    vat: &'static str,
    duration_months: u32,
    /// Month and day of 2024 the contract is notified on: mostly a 1st, so that instalment
    /// months are calendar months; otherwise each instalment straddles two calendar months.
    notification_month: u32,
    notification_day: u32,
    clause: Option<ClauseSeed>,
    advance: Option<AdvanceSeed>,
}

#[derive(Debug, Clone)]
struct ClauseSeed {
    committed_hundredths: i64,
    /// `None` fixed rate of 60 €/h; `Some((multiple in tenths, SMIC before the table?))`.
    smic: Option<(u16, bool)>,
    declared_basis: bool,
    tolerance: u16,
    cap: Option<u16>,
    exemption_cents: Option<i64>,
    pro_rata: bool,
}

#[derive(Debug, Clone)]
struct AdvanceSeed {
    rate: u16,
    /// `None` proportional; `Some((start, end))` thresholds in permille.
    thresholds: Option<(u16, Option<u16>)>,
}

#[derive(Debug, Clone)]
enum Step {
    Request(RequestSeed),
    Review(ReviewSeed),
    Approve(ApproveSeed),
    PayAdvance { permille: u16, above: bool, delay: u8 },
    PayInstalment { which: u8, exact: bool, delay: u8 },
    Amend(AmendSeed),
    Terminate { delay: u8, value_permille: u16 },
    Settle { delay: u8, final_kind: u8 },
    Penalty { kind: u8, delay: u8 },
}

#[derive(Debug, Clone)]
struct RequestSeed {
    /// 0: as expected; otherwise skips numbers (refused).
    number_skip: u8,
    value: ValueSeed,
    lines: Vec<LineSeed>,
    /// Days after the period's end; `None`: before its start (refused).
    received_delay: Option<u8>,
}

#[derive(Debug, Clone)]
enum ValueSeed {
    Same,
    /// Executed + permille of what remains to the amount.
    Rise(u16),
    /// Up to the amount exactly.
    All,
    /// Above the amount (refused).
    Above(u32),
    /// Below what is executed (refused when something is).
    Below(u32),
    /// `"-0.00"`: the money shape reads a sign, and zero is not negative.
    NegativeZero,
}

#[derive(Debug, Clone)]
struct LineSeed {
    person: u8,
    hundredths: i64,
    /// Day offsets inside the month.
    start_day: u8,
    length: u8,
    /// Months before the request's month (hours forgotten earlier).
    months_back: u8,
    category: u8,
    modality: u8,
    duplicate_id: bool,
}

#[derive(Debug, Clone)]
struct ReviewSeed {
    /// Which instalment; past the end: an unknown one (refused).
    which: u8,
    /// Bit i: decide the i-th pending line; bit 8+i: reject it rather than validate it.
    mask: u16,
    /// 0: none; 1: an unknown line id; 2: a line already reviewed; 3: a blank reason.
    oddity: u8,
}

#[derive(Debug, Clone)]
struct ApproveSeed {
    /// 0: the first unapproved instalment; otherwise any number up to one past the last.
    which: u8,
    delay: u8,
    /// `None`: no other deduction; `Some(permille of the expected gross)`; may exceed it.
    deductions: Option<u16>,
    /// 0: none; 1: negative deductions; 2: a fraction of a cent; 3: dated in the future;
    /// 4: `"-0.00"`.
    oddity: u8,
}

#[derive(Debug, Clone)]
struct AmendSeed {
    number_skip: u8,
    amount_permille: Option<u16>,
    duration_months: Option<u32>,
    hours_hundredths: Option<i64>,
    delay: u8,
}

fn award_seed() -> impl Strategy<Value = AwardSeed> {
    let clause = (
        0i64..=500_000,
        prop::option::weighted(0.4, (5u16..=60, prop::bool::weighted(0.2))),
        any::<bool>(),
        prop_oneof![Just(0u16), 0u16..=300],
        prop::option::of(1u16..=1000),
        prop::option::weighted(0.3, 0i64..=1_000_000),
        any::<bool>(),
    )
        .prop_map(|(committed_hundredths, smic, declared_basis, tolerance, cap, exemption_cents, pro_rata)| {
            ClauseSeed { committed_hundredths, smic, declared_basis, tolerance, cap, exemption_cents, pro_rata }
        });
    let thresholds = (0u16..=900).prop_flat_map(|start| {
        (Just(start), prop::option::weighted(0.7, (start + 1)..=1000)).prop_map(|(start, end)| (start, end))
    });
    let advance = (prop_oneof![Just(0u16), 1u16..=300], prop::option::weighted(0.7, thresholds))
        .prop_map(|(rate, thresholds)| AdvanceSeed { rate, thresholds });
    (
        // Up to 10^12 €, the largest amount a command may carry.
        prop_oneof![4 => 100i64..=10_000_000, 4 => 10_000_000i64..=100_000_000_000, 1 => 1i64..=100_000_000_000_000],
        prop::sample::select(vec!["0", "0.055", "0.1", "0.2"]),
        prop_oneof![1 => 1u32..=6, 3 => 6u32..=36],
        (1u32..=12, prop_oneof![3 => Just(1u32), 1 => 1u32..=28]),
        prop::option::weighted(0.8, clause),
        prop::option::weighted(0.8, advance),
    )
        .prop_map(
            |(amount_cents, vat, duration_months, (notification_month, notification_day), clause, advance)| AwardSeed {
                amount_cents,
                vat,
                duration_months,
                notification_month,
                notification_day,
                clause,
                advance,
            },
        )
}

fn line_seed() -> impl Strategy<Value = LineSeed> {
    (
        0u8..5,
        prop_oneof![3 => 0i64..=12_000, 1 => 0i64..=30_000],
        0u8..31,
        0u8..31,
        prop_oneof![6 => Just(0u8), 1 => 1u8..=3],
        0u8..9,
        0u8..7,
        prop::bool::weighted(0.03),
    )
        .prop_map(|(person, hundredths, start_day, length, months_back, category, modality, duplicate_id)| {
            LineSeed { person, hundredths, start_day, length, months_back, category, modality, duplicate_id }
        })
}

fn step() -> impl Strategy<Value = Step> {
    let request = (
        prop_oneof![12 => Just(0u8), 1 => 1u8..=2],
        prop_oneof![
            2 => Just(ValueSeed::Same),
            8 => (0u16..=1000).prop_map(ValueSeed::Rise),
            1 => Just(ValueSeed::All),
            1 => (1u32..=100_000).prop_map(ValueSeed::Above),
            1 => (1u32..=100_000).prop_map(ValueSeed::Below),
            1 => Just(ValueSeed::NegativeZero),
        ],
        prop::collection::vec(line_seed(), 0..=4),
        prop_oneof![12 => (0u8..=20).prop_map(Some), 1 => Just(None)],
    )
        .prop_map(|(number_skip, value, lines, received_delay)| {
            Step::Request(RequestSeed { number_skip, value, lines, received_delay })
        });
    let review =
        (prop_oneof![6 => Just(0u8), 1 => any::<u8>()], any::<u16>(), prop_oneof![8 => Just(0u8), 1 => 1u8..=3])
            .prop_map(|(which, mask, oddity)| Step::Review(ReviewSeed { which, mask, oddity }));
    let approve = (
        prop_oneof![6 => Just(0u8), 1 => any::<u8>()],
        0u8..=30,
        prop::option::weighted(0.4, 0u16..=1100),
        prop_oneof![12 => Just(0u8), 1 => 1u8..=4],
    )
        .prop_map(|(which, delay, deductions, oddity)| Step::Approve(ApproveSeed { which, delay, deductions, oddity }));
    let amend = (
        prop_oneof![8 => Just(0u8), 1 => 1u8..=2],
        prop::option::of(500u16..=1500),
        prop::option::weighted(0.4, 1u32..=48),
        prop::option::weighted(0.4, 0i64..=600_000),
        0u8..=60,
    )
        .prop_map(|(number_skip, amount_permille, duration_months, hours_hundredths, delay)| {
            Step::Amend(AmendSeed { number_skip, amount_permille, duration_months, hours_hundredths, delay })
        });
    prop_oneof![
        8 => request,
        5 => review,
        5 => approve,
        2 => (0u16..=1000, prop::bool::weighted(0.15), 0u8..=60)
            .prop_map(|(permille, above, delay)| Step::PayAdvance { permille, above, delay }),
        3 => (prop_oneof![4 => Just(0u8), 1 => any::<u8>()], prop::bool::weighted(0.8), 0u8..=40)
            .prop_map(|(which, exact, delay)| Step::PayInstalment { which, exact, delay }),
        1 => amend,
        1 => (0u8..=60, 0u16..=1100).prop_map(|(delay, value_permille)| Step::Terminate { delay, value_permille }),
        1 => (0u8..=60, 0u8..3).prop_map(|(delay, final_kind)| Step::Settle { delay, final_kind }),
        4 => (0u8..8, 0u8..=60).prop_map(|(kind, delay)| Step::Penalty { kind, delay }),
    ]
}

// ---------------------------------------------------------------------------------------------
// From knobs to commands
// ---------------------------------------------------------------------------------------------

fn award_json(seed: &AwardSeed) -> Value {
    let notification = NaiveDate::from_ymd_opt(2024, seed.notification_month, seed.notification_day).expect("a date");
    let mut award = json!({
        "buyer_siret": BUYER,
        "buyer_kind": "local_authority",
        "contractors": [{"siret": CONTRACTOR, "size": "pme", "role": "sole"}],
        "object": text(seed.notification_day.to_le_bytes()[0]),
        "cpv_code": "45212222-8",
        "procedure": "Appel d'offres ouvert",
        "amount_ht": cents(seed.amount_cents),
        "vat_rate": seed.vat,
        "duration_months": seed.duration_months,
        "notification_date": notification.to_string(),
        "social_considerations": ["clause_sociale"],
        "environmental_considerations": [],
        "payment_term_days": 30,
    });
    if let Some(clause) = &seed.clause {
        let rate = match clause.smic {
            None => json!({"kind": "fixed", "amount_per_hour_ht": "60.00"}),
            Some((tenths, before_table)) => {
                let mut rate =
                    json!({"kind": "smic_multiple", "multiple": Decimal::new(i64::from(tenths), 1).to_string()});
                if before_table {
                    rate["reference_date"] = json!("2020-01-01");
                }
                rate
            }
        };
        let mut terms = json!({
            "rate": rate,
            "basis": if clause.declared_basis { "declared" } else { "validated" },
            "tolerance_share": permille(clause.tolerance),
            "pro_rata_on_termination": clause.pro_rata,
        });
        if let Some(cap) = clause.cap {
            terms["cap_share"] = json!(permille(cap));
        }
        if let Some(exemption) = clause.exemption_cents {
            terms["exemption_threshold_ht"] = json!(cents(exemption));
        }
        award["insertion_clause"] =
            // Paid at a SMIC below 13 €/h, the hours cost no more than the contract (the award's bound).
            json!({"committed_hours": cents(clause.committed_hundredths.min(seed.amount_cents / 13)), "penalty_terms": terms});
    }
    if let Some(advance) = &seed.advance {
        let recovery = match advance.thresholds {
            None => json!({"kind": "proportional"}),
            Some((start, end)) => {
                let mut recovery = json!({"kind": "thresholds", "start_share": permille(start)});
                if let Some(end) = end {
                    recovery["end_share"] = json!(permille(end));
                }
                recovery
            }
        };
        award["advance_terms"] = json!({"rate": permille(advance.rate), "with_guarantee": false, "recovery": recovery});
    }
    award
}

/// The command a step stands for, built from the state so that most are accepted: the next
/// number, dates after the facts they follow, values between what is executed and the amount.
fn command(step: &Step, contract: &AwardedContract, award: &Value) -> Command {
    let start = contract.start_date();
    let last_work = contract.last_work_day().unwrap_or(start).max(start);
    match step {
        Step::Request(seed) => request(seed, contract),
        Step::Review(seed) => review(seed, contract),
        Step::Approve(seed) => approve(seed, contract, award),
        Step::PayAdvance { permille: share, above, delay } => {
            let granted = if award["advance_terms"].is_null() || amount(&award["advance_terms"]["rate"]).is_zero() {
                // No cap: any positive amount; take a share of 30 % of the amount TTC.
                round_cent(amount(&award["amount_ht"]) * Decimal::new(3, 1))
            } else {
                granted_advance(award)
            };
            let paid = if *above {
                granted + Decimal::new(1, 2)
            } else {
                floor_cent(granted * Decimal::new(i64::from(*share), 3))
            };
            Command::RecordAdvancePaid(from_json(json!({
                "amount_ttc": paid.to_string(),
                "paid_on": plus_days(start, u64::from(*delay)).to_string(),
                "with_guarantee": false,
                "finance_reference": "MDT-2024-000001",
            })))
        }
        Step::PayInstalment { which, exact, delay } => {
            // The first instalment approved and not paid yet; otherwise any number (refused).
            let due = contract.instalments().iter().find(|i| i.approval().is_some() && i.payment().is_none());
            let (number, net, approved_on) = match due {
                Some(instalment) if *which == 0 => {
                    let approval = instalment.approval().expect("approved");
                    (instalment.number(), amount(&approval.net_to_pay_ttc), approval.approved_on)
                }
                _ => (u32::from(*which % 8) + 1, Decimal::new(10_000, 2), start),
            };
            let paid = if *exact && !net.is_zero() { net } else { net + Decimal::new(123, 2) };
            Command::RecordInstalmentPaid(from_json(json!({
                "number": number,
                "amount_ttc": paid.to_string(),
                "paid_on": plus_days(approved_on, u64::from(*delay)).to_string(),
                "finance_reference": format!("MDT-{number}"),
            })))
        }
        Step::Amend(seed) => {
            let signed = contract.amendments().last().map_or(start, |a| a.signed_on).max(start);
            let mut amendment = json!({
                "amendment_number": contract.last_amendment_number() + 1 + u32::from(seed.number_skip),
                "signed_on": plus_days(signed, u64::from(seed.delay)).to_string(),
                "reason": text(seed.delay),
            });
            if let Some(share) = seed.amount_permille {
                let current = amount(&contract.current_amount_ht());
                amendment["new_amount_ht"] = json!(floor_cent(current * Decimal::new(i64::from(share), 3)).to_string());
            }
            if let Some(months) = seed.duration_months {
                amendment["new_duration_months"] = json!(months);
            }
            if let Some(hours) = seed.hours_hundredths {
                amendment["new_committed_hours"] = json!(cents(hours));
            }
            Command::Amend(from_json(amendment))
        }
        Step::Terminate { delay, value_permille } => {
            let executed = amount(&contract.executed_value_ht());
            let remaining = amount(&contract.current_amount_ht()) - executed;
            let value = executed + floor_cent(remaining * Decimal::new(i64::from(*value_permille), 3));
            // Not before the work done, nor before an amendment: a contract ends after both.
            let after = contract.amendments().last().map_or(last_work, |a| a.signed_on.max(last_work));
            Command::Terminate(from_json(json!({
                "terminated_on": plus_days(after, u64::from(*delay)).to_string(),
                "value_executed_ht": value.to_string(),
                "reason": text(*delay),
            })))
        }
        Step::Settle { delay, final_kind } => {
            // After the work, the termination, the last request and the last approval.
            let received = contract.instalments().iter().map(|i| i.received_on());
            let approved = contract.instalments().iter().filter_map(|i| i.approval()).map(|a| a.approved_on);
            let after = received
                .chain(approved)
                .chain(contract.termination().map(|t| t.terminated_on))
                .fold(last_work, NaiveDate::max);
            let final_amount = match final_kind {
                0 => amount(&contract.current_amount_ht()),
                1 => amount(&contract.executed_value_ht()),
                _ => Decimal::new(99_999, 2),
            };
            Command::Settle(from_json(json!({
                "final_amount_ht": final_amount.to_string(),
                "settled_on": plus_days(after, u64::from(*delay)).to_string(),
            })))
        }
        Step::Penalty { kind, delay } => {
            let settled = contract.settlement().map_or(last_work, |s| s.settled_on);
            let decided_on = plus_days(settled, u64::from(*delay)).to_string();
            // The procedure's dates follow each other, so that the plain case of each step is
            // reached: notified within days of the settlement, answered within the period,
            // decided once heard (`delay` still shifts each, to reach the refusals too).
            let notified_on = plus_days(settled, u64::from(*delay % 10)).to_string();
            let notice = contract.penalty_notice();
            let answered_on =
                notice.map_or(notified_on.clone(), |n| plus_days(n.notified_on, u64::from(*delay % 17)).to_string());
            let heard_on = match (notice, contract.penalty_observations()) {
                (_, Some(answer)) => plus_days(answer.received_on, u64::from(*delay % 3)),
                (Some(notice), None) => plus_days(notice.observations_until(), u64::from(*delay % 4)),
                (None, None) => plus_days(settled, u64::from(*delay)),
            }
            .to_string();
            let proposal = propose_penalty(contract, &references().smic)
                .ok()
                .flatten()
                .map(|p| amount(&serde_json::to_value(&p).expect("a proposal serialises")["final_amount_ht"]))
                .unwrap_or(Decimal::ZERO);
            match kind {
                0 => Command::ConfirmPenalty(from_json(
                    json!({"amount_ht": proposal.to_string(), "decided_on": heard_on}),
                )),
                // A proposal of 0 confirmed as "-0.00": the same number.
                1 => Command::ConfirmPenalty(from_json(json!({
                    "amount_ht": if proposal.is_zero() { "-0.00".to_owned() } else { proposal.to_string() },
                    "decided_on": decided_on,
                }))),
                2 => Command::ConfirmPenalty(from_json(json!({
                    "amount_ht": (proposal + Decimal::new(1, 2)).to_string(),
                    "decided_on": decided_on,
                }))),
                3 => Command::AdjustPenalty(from_json(json!({
                    "amount_ht": (floor_cent(proposal / Decimal::TWO) + Decimal::new(1, 2)).to_string(),
                    "reason": text(*delay),
                    "decided_on": heard_on,
                }))),
                4 => Command::WaivePenalty(from_json(json!({"reason": text(*delay), "decided_on": decided_on}))),
                5 => Command::WaivePenalty(from_json(json!({"reason": "  ", "decided_on": decided_on}))),
                // The contradictory procedure: the proposal notified (the default period), then the
                // contractor's answer.
                6 => Command::NotifyPenalty(from_json(
                    json!({"amount_ht": proposal.to_string(), "notified_on": notified_on}),
                )),
                _ => Command::ReceivePenaltyObservations(from_json(
                    json!({"observations": text(*delay), "received_on": answered_on}),
                )),
            }
        }
    }
}

/// Multi-line free texts (object, reasons): line feeds, tabs, quotes, backslashes and non-ASCII
/// must survive the wire as they are. Picked from another knob of the step, since the text
/// changes no rule.
const TEXTS: [&str; 5] = [
    "Travaux supplémentaires de désamiantage",
    "Première ligne\nseconde ligne\tet une tabulation",
    "Guillemets \" et barre oblique \\ conservés",
    "Chantier 🏗️ — lot n° 3 « gros œuvre »",
    "  espaces autour  ",
];

fn text(knob: u8) -> &'static str {
    TEXTS[usize::from(knob) % TEXTS.len()]
}

const CATEGORIES: [&str; 9] = [
    "long_term_jobseeker",
    "minimum_income_recipient",
    "young_low_qualification",
    "disability_recognition",
    "siae_ea_esat_employee",
    "priority_neighbourhood_resident",
    "jobseeker_over50",
    "court_supervision",
    "other_eligible",
];
const MODALITIES: [&str; 7] = [
    "direct_hire",
    "temporary_work_etti",
    "placement_ai",
    "geiq",
    "subcontracting_siae",
    "co_contracting_siae",
    "training",
];

/// Instalment `n` covers month `n` of the contract (cut at the termination date); its lines lie
/// in that month or a few earlier ones.
fn request(seed: &RequestSeed, contract: &AwardedContract) -> Command {
    let number = contract.last_instalment_number() + 1 + u32::from(seed.number_skip);
    let (start, end) = request_period(contract, number);
    let executed = amount(&contract.executed_value_ht());
    let ceiling = amount(&contract.current_amount_ht());
    let ceiling = contract.termination().map_or(ceiling, |t| ceiling.min(amount(&t.value_executed_ht)));
    let value: String = match seed.value {
        ValueSeed::NegativeZero => "-0.00".to_owned(),
        _ => request_value(seed, executed, ceiling).to_string(),
    };
    let lines: Vec<Value> = request_lines(seed, start);
    let received_on = match seed.received_delay {
        Some(days) => plus_days(end.max(start), u64::from(days)),
        None => start - Days::new(5),
    };
    Command::RequestInstalment(from_json(json!({
        "number": number,
        "period": {"start": start.to_string(), "end": end.to_string()},
        "cumulative_value_ht": value,
        "received_on": received_on.to_string(),
        "statement": {"lines": lines},
    })))
}

/// Month `number` of the contract, cut at the termination date.
fn request_period(contract: &AwardedContract, number: u32) -> (NaiveDate, NaiveDate) {
    let start = contract.start_date() + Months::new(number - 1);
    let planned_end = contract.start_date() + Months::new(number) - Days::new(1);
    (start, contract.termination().map_or(planned_end, |t| planned_end.min(t.terminated_on)))
}

fn request_value(seed: &RequestSeed, executed: Decimal, ceiling: Decimal) -> Decimal {
    match seed.value {
        ValueSeed::Same | ValueSeed::NegativeZero => executed,
        ValueSeed::Rise(share) => {
            executed + floor_cent((ceiling - executed).max(Decimal::ZERO) * Decimal::new(i64::from(share), 3))
        }
        ValueSeed::All => ceiling,
        ValueSeed::Above(c) => ceiling + Decimal::new(i64::from(c), 2),
        ValueSeed::Below(c) => (executed - Decimal::new(i64::from(c), 2)).max(Decimal::ZERO),
    }
}

fn request_lines(seed: &RequestSeed, start: NaiveDate) -> Vec<Value> {
    seed.lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let month = start - Months::new(u32::from(line.months_back));
            let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("a first of month");
            let month_last = month + Months::new(1) - Days::new(1);
            let first = plus_days(month, u64::from(line.start_day)).min(month_last);
            let last = plus_days(first, u64::from(line.length)).min(month_last);
            let line_id = if line.duplicate_id && index > 0 { index } else { index + 1 };
            json!({
                "line_id": line_id,
                "beneficiary": person(line.person),
                "category": CATEGORIES[usize::from(line.category) % CATEGORIES.len()],
                "modality": MODALITIES[usize::from(line.modality) % MODALITIES.len()],
                "hours": cents(line.hundredths),
                "period": {"start": first.to_string(), "end": last.to_string()},
            })
        })
        .collect()
}

fn review(seed: &ReviewSeed, contract: &AwardedContract) -> Command {
    let with_pending: Vec<_> =
        contract.instalments().iter().filter(|i| i.lines().iter().any(|l| l.is_pending())).collect();
    let Some(instalment) = (match seed.which {
        0 => with_pending.first().copied(),
        which => with_pending.get(usize::from(which)).copied(),
    }) else {
        let number = contract.last_instalment_number() + 1 + u32::from(seed.which % 3);
        return Command::ReviewStatement(from_json(json!({
            "instalment_number": number,
            "decisions": [{"line_id": 1, "decision": {"kind": "validated"}}],
        })));
    };
    let mut decisions: Vec<Value> = instalment
        .lines()
        .iter()
        .filter(|l| l.is_pending())
        .enumerate()
        .filter(|(index, _)| *index >= 8 || seed.mask & (1 << index) != 0 || seed.mask == 0)
        .map(|(index, l)| {
            let reject = index < 8 && seed.mask & (1 << (index + 8)) != 0;
            let decision = if reject {
                json!({"kind": "rejected", "reason": if seed.oddity == 3 { " " } else { text(seed.mask.to_le_bytes()[1]) }})
            } else {
                json!({"kind": "validated"})
            };
            json!({"line_id": l.line().line_id, "decision": decision})
        })
        .collect();
    match seed.oddity {
        1 => decisions.push(json!({"line_id": 999, "decision": {"kind": "validated"}})),
        2 => {
            if let Some(done) = instalment.lines().iter().find(|l| !l.is_pending()) {
                decisions.push(json!({"line_id": done.line().line_id, "decision": {"kind": "validated"}}));
            }
        }
        _ => {}
    }
    Command::ReviewStatement(from_json(json!({"instalment_number": instalment.number(), "decisions": decisions})))
}

fn approve(seed: &ApproveSeed, contract: &AwardedContract, award: &Value) -> Command {
    let first_unapproved = contract.instalments().iter().find(|i| i.approval().is_none());
    let (number, received_on) = match (seed.which, first_unapproved) {
        (0, Some(instalment)) => (instalment.number(), instalment.received_on()),
        (which, _) => {
            let number = u32::from(which) % (contract.last_instalment_number() + 2);
            (number, contract.instalment(number).map_or(contract.start_date(), |i| i.received_on()))
        }
    };
    // Approvals are dated in order: not before the previous one.
    let previous_approval = number.checked_sub(1).and_then(|p| contract.instalment(p)).and_then(|p| p.approval());
    let received_on = previous_approval.map_or(received_on, |a| a.approved_on.max(received_on));
    let gross = expected_gross(contract, number, award);
    let deductions =
        seed.deductions.map_or(Decimal::ZERO, |share| floor_cent(gross * Decimal::new(i64::from(share), 3)));
    let (approved_on, deductions) = match seed.oddity {
        1 => (plus_days(received_on, u64::from(seed.delay)), -deductions - Decimal::ONE),
        2 => (plus_days(received_on, u64::from(seed.delay)), deductions + Decimal::new(5, 3)),
        3 => (plus_days(today(), 1), deductions),
        _ => (plus_days(received_on, u64::from(seed.delay)), deductions),
    };
    Command::ApproveInstalment { number, approved_on, other_deductions_ttc: from_json(json!(deductions.to_string())) }
}

/// Gross TTC of instalment `number` (rules.md): the cumulative value with VAT rounded to the
/// cent, minus the previous instalment's, so the grosses add up to the value executed with VAT.
/// Zero for an unknown instalment.
fn expected_gross(contract: &AwardedContract, number: u32, award: &Value) -> Decimal {
    let Some(instalment) = contract.instalment(number) else { return Decimal::ZERO };
    let previous = number.checked_sub(1).and_then(|p| contract.instalment(p));
    let previous = previous.map_or(Decimal::ZERO, |p| amount(&p.cumulative_value_ht()));
    cumulative_ttc(amount(&instalment.cumulative_value_ht()), award) - cumulative_ttc(previous, award)
}

/// A cumulative value HT with VAT, rounded once to the cent.
fn cumulative_ttc(value_ht: Decimal, award: &Value) -> Decimal {
    round_cent(value_ht * (Decimal::ONE + amount(&award["vat_rate"])))
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// Whether the rules leave no ground to refuse the command a step builds: the plain case of each
/// command. Refusing it would make the accepted-history properties hold vacuously (e.g. an
/// approval whose recovery exceeds the gross is refused as a negative net, not written).
fn must_accept(step: &Step, contract: &AwardedContract) -> bool {
    if contract.settlement().is_some() {
        return match step {
            Step::Penalty { kind, delay } => {
                let settled = contract.settlement().map_or(NaiveDate::MIN, |s| s.settled_on);
                let on = match (contract.penalty_notice(), contract.penalty_observations()) {
                    (_, Some(answer)) => plus_days(answer.received_on, u64::from(*delay % 3)),
                    (Some(notice), None) => plus_days(notice.observations_until(), u64::from(*delay % 4)),
                    (None, None) => plus_days(settled, u64::from(*delay)),
                };
                let proposal = match propose_penalty(contract, &references().smic) {
                    Ok(Some(proposal)) => proposal.final_amount_ht,
                    _ => return false,
                };
                let notice = contract.penalty_notice();
                let open = contract.penalty_decision().is_none();
                match kind {
                    0 => open && (proposal.is_zero() || heard_by(contract, on)),
                    4 => open,
                    6 => open && notice.is_none() && !proposal.is_zero(),
                    7 => {
                        let answered_on = notice.map(|n| plus_days(n.notified_on, u64::from(*delay % 17)));
                        open && contract.penalty_observations().is_none()
                            && notice.zip(answered_on).is_some_and(|(n, on)| on <= n.observations_until())
                    }
                    _ => false,
                }
            }
            _ => false,
        };
    }
    match step {
        Step::Approve(ApproveSeed { which: 0, deductions: None, oddity: 0, .. }) => {
            contract.instalments().iter().any(|i| i.approval().is_none())
        }
        Step::Review(ReviewSeed { which: 0, mask: 0, oddity: 0 }) => contract.pending_review_lines().next().is_some(),
        Step::Request(RequestSeed { number_skip: 0, value, lines, received_delay: Some(_) }) if lines.is_empty() => {
            let plain_value = match value {
                ValueSeed::Same | ValueSeed::Rise(_) | ValueSeed::All => true,
                ValueSeed::NegativeZero => amount(&contract.executed_value_ht()).is_zero(),
                ValueSeed::Above(_) | ValueSeed::Below(_) => false,
            };
            let (start, end) = request_period(contract, contract.last_instalment_number() + 1);
            plain_value && start <= end && end <= contract.execution_end_date()
        }
        Step::Settle { final_kind: 0, .. } => {
            contract.pending_review_lines().next().is_none()
                && contract.instalments().iter().all(|i| i.approval().is_some())
        }
        Step::Terminate { value_permille, .. } => contract.termination().is_none() && *value_permille <= 1000,
        _ => false,
    }
}

/// Property 2, and that `decide` only writes events that fit the state they follow. Answers the
/// event as read back from its stored text, which is what a replay folds.
fn check_event(before: &Contract, event: &Event) -> Event {
    assert_eq!(before.misfit(event), None, "decide wrote an event the projector would quarantine: {event:?}");
    let payload = event.to_payload();
    let decoded = Event::decode(event.event_type(), event.schema_version(), &payload);
    assert_eq!(decoded.as_ref(), Ok(event), "{} does not survive decode", event.event_type());
    let decoded = Event::decode_str(event.event_type(), event.schema_version(), &payload.to_string());
    assert_eq!(decoded.as_ref(), Ok(event), "{} does not survive decode_str", event.event_type());
    // Every number an event carries is an amount, hours or a share, none negative: not even a
    // "-0.00", which a consumer comparing strings or signs would misread.
    let mut numbers = Vec::new();
    wire_numbers(&payload, &mut numbers);
    for number in numbers {
        assert!(!number.starts_with('-'), "{} carries {number:?}: {payload}", event.event_type());
    }
    decoded.expect("checked above")
}

/// The strings of a payload that read as decimal numbers (amounts, hours, shares).
fn wire_numbers(value: &Value, numbers: &mut Vec<String>) {
    match value {
        Value::String(text) if text.parse::<Decimal>().is_ok() => numbers.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| wire_numbers(item, numbers)),
        Value::Object(fields) => fields.values().for_each(|field| wire_numbers(field, numbers)),
        _ => {}
    }
}

/// Properties 4 and 5 on one approval, against the state it was decided on.
fn check_approval(before: &AwardedContract, event: &Event, award: &Value) {
    let Event::InstalmentApproved(approval) = event else { return };
    let [gross, recovery, other, net] = [
        amount(&approval.gross_ttc),
        amount(&approval.advance_recovery_ttc),
        amount(&approval.other_deductions_ttc),
        amount(&approval.net_to_pay_ttc),
    ];
    assert_eq!(net, gross - recovery - other, "net = gross − recovery − deductions: {approval:?}");
    assert_eq!(gross, expected_gross(before, approval.number, award), "gross: {approval:?}");
    assert!(recovery <= gross, "recovery above the gross: {approval:?}");
    let so_far = amount(&before.advance_recovered_ttc());
    let expected = match (&before.award().advance_terms, before.advance_paid()) {
        (Some(terms), Some(paid)) => {
            let paid = amount(&paid.amount_ttc);
            let instalment = before.instalment(approval.number).expect("approved instalments exist");
            let share = amount(&instalment.cumulative_value_ht()) / amount(&before.initial_amount_ht());
            let pace = RecoveryPace::of(&terms.recovery);
            let (start, end) = (amount(&pace.start_share()), amount(&pace.end_share()));
            // rules.md: recovered so far = advance × (share − start) ÷ (end − start), clamped.
            let target = round_cent(paid * (share.clamp(start, end) - start) / (end - start));
            // The instalment catches up with the target, unless its gross cannot absorb it all.
            (target.min(so_far + gross) - so_far).max(Decimal::ZERO)
        }
        _ => Decimal::ZERO,
    };
    assert_eq!(recovery, expected, "advance recovery: {approval:?} after {so_far} recovered");
}

/// Whether a decision dated `on` comes after the contractor was heard: notified, and its
/// observations received or its period over.
fn heard_by(contract: &AwardedContract, on: NaiveDate) -> bool {
    contract.penalty_notice().is_some_and(|notice| {
        on >= notice.notified_on
            && match contract.penalty_observations() {
                Some(answer) => on >= answer.received_on,
                None => on > notice.observations_until(),
            }
    })
}

/// Property 5 on a penalty decision: a confirmation states the proposal's amount.
fn check_penalty(before: &AwardedContract, event: &Event) {
    if let Event::PenaltyConfirmed(confirmed) = event {
        let proposal = propose_penalty(before, &references().smic).expect("computable").expect("a proposal");
        let proposed = amount(&serde_json::to_value(&proposal).expect("serialises")["final_amount_ht"]);
        assert_eq!(amount(&confirmed.amount_ht), proposed);
    }
}

/// Properties 3, 4 and 5 on a state.
fn check_state(contract: &AwardedContract, award: &Value) {
    let non_negative_cents = |what: &str, value: Decimal| {
        assert!(value >= Decimal::ZERO, "{what} is negative: {value}");
        assert!(in_cents(value), "{what} is not in cents: {value}");
    };

    // Hours.
    let hours = contract.hours();
    let [declared, validated, rejected, pending] =
        [amount(&hours.declared), amount(&hours.validated), amount(&hours.rejected), amount(&hours.pending)];
    for (what, value) in
        [("declared", declared), ("validated", validated), ("rejected", rejected), ("pending", pending)]
    {
        assert!(value >= Decimal::ZERO, "{what} hours negative: {value}");
    }
    assert_eq!(declared, validated + rejected + pending);
    let committed = amount_opt(&hours.committed);
    assert_eq!(committed, amount_opt(&contract.committed_hours()));
    match (committed, amount_opt(&hours.remaining)) {
        (Some(committed), Some(remaining)) => {
            assert!(committed >= Decimal::ZERO);
            // A termination may pro-rate the commitment (never above it): remaining follows.
            let held_to = amount_opt(&hours.pro_rated_committed).unwrap_or(committed);
            assert!(held_to <= committed, "pro-rated above the commitment: {held_to} > {committed}");
            assert_eq!(remaining, (held_to - validated).max(Decimal::ZERO));
        }
        (None, None) => {}
        other => panic!("committed and remaining disagree: {other:?}"),
    }
    let mut per_person_month: HashMap<(String, i32, u32), Decimal> = HashMap::new();
    for line in contract.instalments().iter().flat_map(|i| i.lines()) {
        assert!(amount(&line.line().hours) > Decimal::ZERO, "a line with no hours: {line:?}");
        if line.counts() {
            let start = line.line().period.start;
            let key = (line.line().beneficiary.as_str().to_owned(), start.year(), start.month());
            *per_person_month.entry(key).or_default() += amount(&line.line().hours);
        }
    }
    for (key, total) in per_person_month {
        assert!(total <= Decimal::from(MAX_HOURS_PER_PERSON_PER_MONTH), "{key:?}: {total} h in a month");
    }

    // Instalments: numbered 1..n, cumulative value never decreasing nor above the amount,
    // approved in order, each approval consistent and in cents.
    let mut previous = Decimal::ZERO;
    let mut approved_so_far = true;
    let mut grosses = Decimal::ZERO;
    for (index, instalment) in contract.instalments().iter().enumerate() {
        assert_eq!(instalment.number() as usize, index + 1, "instalments are sequential");
        let cumulative = amount(&instalment.cumulative_value_ht());
        non_negative_cents("cumulative value", cumulative);
        assert!(cumulative >= previous, "cumulative value decreased: {previous} → {cumulative}");
        previous = cumulative;
        match instalment.approval() {
            Some(approval) => {
                assert!(approved_so_far, "instalment {} approved before an earlier one", instalment.number());
                let [gross, recovery, other, net] = [
                    amount(&approval.gross_ttc),
                    amount(&approval.advance_recovery_ttc),
                    amount(&approval.other_deductions_ttc),
                    amount(&approval.net_to_pay_ttc),
                ];
                for (what, value) in [("gross", gross), ("recovery", recovery), ("other", other), ("net", net)] {
                    non_negative_cents(what, value);
                }
                assert_eq!(net, gross - recovery - other);
                grosses += gross;
                assert_eq!(grosses, cumulative_ttc(cumulative, award), "the grosses drift from the value TTC");
            }
            None => approved_so_far = false,
        }
        if let Some(payment) = instalment.payment() {
            assert!(instalment.approval().is_some(), "instalment {} paid unapproved", instalment.number());
            assert!(amount(&payment.amount_ttc) > Decimal::ZERO);
        }
    }
    let executed = amount(&contract.executed_value_ht());
    assert_eq!(executed, previous);

    // Dates: every period within the execution (rules.md "Instalments"), each line within one
    // calendar month and not after its request's period, every fact in order and not after today.
    let (first, last) = (contract.start_date(), contract.execution_end_date());
    for instalment in contract.instalments() {
        let period = instalment.period();
        assert!(first <= period.start && period.start <= period.end && period.end <= last, "{period:?}");
        assert!(instalment.received_on() >= period.start && instalment.received_on() <= today());
        for line in instalment.lines() {
            let line = line.line().period;
            assert!(first <= line.start && line.start <= line.end && line.end <= period.end.min(last), "{line:?}");
            assert_eq!((line.start.year(), line.start.month()), (line.end.year(), line.end.month()), "{line:?}");
        }
        if let Some(approval) = instalment.approval() {
            assert!(instalment.received_on() <= approval.approved_on && approval.approved_on <= today());
            if let Some(payment) = instalment.payment() {
                assert!(approval.approved_on <= payment.paid_on && payment.paid_on <= today());
            }
        }
    }
    assert!(executed <= amount(&contract.current_amount_ht()), "executed above the amount");
    if let Some(termination) = contract.termination() {
        assert!(executed <= amount(&termination.value_executed_ht), "executed above the value at termination");
    }

    // Advance: recovered within [0, paid], and paid within the advance granted.
    let recovered = amount(&contract.advance_recovered_ttc());
    let outstanding = amount(&contract.advance_outstanding_ttc());
    non_negative_cents("advance recovered", recovered);
    non_negative_cents("advance outstanding", outstanding);
    let paid = contract.advance_paid().map_or(Decimal::ZERO, |advance| amount(&advance.amount_ttc));
    assert!(recovered <= paid, "recovered {recovered} above the advance paid {paid}");
    assert_eq!(outstanding, paid - recovered);
    if contract.advance_paid().is_some() && !amount(&award["advance_terms"]["rate"]).is_zero() {
        assert!(paid <= granted_advance(award), "advance paid {paid} above the advance granted");
    }

    // Settlement and penalty.
    if contract.settlement().is_some() {
        assert_eq!(contract.pending_review_lines().count(), 0, "settled with lines pending review");
        if let Ok(Some(proposal)) = propose_penalty(contract, &references().smic) {
            // The penalty view (GET …/penalty) survives its own wire, explanation included.
            let view = ProposedPenalty::computed(&proposal);
            let json = serde_json::to_value(&view).expect("the view serialises");
            let read: ProposedPenalty =
                serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("penalty view: {e}\n{json}"));
            assert_eq!(read, view, "the penalty view does not survive its wire");
            assert!(!proposal.explanation().is_empty());
            let proposal = serde_json::to_value(&proposal).expect("serialises");
            let final_amount = amount(&proposal["final_amount_ht"]);
            non_negative_cents("penalty proposed", final_amount);
            if let Some(cap) = amount_opt(&proposal["cap_amount_ht"]) {
                assert!(final_amount <= cap, "penalty {final_amount} above its cap {cap}");
            }
        }
    }
    if let Some(decision) = contract.penalty_decision() {
        let settlement = contract.settlement().expect("a penalty decision follows the settlement");
        assert!(contract.committed_hours().is_some(), "a penalty without a clause");
        assert!(decision.decided_on() >= settlement.settled_on);
        non_negative_cents("penalty", amount(&decision.amount_ht()));
        if let PenaltyDecision::Adjusted(adjusted) = decision {
            assert!(amount(&adjusted.amount_ht) > Decimal::ZERO, "adjusted to 0 instead of waived");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

/// How often each command was accepted and refused, to see that the generator reaches deep.
#[derive(Debug, Default)]
struct Tally(HashMap<(&'static str, &'static str), u32>);

fn run(seed: &AwardSeed, steps: &[Step]) -> Tally {
    let context = DecisionContext::new(today(), Arc::new(references()));
    let award = award_json(seed);
    let mut tally = Tally::default();
    let mut state = Contract::default();
    let events = decide(&state, Command::Award(from_json(award.clone())), &context)
        .unwrap_or_else(|e| panic!("a valid award is refused: {e} ({e:?})\n{award}"));
    // What the store would hold: each event as read back from its text.
    let mut history = Vec::new();
    for event in events {
        history.push(check_event(&state, &event));
        state.apply(&event);
    }
    for step in steps {
        let contract = state.awarded().expect("awarded");
        check_state(contract, &award);
        let command = command(step, contract, &award);
        let name = command.name();
        let plain = must_accept(step, contract);
        let before = state.clone();
        let context = context.clone().with_participants(assume_registered(&state, &command));
        let result = decide(&state, command.clone(), &context);
        // decide is pure: the state is untouched, and asking again gives the same answer.
        assert_eq!(state, before, "decide changed the state");
        assert_eq!(decide(&state, command, &context), result, "decide answered differently twice");
        let Ok(events) = result else {
            let error = result.expect_err("refused");
            assert!(!plain, "{name} refused: {error} ({error:?})");
            // Every refusal can be told, in both languages, with a stable code.
            for lang in Lang::ALL {
                assert!(!error.message(lang).is_empty(), "{error:?}");
            }
            assert!(!error.code().is_empty());
            let _ = error.field();
            assert!(!error.to_string().is_empty());
            *tally.0.entry((name, error.code())).or_default() += 1;
            continue;
        };
        *tally.0.entry((name, "accepted")).or_default() += 1;
        assert!(!events.is_empty(), "an accepted command decides something");
        for event in events {
            history.push(check_event(&state, &event));
            let awarded = state.awarded().expect("awarded");
            check_approval(awarded, &event, &award);
            check_penalty(awarded, &event);
            state.apply(&event);
        }
        // Property 1: the accepted history, as stored and read back, replays to the state reached
        // step by step.
        assert_eq!(Contract::from_events(&history), state, "the history does not replay to the state");
    }
    check_state(state.awarded().expect("awarded"), &award);
    tally
}

/// 1 024 cases take a few seconds in debug; `PROPTEST_CASES=20000` searches deeper (about a
/// minute), e.g. after a change of the rules.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(1024)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_accepted_history_replays_and_keeps_the_invariants(
        seed in award_seed(),
        steps in prop::collection::vec(step(), 1..=30),
    ) {
        run(&seed, &steps);
    }
}

/// Not a property: shows (with `--nocapture`) how many commands of each kind the generator gets
/// accepted and refused, so a change that makes every step refused does not go unnoticed.
#[test]
fn the_generator_reaches_every_command_accepted_and_refused() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut total: HashMap<(&'static str, &'static str), u32> = HashMap::new();
    let strategy = (award_seed(), prop::collection::vec(step(), 1..=30));
    for _ in 0..400 {
        let (seed, steps) = strategy.new_tree(&mut runner).expect("a value").current();
        for (key, count) in run(&seed, &steps).0 {
            *total.entry(key).or_default() += count;
        }
    }
    let mut rows: Vec<_> = total.iter().collect();
    rows.sort();
    for ((name, outcome), count) in &rows {
        println!("{name:>24} {outcome:>36} {count}");
    }
    for name in [
        "request_instalment",
        "review_statement",
        "approve_instalment",
        "record_advance_paid",
        "record_instalment_paid",
        "amend",
        "terminate",
        "settle",
        "notify_penalty",
        "receive_penalty_observations",
        "confirm_penalty",
        "adjust_penalty",
        "waive_penalty",
    ] {
        assert!(total.contains_key(&(name, "accepted")), "{name} never accepted");
        assert!(total.keys().any(|(n, outcome)| *n == name && *outcome != "accepted"), "{name} never refused");
    }
}
