//! `suivi reference add-plan`: a national plan for sustainable procurement (PNAD) and its
//! targets, dated reference data the yearly indicators compare a year's shares with (the plan
//! in force on its 31 December, `suivi_projector::indicators::targets`). Like the other
//! reference values: recorded with its source, never edited; a later plan needs no release.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;

/// A plan as the administrator gives it.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub social_share: Option<Decimal>,
    pub environmental_share: Option<Decimal>,
    pub source: String,
}

/// Records `plan` in `pnad_targets`, or says which rule it breaks; nothing is written then.
pub async fn add(pool: &PgPool, plan: NewPlan) -> anyhow::Result<()> {
    let (name, source) = (plan.name.trim(), plan.source.trim());
    anyhow::ensure!(!name.is_empty(), "a plan needs its name (e.g. \"PNAD 2026-2030\")");
    anyhow::ensure!(!source.is_empty(), "every reference value needs its source");
    anyhow::ensure!(plan.from <= plan.until, "the plan ends ({}) before it starts ({})", plan.until, plan.from);
    anyhow::ensure!(
        plan.social_share.is_some() || plan.environmental_share.is_some(),
        "a plan sets at least one target: --social-share or --environmental-share"
    );
    for (flag, share) in [("--social-share", plan.social_share), ("--environmental-share", plan.environmental_share)] {
        if let Some(share) = share {
            anyhow::ensure!(
                (Decimal::ZERO..=Decimal::ONE).contains(&share),
                "{flag} is a fraction of 1 (0.30 is 30 %): got {share}"
            );
        }
    }
    let recorded: bool = sqlx::query_scalar("select exists (select from pnad_targets where plan = $1)")
        .bind(name)
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(!recorded, "{name} is already recorded: plans are never edited");
    // Checked first to name the plan in the way; the table's exclusion constraint still holds
    // against a plan recorded in between.
    let overlapping: Option<(String, NaiveDate, NaiveDate)> = sqlx::query_as(
        "select plan, period_start, period_end from pnad_targets
         where daterange(period_start, period_end, '[]') && daterange($1, $2, '[]')
         order by period_start limit 1",
    )
    .bind(plan.from)
    .bind(plan.until)
    .fetch_optional(pool)
    .await?;
    if let Some((other, start, end)) = overlapping {
        anyhow::bail!(
            "{name} ({} to {}) overlaps {other} ({start} to {end}): one plan is in force on any day, and plans are \
             never edited",
            plan.from,
            plan.until
        );
    }
    let inserted = sqlx::query(
        "insert into pnad_targets (plan, period_start, period_end, social_share, environmental_share, source)
         values ($1, $2, $3, $4, $5, $6) on conflict (plan) do nothing",
    )
    .bind(name)
    .bind(plan.from)
    .bind(plan.until)
    .bind(plan.social_share)
    .bind(plan.environmental_share)
    .bind(source)
    .execute(pool)
    .await?;
    anyhow::ensure!(inserted.rows_affected() == 1, "{name} is already recorded: plans are never edited");
    println!(
        "{name} recorded, from {} to {}: the indicators of the years it covers compare with it at once",
        plan.from, plan.until
    );
    Ok(())
}

/// Every plan, one line each, in the order of their periods.
pub async fn list(pool: &PgPool) -> anyhow::Result<()> {
    type Row = (String, NaiveDate, NaiveDate, Option<Decimal>, Option<Decimal>, String);
    let plans: Vec<Row> = sqlx::query_as(
        "select plan, period_start, period_end, social_share, environmental_share, source
         from pnad_targets order by period_start",
    )
    .fetch_all(pool)
    .await?;
    let share = |share: Option<Decimal>| share.map_or_else(|| "-".to_owned(), |share| share.to_string());
    for (name, from, until, social, environmental, source) in plans {
        println!(
            "{:<22} {from} to {until}  social {}  environmental {}  {name}: {source}",
            "pnad_targets",
            share(social),
            share(environmental)
        );
    }
    Ok(())
}
