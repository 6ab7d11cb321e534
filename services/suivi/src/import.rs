//! `suivi import decp FILE --tenant T`: DECP v2 contracts become awards.
//!
//! Streamed: the file is read twice, record by record, never whole. The first pass checks its
//! structure (a file that is not DECP, or cut short, imports nothing); the second maps each
//! record on a blocking thread and hands it over a small bounded channel to the command
//! path, which records it before the parser reads much further. Memory stays bounded
//! whatever the file's size; one line is printed per record as it is decided.
//!
//! Idempotent: a contract's id is derived from the tenant, its buyer and its DECP id, so
//! importing a file twice into a tenant finds every contract already recorded and writes
//! nothing, and two tenants importing the same buyer's file each get their own contracts.
//! Every invalid record is reported with its id and reason, and the import goes on.
//!
//! A record's `acheteur.nom` (DECP v1, still often published) names its buyer in the tenant's
//! list of buyers, for the indicators ([`BuyerNames`]).

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use sqlx::PgPool;
use suivi_application::{business_today, Application, ApplicationError, CommandRequest, Expected, Principal};
use suivi_contracts::decp::{self, ImportDefaults, RecordOutcome};
use suivi_domain::Command;
use suivi_http::tenants::{self, NamedBy, Naming};
use suivi_proto::TenantId;
use suivi_store::EventStore;
use tokio::sync::mpsc;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the contracts of a DECP v2 JSON file as awards (the file is streamed).
    Decp {
        file: PathBuf,
        /// The tenant the contracts belong to; their buyers must be among its buyer SIRETs.
        #[arg(long)]
        tenant: String,
    },
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported {
        decp_id: String,
        contract_id: Uuid,
    },
    AlreadyImported {
        decp_id: String,
        contract_id: Uuid,
    },
    /// The record's id and the reason.
    Rejected(String),
    Skipped {
        label: String,
        reason: String,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Imported { decp_id, contract_id } => write!(f, "imported   {decp_id} -> contract {contract_id}"),
            Outcome::AlreadyImported { decp_id, contract_id } => {
                write!(f, "unchanged  {decp_id} -> contract {contract_id} (already imported)")
            }
            Outcome::Skipped { label, reason } => write!(f, "skipped    {label}: {reason}"),
            Outcome::Rejected(reason) => write!(f, "rejected   {reason}"),
        }
    }
}

/// How many records ended each way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub imported: usize,
    pub already_imported: usize,
    pub rejected: usize,
    pub skipped: usize,
}

impl ImportCounts {
    fn count(&mut self, outcome: &Outcome) {
        let counter = match outcome {
            Outcome::Imported { .. } => &mut self.imported,
            Outcome::AlreadyImported { .. } => &mut self.already_imported,
            Outcome::Rejected(_) => &mut self.rejected,
            Outcome::Skipped { .. } => &mut self.skipped,
        };
        *counter += 1;
    }
}

impl fmt::Display for ImportCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} imported, {} already imported, {} rejected, {} skipped",
            self.imported, self.already_imported, self.rejected, self.skipped
        )
    }
}

pub async fn run(pool: &PgPool, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Decp { file, tenant } = command;
    let counts = import_decp(pool, &TenantId::parse(&tenant)?, &file, |outcome| println!("{outcome}")).await?;
    println!("{counts}");
    Ok(())
}

/// Records mapped ahead of the command path, at most: the parser waits when it is this far
/// ahead, which bounds the memory a slow database can make the import hold.
const RECORDS_IN_FLIGHT: usize = 64;

/// Imports `path` into `tenant`, calling `report` once per record, in file order.
pub async fn import_decp(
    pool: &PgPool,
    tenant: &TenantId,
    path: &Path,
    mut report: impl FnMut(&Outcome),
) -> anyhow::Result<ImportCounts> {
    let open = |path: &Path| File::open(path).with_context(|| format!("reading {}", path.display()));
    let first_pass = open(path)?;
    tokio::task::spawn_blocking(move || decp::check_file(first_pass)).await?.context("reading the DECP file")?;

    let (sender, mut receiver) = mpsc::channel::<RecordOutcome>(RECORDS_IN_FLIGHT);
    let second_pass = open(path)?;
    let parser_tenant = tenant.clone();
    let parser = tokio::task::spawn_blocking(move || {
        decp::import_from(second_pass, &parser_tenant, &ImportDefaults::default(), |outcome| {
            // The receiver is gone only when the import stopped on an error: stop reading.
            match sender.blocking_send(outcome) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            }
        })
    });

    let app = Application::new(EventStore::new(pool.clone()));
    let importer = Principal::system("decp-import", tenant.clone());
    let (today, correlation_id) = (business_today(), Uuid::now_v7());
    let mut counts = ImportCounts::default();
    let mut names = BuyerNames::default();
    while let Some(outcome) = receiver.recv().await {
        let outcome = match outcome {
            RecordOutcome::Skipped(label, reason) => Outcome::Skipped { label, reason },
            RecordOutcome::Rejected(error) => Outcome::Rejected(error.to_string()),
            RecordOutcome::Award(award) => {
                let mut award = *award;
                if let Some(contract_id) = exported_contract(pool, tenant, &award).await? {
                    award.contract_id = contract_id;
                }
                for warning in &award.warnings {
                    tracing::info!(decp_id = %award.decp_id, "{warning}");
                }
                let (decp_id, contract_id) = (award.decp_id, award.contract_id);
                let buyer = (award.award.buyer_siret.as_str().to_owned(), award.buyer_name);
                let request = CommandRequest {
                    principal: &importer,
                    contract_id,
                    expected: Expected::Any,
                    idempotency: None,
                    command: Command::Award(award.award),
                    today,
                    correlation_id,
                };
                let outcome = match app.execute(request).await {
                    Ok(_) => Outcome::Imported { decp_id, contract_id },
                    // The id is derived from the tenant and the record: already there means
                    // imported into this tenant before.
                    Err(ApplicationError::AlreadyExists { .. } | ApplicationError::Conflict { .. }) => {
                        Outcome::AlreadyImported { decp_id, contract_id }
                    }
                    Err(ApplicationError::BuyerNotInTenant { siret }) => Outcome::Rejected(format!(
                        "DECP record {decp_id:?}: buyer {siret} is not among tenant {tenant}'s buyers"
                    )),
                    Err(ApplicationError::Refused(error)) => {
                        Outcome::Rejected(format!("DECP record {decp_id:?}: {error}"))
                    }
                    Err(other) => return Err(other.into()),
                };
                // Only a buyer of the tenant (its award went through) is named.
                if let (Outcome::Imported { .. } | Outcome::AlreadyImported { .. }, (siret, Some(name))) =
                    (&outcome, buyer)
                {
                    names.name(pool, tenant, siret, name).await?;
                }
                outcome
            }
        };
        counts.count(&outcome);
        report(&outcome);
    }
    parser.await?.context("reading the DECP file")?;
    Ok(counts)
}

/// The contract a record of Suivi's own DECP export names (`id` = `S` + the last 15
/// hexadecimal digits of the contract's id, see `suivi_contracts::decp::export_id`): the
/// tenant's contract of that buyer, notified that day, whose id ends with those digits. Such a
/// record re-imported then finds its contract already recorded and writes nothing. Looked up in
/// the read models, which hold every contract an export listed.
async fn exported_contract(pool: &PgPool, tenant: &TenantId, award: &decp::DecpAward) -> anyhow::Result<Option<Uuid>> {
    let Some(suffix) = decp::exported_suffix(&award.decp_id) else { return Ok(None) };
    let schema = suivi_projector::target::active(pool).await?;
    let sql = format!(
        "select contract_id from {schema}.contracts
         where tenant = $1 and buyer_siret = $2 and notification_date = $3
           and right(replace(contract_id::text, '-', ''), 15) = $4
         limit 2",
        schema = schema.name()
    );
    let found: Vec<Uuid> = sqlx::query_scalar(&sql)
        .bind(tenant.as_str())
        .bind(award.award.buyer_siret.as_str())
        .bind(award.award.notification_date)
        .bind(suffix)
        .fetch_all(pool)
        .await?;
    // Two matches would take 60 random bits colliding within one buyer's day: then neither is
    // assumed, and the record is imported as any other.
    Ok(match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

/// The buyers' names the records give (`acheteur.nom`), written to the tenant's list of buyers
/// once per buyer and name: a file repeats its buyer on every record. The last record naming a
/// buyer wins over earlier ones and earlier imports; a name an administrator gave is kept.
#[derive(Default)]
struct BuyerNames {
    written: HashMap<String, String>,
}

impl BuyerNames {
    async fn name(&mut self, pool: &PgPool, tenant: &TenantId, siret: String, name: String) -> anyhow::Result<()> {
        if self.written.get(&siret) == Some(&name) {
            return Ok(());
        }
        match tenants::name_buyer(pool, tenant, &siret, &name, NamedBy::DecpImport).await? {
            Naming::Named => tracing::info!(%siret, %name, "buyer named from acheteur.nom"),
            Naming::KeptAdministratorsName => {
                tracing::info!(%siret, %name, "acheteur.nom not used: an administrator named this buyer")
            }
            Naming::NotABuyer => {}
        }
        self.written.insert(siret, name);
        Ok(())
    }
}
