//! `suivi tenant …` and `suivi token …`: who may use Suivi.

use anyhow::Context as _;
use clap::Subcommand;
use sqlx::PgPool;
use suivi_http::auth::create_token;
use suivi_http::tenants;
use suivi_http::Role;
use suivi_proto::codes::Siret;
use suivi_proto::TenantId;

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with the buyer SIRETs it purchases for, and its pseudonym key.
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
    /// Retire the tenant's pseudonym key and make a new one.
    RotateKey {
        #[arg(long)]
        id: String,
    },
    /// Destroy every pseudonym key of the tenant: its pseudonyms become unlinkable for good.
    DestroyKeys {
        #[arg(long)]
        id: String,
        /// Required: this cannot be undone.
        #[arg(long)]
        yes_really: bool,
    },
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
        TenantCommand::RotateKey { id } => {
            let version = tenants::rotate_key(pool, &TenantId::parse(&id)?).await?;
            println!("tenant {id}: pseudonym key version {version} is now active");
        }
        TenantCommand::DestroyKeys { id, yes_really } => {
            anyhow::ensure!(yes_really, "this destroys the tenant's pseudonym keys for good: add --yes-really");
            let destroyed = tenants::destroy_keys(pool, &TenantId::parse(&id)?).await?;
            println!("tenant {id}: {destroyed} key(s) destroyed; remove them from backups too");
        }
    }
    Ok(())
}

pub async fn token(pool: &PgPool, command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create { role, tenant, siret, label } = command;
    let role = Role::parse(&role).context("role is one of buyer, contractor, facilitator, finance, admin")?;
    let siret = siret.map(|s| Siret::parse(&s).map(|s| s.as_str().to_owned())).transpose()?;
    let created = create_token(pool, role, &TenantId::parse(&tenant)?, siret.as_deref(), &label).await?;
    // The token on standard output alone, so scripts can capture it.
    println!("{}", created.token);
    eprintln!("token {} created for role {} in tenant {tenant}", created.id, role.as_str());
    Ok(())
}
