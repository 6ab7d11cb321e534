//! The yearly indicators as a table: one row per figure, consolidated first, then each buyer —
//! the shape a spreadsheet filters and pivots, where the JSON of `GET /api/indicators` nests.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_projector::indicators::{Indicators, LineHours};
use suivi_projector::YearlyIndicators;

use super::labels;
use super::table::{Cell, Row};

pub const HEADERS: &[&str] = &["Périmètre", "SIRET de l'acheteur", "Indicateur", "Valeur", "Unité", "Données au"];
pub const SHEET: &str = "Indicateurs";
pub const FILE_STEM: &str = "indicateurs";

/// Every row of the year's indicators; `buyer`, when given, keeps that buyer's rows only.
pub fn rows(indicators: &YearlyIndicators, buyer: Option<&str>, as_of: NaiveDate) -> Vec<Row> {
    let mut rows = Vec::new();
    if buyer.is_none() {
        push(&mut rows, "Ensemble de l'organisation", "", &indicators.consolidated, as_of);
    }
    for one in indicators.buyers.iter().filter(|one| buyer.is_none_or(|siret| siret == one.buyer_siret)) {
        let name = one.buyer_name.as_deref().unwrap_or(&one.buyer_siret);
        push(&mut rows, name, &one.buyer_siret, &one.indicators, as_of);
    }
    rows
}

const COUNT: &str = "nombre";
const EUROS_HT: &str = "€ HT";
const EUROS_TTC: &str = "€ TTC";
const HOURS: &str = "heures";
const SHARE: &str = "part";
const DAYS: &str = "jours";

fn push(rows: &mut Vec<Row>, scope: &str, siret: &str, i: &Indicators, as_of: NaiveDate) {
    let count = |n: i64| Cell::Count(n);
    let mut figures: Vec<(String, Cell, &str)> = vec![
        ("Marchés notifiés".into(), count(i.notified.count), COUNT),
        ("Montant notifié".into(), Cell::Money(i.notified.amount_ht), EUROS_HT),
        ("Marchés avec une considération sociale".into(), count(i.social.count), COUNT),
        ("Montant des marchés avec une considération sociale".into(), Cell::Money(i.social.amount_ht), EUROS_HT),
        ("Part des marchés avec une considération sociale".into(), Cell::share(i.social.share), SHARE),
        ("Cible PNAD : considération sociale".into(), Cell::share(i.social.target_share), SHARE),
        ("Marchés avec une considération environnementale".into(), count(i.environmental.count), COUNT),
        (
            "Montant des marchés avec une considération environnementale".into(),
            Cell::Money(i.environmental.amount_ht),
            EUROS_HT,
        ),
        ("Part des marchés avec une considération environnementale".into(), Cell::share(i.environmental.share), SHARE),
        ("Cible PNAD : considération environnementale".into(), Cell::share(i.environmental.target_share), SHARE),
        ("Marchés réservés".into(), count(i.reserved.count), COUNT),
        ("Montant des marchés réservés".into(), Cell::Money(i.reserved.amount_ht), EUROS_HT),
        ("Marchés attribués à une PME".into(), count(i.sme.count), COUNT),
        ("Montant attribué à des PME".into(), Cell::Money(i.sme.amount_ht), EUROS_HT),
        ("Part des marchés attribués à une PME".into(), Cell::share(i.sme.share), SHARE),
        ("Heures d'insertion prévues".into(), Cell::Hours(i.hours.committed), HOURS),
    ];
    figures.extend(line_hours("", &i.hours.lines));
    figures.push(("Heures manquantes".into(), Cell::Hours(i.hours.shortfall), HOURS));
    for category in &i.hours.by_category {
        figures.extend(line_hours(&format!(" — {}", labels::category(category.category)), &category.hours));
    }
    for modality in &i.hours.by_modality {
        figures.extend(line_hours(&format!(" — {}", labels::modality(modality.modality)), &modality.hours));
    }
    let penalties = &i.penalties;
    figures.extend([
        ("Bénéficiaires".into(), count(i.beneficiaries), COUNT),
        ("Entreprises ayant réalisé des heures validées".into(), count(i.firms), COUNT),
        ("Pénalités proposées".into(), count(penalties.proposed.count), COUNT),
        ("Montant des pénalités proposées".into(), Cell::Money(penalties.proposed.amount_ht), EUROS_HT),
        ("Pénalités confirmées".into(), count(penalties.confirmed.count), COUNT),
        ("Montant des pénalités confirmées".into(), Cell::Money(penalties.confirmed.decided_amount_ht), EUROS_HT),
        ("Pénalités ajustées".into(), count(penalties.adjusted.count), COUNT),
        ("Montant des pénalités ajustées".into(), Cell::Money(penalties.adjusted.decided_amount_ht), EUROS_HT),
        ("Pénalités abandonnées".into(), count(penalties.waived.count), COUNT),
        (
            "Montant proposé des pénalités abandonnées".into(),
            Cell::Money(penalties.waived.proposed_amount_ht),
            EUROS_HT,
        ),
        ("Avances versées".into(), count(i.advances.count), COUNT),
        ("Montant des avances versées".into(), Cell::Money(i.advances.amount_ttc), EUROS_TTC),
        ("Acomptes payés".into(), count(i.payments.paid), COUNT),
        ("Délai de paiement moyen".into(), number(i.payments.mean_days_to_pay), DAYS),
        ("Délai de paiement médian".into(), number(i.payments.median_days_to_pay), DAYS),
        ("Acomptes payés dans le délai".into(), count(i.payments.on_time), COUNT),
        ("Part des acomptes payés dans le délai".into(), Cell::share(i.payments.on_time_share), SHARE),
        ("Intérêts moratoires".into(), Cell::money(i.payments.interest_ttc), EUROS_TTC),
        ("Indemnités forfaitaires de recouvrement".into(), Cell::Money(i.payments.flat_fees_ttc), EUROS_TTC),
        ("Marchés dont l'objectif d'heures est menacé".into(), count(i.at_risk_contracts), COUNT),
    ]);
    for (label, value, unit) in figures {
        rows.push(vec![
            Cell::text(scope),
            Cell::text(siret),
            Cell::Text(label),
            value,
            Cell::text(unit),
            Cell::Date(as_of),
        ]);
    }
}

/// Days are shown as hours are (the decimals they have): a plain number.
fn number(value: Option<Decimal>) -> Cell {
    Cell::hours(value)
}

fn line_hours(suffix: &str, hours: &LineHours) -> [(String, Cell, &'static str); 4] {
    [
        (format!("Heures déclarées{suffix}"), Cell::Hours(hours.declared), HOURS),
        (format!("Heures validées{suffix}"), Cell::Hours(hours.validated), HOURS),
        (format!("Heures rejetées{suffix}"), Cell::Hours(hours.rejected), HOURS),
        (format!("Heures à examiner{suffix}"), Cell::Hours(hours.pending), HOURS),
    ]
}
