//! One query per group of indicators, each grouped by `grouping sets ((), (c.buyer_siret))`.
//! The schema name is the only text formatted into the SQL; tenant and dates are binds.

use rust_decimal::Decimal;
use sqlx::PgConnection;
use suivi_domain::reference::{MissingReference, NoValueInForce, ReferenceTable};

use super::types::*;
use super::{Report, YearRange};
use crate::target::Schema;

#[derive(sqlx::FromRow)]
struct NotifiedRow {
    buyer_siret: Option<String>,
    notified: i64,
    notified_amount_ht: Decimal,
    social: i64,
    social_amount_ht: Decimal,
    social_share: Option<Decimal>,
    social_criterion: i64,
    environmental: i64,
    environmental_amount_ht: Decimal,
    environmental_share: Option<Decimal>,
    environmental_criterion: i64,
    reserved: i64,
    reserved_amount_ht: Decimal,
    sme: i64,
    sme_amount_ht: Decimal,
    sme_share: Option<Decimal>,
    sme_amount_share: Option<Decimal>,
    committed_hours: Decimal,
}

/// Contracts notified in the year: considerations, reserved, SMEs, hours committed.
pub(super) async fn notified(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "with notified as (
             select c.buyer_siret,
                    count(*) as notified,
                    coalesce(sum(c.initial_amount_ht), 0) as notified_amount_ht,
                    count(*) filter (where k.social) as social,
                    coalesce(sum(c.initial_amount_ht) filter (where k.social), 0) as social_amount_ht,
                    count(*) filter (where 'critere_social' = any (c.social_considerations)) as social_criterion,
                    count(*) filter (where k.environmental) as environmental,
                    coalesce(sum(c.initial_amount_ht) filter (where k.environmental), 0) as environmental_amount_ht,
                    count(*) filter (where 'critere_environnemental' = any (c.environmental_considerations))
                        as environmental_criterion,
                    count(*) filter (where c.reserved) as reserved,
                    coalesce(sum(c.initial_amount_ht) filter (where c.reserved), 0) as reserved_amount_ht,
                    count(*) filter (where c.awarded_to_sme) as sme,
                    coalesce(sum(c.initial_amount_ht) filter (where c.awarded_to_sme), 0) as sme_amount_ht,
                    coalesce(sum(c.committed_hours), 0) as committed_hours
             from {s}.contracts c
             cross join lateral (select
                 c.social_considerations && array['clause_sociale', 'critere_social', 'marche_reserve'] as social,
                 c.environmental_considerations && array['clause_environnementale', 'critere_environnemental']
                     as environmental
             ) k
             where c.tenant = $1 and c.notification_date >= $2 and c.notification_date < $3
             group by grouping sets ((), (c.buyer_siret))
         )
         select *,
                round(social::numeric / nullif(notified, 0), 4) as social_share,
                round(environmental::numeric / nullif(notified, 0), 4) as environmental_share,
                round(sme::numeric / nullif(notified, 0), 4) as sme_share,
                round(sme_amount_ht / nullif(notified_amount_ht, 0), 4) as sme_amount_share
         from notified",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, NotifiedRow>(&sql)).fetch_all(&mut *tx).await? {
        let indicators = report.of(row.buyer_siret);
        indicators.notified = ContractTally { count: row.notified, amount_ht: row.notified_amount_ht };
        indicators.social.count = row.social;
        indicators.social.amount_ht = row.social_amount_ht;
        indicators.social.share = row.social_share;
        indicators.social.with_award_criterion = row.social_criterion;
        indicators.environmental.count = row.environmental;
        indicators.environmental.amount_ht = row.environmental_amount_ht;
        indicators.environmental.share = row.environmental_share;
        indicators.environmental.with_award_criterion = row.environmental_criterion;
        indicators.reserved = ContractTally { count: row.reserved, amount_ht: row.reserved_amount_ht };
        indicators.sme = SmeAwards {
            count: row.sme,
            amount_ht: row.sme_amount_ht,
            share: row.sme_share,
            amount_share: row.sme_amount_share,
        };
        indicators.hours.committed = row.committed_hours;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LineHoursRow {
    buyer_siret: Option<String>,
    category: Option<String>,
    modality: Option<String>,
    declared: Decimal,
    validated: Decimal,
    rejected: Decimal,
    pending: Decimal,
}

/// Statement-line hours of a month of the year: in total, by category, by modality.
pub(super) async fn line_hours(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "select c.buyer_siret, l.category, l.modality,
                coalesce(sum(l.hours), 0) as declared,
                coalesce(sum(l.hours) filter (where l.review = 'validated'), 0) as validated,
                coalesce(sum(l.hours) filter (where l.review = 'rejected'), 0) as rejected,
                coalesce(sum(l.hours) filter (where l.review = 'pending'), 0) as pending
         from {s}.statement_lines l
         join {s}.contracts c on c.contract_id = l.contract_id
         where l.tenant = $1 and l.month >= $2 and l.month < $3
         group by grouping sets (
             (), (c.buyer_siret),
             (l.category), (c.buyer_siret, l.category),
             (l.modality), (c.buyer_siret, l.modality)
         )
         order by l.category collate \"C\", l.modality collate \"C\"",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, LineHoursRow>(&sql)).fetch_all(&mut *tx).await? {
        let hours = LineHours {
            declared: row.declared,
            validated: row.validated,
            rejected: row.rejected,
            pending: row.pending,
        };
        let indicators = &mut report.of(row.buyer_siret).hours;
        match (row.category, row.modality) {
            (None, None) => indicators.lines = hours,
            (Some(category), _) => {
                indicators.by_category.push(CategoryHours { category: vocabulary(&category)?, hours })
            }
            (None, Some(modality)) => {
                indicators.by_modality.push(ModalityHours { modality: vocabulary(&modality)?, hours })
            }
        }
    }
    Ok(())
}

/// A category or modality as the projector wrote it (its serde name) back into its type.
fn vocabulary<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

#[derive(sqlx::FromRow)]
struct PeopleRow {
    buyer_siret: Option<String>,
    beneficiaries: i64,
    firms: i64,
}

/// Distinct people and firms with validated hours in a month of the year.
pub(super) async fn people(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "select c.buyer_siret,
                count(distinct l.beneficiary) as beneficiaries,
                count(distinct f.siret) as firms
         from {s}.statement_lines l
         join {s}.contracts c on c.contract_id = l.contract_id
         cross join lateral unnest(c.contractor_sirets) as f(siret)
         where l.tenant = $1 and l.month >= $2 and l.month < $3 and l.review = 'validated'
         group by grouping sets ((), (c.buyer_siret))",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, PeopleRow>(&sql)).fetch_all(&mut *tx).await? {
        let indicators = report.of(row.buyer_siret);
        indicators.beneficiaries = row.beneficiaries;
        indicators.firms = row.firms;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SettlementRow {
    buyer_siret: Option<String>,
    shortfall_hours: Decimal,
    proposed: i64,
    proposed_amount_ht: Decimal,
}

/// Contracts settled in the year: hours shortfall, penalty proposals.
pub(super) async fn settlements(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "select c.buyer_siret,
                coalesce(sum(greatest(c.effective_committed_hours - c.validated_hours, 0)), 0) as shortfall_hours,
                count(*) filter (where p.proposed_amount_ht > 0) as proposed,
                coalesce(sum(p.proposed_amount_ht), 0) as proposed_amount_ht
         from {s}.contracts c
         left join {s}.penalties p on p.contract_id = c.contract_id
         where c.tenant = $1 and c.settled_on >= $2 and c.settled_on < $3
         group by grouping sets ((), (c.buyer_siret))",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, SettlementRow>(&sql)).fetch_all(&mut *tx).await? {
        let indicators = report.of(row.buyer_siret);
        indicators.hours.shortfall = row.shortfall_hours;
        indicators.penalties.proposed = ContractTally { count: row.proposed, amount_ht: row.proposed_amount_ht };
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    buyer_siret: Option<String>,
    decision: String,
    decisions: i64,
    proposed_amount_ht: Decimal,
    decided_amount_ht: Decimal,
}

/// Penalty decisions taken in the year, by kind.
pub(super) async fn penalty_decisions(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "select c.buyer_siret, p.decision,
                count(*) as decisions,
                sum(p.proposed_amount_ht) as proposed_amount_ht,
                sum(p.decided_amount_ht) as decided_amount_ht
         from {s}.penalties p
         join {s}.contracts c on c.contract_id = p.contract_id
         where p.tenant = $1 and p.decided_on >= $2 and p.decided_on < $3
           and not (p.decision = 'confirmed' and p.decided_amount_ht = 0)
         group by grouping sets ((p.decision), (c.buyer_siret, p.decision))",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, DecisionRow>(&sql)).fetch_all(&mut *tx).await? {
        let penalties = &mut report.of(row.buyer_siret).penalties;
        let kind = match row.decision.as_str() {
            "confirmed" => &mut penalties.confirmed,
            "adjusted" => &mut penalties.adjusted,
            "waived" => &mut penalties.waived,
            other => return Err(sqlx::Error::Protocol(format!("unknown penalty decision {other:?}"))),
        };
        *kind = PenaltyDecisions {
            count: row.decisions,
            proposed_amount_ht: row.proposed_amount_ht,
            decided_amount_ht: row.decided_amount_ht,
        };
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AdvanceRow {
    buyer_siret: Option<String>,
    advances: i64,
    amount_ttc: Decimal,
    to_sme: i64,
    to_sme_ttc: Decimal,
    without_guarantee: i64,
    without_guarantee_ttc: Decimal,
}

/// Advances paid in the year.
pub(super) async fn advances(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "select c.buyer_siret,
                count(*) as advances,
                coalesce(sum(c.advance_paid_ttc), 0) as amount_ttc,
                count(*) filter (where c.awarded_to_sme) as to_sme,
                coalesce(sum(c.advance_paid_ttc) filter (where c.awarded_to_sme), 0) as to_sme_ttc,
                count(*) filter (where c.advance_without_guarantee) as without_guarantee,
                coalesce(sum(c.advance_paid_ttc) filter (where c.advance_without_guarantee), 0)
                    as without_guarantee_ttc
         from {s}.contracts c
         where c.tenant = $1 and c.advance_paid_on >= $2 and c.advance_paid_on < $3
         group by grouping sets ((), (c.buyer_siret))",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, AdvanceRow>(&sql)).fetch_all(&mut *tx).await? {
        report.of(row.buyer_siret).advances = Advances {
            count: row.advances,
            amount_ttc: row.amount_ttc,
            to_sme: AdvanceTally { count: row.to_sme, amount_ttc: row.to_sme_ttc },
            without_guarantee: AdvanceTally { count: row.without_guarantee, amount_ttc: row.without_guarantee_ttc },
        };
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    buyer_siret: Option<String>,
    paid: i64,
    mean_days_to_pay: Option<Decimal>,
    median_days_to_pay: Option<Decimal>,
    on_time: i64,
    on_time_share: Option<Decimal>,
    interest_computed_ttc: Decimal,
    flat_fees_ttc: Decimal,
    interest_unavailable: i64,
    /// `<date>/<table>` of each reference value missing, in date order.
    missing: Option<Vec<String>>,
}

/// Instalments paid in the year: delay and late-payment interest.
pub(super) async fn payments(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "with paid as (
             select c.buyer_siret,
                    count(*) as paid,
                    round(avg(i.days_to_pay), 1) as mean_days_to_pay,
                    (percentile_cont(0.5) within group (order by i.days_to_pay))::numeric as median_days_to_pay,
                    count(*) filter (where i.days_late = 0) as on_time,
                    coalesce(sum(i.interest_ttc), 0) as interest_computed_ttc,
                    coalesce(sum(i.flat_fee), 0) as flat_fees_ttc,
                    count(*) filter (where i.interest_missing_on is not null) as interest_unavailable,
                    array_agg(distinct i.interest_missing_on::text || '/' || i.interest_missing_table)
                        filter (where i.interest_missing_on is not null) as missing
             from {s}.instalments i
             join {s}.contracts c on c.contract_id = i.contract_id
             where i.tenant = $1 and i.paid_on >= $2 and i.paid_on < $3
             group by grouping sets ((), (c.buyer_siret))
         )
         select *, round(on_time::numeric / nullif(paid, 0), 4) as on_time_share
         from paid",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, PaymentRow>(&sql)).fetch_all(&mut *tx).await? {
        // A year's interest is known only when every late payment's is: a partial sum is shown
        // apart, beside what is missing.
        let (interest_ttc, interest_unavailable) = match row.interest_unavailable {
            0 => (Some(row.interest_computed_ttc), None),
            payments => {
                let mut missing = row
                    .missing
                    .unwrap_or_default()
                    .iter()
                    .map(|m| missing_reference(m))
                    .collect::<Result<Vec<_>, _>>()?;
                missing.sort_by_key(|m| m.in_force_on);
                let unavailable =
                    InterestUnavailable { payments, interest_computed_ttc: row.interest_computed_ttc, missing };
                (None, Some(unavailable))
            }
        };
        report.of(row.buyer_siret).payments = PaymentDelays {
            paid: row.paid,
            mean_days_to_pay: row.mean_days_to_pay,
            median_days_to_pay: row.median_days_to_pay,
            on_time: row.on_time,
            on_time_share: row.on_time_share,
            interest_ttc,
            flat_fees_ttc: row.flat_fees_ttc,
            interest_due_ttc: interest_ttc.map(|interest| interest + row.flat_fees_ttc),
            interest_unavailable,
        };
    }
    Ok(())
}

/// A reference value missing as the query lists it, `<date>/<table>`.
fn missing_reference(text: &str) -> Result<MissingReference, sqlx::Error> {
    let invalid = || sqlx::Error::Protocol(format!("unreadable missing reference {text:?}"));
    let (date, table) = text.split_once('/').ok_or_else(invalid)?;
    let date = date.parse().map_err(|_| invalid())?;
    let table = ReferenceTable::parse(table).ok_or_else(invalid)?;
    Ok(MissingReference::of(NoValueInForce { table, date }))
}

#[derive(sqlx::FromRow)]
struct AtRiskRow {
    buyer_siret: Option<String>,
    at_risk: i64,
}

/// Contracts notified by the end of the year and at risk now.
pub(super) async fn at_risk(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    // A contract notified in an earlier year and still running counts.
    let sql = format!(
        "select c.buyer_siret, count(*) as at_risk
         from {s}.contracts c
         where c.tenant = $1 and c.notification_date < $2 and c.at_risk
         group by grouping sets ((), (c.buyer_siret))",
        s = schema.name()
    );
    let rows = sqlx::query_as::<_, AtRiskRow>(&sql).bind(year.tenant).bind(year.until).fetch_all(&mut *tx).await?;
    for row in rows {
        report.of(row.buyer_siret).at_risk_contracts = row.at_risk;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ParticipantYearRow {
    buyer_siret: Option<String>,
    category: String,
    gender: String,
    age_band: String,
    qualification: String,
    priority_neighbourhood_resident: bool,
    seen_before: bool,
}

/// The profile of the registered participants with validated hours in a month of the year:
/// one row per participant (and per buyer it worked for), counted here.
pub(super) async fn beneficiary_profiles(
    tx: &mut PgConnection,
    schema: Schema,
    year: &YearRange<'_>,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "with worked as (
             select distinct c.buyer_siret, l.participant
             from {s}.statement_lines l
             join {s}.contracts c on c.contract_id = l.contract_id
             where l.tenant = $1 and l.month >= $2 and l.month < $3 and l.review = 'validated'
               and l.participant is not null
         ), grouped as (
             select buyer_siret, participant from worked group by grouping sets ((participant), (buyer_siret, participant))
         )
         select g.buyer_siret, p.category, p.gender, p.age_band, p.qualification, p.priority_neighbourhood_resident,
                exists (select 1 from {s}.statement_lines e
                        where e.tenant = $1 and e.participant = g.participant and e.review = 'validated'
                          and e.month < $2) as seen_before
         from grouped g
         join {s}.participants p on p.tenant = $1 and p.code = g.participant",
        s = schema.name()
    );
    for row in year.bind(sqlx::query_as::<_, ParticipantYearRow>(&sql)).fetch_all(&mut *tx).await? {
        let profile = &mut report.of(row.buyer_siret).beneficiary_profile;
        profile.participants += 1;
        if row.seen_before {
            profile.seen_in_an_earlier_year += 1;
        } else {
            profile.new += 1;
        }
        if row.priority_neighbourhood_resident {
            profile.priority_neighbourhood_residents += 1;
        }
        count(&mut profile.by_category, row.category);
        count(&mut profile.by_gender, row.gender);
        count(&mut profile.by_age_band, row.age_band);
        count(&mut profile.by_qualification, row.qualification);
    }
    for indicators in std::iter::once(&mut report.consolidated).chain(report.buyers.values_mut()) {
        let profile = &mut indicators.beneficiary_profile;
        for counts in
            [&mut profile.by_category, &mut profile.by_gender, &mut profile.by_age_band, &mut profile.by_qualification]
        {
            counts.sort_by(|a, b| a.value.cmp(&b.value));
        }
        profile.hours_per_beneficiary = (indicators.beneficiaries > 0)
            .then(|| (indicators.hours.lines.validated / Decimal::from(indicators.beneficiaries)).round_dp(2));
    }
    Ok(())
}

fn count(counts: &mut Vec<ProfileCount>, value: String) {
    match counts.iter_mut().find(|c| c.value == value) {
        Some(existing) => existing.participants += 1,
        None => counts.push(ProfileCount { value, participants: 1 }),
    }
}
