//! `suivi demo`: a demo tenant a newcomer can explore with curl and the web interface.
//!
//! Creates the tenant `demo` (if missing) with seven registered participants and five contracts
//! at different stages, and prints one fresh token per role and the web accounts of a buyer, a
//! contractor and a facilitator with fresh passwords. Running it again only prints new tokens
//! and passwords. The people are made up; one of them works on two contracts (155 h a month in all, under
//! the 230 h bound that counts every contract).

use anyhow::Context as _;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use suivi_application::{business_today, Application, CommandRequest, Expected, Principal, Role};
use suivi_domain::Command;
use suivi_http::auth::create_token;
use suivi_http::tenants::{create_tenant, name_buyer, NamedBy, TenantError};
use suivi_participants::{register_participant, NewParticipant};
use suivi_privacy::{Identity, KeyRing};
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::{
    ContractAwardedV1, EligibleCategory, Gender, InstalmentRequestedV2, Prescriber, QualificationLevel,
    StatementReviewedV1,
};
use suivi_proto::quantities::MoneyTtc;
use suivi_proto::TenantId;
use suivi_store::EventStore;
use suivi_web::accounts::{self, AccountError, NewUser};
use uuid::Uuid;

const BUYER: &str = "20004869500015";
const MEMBER_COMMUNE: &str = "21000000000013";
const CONTRACTOR: &str = "73282932000074";

pub async fn run(pool: &PgPool, vault: &KeyRing) -> anyhow::Result<()> {
    let tenant = TenantId::parse("demo")?;
    match create_tenant(
        pool,
        &tenant,
        "Communauté d'agglomération de démonstration",
        &[BUYER.into(), MEMBER_COMMUNE.into()],
    )
    .await
    {
        Ok(()) => {
            // Named as the indicators show them, beside their SIRET.
            for (siret, name) in
                [(BUYER, "Communauté d'agglomération de démonstration"), (MEMBER_COMMUNE, "Commune de démonstration")]
            {
                name_buyer(pool, &tenant, siret, name, NamedBy::Administrator).await?;
            }
            seed(pool, vault, &tenant).await.context("seeding the demo contracts")?
        }
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
    println!(
        "\nTry: export SUIVI_URL=<the address `suivi serve` prints> SUIVI_TOKEN=<a token above>, then the \
         examples of docs/guides/ (e.g. curl -H \"Authorization: Bearer $SUIVI_TOKEN\" \"$SUIVI_URL/api/contracts\")"
    );
    demo_users(pool, &tenant).await
}

/// The demo's web accounts, one per role a newcomer wants to try, each with a fresh password
/// (a second run replaces them, as it makes new tokens).
async fn demo_users(pool: &PgPool, tenant: &TenantId) -> anyhow::Result<()> {
    println!("\nWeb interface accounts (passwords shown once; `suivi serve` prints the address to open):");
    let accounts = [
        (Role::Buyer, None, "acheteur@demo.example"),
        (Role::Contractor, Some(CONTRACTOR), "titulaire@demo.example"),
        (Role::Facilitator, None, "facilitateur@demo.example"),
    ];
    for (role, siret, email) in accounts {
        // 24 characters of a 256-bit random token: 144 bits, far past any guessing.
        let password: String = suivi_web::sessions::random_token().chars().take(24).collect();
        let user = NewUser { tenant, role, siret, email, password: &password };
        match accounts::create_user(pool, user).await {
            Ok(_) => {}
            Err(AccountError::EmailTaken(_)) => accounts::set_password(pool, email, &password).await?,
            Err(other) => return Err(other.into()),
        }
        println!("  {:<12} {email:<28} {password}", role.as_str());
    }
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

/// The demo's made-up people: (family name, given names, birth date, category, prescriber, gender,
/// qualification, QPV resident).
type Person =
    (&'static str, &'static str, &'static str, EligibleCategory, Prescriber, Gender, QualificationLevel, bool);

const PEOPLE: [Person; 7] = {
    use EligibleCategory::*;
    use Gender::*;
    use QualificationLevel::*;
    [
        ("Martin", "Léa", "2001-03-14", YoungLowQualification, Prescriber::MissionLocale, Female, BelowLevel3, true),
        ("Diallo", "Moussa", "1985-07-02", LongTermJobseeker, Prescriber::FranceTravail, Male, Level3, true),
        ("Petit", "Sandrine", "1972-11-23", MinimumIncomeRecipient, Prescriber::Departement, Female, Level4, false),
        ("Lefèvre", "Karim", "1969-05-09", JobseekerOver50, Prescriber::FranceTravail, Male, Level3, false),
        ("Nguyen", "Thi Hoa", "1990-09-30", DisabilityRecognition, Prescriber::CapEmploi, Female, Level5, false),
        ("Bernard", "Lucas", "2003-01-18", YoungLowQualification, Prescriber::MissionLocale, Male, BelowLevel3, true),
        ("Rousseau", "Nadia", "1980-02-11", SiaeEaEsatEmployee, Prescriber::Siae, Female, BelowLevel3, true),
    ]
};

/// Registers the demo's people, eligible from three months before the contracts for two years:
/// their codes, in [`PEOPLE`] order.
async fn register_people(
    pool: &PgPool,
    vault: &KeyRing,
    facilitator: &Principal,
    notified: NaiveDate,
    today: NaiveDate,
) -> anyhow::Result<Vec<ParticipantCode>> {
    let tenant_key = suivi_participants::tenant_index_key(pool, vault, &facilitator.tenant)
        .await
        .map_err(|problem| anyhow::anyhow!("the tenant's blind-index key: {problem:?}"))?;
    let eligible_from = notified.checked_sub_months(Months::new(3)).context("eligibility start")?;
    let eligible_until = eligible_from.checked_add_months(Months::new(24)).context("eligibility end")?;
    let mut codes = Vec::new();
    for (family, given, born, category, prescriber, gender, qualification, qpv) in PEOPLE {
        let person = NewParticipant {
            identity: Identity { family_name: family.into(), given_names: given.into(), birth_date: born.parse()? },
            category,
            prescriber,
            eligible_from,
            eligible_until,
            gender,
            qualification,
            priority_neighbourhood_resident: qpv,
        };
        let registered =
            register_participant(pool, vault, &tenant_key, facilitator, Uuid::now_v7(), &person, today).await?;
        println!("demo participant {}: {given} {family}", registered.registration.code);
        codes.push(registered.registration.code);
    }
    Ok(codes)
}

async fn seed(pool: &PgPool, vault: &KeyRing, tenant: &TenantId) -> anyhow::Result<()> {
    let demo = Demo::new(pool, tenant);
    let today = business_today();
    let notified = today.checked_sub_months(Months::new(5)).unwrap_or(today);
    let codes = register_people(pool, vault, &demo.facilitator, notified, today).await?;
    // Who works on which contract, in [`PEOPLE`] order: Moussa Diallo on the first two.
    let crews: [[usize; 3]; 3] = [[1, 0, 2], [3, 4, 1], [5, 6, 2]];
    let contracts = [
        ("Réhabilitation du gymnase communautaire — gros œuvre", BUYER, "1200000.00", "1000"),
        ("Entretien des espaces verts de la commune", MEMBER_COMMUNE, "180000.00", "300"),
        ("Construction d'une crèche — lot menuiseries", BUYER, "450000.00", "400"),
    ];
    for (index, (object, buyer_siret, amount, hours)) in contracts.into_iter().enumerate() {
        let id = Uuid::now_v7();
        demo.run(&demo.buyer, id, Command::Award(award(object, buyer_siret, amount, hours, notified)?)).await?;
        // Instalments for the last months, each with a statement; the first ones reviewed.
        for month in 1..=index as u32 + 2 {
            let start = notified.with_day(1).and_then(|d| d.checked_add_months(Months::new(month))).context("month")?;
            let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).context("month end")?;
            if end >= today {
                break;
            }
            let cumulative = Decimal::from(month) * amount.parse::<Decimal>()? / Decimal::from(8);
            let work = [("direct_hire", "120"), ("temporary_work_etti", "70.5"), ("geiq", "35")];
            let lines: Vec<_> = work
                .iter()
                .zip(crews[index])
                .enumerate()
                .map(|(line, ((modality, hours), person))| {
                    json!({
                        "line_id": line + 1,
                        "beneficiary": { "kind": "participant", "code": codes[person].as_str() },
                        // The register's category replaces it when the command runs.
                        "category": "other_eligible", "modality": modality, "hours": hours,
                        "period": { "start": start.to_string(), "end": end.to_string() }
                    })
                })
                .collect();
            let request: InstalmentRequestedV2 = serde_json::from_value(json!({
                "number": month, "period": { "start": start.to_string(), "end": end.to_string() },
                "cumulative_value_ht": cumulative.round_dp(2).to_string(),
                "received_on": end.succ_opt().unwrap_or(end).min(today).to_string(),
                "statement": { "lines": lines }
            }))?;
            demo.run(&demo.contractor, id, Command::RequestInstalment(request)).await?;
            if month == 1 {
                let review: StatementReviewedV1 = serde_json::from_value(json!({
                    "instalment_number": 1,
                    "decisions": [
                        { "line_id": 1, "decision": { "kind": "validated" } },
                        { "line_id": 2, "decision": { "kind": "validated" } },
                        { "line_id": 3, "decision": { "kind": "rejected", "reason": "Justificatif GEIQ manquant" } }
                    ]
                }))?;
                demo.run(&demo.facilitator, id, Command::ReviewStatement(review)).await?;
            }
        }
        println!("demo contract {id}: {object}");
    }
    // One penalty for the facilitator to notify, one notified and awaiting the contractor's
    // observations (each guide's examples start from one of them).
    let cleaning = ("Nettoyage des bâtiments communaux", [3, 4]);
    demo.contract_settled_short_of_hours(cleaning, &codes, notified, today, false).await?;
    let meals = ("Fourniture des repas de la restauration scolaire", [0, 5]);
    demo.contract_settled_short_of_hours(meals, &codes, notified, today, true).await
}

/// The demo's principals, running commands through the application like any edge.
struct Demo {
    app: Application,
    buyer: Principal,
    contractor: Principal,
    facilitator: Principal,
}

impl Demo {
    fn new(pool: &PgPool, tenant: &TenantId) -> Self {
        let principal =
            |role, siret: Option<&str>| Principal::new("demo", role, tenant.clone(), siret.map(str::to_owned));
        Demo {
            app: Application::new(EventStore::new(pool.clone())),
            buyer: principal(Role::Buyer, None),
            contractor: principal(Role::Contractor, Some(CONTRACTOR)),
            facilitator: principal(Role::Facilitator, None),
        }
    }

    /// Runs `command` on contract `id` as `principal`, decided today.
    async fn run(&self, principal: &Principal, id: Uuid, command: Command) -> anyhow::Result<()> {
        let request = CommandRequest {
            principal,
            contract_id: id,
            expected: Expected::Any,
            idempotency: None,
            command,
            today: business_today(),
            correlation_id: Uuid::now_v7(),
        };
        self.app.execute(request).await?;
        Ok(())
    }

    /// A small contract on which two of the people (`crew`, in [`PEOPLE`] order) worked, every
    /// statement line reviewed and settled today 75 h short: its penalty proposal (4 500 €)
    /// waits for the facilitator, or, `notify`, was notified today and waits for observations.
    async fn contract_settled_short_of_hours(
        &self,
        (object, crew): (&str, [usize; 2]),
        codes: &[ParticipantCode],
        notified: NaiveDate,
        today: NaiveDate,
        notify: bool,
    ) -> anyhow::Result<()> {
        let id = Uuid::now_v7();
        let award = award(object, MEMBER_COMMUNE, "96000.00", "200", notified)?;
        self.run(&self.buyer, id, Command::Award(award)).await?;
        let start = notified.with_day(1).and_then(|d| d.checked_add_months(Months::new(1))).context("month")?;
        let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).context("month end")?;
        let period = json!({ "start": start.to_string(), "end": end.to_string() });
        let participant = |index: usize| json!({ "kind": "participant", "code": codes[index].as_str() });
        let request: InstalmentRequestedV2 = serde_json::from_value(json!({
            "number": 1, "period": period, "cumulative_value_ht": "96000.00",
            "received_on": end.succ_opt().unwrap_or(end).min(today).to_string(),
            "statement": { "lines": [
                { "line_id": 1, "beneficiary": participant(crew[0]),
                  "category": "other_eligible", "modality": "direct_hire", "hours": "80", "period": period },
                { "line_id": 2, "beneficiary": participant(crew[1]),
                  "category": "other_eligible", "modality": "subcontracting_siae", "hours": "45", "period": period }
            ] }
        }))?;
        self.run(&self.contractor, id, Command::RequestInstalment(request)).await?;
        let review: StatementReviewedV1 = serde_json::from_value(json!({ "instalment_number": 1, "decisions": [
            { "line_id": 1, "decision": { "kind": "validated" } },
            { "line_id": 2, "decision": { "kind": "validated" } } ] }))?;
        self.run(&self.facilitator, id, Command::ReviewStatement(review)).await?;
        let approval =
            Command::ApproveInstalment { number: 1, approved_on: today, other_deductions_ttc: MoneyTtc::ZERO };
        self.run(&self.buyer, id, approval).await?;
        let settlement =
            serde_json::from_value(json!({ "final_amount_ht": "96000.00", "settled_on": today.to_string() }))?;
        self.run(&self.buyer, id, Command::Settle(settlement)).await?;
        if notify {
            let notice = serde_json::from_value(json!({ "amount_ht": "4500.00", "notified_on": today.to_string() }))?;
            self.run(&self.facilitator, id, Command::NotifyPenalty(notice)).await?;
            println!("demo contract {id}: {object} (settled, 75 h short: penalty notified, observations awaited)");
        } else {
            println!("demo contract {id}: {object} (settled, 75 h short: penalty to notify)");
        }
        Ok(())
    }
}
