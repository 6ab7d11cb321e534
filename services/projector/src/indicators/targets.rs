//! The national plan a year's shares are compared with: the PNAD (Plan national pour des achats
//! durables) in force on 31 December of the year, read from `pnad_targets` (dated reference
//! data, `suivi reference add-plan`), or — when none is — no target, and why.
//!
//! The targets were constants of the 2022-2025 plan once, shown beside every year's shares; a
//! plan has a period, and a year outside it has no national target rather than the last one.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;
use suivi_proto::decimal::Fraction;

/// What a year's social and environmental shares are compared with.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NationalTargets {
    /// The plan in force on 31 December of the year: its targets are the `target_share`s.
    InForce {
        #[serde(flatten)]
        plan: NationalPlan,
    },
    /// No plan is in force on 31 December of the year: no national target (`target_share` is
    /// null), and `reason` says so in French.
    NoPlan {
        /// The day a plan must be in force on: 31 December of the year.
        #[serde(with = "suivi_proto::date")]
        #[schemars(with = "NaiveDate")]
        in_force_on: NaiveDate,
        /// The same, in French, with the nearest plan recorded.
        reason: String,
    },
}

impl NationalTargets {
    /// The plan's target share of contracts with a social consideration, if any.
    pub fn social_share(&self) -> Option<Decimal> {
        match self {
            NationalTargets::InForce { plan } => plan.social_share,
            NationalTargets::NoPlan { .. } => None,
        }
    }

    /// The plan's target share of contracts with an environmental consideration, if any.
    pub fn environmental_share(&self) -> Option<Decimal> {
        match self {
            NationalTargets::InForce { plan } => plan.environmental_share,
            NationalTargets::NoPlan { .. } => None,
        }
    }
}

/// One national plan, as recorded in `pnad_targets`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema, sqlx::FromRow)]
pub struct NationalPlan {
    /// The plan's name, e.g. `PNAD 2022-2025`.
    #[sqlx(rename = "plan")]
    pub name: String,
    /// First day of the plan.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub period_start: NaiveDate,
    /// Last day of the plan, included.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub period_end: NaiveDate,
    /// Target share of the contracts notified in the year with a social consideration; null
    /// when the plan sets none.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub social_share: Option<Decimal>,
    /// Target share with an environmental consideration; null when the plan sets none.
    #[serde(with = "suivi_proto::shown::share_opt")]
    #[schemars(with = "Option<Fraction>")]
    pub environmental_share: Option<Decimal>,
    /// Where the targets come from (the plan's publication).
    pub source: String,
}

/// Every plan recorded, in the order of their periods.
pub(super) async fn plans(tx: &mut PgConnection) -> Result<Vec<NationalPlan>, sqlx::Error> {
    sqlx::query_as(
        "select plan, period_start, period_end, social_share, environmental_share, source
         from pnad_targets order by period_start",
    )
    .fetch_all(tx)
    .await
}

/// The targets the year ending on `last_day` (its 31 December) is compared with, among `plans`
/// (which never overlap: the table refuses it). A year's report is judged against the plan in
/// force at its close.
pub fn compared_with(last_day: NaiveDate, plans: &[NationalPlan]) -> NationalTargets {
    if let Some(plan) = plans.iter().find(|plan| plan.period_start <= last_day && last_day <= plan.period_end) {
        return NationalTargets::InForce { plan: plan.clone() };
    }
    let nearest = match plans.iter().rev().find(|plan| plan.period_end < last_day) {
        Some(before) => format!(" (le plan « {} » a pris fin le {})", before.name, french_date(before.period_end)),
        None => match plans.iter().find(|plan| plan.period_start > last_day) {
            Some(after) => format!(" (le plan « {} » commence le {})", after.name, french_date(after.period_start)),
            None => String::new(),
        },
    };
    NationalTargets::NoPlan {
        in_force_on: last_day,
        reason: format!(
            "aucun plan national pour des achats durables (PNAD) en vigueur au {} : pas d'objectif national \
             pour {}{nearest}. Un administrateur enregistre un plan avec `suivi reference add-plan`.",
            french_date(last_day),
            last_day.year()
        ),
    }
}

/// `31/12/2026`, as the French texts write dates.
fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    fn end_of(year: i32) -> NaiveDate {
        date(&format!("{year}-12-31"))
    }

    fn plan(name: &str, start: &str, end: &str) -> NationalPlan {
        NationalPlan {
            name: name.to_owned(),
            period_start: date(start),
            period_end: date(end),
            social_share: Some(Decimal::new(30, 2)),
            environmental_share: Some(Decimal::new(100, 2)),
            source: "test".to_owned(),
        }
    }

    fn reason(targets: &NationalTargets) -> &str {
        match targets {
            NationalTargets::NoPlan { reason, .. } => reason,
            NationalTargets::InForce { plan } => panic!("no plan expected, got {}", plan.name),
        }
    }

    #[test]
    fn a_year_is_compared_with_the_plan_in_force_on_its_31_december() {
        let pnad = plan("PNAD 2022-2025", "2022-01-01", "2025-12-31");
        let plans = [pnad.clone()];
        for year in 2022..=2025 {
            assert_eq!(compared_with(end_of(year), &plans), NationalTargets::InForce { plan: pnad.clone() }, "{year}");
        }
        // A plan starting within a year is the one that year's report is judged against.
        let next = plan("PNAD 2026-2030", "2026-07-01", "2030-12-31");
        assert_eq!(compared_with(end_of(2026), &[pnad, next.clone()]), NationalTargets::InForce { plan: next });
    }

    #[test]
    fn a_year_no_plan_covers_has_no_target_and_says_which_plan_is_nearest() {
        let plans = [plan("PNAD 2022-2025", "2022-01-01", "2025-12-31")];
        let after = compared_with(end_of(2026), &plans);
        assert_eq!(after.social_share(), None);
        assert_eq!(after.environmental_share(), None);
        assert_eq!(
            reason(&after),
            "aucun plan national pour des achats durables (PNAD) en vigueur au 31/12/2026 : pas d'objectif \
             national pour 2026 (le plan « PNAD 2022-2025 » a pris fin le 31/12/2025). Un administrateur \
             enregistre un plan avec `suivi reference add-plan`."
        );
        assert!(matches!(after, NationalTargets::NoPlan { in_force_on, .. } if in_force_on == date("2026-12-31")));
        let before = compared_with(end_of(2021), &plans);
        assert!(reason(&before).contains("(le plan « PNAD 2022-2025 » commence le 01/01/2022)"), "{before:?}");
        let none = compared_with(end_of(2025), &[]);
        assert!(reason(&none).contains("pas d'objectif national pour 2025. Un administrateur"), "{none:?}");
    }

    #[test]
    fn the_json_names_the_plan_its_period_and_source_or_the_reason() {
        let in_force =
            serde_json::to_value(compared_with(end_of(2025), &[plan("PNAD 2022-2025", "2022-01-01", "2025-12-31")]));
        assert_eq!(
            in_force.ok(),
            Some(serde_json::json!({ "status": "in_force", "name": "PNAD 2022-2025", "period_start": "2022-01-01",
                                     "period_end": "2025-12-31", "social_share": "0.3000",
                                     "environmental_share": "1.0000", "source": "test" }))
        );
        let none = serde_json::to_value(compared_with(end_of(2026), &[])).unwrap_or_default();
        assert_eq!((&none["status"], &none["in_force_on"]), (&"no_plan".into(), &"2026-12-31".into()));
    }
}
