//! `suivi import decp FILE --tenant T`: DECP v2 contracts become awards.
//!
//! Idempotent: a contract's id is derived from its buyer and DECP id, so importing a file
//! twice finds every contract already recorded and writes nothing. Every invalid record is
//! reported with its id and reason, and the import goes on.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use sqlx::PgPool;
use suivi_application::{business_today, Application, ApplicationError, CommandRequest, Expected, Principal};
use suivi_contracts::decp::{self, ImportDefaults};
use suivi_domain::Command;
use suivi_proto::TenantId;
use suivi_store::EventStore;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the contracts of a DECP v2 JSON file as awards.
    Decp {
        file: PathBuf,
        /// The tenant the contracts belong to; their buyers must be among its buyer SIRETs.
        #[arg(long)]
        tenant: String,
    },
}

/// What happened to each record, in file order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: Vec<(String, Uuid)>,
    pub already_imported: Vec<(String, Uuid)>,
    /// One line per refused record: its id and the reason.
    pub rejected: Vec<String>,
    pub skipped: Vec<(String, String)>,
}

pub async fn run(pool: &PgPool, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Decp { file, tenant } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let summary = import_decp(pool, &TenantId::parse(&tenant)?, &bytes).await?;
    for (id, contract) in &summary.imported {
        println!("imported   {id} -> contract {contract}");
    }
    for (id, contract) in &summary.already_imported {
        println!("unchanged  {id} -> contract {contract} (already imported)");
    }
    for (id, reason) in &summary.skipped {
        println!("skipped    {id}: {reason}");
    }
    for reason in &summary.rejected {
        println!("rejected   {reason}");
    }
    println!(
        "{} imported, {} already imported, {} rejected, {} skipped",
        summary.imported.len(),
        summary.already_imported.len(),
        summary.rejected.len(),
        summary.skipped.len()
    );
    Ok(())
}

pub async fn import_decp(pool: &PgPool, tenant: &TenantId, bytes: &[u8]) -> anyhow::Result<ImportSummary> {
    let report = decp::import(bytes, &ImportDefaults::default()).context("reading the DECP file")?;
    let app = Application::new(EventStore::new(pool.clone()));
    let importer = Principal::system("decp-import", tenant.clone());
    let (today, correlation_id) = (business_today(), Uuid::now_v7());
    let mut summary = ImportSummary {
        rejected: report.rejected.iter().map(ToString::to_string).collect(),
        skipped: report.skipped,
        ..ImportSummary::default()
    };
    for award in report.awards {
        for warning in &award.warnings {
            tracing::info!(decp_id = %award.decp_id, "{warning}");
        }
        let request = CommandRequest {
            principal: &importer,
            contract_id: award.contract_id,
            expected: Expected::Any,
            idempotency: None,
            command: Command::Award(award.award),
            today,
            correlation_id,
        };
        match app.execute(request).await {
            Ok(_) => summary.imported.push((award.decp_id, award.contract_id)),
            // The id is derived from the record: already there means imported before.
            Err(ApplicationError::AlreadyExists { .. } | ApplicationError::Conflict { .. }) => {
                summary.already_imported.push((award.decp_id, award.contract_id))
            }
            Err(ApplicationError::BuyerNotInTenant { siret }) => summary
                .rejected
                .push(format!("DECP record {:?}: buyer {siret} is not among tenant {tenant}'s buyers", award.decp_id)),
            Err(ApplicationError::Refused(error)) => {
                summary.rejected.push(format!("DECP record {:?}: {error}", award.decp_id))
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(summary)
}
