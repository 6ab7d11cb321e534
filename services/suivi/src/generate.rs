//! A seeded generator of realistic contract histories, for benchmarks, projector tests and
//! demos: awards, advances, monthly instalments with hour statements, reviews, approvals,
//! payments (some late), terminations, settlements and penalty decisions.
//!
//! Every event is produced by the domain's own `decide`, so every history is one the command
//! services would have accepted. The same seed gives the same histories (ids included).

use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;
use suivi_domain::participants::assume_registered;
use suivi_domain::penalty::propose_penalty;
use suivi_domain::{decide, Command, Contract, DecisionContext, References};
use suivi_proto::codes::PARTICIPANT_CODE_ALPHABET;
use suivi_proto::events::{ContractAwardedV1, Event};
use suivi_proto::quantities::MoneyTtc;
use uuid::Uuid;

/// A deterministic xorshift generator: histories need spread, not cryptographic randomness.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One generated contract: its id, buyer SIRET and events in order.
pub struct History {
    pub contract_id: Uuid,
    pub events: Vec<Event>,
}

pub const BUYER_SIRETS: [&str; 2] = ["20004869500015", "21000000000013"];
const SIZES: [&str; 5] = ["tpe", "pme", "pme", "eti", "ge"];
const CATEGORIES: [&str; 4] =
    ["long_term_jobseeker", "minimum_income_recipient", "young_low_qualification", "disability_recognition"];
const MODALITIES: [&str; 4] = ["direct_hire", "temporary_work_etti", "geiq", "subcontracting_siae"];
const CONTRACTOR_SIRETS: [&str; 3] = ["73282932000074", "44306184100047", "35600000052135"];

/// `count` contract histories, all dated on or before `today`, decided with `references` (the
/// `reference_rates` table of the database they are written to, so that the projector proposes
/// the penalties that were confirmed).
pub fn histories(seed: u64, count: usize, today: NaiveDate, references: &References) -> Vec<History> {
    let mut random = Seeded::new(seed);
    let references = Arc::new(references.clone());
    (0..count).map(|_| history(&mut random, today, &references)).collect()
}

fn contract_id(random: &mut Seeded) -> Uuid {
    Uuid::from_u64_pair(random.next_u64(), random.next_u64())
}

fn award(random: &mut Seeded, today: NaiveDate) -> ContractAwardedV1 {
    let amount = Decimal::from(100_000 + random.below(2_900_000));
    let duration = 6 + random.below(19) as u32;
    let back = 3 + random.below(40) as u32;
    let notified = today.checked_sub_months(Months::new(back)).unwrap_or(today);
    let insertion_rate = Decimal::new(5 + random.below(6) as i64, 2);
    let hours = (amount * Decimal::new(5, 1) * insertion_rate / Decimal::from(30)).round();
    let rate = if random.chance(70) {
        json!({ "kind": "fixed", "amount_per_hour_ht": "60.00" })
    } else {
        json!({ "kind": "smic_multiple", "multiple": "5" })
    };
    let social =
        if random.chance(20) { json!(["clause_sociale", "critere_social"]) } else { json!(["clause_sociale"]) };
    let environmental = if random.chance(30) {
        json!(["pas_de_consideration_environnementale"])
    } else {
        json!(["clause_environnementale"])
    };
    let size = SIZES[random.below(SIZES.len() as u64) as usize];
    let mut award = json!({
        "buyer_siret": BUYER_SIRETS[random.below(2) as usize], "buyer_kind": "local_authority",
        "contractors": [{ "siret": CONTRACTOR_SIRETS[random.below(3) as usize], "size": size, "role": "sole" }],
        "object": format!("Marché de travaux n° {}", random.below(100_000)),
        "cpv_code": "45000000-7", "procedure": "Appel d'offres ouvert", "ccag": "Travaux",
        "amount_ht": format!("{amount}.00"), "vat_rate": "0.20", "duration_months": duration,
        "notification_date": notified.to_string(),
        "social_considerations": social, "environmental_considerations": environmental,
        "insertion_clause": { "committed_hours": hours.to_string(), "penalty_terms": {
            "rate": rate, "basis": if random.chance(80) { "validated" } else { "declared" },
            "tolerance_share": if random.chance(50) { "0" } else { "0.05" },
            "pro_rata_on_termination": true } },
        "payment_term_days": 30
    });
    if random.chance(50) {
        award["insertion_clause"]["penalty_terms"]["cap_share"] = "0.10".into();
    }
    if random.chance(60) {
        let recovery = if random.chance(50) {
            json!({ "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" })
        } else {
            json!({ "kind": "proportional" })
        };
        award["advance_terms"] = json!({ "rate": "0.10", "with_guarantee": random.chance(30), "recovery": recovery });
    }
    serde_json::from_value(award).unwrap_or_else(|e| unreachable!("generated award is valid: {e}"))
}

fn history(random: &mut Seeded, today: NaiveDate, references: &Arc<References>) -> History {
    let contract_id = contract_id(random);
    let context = DecisionContext::new(today, Arc::clone(references));
    let mut events = Builder { events: Vec::new(), contract: Contract::default(), context };
    let award = award(random, today);
    // The generator writes JSON from bare decimals: the typed amounts end here.
    let (amount, notified, months) = (award.amount_ht.amount(), award.notification_date, award.duration_months);
    let advance = award.advance_terms.as_ref().map(|terms| terms.rate.value());
    events.apply(Command::Award(award));
    if let Some(rate) = advance {
        // 10 % of the TTC base (12 months of the amount at most).
        let base = amount * Decimal::new(12, 1) * Decimal::from(12.min(months)) / Decimal::from(months);
        let paid_on = (notified + Days::new(10)).min(today);
        events.apply(payment_command("advance", (base * rate).round_dp(2), paid_on, 0));
    }
    // Eight people per contract, each a participant code with its own category.
    let people: Vec<(String, &str)> = (0..8)
        .map(|_| {
            let code: String =
                (0..8).map(|_| char::from(PARTICIPANT_CODE_ALPHABET[random.below(32) as usize])).collect();
            (code, CATEGORIES[random.below(CATEGORIES.len() as u64) as usize])
        })
        .collect();
    let terminated_early = random.chance(10);
    let last_month = if terminated_early { months / 2 } else { months };
    let mut cumulative = Decimal::ZERO;
    for month in 1..=last_month {
        let Some(start) = notified.checked_add_months(Months::new(month)).and_then(|d| d.with_day(1)) else { break };
        let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start);
        let received_on = end + Days::new(2);
        if received_on > today || end > notified.checked_add_months(Months::new(months)).unwrap_or(end) {
            break;
        }
        cumulative = (amount * Decimal::from(month) / Decimal::from(months + 1)).round_dp(2);
        let lines: Vec<_> = (0..3 + random.below(4))
            .map(|line| {
                let (code, category) = &people[random.below(people.len() as u64) as usize];
                let modality = MODALITIES[random.below(MODALITIES.len() as u64) as usize];
                json!({
                    "line_id": line + 1,
                    "beneficiary": { "kind": "participant", "code": code },
                    "category": category,
                    "modality": modality,
                    "hours": (10 + random.below(50)).to_string(),
                    "period": { "start": start.to_string(), "end": end.to_string() }
                })
            })
            .collect();
        let line_count = lines.len();
        let request = json!({
            "number": month, "period": { "start": start.to_string(), "end": end.to_string() },
            "cumulative_value_ht": cumulative.to_string(), "received_on": received_on.to_string(),
            "statement": { "lines": lines }
        });
        let request = serde_json::from_value(request).expect("the generator writes valid statements");
        if !events.apply(Command::RequestInstalment(request)) {
            break;
        }
        let decisions: Vec<_> = (1..=line_count)
            .map(|line| {
                if random.chance(90) {
                    json!({ "line_id": line, "decision": { "kind": "validated" } })
                } else {
                    json!({ "line_id": line, "decision": { "kind": "rejected", "reason": "Justificatif manquant" } })
                }
            })
            .collect();
        if let Ok(review) = serde_json::from_value(json!({ "instalment_number": month, "decisions": decisions })) {
            events.apply(Command::ReviewStatement(review));
        }
        let approved_on = (received_on + Days::new(5)).min(today);
        events.apply(Command::ApproveInstalment { number: month, approved_on, other_deductions_ttc: MoneyTtc::ZERO });
        let net = events
            .contract
            .awarded()
            .and_then(|c| c.instalment(month).and_then(|i| i.approval()).map(|a| a.net_to_pay_ttc.amount()));
        let delay = if random.chance(25) { 31 + random.below(40) } else { 10 + random.below(20) };
        let paid_on = (received_on + Days::new(delay)).min(today);
        if let Some(net) = net.filter(|n| *n > Decimal::ZERO) {
            events.apply(payment_command("instalment", net, paid_on, month));
        }
    }
    let ended = notified.checked_add_months(Months::new(months + 2)).is_some_and(|d| d < today);
    if terminated_early && cumulative > Decimal::ZERO {
        let on = (notified.checked_add_months(Months::new(last_month + 1)).unwrap_or(today)).min(today);
        let termination = json!({ "terminated_on": on.to_string(), "value_executed_ht": cumulative.to_string(), "reason": "Résiliation pour motif d'intérêt général" });
        if let Ok(termination) = serde_json::from_value(termination) {
            events.apply(Command::Terminate(termination));
        }
    }
    if (ended || terminated_early) && events.contract.awarded().is_some() && cumulative > Decimal::ZERO {
        let settled_on = today.min(notified.checked_add_months(Months::new(months + 2)).unwrap_or(today));
        let settlement = json!({ "final_amount_ht": cumulative.to_string(), "settled_on": settled_on.to_string() });
        if let Ok(settlement) = serde_json::from_value(settlement) {
            events.apply(Command::Settle(settlement));
            let proposed = events
                .contract
                .awarded()
                .and_then(|c| propose_penalty(c, &references.smic).ok().flatten())
                .map(|p| p.final_amount_ht.amount());
            match proposed {
                // A proposal above 0 goes through the contradictory procedure: notified on the
                // settlement day, confirmed once the 15 days for observations are over (if that
                // day has come: otherwise the contract waits, notified).
                Some(amount) if random.chance(80) => {
                    let amount = amount.round_dp(2);
                    let mut decided_on = settled_on;
                    if amount > Decimal::ZERO {
                        let notice = json!({ "amount_ht": amount.to_string(), "notified_on": settled_on.to_string() });
                        if let Ok(notice) = serde_json::from_value(notice) {
                            events.apply(Command::NotifyPenalty(notice));
                        }
                        decided_on = settled_on + chrono::Days::new(16);
                    }
                    let confirmed = json!({ "amount_ht": amount.to_string(), "decided_on": decided_on.to_string() });
                    if decided_on <= today {
                        if let Ok(confirmed) = serde_json::from_value(confirmed) {
                            events.apply(Command::ConfirmPenalty(confirmed));
                        }
                    }
                }
                Some(_) => {
                    let waived =
                        json!({ "reason": "Effort d'insertion reconnu", "decided_on": settled_on.to_string() });
                    if let Ok(waived) = serde_json::from_value(waived) {
                        events.apply(Command::WaivePenalty(waived));
                    }
                }
                None => {}
            }
        }
    }
    History { contract_id, events: events.events }
}

/// A history being written: each command is decided on the state so far, then applied to it.
struct Builder {
    events: Vec<Event>,
    contract: Contract,
    context: DecisionContext,
}

impl Builder {
    fn apply(&mut self, command: Command) -> bool {
        // The generator's contracts are alone in their tenant's register: each person named is a
        // participant eligible for ever, its hours counted on this contract only.
        let context = self.context.clone().with_participants(assume_registered(&self.contract, &command));
        match decide(&self.contract, command, &context) {
            Ok(new) => {
                for event in &new {
                    self.contract.apply(event);
                }
                self.events.extend(new);
                true
            }
            Err(_) => false,
        }
    }
}

fn payment_command(kind: &str, amount: Decimal, paid_on: NaiveDate, number: u32) -> Command {
    let reference = format!("MANDAT-{}-{number}", paid_on.format("%Y%m%d"));
    let paid = if kind == "advance" {
        serde_json::from_value(json!({ "amount_ttc": amount.to_string(), "paid_on": paid_on.to_string(), "with_guarantee": false, "finance_reference": reference }))
            .map(Command::RecordAdvancePaid)
    } else {
        serde_json::from_value(json!({ "number": number, "amount_ttc": amount.to_string(), "paid_on": paid_on.to_string(), "finance_reference": reference }))
            .map(Command::RecordInstalmentPaid)
    };
    paid.unwrap_or_else(|e| unreachable!("generated payment is valid: {e}"))
}

/// Histories as log rows `(contract, version, event)`, interleaving contracts as a live system
/// would: every contract's first event, then every second event, and so on.
pub fn interleaved(histories: &[History]) -> Vec<(Uuid, i64, &Event)> {
    let longest = histories.iter().map(|h| h.events.len()).max().unwrap_or(0);
    let mut rows = Vec::new();
    for index in 0..longest {
        for history in histories {
            if let Some(event) = history.events.get(index) {
                rows.push((history.contract_id, index as i64 + 1, event));
            }
        }
    }
    rows
}

/// Writes histories to the log, interleaved, in set-based inserts. Returns the number of events
/// written. For benchmarks and tests: it bypasses the command path.
pub async fn insert_histories(
    pool: &sqlx::PgPool,
    tenant: &suivi_proto::TenantId,
    histories: &[History],
) -> Result<usize, sqlx::Error> {
    let rows = interleaved(histories);
    for chunk in rows.chunks(5_000) {
        insert_rows(pool, tenant, chunk).await?;
    }
    Ok(rows.len())
}

/// One set-based insert of log rows.
pub async fn insert_rows(
    pool: &sqlx::PgPool,
    tenant: &suivi_proto::TenantId,
    rows: &[(Uuid, i64, &Event)],
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let streams: Vec<Uuid> = rows.iter().map(|(id, _, _)| *id).collect();
    let versions: Vec<i64> = rows.iter().map(|(_, v, _)| *v).collect();
    let types: Vec<&str> = rows.iter().map(|(_, _, e)| e.event_type()).collect();
    let schema_versions: Vec<i16> = rows.iter().map(|(_, _, e)| e.schema_version() as i16).collect();
    let payloads: Vec<String> = rows.iter().map(|(_, _, e)| e.to_payload().to_string()).collect();
    sqlx::query(
        "insert into events (event_id, tenant, stream_id, stream_version, event_type, schema_version,
                             occurred_at, actor_kind, actor_id, correlation_id, payload)
         select e.event_id, $1, e.stream_id, e.stream_version, e.event_type, e.schema_version, now(), 'system',
                'generator', e.event_id, e.payload::json
         from unnest($2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::int2[], $7::text[])
              with ordinality as e(event_id, stream_id, stream_version, event_type, schema_version, payload, ord)
         order by e.ord",
    )
    .bind(tenant.as_str())
    .bind(&ids)
    .bind(&streams)
    .bind(&versions)
    .bind(&types)
    .bind(&schema_versions)
    .bind(&payloads)
    .execute(pool)
    .await?;
    Ok(())
}
