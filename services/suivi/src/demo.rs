//! `suivi demo`: a demo tenant a newcomer can explore with curl (and, later, the web UI).
//!
//! Creates the tenant `demo` (if missing) with three contracts at different stages, and prints
//! one fresh token per role. Running it again only prints new tokens.

use anyhow::Context as _;
use chrono::{Datelike, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use suivi_domain::{decide, Command, Contract, DecisionContext};
use suivi_http::auth::create_token;
use suivi_http::command::business_today;
use suivi_http::tenants::{create_tenant, pseudonymiser, TenantError};
use suivi_http::Role;
use suivi_proto::events::{ContractAwardedV1, Event, InstalmentRequestedV1, StatementReviewedV1};
use suivi_proto::{Actor, ActorKind, NewEvent, TenantId};
use suivi_store::{AppendRequest, EventStore};
use uuid::Uuid;

const BUYER: &str = "20004869500015";
const MEMBER_COMMUNE: &str = "21000000000013";
const CONTRACTOR: &str = "73282932000074";

pub async fn run(pool: &PgPool) -> anyhow::Result<()> {
    let tenant = TenantId::parse("demo")?;
    match create_tenant(
        pool,
        &tenant,
        "Communauté d'agglomération de démonstration",
        &[BUYER.into(), MEMBER_COMMUNE.into()],
    )
    .await
    {
        Ok(()) => seed(pool, &tenant).await.context("seeding the demo contracts")?,
        Err(TenantError::AlreadyExists(_)) => println!("tenant demo already exists: its contracts are kept"),
        Err(other) => return Err(other.into()),
    }
    println!("\nTokens for the demo tenant (shown once):");
    for (role, siret) in
        [(Role::Buyer, None), (Role::Contractor, Some(CONTRACTOR)), (Role::Facilitator, None), (Role::Finance, None)]
    {
        let token = create_token(pool, role, &tenant, siret, "demo").await?;
        println!("  {:<12} {}", role.as_str(), token.token);
    }
    println!("\nTry: curl -H \"Authorization: Bearer <buyer token>\" http://127.0.0.1:8080/api/contracts");
    Ok(())
}

/// Appends a command's events as `actor`, deciding on the contract's current state.
async fn run_command(
    store: &EventStore,
    tenant: &TenantId,
    actor: &Actor,
    id: Uuid,
    history: &mut Vec<Event>,
    command: Command,
) -> anyhow::Result<()> {
    let contract = Contract::from_events(history.iter());
    let events = decide(&contract, command, &DecisionContext::new(business_today()))?;
    let now = Utc::now();
    let new_events: Vec<NewEvent> = events.iter().map(|e| NewEvent::from_event(e, now)).collect();
    store
        .append(AppendRequest {
            tenant,
            stream_id: id,
            expected_version: history.len() as i64,
            actor,
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            idempotency_key: None,
            events: &new_events,
        })
        .await?;
    history.extend(events);
    Ok(())
}

fn award(
    object: &str,
    buyer: &str,
    amount: &str,
    hours: &str,
    notified: NaiveDate,
) -> anyhow::Result<ContractAwardedV1> {
    Ok(serde_json::from_value(json!({
        "buyer_siret": buyer, "buyer_kind": "local_authority",
        "contractors": [{ "siret": CONTRACTOR, "size": "pme", "role": "sole" }],
        "object": object, "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert", "ccag": "Travaux",
        "amount_ht": amount, "vat_rate": "0.20", "duration_months": 24,
        "notification_date": notified.to_string(),
        "social_considerations": ["clause_sociale"], "environmental_considerations": ["clause_environnementale"],
        "insertion_clause": { "committed_hours": hours, "penalty_terms": {
            "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" }, "basis": "validated",
            "tolerance_share": "0.05", "cap_share": "0.10", "pro_rata_on_termination": true } },
        "advance_terms": { "rate": "0.10", "with_guarantee": false,
            "recovery": { "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" } },
        "payment_term_days": 30
    }))?)
}

async fn seed(pool: &PgPool, tenant: &TenantId) -> anyhow::Result<()> {
    let store = EventStore::new(pool.clone());
    let buyer = Actor { kind: ActorKind::Buyer, id: "demo".into() };
    let contractor = Actor { kind: ActorKind::Contractor, id: "demo".into() };
    let facilitator = Actor { kind: ActorKind::Facilitator, id: "demo".into() };
    let today = business_today();
    let notified = today.checked_sub_months(Months::new(5)).unwrap_or(today);
    let pseudonyms = pseudonymiser(pool, tenant).await?;
    let contracts = [
        ("Réhabilitation du gymnase communautaire — gros œuvre", BUYER, "1200000.00", "1000"),
        ("Entretien des espaces verts de la commune", MEMBER_COMMUNE, "180000.00", "300"),
        ("Construction d'une crèche — lot menuiseries", BUYER, "450000.00", "400"),
    ];
    for (index, (object, buyer_siret, amount, hours)) in contracts.into_iter().enumerate() {
        let id = Uuid::now_v7();
        let mut history = Vec::new();
        run_command(
            &store,
            tenant,
            &buyer,
            id,
            &mut history,
            Command::Award(award(object, buyer_siret, amount, hours, notified)?),
        )
        .await?;
        // Instalments for the last months, each with a statement; the first ones reviewed.
        for month in 1..=index as u32 + 2 {
            let start = notified.with_day(1).and_then(|d| d.checked_add_months(Months::new(month))).context("month")?;
            let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).context("month end")?;
            if end >= today {
                break;
            }
            let cumulative = Decimal::from(month) * amount.parse::<Decimal>()? / Decimal::from(8);
            let people = [
                ("EMP-001", "long_term_jobseeker", "direct_hire", "120"),
                ("EMP-002", "young_low_qualification", "temporary_work_etti", "70.5"),
                ("EMP-003", "minimum_income_recipient", "geiq", "35"),
            ];
            let lines: Vec<_> = people
                .iter()
                .enumerate()
                .map(|(line, (reference, category, modality, hours))| {
                    json!({
                        "line_id": line + 1,
                        "beneficiary": pseudonyms.pseudonym(&format!("{reference}-{index}")).as_str(),
                        "category": category, "modality": modality, "hours": hours,
                        "period": { "start": start.to_string(), "end": end.to_string() }
                    })
                })
                .collect();
            let request: InstalmentRequestedV1 = serde_json::from_value(json!({
                "number": month, "period": { "start": start.to_string(), "end": end.to_string() },
                "cumulative_value_ht": cumulative.round_dp(2).to_string(),
                "received_on": end.succ_opt().unwrap_or(end).min(today).to_string(),
                "statement": { "lines": lines }
            }))?;
            run_command(&store, tenant, &contractor, id, &mut history, Command::RequestInstalment(request)).await?;
            if month == 1 {
                let review: StatementReviewedV1 = serde_json::from_value(json!({
                    "instalment_number": 1,
                    "decisions": [
                        { "line_id": 1, "decision": { "kind": "validated" } },
                        { "line_id": 2, "decision": { "kind": "validated" } },
                        { "line_id": 3, "decision": { "kind": "rejected", "reason": "Justificatif GEIQ manquant" } }
                    ]
                }))?;
                run_command(&store, tenant, &facilitator, id, &mut history, Command::ReviewStatement(review)).await?;
            }
        }
        println!("demo contract {id}: {object}");
    }
    let settled = Demo { store: &store, tenant, buyer: &buyer, contractor: &contractor, facilitator: &facilitator };
    settled.contract_settled_short_of_hours(&pseudonyms, notified, today).await
}

/// The actors the demo writes as.
struct Demo<'a> {
    store: &'a EventStore,
    tenant: &'a TenantId,
    buyer: &'a Actor,
    contractor: &'a Actor,
    facilitator: &'a Actor,
}

impl Demo<'_> {
    /// A small contract, every statement line reviewed and settled today with hours short: its
    /// penalty proposal waits for the facilitator's decision (`GET …/penalty`).
    async fn contract_settled_short_of_hours(
        &self,
        pseudonyms: &suivi_http::tenants::Pseudonymiser,
        notified: NaiveDate,
        today: NaiveDate,
    ) -> anyhow::Result<()> {
        let (id, mut history) = (Uuid::now_v7(), Vec::new());
        let object = "Nettoyage des bâtiments communaux";
        let award = award(object, MEMBER_COMMUNE, "96000.00", "200", notified)?;
        run_command(self.store, self.tenant, self.buyer, id, &mut history, Command::Award(award)).await?;
        let start = notified.with_day(1).and_then(|d| d.checked_add_months(Months::new(1))).context("month")?;
        let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).context("month end")?;
        let period = json!({ "start": start.to_string(), "end": end.to_string() });
        let request: InstalmentRequestedV1 = serde_json::from_value(json!({
            "number": 1, "period": period, "cumulative_value_ht": "96000.00",
            "received_on": end.succ_opt().unwrap_or(end).min(today).to_string(),
            "statement": { "lines": [
                { "line_id": 1, "beneficiary": pseudonyms.pseudonym("EMP-101").as_str(),
                  "category": "long_term_jobseeker", "modality": "direct_hire", "hours": "80", "period": period },
                { "line_id": 2, "beneficiary": pseudonyms.pseudonym("EMP-102").as_str(),
                  "category": "disability_recognition", "modality": "subcontracting_siae", "hours": "45", "period": period }
            ] }
        }))?;
        run_command(self.store, self.tenant, self.contractor, id, &mut history, Command::RequestInstalment(request))
            .await?;
        let review: StatementReviewedV1 = serde_json::from_value(json!({ "instalment_number": 1, "decisions": [
            { "line_id": 1, "decision": { "kind": "validated" } },
            { "line_id": 2, "decision": { "kind": "validated" } } ] }))?;
        run_command(self.store, self.tenant, self.facilitator, id, &mut history, Command::ReviewStatement(review))
            .await?;
        let settlement =
            serde_json::from_value(json!({ "final_amount_ht": "96000.00", "settled_on": today.to_string() }))?;
        run_command(self.store, self.tenant, self.buyer, id, &mut history, Command::Settle(settlement)).await?;
        println!("demo contract {id}: {object} (settled, 75 h short: penalty to decide)");
        Ok(())
    }
}
