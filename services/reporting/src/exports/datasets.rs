//! The tables of the exports, read from the active read models one keyset page at a time, each
//! row already in French (labels, buyers by name) and typed (see [`Cell`]).
//!
//! Which date puts a row in the year is the one `docs/indicators.md` uses for the same figures:
//! a contract its notification, a statement line the month the work was done, a penalty the
//! contract's final settlement. So an export adds up to the indicators of its year.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row as _};
use suivi_projector::target::Schema;
use suivi_proto::TenantId;
use uuid::Uuid;

use super::labels;
use super::table::{Cell, Row};

/// Rows read per query: large enough that a 10 000-contract export is 10 round trips, small
/// enough that a page is a few hundred kilobytes.
pub const PAGE: i64 = 1000;

/// What an export covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub schema: Schema,
    pub tenant: TenantId,
    pub year: i32,
    pub buyer: Option<String>,
    /// The date the data are given as of (the business date of the export), last column.
    pub as_of: NaiveDate,
}

/// Where the next page starts: after this row's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub contract_id: Uuid,
    pub instalment: i32,
    pub line_id: i32,
}

/// The tables that page through the read models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Contracts,
    StatementLines,
    Penalties,
}

impl Dataset {
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Dataset::Contracts => CONTRACT_HEADERS,
            Dataset::StatementLines => LINE_HEADERS,
            Dataset::Penalties => PENALTY_HEADERS,
        }
    }

    /// The worksheet's name (31 characters at most).
    pub fn sheet(self) -> &'static str {
        match self {
            Dataset::Contracts => "Marchés",
            Dataset::StatementLines => "Lignes d'états d'heures",
            Dataset::Penalties => "Pénalités",
        }
    }

    /// The file's name before the year: `marches-2025.csv`.
    pub fn file_stem(self) -> &'static str {
        match self {
            Dataset::Contracts => "marches",
            Dataset::StatementLines => "lignes-heures",
            Dataset::Penalties => "penalites",
        }
    }

    /// The page after `after` (the first without), and where the next one starts.
    pub async fn page(
        self,
        pool: &PgPool,
        scope: &Scope,
        after: Option<Cursor>,
    ) -> Result<(Vec<Row>, Option<Cursor>), sqlx::Error> {
        let sql = match self {
            Dataset::Contracts => contracts_sql(scope.schema),
            Dataset::StatementLines => lines_sql(scope.schema),
            Dataset::Penalties => penalties_sql(scope.schema),
        };
        let rows = sqlx::query(&sql)
            .bind(scope.tenant.as_str())
            .bind(scope.buyer.as_deref())
            .bind(scope.year)
            .bind(after.map(|c| c.contract_id))
            .bind(after.map_or(0, |c| c.instalment))
            .bind(after.map_or(0, |c| c.line_id))
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
        let next = if rows.len() as i64 == PAGE { rows.last().map(cursor).transpose()? } else { None };
        let to_row = match self {
            Dataset::Contracts => contract_row,
            Dataset::StatementLines => line_row,
            Dataset::Penalties => penalty_row,
        };
        let rows = rows.iter().map(|row| to_row(row, scope.as_of)).collect::<Result<_, _>>()?;
        Ok((rows, next))
    }
}

fn cursor(row: &PgRow) -> Result<Cursor, sqlx::Error> {
    Ok(Cursor {
        contract_id: row.try_get("contract_id")?,
        instalment: row.try_get::<Option<i32>, _>("instalment")?.unwrap_or(0),
        line_id: row.try_get::<Option<i32>, _>("line_id")?.unwrap_or(0),
    })
}

/// The columns every query filters on: `$1` tenant, `$2` buyer (or null), `$3` year, then the
/// cursor `$4`–`$6` and the page size `$7`. Buyers' names come from the tenant's list.
const BUYER_JOIN: &str = "left join tenant_buyers b on b.tenant = c.tenant and b.siret = c.buyer_siret";

const CONTRACT_HEADERS: &[&str] = &[
    "Identifiant du marché",
    "Objet",
    "Acheteur",
    "SIRET de l'acheteur",
    "Titulaires (SIRET)",
    "Statut",
    "Date de notification",
    "Montant initial HT (€)",
    "Montant HT après avenants (€)",
    "Valeur exécutée HT (€)",
    "Considérations sociales",
    "Considérations environnementales",
    "Heures d'insertion prévues",
    "Heures prévues après résiliation",
    "Heures déclarées",
    "Heures validées",
    "Heures rejetées",
    "Heures à examiner",
    "Heures restant à réaliser",
    "Objectif d'heures menacé",
    "Date de résiliation",
    "Date du solde",
    "Données au",
];

fn contracts_sql(schema: Schema) -> String {
    format!(
        "select c.contract_id, null::int as instalment, null::int as line_id, c.object, c.buyer_siret,
                b.name as buyer_name, c.contractor_sirets, c.status, c.notification_date, c.initial_amount_ht,
                c.amount_ht, c.executed_value_ht, c.social_considerations, c.environmental_considerations,
                c.committed_hours,
                case when c.terminated_on is not null and c.effective_committed_hours is distinct from c.committed_hours
                     then c.effective_committed_hours end as pro_rated_committed_hours,
                c.declared_hours, c.validated_hours, c.rejected_hours, c.pending_hours, c.remaining_hours,
                c.at_risk, c.terminated_on, c.settled_on
         from {schema}.contracts c {BUYER_JOIN}
         where c.tenant = $1 and ($2::text is null or c.buyer_siret = $2)
           and c.notification_date >= make_date($3, 1, 1) and c.notification_date < make_date($3 + 1, 1, 1)
           and ($4::uuid is null or c.contract_id > $4)
           and $5::int is not null and $6::int is not null
         order by c.contract_id
         limit $7",
        schema = schema.name()
    )
}

fn contract_row(row: &PgRow, as_of: NaiveDate) -> Result<Row, sqlx::Error> {
    let contract_id: Uuid = row.try_get("contract_id")?;
    let status: String = row.try_get("status")?;
    let social: Vec<String> = row.try_get("social_considerations")?;
    let environmental: Vec<String> = row.try_get("environmental_considerations")?;
    let at_risk: bool = row.try_get("at_risk")?;
    Ok(vec![
        Cell::text(contract_id.to_string()),
        Cell::text(row.try_get::<String, _>("object")?),
        Cell::optional_text(row.try_get("buyer_name")?),
        Cell::text(row.try_get::<String, _>("buyer_siret")?),
        Cell::text(row.try_get::<Vec<String>, _>("contractor_sirets")?.join(", ")),
        Cell::text(labels::status(&status)),
        Cell::Date(row.try_get("notification_date")?),
        Cell::Money(row.try_get("initial_amount_ht")?),
        Cell::Money(row.try_get("amount_ht")?),
        Cell::Money(row.try_get("executed_value_ht")?),
        Cell::text(considerations(&social)),
        Cell::text(considerations(&environmental)),
        Cell::hours(row.try_get("committed_hours")?),
        Cell::hours(row.try_get("pro_rated_committed_hours")?),
        Cell::Hours(row.try_get("declared_hours")?),
        Cell::Hours(row.try_get("validated_hours")?),
        Cell::Hours(row.try_get("rejected_hours")?),
        Cell::Hours(row.try_get("pending_hours")?),
        Cell::hours(row.try_get("remaining_hours")?),
        Cell::text(if at_risk { "Oui" } else { "Non" }),
        Cell::date(row.try_get("terminated_on")?),
        Cell::date(row.try_get("settled_on")?),
        Cell::Date(as_of),
    ])
}

fn considerations(names: &[String]) -> String {
    names.iter().map(|name| labels::consideration(name)).collect::<Vec<_>>().join(", ")
}

const LINE_HEADERS: &[&str] = &[
    "Identifiant du marché",
    "Objet",
    "Acheteur",
    "SIRET de l'acheteur",
    "Acompte n°",
    "Demande reçue le",
    "Ligne n°",
    "Participant (code)",
    "Catégorie de public",
    "Modalité",
    "Heures",
    "Mois",
    "Début de période",
    "Fin de période",
    "Examen",
    "Données au",
];

fn lines_sql(schema: Schema) -> String {
    format!(
        "select l.contract_id, l.instalment, l.line_id, c.object, c.buyer_siret, b.name as buyer_name,
                i.received_on, coalesce(l.participant, l.beneficiary) as participant, l.category, l.modality,
                l.hours, l.month, l.period_start, l.period_end, l.review
         from {schema}.statement_lines l
         join {schema}.contracts c on c.contract_id = l.contract_id
         left join {schema}.instalments i on i.contract_id = l.contract_id and i.number = l.instalment
         {BUYER_JOIN}
         where l.tenant = $1 and ($2::text is null or c.buyer_siret = $2)
           and l.month >= make_date($3, 1, 1) and l.month < make_date($3 + 1, 1, 1)
           and ($4::uuid is null or (l.contract_id, l.instalment, l.line_id) > ($4, $5, $6))
         order by l.contract_id, l.instalment, l.line_id
         limit $7",
        schema = schema.name()
    )
}

fn line_row(row: &PgRow, as_of: NaiveDate) -> Result<Row, sqlx::Error> {
    let contract_id: Uuid = row.try_get("contract_id")?;
    let category: String = row.try_get("category")?;
    let modality: String = row.try_get("modality")?;
    let review: String = row.try_get("review")?;
    Ok(vec![
        Cell::text(contract_id.to_string()),
        Cell::text(row.try_get::<String, _>("object")?),
        Cell::optional_text(row.try_get("buyer_name")?),
        Cell::text(row.try_get::<String, _>("buyer_siret")?),
        Cell::Count(i64::from(row.try_get::<i32, _>("instalment")?)),
        Cell::date(row.try_get("received_on")?),
        Cell::Count(i64::from(row.try_get::<i32, _>("line_id")?)),
        Cell::text(row.try_get::<String, _>("participant")?),
        Cell::text(labels::category_named(&category)),
        Cell::text(labels::modality_named(&modality)),
        Cell::Hours(row.try_get("hours")?),
        Cell::Date(row.try_get("month")?),
        Cell::date(row.try_get("period_start")?),
        Cell::date(row.try_get("period_end")?),
        Cell::text(labels::review(&review)),
        Cell::Date(as_of),
    ])
}

const PENALTY_HEADERS: &[&str] = &[
    "Identifiant du marché",
    "Objet",
    "Acheteur",
    "SIRET de l'acheteur",
    "Titulaires (SIRET)",
    "Date du solde",
    "Heures dues",
    "Heures retenues",
    "Heures manquantes",
    "Pénalité proposée HT (€)",
    "Décision",
    "Pénalité appliquée HT (€)",
    "Motif",
    "Décidée le",
    "Données au",
];

fn penalties_sql(schema: Schema) -> String {
    // The proposal's steps are JSON strings of decimals (`"733"`), absent when it could not be
    // computed (a reference value missing).
    format!(
        "select p.contract_id, null::int as instalment, null::int as line_id, c.object, c.buyer_siret,
                b.name as buyer_name, c.contractor_sirets, c.settled_on,
                (p.proposal ->> 'committed_hours')::numeric as committed_hours,
                (p.proposal ->> 'counted_hours')::numeric as counted_hours,
                (p.proposal ->> 'shortfall_hours')::numeric as shortfall_hours,
                p.proposed_amount_ht, p.decision, p.decided_amount_ht, p.reason, p.decided_on
         from {schema}.penalties p
         join {schema}.contracts c on c.contract_id = p.contract_id
         {BUYER_JOIN}
         where p.tenant = $1 and ($2::text is null or c.buyer_siret = $2)
           and c.settled_on >= make_date($3, 1, 1) and c.settled_on < make_date($3 + 1, 1, 1)
           and ($4::uuid is null or p.contract_id > $4)
           and $5::int is not null and $6::int is not null
         order by p.contract_id
         limit $7",
        schema = schema.name()
    )
}

fn penalty_row(row: &PgRow, as_of: NaiveDate) -> Result<Row, sqlx::Error> {
    let contract_id: Uuid = row.try_get("contract_id")?;
    let decision: Option<String> = row.try_get("decision")?;
    Ok(vec![
        Cell::text(contract_id.to_string()),
        Cell::text(row.try_get::<String, _>("object")?),
        Cell::optional_text(row.try_get("buyer_name")?),
        Cell::text(row.try_get::<String, _>("buyer_siret")?),
        Cell::text(row.try_get::<Vec<String>, _>("contractor_sirets")?.join(", ")),
        Cell::date(row.try_get("settled_on")?),
        Cell::hours(row.try_get::<Option<Decimal>, _>("committed_hours")?),
        Cell::hours(row.try_get::<Option<Decimal>, _>("counted_hours")?),
        Cell::hours(row.try_get::<Option<Decimal>, _>("shortfall_hours")?),
        Cell::Money(row.try_get("proposed_amount_ht")?),
        Cell::text(labels::decision(decision.as_deref())),
        Cell::money(row.try_get("decided_amount_ht")?),
        Cell::optional_text(row.try_get("reason")?),
        Cell::date(row.try_get("decided_on")?),
        Cell::Date(as_of),
    ])
}
