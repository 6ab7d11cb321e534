//! The dated reference tables of `reference_rates` (gross hourly SMIC, ECB main refinancing
//! rate), read into the domain's [`References`]: the one place they are read, for the command
//! path (`suivi-application`, which keeps them a short while) and the projector alike.
//!
//! The table is seeded by migrations and extended by `suivi reference add`; its rows are never
//! edited. SMIC values are stored in euros per hour; ECB rates in percent (4.50 means 4.50 %),
//! handed to the domain as fractions of 1 (0.045).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;
use suivi_domain::reference::DatesNotAscending;
use suivi_domain::{DatedRates, References};

/// `kind` of the gross hourly SMIC rows, euros per hour.
pub const SMIC_HOURLY_GROSS: &str = "smic_hourly_gross";
/// `kind` of the ECB main refinancing operations rate rows, percent per year.
pub const ECB_MAIN_REFINANCING: &str = "ecb_main_refinancing";

#[derive(Debug, thiserror::Error)]
pub enum ReferenceRatesError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Cannot happen with the table's primary key and the query's order; checked all the same.
    #[error("reference_rates, {kind}: {source}")]
    Invalid { kind: &'static str, source: DatesNotAscending },
}

/// Every value of `reference_rates`, as the domain's tables.
pub async fn load(pool: &PgPool) -> Result<References, ReferenceRatesError> {
    let rows: Vec<(String, NaiveDate, Decimal)> =
        sqlx::query_as("select kind, in_force_from, value from reference_rates order by kind, in_force_from")
            .fetch_all(pool)
            .await?;
    let table = |kind: &'static str, divisor: Decimal| {
        let entries =
            rows.iter().filter(|(k, _, _)| k == kind).map(|(_, from, value)| (*from, *value / divisor)).collect();
        DatedRates::new(entries).map_err(|source| ReferenceRatesError::Invalid { kind, source })
    };
    Ok(References {
        smic: table(SMIC_HOURLY_GROSS, Decimal::ONE)?,
        ecb: table(ECB_MAIN_REFINANCING, Decimal::ONE_HUNDRED)?,
    })
}
