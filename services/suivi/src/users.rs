//! `suivi user …`: the accounts of the web interface, one per person (create, change the password,
//! disable, enable, list). The password is read
//! from `SUIVI_USER_PASSWORD` (scripts), else asked at the terminal without echo, else read
//! from the first line of standard input (a pipe); it never appears in the arguments, where
//! `ps` and the shell's history would show it.

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::Context as _;
use clap::Subcommand;
use sqlx::PgPool;
use suivi_http::Role;
use suivi_proto::codes::Siret;
use suivi_proto::TenantId;
use suivi_web::accounts::{self, NewUser};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account of the web interface (its password: SUIVI_USER_PASSWORD, the terminal
    /// or standard input).
    Create {
        #[arg(long)]
        tenant: String,
        /// buyer, contractor, facilitator, finance or admin.
        #[arg(long)]
        role: String,
        /// The contractor's SIRET (contractor accounts only).
        #[arg(long)]
        siret: Option<String>,
        /// The person's e-mail address: what they sign in with.
        #[arg(long)]
        email: String,
    },
    /// Replace an account's password (same sources as `create`); ends its sessions.
    Password {
        #[arg(long)]
        email: String,
    },
    /// Stop an account from signing in (a person who left) and end its sessions at once; what it
    /// did stays in the history.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Let a disabled account sign in again, with its password as it was.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// The tenant's accounts: address, role, SIRET, created, disabled (never a password).
    List {
        #[arg(long)]
        tenant: String,
    },
}

pub async fn run(pool: &PgPool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { tenant, role, siret, email } => {
            let role = Role::parse(&role).context("role is one of buyer, contractor, facilitator, finance, admin")?;
            let siret = siret.map(|s| Siret::parse(&s).map(|s| s.as_str().to_owned())).transpose()?;
            let tenant = TenantId::parse(&tenant)?;
            let password = password()?;
            let user = NewUser { tenant: &tenant, role, siret: siret.as_deref(), email: &email, password: &password };
            let id = accounts::create_user(pool, user).await?;
            println!("user {id} created: {} in tenant {tenant}, signs in as {}", role.as_str(), email.trim());
        }
        UserCommand::Password { email } => {
            accounts::set_password(pool, &email, &password()?).await?;
            println!("password of {} replaced; its sessions are closed", email.trim());
        }
        UserCommand::Disable { email } => match accounts::disable(pool, &email).await? {
            true => println!("account {} disabled; its sessions are closed", email.trim()),
            false => println!("account {} was already disabled", email.trim()),
        },
        UserCommand::Enable { email } => match accounts::enable(pool, &email).await? {
            true => println!("account {} enabled: it signs in again", email.trim()),
            false => println!("account {} was not disabled", email.trim()),
        },
        UserCommand::List { tenant } => list(pool, &TenantId::parse(&tenant)?).await?,
    }
    Ok(())
}

async fn list(pool: &PgPool, tenant: &TenantId) -> anyhow::Result<()> {
    let at = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let accounts = accounts::list(pool, tenant).await?;
    println!("{:<40}  {:<11}  {:<14}  {:<20}  disabled", "email", "role", "siret", "created");
    for account in &accounts {
        let disabled = account.disabled_at.map_or_else(|| "-".to_owned(), at);
        let siret = account.siret.as_deref().unwrap_or("-");
        println!(
            "{:<40}  {:<11}  {siret:<14}  {:<20}  {disabled}",
            account.email,
            account.role,
            at(account.created_at)
        );
    }
    eprintln!("{} account(s) in tenant {tenant}", accounts.len());
    Ok(())
}

fn password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("SUIVI_USER_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(password == again, "the two passwords differ");
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
