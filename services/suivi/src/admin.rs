//! `suivi tenant …` (tenants, their buyers and the buyers' names), `suivi token …` (create, list,
//! revoke): who may use Suivi; `suivi kek …`: the key-encryption key ring of the participants'
//! register; `suivi reference …`: dated reference data.

use anyhow::Context as _;
use clap::Subcommand;
use sqlx::PgPool;
use suivi_http::auth::create_token;
use suivi_http::tenants::{self, NamedBy, Naming};
use suivi_http::tokens::{self, Revocation};
use suivi_http::Role;
use suivi_proto::codes::Siret;
use suivi_proto::TenantId;

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with the buyer SIRETs it purchases for.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// A buyer SIRET the tenant covers (repeat for member communes).
        #[arg(long = "buyer-siret", required = true)]
        buyer_sirets: Vec<String>,
    },
    /// Add buyer SIRETs to a tenant (e.g. a commune joining the mutualised service).
    AddBuyer {
        #[arg(long)]
        id: String,
        #[arg(long = "buyer-siret", required = true)]
        buyer_sirets: Vec<String>,
    },
    /// Name one of the tenant's buyers, as the indicators show it beside the SIRET; replaces
    /// any earlier name, and a DECP import never replaces it.
    NameBuyer {
        #[arg(long)]
        id: String,
        #[arg(long = "buyer-siret")]
        buyer_siret: String,
        /// The buyer's name (e.g. "Commune de Besançon").
        #[arg(long)]
        name: String,
    },
    /// List the tenant's buyer SIRETs, with their name and who gave it.
    Buyers {
        #[arg(long)]
        id: String,
    },
}

/// The key-encryption key ring (see `suivi_privacy::keys` for a rotation, step by step).
#[derive(Debug, Subcommand)]
pub enum KekCommand {
    /// Print a new random key, in base64: the line to put first in the KEK file.
    Generate,
    /// Wrap every stored key again under the active (first) key of the ring; afterwards the
    /// older keys can be removed from the ring and destroyed.
    Rewrap,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token and print it (it is shown only once).
    Create {
        /// buyer, contractor, facilitator, finance or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        tenant: String,
        /// The contractor's SIRET (contractor tokens only).
        #[arg(long)]
        siret: Option<String>,
        /// A note to recognise the token by (no personal data).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List a tenant's tokens: id, role, SIRET, label, created, revoked (never the secret).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Revoke a token: a running server refuses it (401) from its next request. Idempotent.
    Revoke {
        /// The token's id (as `token create` and `token list` print it).
        #[arg(long)]
        id: uuid::Uuid,
    },
}

fn sirets(raw: &[String]) -> anyhow::Result<Vec<String>> {
    raw.iter()
        .map(|raw| {
            let siret = Siret::parse(raw).map_err(|e| anyhow::anyhow!("{raw}: {e}"))?;
            anyhow::ensure!(siret.has_valid_checksum(), "{raw}: this SIRET fails its check digit");
            Ok(siret.as_str().to_owned())
        })
        .collect()
}

pub async fn tenant(pool: &PgPool, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create { id, name, buyer_sirets } => {
            let id = TenantId::parse(&id)?;
            tenants::create_tenant(pool, &id, &name, &sirets(&buyer_sirets)?).await?;
            println!("tenant {id} created");
        }
        TenantCommand::AddBuyer { id, buyer_sirets } => {
            tenants::add_buyers(pool, &TenantId::parse(&id)?, &sirets(&buyer_sirets)?).await?;
            println!("buyers added to {id}");
        }
        TenantCommand::NameBuyer { id, buyer_siret, name } => {
            let tenant = TenantId::parse(&id)?;
            let siret = sirets(&[buyer_siret])?.remove(0);
            let name = tenants::buyer_name(&name).map_err(anyhow::Error::msg)?;
            match tenants::name_buyer(pool, &tenant, &siret, name, NamedBy::Administrator).await? {
                Naming::Named | Naming::KeptAdministratorsName => println!("buyer {siret} of {id} is named {name}"),
                Naming::NotABuyer => {
                    anyhow::bail!("{siret} is not among tenant {id}'s buyers: add it first (suivi tenant add-buyer)")
                }
            }
        }
        TenantCommand::Buyers { id } => {
            let buyers = tenants::buyers(pool, &TenantId::parse(&id)?).await?;
            for buyer in &buyers {
                let named_by = buyer.named_by.as_deref().unwrap_or("-");
                let line = format!("{}  {named_by:<13}  {}", buyer.siret, buyer.name.as_deref().unwrap_or("-"));
                println!("{line}");
            }
            eprintln!("{} buyer(s) in tenant {id}", buyers.len());
        }
    }
    Ok(())
}

pub async fn kek(config: &crate::cli::Config, command: KekCommand) -> anyhow::Result<()> {
    match command {
        KekCommand::Generate => {
            // The key alone on standard output, so it can go straight into a file.
            println!("{}", suivi_privacy::SecretKey::random().to_base64());
        }
        KekCommand::Rewrap => {
            let ring = config.required_key_ring()?;
            let pool = suivi_store::database::connect(&config.database_url, 2).await?;
            let done = suivi_participants::rewrap_all(&pool, &ring).await?;
            println!(
                "{} key(s) rewrapped under key-encryption key {}, {} already under it",
                done.rewrapped,
                ring.active_id(),
                done.already
            );
        }
    }
    Ok(())
}

pub async fn token(pool: &PgPool, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { role, tenant, siret, label } => create(pool, role, tenant, siret, label).await,
        TokenCommand::List { tenant } => list(pool, &TenantId::parse(&tenant)?).await,
        TokenCommand::Revoke { id } => revoke(pool, id).await,
    }
}

async fn create(
    pool: &PgPool,
    role: String,
    tenant: String,
    siret: Option<String>,
    label: String,
) -> anyhow::Result<()> {
    let role = Role::parse(&role).context("role is one of buyer, contractor, facilitator, finance, admin")?;
    let siret = siret.map(|s| Siret::parse(&s).map(|s| s.as_str().to_owned())).transpose()?;
    let created = create_token(pool, role, &TenantId::parse(&tenant)?, siret.as_deref(), &label).await?;
    // The token on standard output alone, so scripts can capture it.
    println!("{}", created.token);
    eprintln!("token {} created for role {} in tenant {tenant}", created.id, role.as_str());
    Ok(())
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn list(pool: &PgPool, tenant: &TenantId) -> anyhow::Result<()> {
    let tokens = tokens::list_tokens(pool, tenant).await?;
    println!("{:<36}  {:<11}  {:<14}  {:<20}  {:<20}  label", "id", "role", "siret", "created", "revoked");
    for token in &tokens {
        let line = format!(
            "{:<36}  {:<11}  {:<14}  {:<20}  {:<20}  {}",
            token.id,
            token.role,
            token.siret.as_deref().unwrap_or("-"),
            timestamp(token.created_at),
            token.revoked_at.map_or_else(|| "-".to_owned(), timestamp),
            token.label
        );
        println!("{}", line.trim_end());
    }
    eprintln!("{} token(s) in tenant {tenant}", tokens.len());
    Ok(())
}

async fn revoke(pool: &PgPool, id: uuid::Uuid) -> anyhow::Result<()> {
    match tokens::revoke_token(pool, id).await? {
        Revocation::Revoked { at } => println!("token {id} revoked at {}", timestamp(at)),
        Revocation::AlreadyRevoked { at } => println!("token {id} was already revoked at {}", timestamp(at)),
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// Add a dated value (e.g. a new SMIC); then `suivi projector rebuild` recomputes what it changes.
    Add {
        /// smic_hourly_gross (euros per hour) or ecb_main_refinancing (percent, 4.50 = 4.50 %).
        #[arg(long)]
        kind: String,
        /// First day the value is in force (YYYY-MM-DD).
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        value: rust_decimal::Decimal,
        /// Where the value comes from (decree, press release).
        #[arg(long)]
        source: String,
    },
    /// Add a national plan for sustainable procurement (PNAD) and its targets: the yearly
    /// indicators compare a year with the plan in force on its 31 December.
    AddPlan {
        /// The plan's name, as the indicators show it (e.g. "PNAD 2026-2030").
        #[arg(long)]
        name: String,
        /// First day of the plan (YYYY-MM-DD).
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day of the plan, included (YYYY-MM-DD).
        #[arg(long)]
        until: chrono::NaiveDate,
        /// Target share of the contracts notified in a year with a social consideration, a
        /// fraction of 1 (0.30 is 30 %).
        #[arg(long)]
        social_share: Option<rust_decimal::Decimal>,
        /// Target share with an environmental consideration, a fraction of 1 (1 is 100 %).
        #[arg(long)]
        environmental_share: Option<rust_decimal::Decimal>,
        /// Where the plan and its targets are published.
        #[arg(long)]
        source: String,
    },
    /// List the reference values, then the national plans.
    List,
}

pub async fn reference(pool: &PgPool, command: ReferenceCommand) -> anyhow::Result<()> {
    match command {
        ReferenceCommand::Add { kind, from, value, source } => {
            anyhow::ensure!(
                kind == "smic_hourly_gross" || kind == "ecb_main_refinancing",
                "kind is smic_hourly_gross or ecb_main_refinancing"
            );
            anyhow::ensure!(!source.trim().is_empty(), "every reference value needs its source");
            let inserted = sqlx::query(
                "insert into reference_rates (kind, in_force_from, value, source) values ($1, $2, $3, $4)
                 on conflict do nothing",
            )
            .bind(&kind)
            .bind(from)
            .bind(value)
            .bind(source.trim())
            .execute(pool)
            .await?;
            anyhow::ensure!(
                inserted.rows_affected() == 1,
                "{kind} already has a value from {from}: values are never edited"
            );
            println!(
                "{kind} = {value} from {from} recorded; run `suivi projector rebuild` to apply it to past figures"
            );
        }
        ReferenceCommand::AddPlan { name, from, until, social_share, environmental_share, source } => {
            let plan = crate::plans::NewPlan { name, from, until, social_share, environmental_share, source };
            crate::plans::add(pool, plan).await?;
        }
        ReferenceCommand::List => {
            let rows: Vec<(String, chrono::NaiveDate, rust_decimal::Decimal, String)> = sqlx::query_as(
                "select kind, in_force_from, value, source from reference_rates order by kind, in_force_from",
            )
            .fetch_all(pool)
            .await?;
            for (kind, from, value, source) in rows {
                println!("{kind:<22} {from} {value:>8}  {source}");
            }
            crate::plans::list(pool).await?;
        }
    }
    Ok(())
}
