//! The year's indicators as the pages show them: one section per group of `docs/indicators.md`,
//! each with its figures in a table (caption, headers) and, where a picture helps, a bar chart
//! of the same figures beside it.

use rust_decimal::Decimal;
use suivi_projector::indicators::{Indicators, LineHours, NationalTargets, PenaltyDecisions};

use crate::charts::{bar_chart, Bar, Target};
use crate::{format, labels};

/// A table of figures: the first column heads each row.
pub struct DataTable {
    pub caption: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<DataRow>,
}

pub struct DataRow {
    pub header: String,
    pub cells: Vec<String>,
}

fn row(header: impl Into<String>, cells: Vec<String>) -> DataRow {
    DataRow { header: header.into(), cells }
}

/// One group of indicators.
pub struct Section {
    /// The heading's id, for `aria-labelledby`.
    pub id: &'static str,
    pub heading: &'static str,
    /// Which date puts these figures in the year, and what else a reader should know.
    pub notes: Vec<String>,
    /// The inline SVG, when there is something to draw.
    pub chart: Option<String>,
    /// Said instead of the table when there is nothing to count.
    pub empty: Option<&'static str>,
    pub table: DataTable,
}

/// The sentence about the national plan the shares are compared with.
pub fn plan_note(targets: &NationalTargets) -> String {
    match targets {
        NationalTargets::InForce { plan } => format!(
            "Objectifs du plan national pour des achats durables « {} » (du {} au {}), en vigueur au 31 décembre \
             de l'année ; source : {}.",
            plan.name,
            format::date(plan.period_start),
            format::date(plan.period_end),
            plan.source
        ),
        NationalTargets::NoPlan { reason, .. } => {
            format!("Aucun plan ne couvre l'année : pas d'objectif national à comparer ({reason})")
        }
    }
}

pub fn sections(year: i32, indicators: &Indicators, targets: &NationalTargets) -> Vec<Section> {
    vec![
        contracts(year, indicators, targets),
        hours(year, indicators),
        by_category(year, indicators),
        by_modality(year, indicators),
        people(year, indicators),
        penalties(year, indicators),
        advances(year, indicators),
        payments(year, indicators),
    ]
}

fn dash() -> String {
    "—".to_owned()
}

fn target(share: Option<Decimal>) -> Option<Target> {
    share.map(|value| Target { value, shown: format::percent(value) })
}

fn contracts(year: i32, figures: &Indicators, targets: &NationalTargets) -> Section {
    let (social, environmental, sme) = (&figures.social, &figures.environmental, &figures.sme);
    let rows = vec![
        row(
            "Marchés notifiés",
            vec![format::count(figures.notified.count), format::euros(figures.notified.amount_ht), dash(), dash()],
        ),
        row(
            "Avec au moins une considération sociale",
            vec![
                format::count(social.count),
                format::euros(social.amount_ht),
                format::percent_or_dash(social.share),
                format::percent_or_dash(social.target_share),
            ],
        ),
        row(
            "dont avec un critère social d'attribution",
            vec![format::count(social.with_award_criterion), dash(), dash(), dash()],
        ),
        row(
            "Avec au moins une considération environnementale",
            vec![
                format::count(environmental.count),
                format::euros(environmental.amount_ht),
                format::percent_or_dash(environmental.share),
                format::percent_or_dash(environmental.target_share),
            ],
        ),
        row(
            "dont avec un critère environnemental d'attribution",
            vec![format::count(environmental.with_award_criterion), dash(), dash(), dash()],
        ),
        row(
            "Marchés réservés",
            vec![format::count(figures.reserved.count), format::euros(figures.reserved.amount_ht), dash(), dash()],
        ),
        row(
            "Attribués à une TPE ou une PME",
            vec![format::count(sme.count), format::euros(sme.amount_ht), format::percent_or_dash(sme.share), dash()],
        ),
        row(
            "Part du montant notifié attribuée à une TPE ou une PME",
            vec![dash(), dash(), format::percent_or_dash(sme.amount_share), dash()],
        ),
    ];
    let chart = (figures.notified.count > 0).then(|| {
        let bar = |label: &str, share: Option<Decimal>| {
            Bar::new(label, share.unwrap_or_default(), format::percent_or_dash(share))
        };
        let bars = [
            bar("Considérations sociales", social.share).with_target(target(social.target_share)),
            bar("Considérations environnementales", environmental.share)
                .with_target(target(environmental.target_share)),
            bar("TPE et PME", sme.share),
        ];
        bar_chart("graphique-parts", &format!("Part des marchés notifiés en {year}"), &bars, Some(Decimal::ONE))
    });
    Section {
        id: "marches",
        heading: "Marchés notifiés",
        notes: vec![
            "Marchés dont la date de notification est dans l'année, au montant HT notifié ; les parts sont \
             celles des marchés notifiés, en nombre, comme le plan national les compte."
                .to_owned(),
            plan_note(targets),
        ],
        chart: chart.flatten(),
        empty: (figures.notified.count == 0).then_some("Aucun marché notifié cette année."),
        table: DataTable {
            caption: format!("Marchés notifiés en {year} et objectifs nationaux"),
            columns: vec!["Marchés", "Nombre", "Montant HT", "Part des marchés notifiés", "Objectif national (PNAD)"],
            rows,
        },
    }
}

fn line_cells(hours: &LineHours) -> Vec<String> {
    vec![
        format::hours(hours.declared),
        format::hours(hours.validated),
        format::hours(hours.rejected),
        format::hours(hours.pending),
    ]
}

fn hours(year: i32, figures: &Indicators) -> Section {
    let hours = &figures.hours;
    let items = [
        ("Engagées par les marchés notifiés dans l'année", hours.committed),
        ("Déclarées", hours.lines.declared),
        ("Validées", hours.lines.validated),
        ("Rejetées", hours.lines.rejected),
        ("En attente d'examen", hours.lines.pending),
        ("Non réalisées (marchés soldés dans l'année)", hours.shortfall),
    ];
    let bars: Vec<Bar> = items.iter().map(|(label, value)| Bar::new(*label, *value, format::hours(*value))).collect();
    Section {
        id: "heures",
        heading: "Heures d'insertion",
        notes: vec!["Heures engagées : celles des marchés notifiés dans l'année, avenants compris. Heures déclarées, \
             validées, rejetées et en attente : celles des lignes de relevé dont le mois de travail est dans l'année. \
             Heures non réalisées : celles des marchés soldés dans l'année (date du décompte général)."
            .to_owned()],
        chart: bar_chart("graphique-heures", &format!("Heures d'insertion en {year}"), &bars, None),
        empty: None,
        table: DataTable {
            caption: format!("Heures d'insertion en {year}"),
            columns: vec!["Heures", "Nombre d'heures"],
            rows: items.iter().map(|(label, value)| row(*label, vec![format::hours(*value)])).collect(),
        },
    }
}

const LINE_COLUMNS: [&str; 4] = ["Déclarées", "Validées", "Rejetées", "En attente"];

fn by_category(year: i32, figures: &Indicators) -> Section {
    let list = &figures.hours.by_category;
    let bars: Vec<Bar> = list
        .iter()
        .map(|c| Bar::new(labels::category(c.category), c.hours.validated, format::hours(c.hours.validated)))
        .collect();
    let mut columns = vec!["Catégorie de public"];
    columns.extend(LINE_COLUMNS);
    Section {
        id: "categories",
        heading: "Heures par catégorie de public",
        notes: vec!["Lignes de relevé dont le mois de travail est dans l'année ; le graphique montre les heures \
                     validées."
            .to_owned()],
        chart: bar_chart(
            "graphique-categories",
            &format!("Heures validées par catégorie de public en {year}"),
            &bars,
            None,
        ),
        empty: list.is_empty().then_some("Aucune heure déclarée pour un mois de cette année."),
        table: DataTable {
            caption: format!("Heures par catégorie de public en {year}"),
            columns,
            rows: list.iter().map(|c| row(labels::category(c.category), line_cells(&c.hours))).collect(),
        },
    }
}

fn by_modality(year: i32, figures: &Indicators) -> Section {
    let list = &figures.hours.by_modality;
    let bars: Vec<Bar> = list
        .iter()
        .map(|m| Bar::new(labels::modality(m.modality), m.hours.validated, format::hours(m.hours.validated)))
        .collect();
    let mut columns = vec!["Modalité"];
    columns.extend(LINE_COLUMNS);
    Section {
        id: "modalites",
        heading: "Heures par modalité de mise en œuvre",
        notes: vec!["Lignes de relevé dont le mois de travail est dans l'année ; le graphique montre les heures \
                     validées."
            .to_owned()],
        chart: bar_chart("graphique-modalites", &format!("Heures validées par modalité en {year}"), &bars, None),
        empty: list.is_empty().then_some("Aucune heure déclarée pour un mois de cette année."),
        table: DataTable {
            caption: format!("Heures par modalité en {year}"),
            columns,
            rows: list.iter().map(|m| row(labels::modality(m.modality), line_cells(&m.hours))).collect(),
        },
    }
}

fn people(year: i32, figures: &Indicators) -> Section {
    let profile = &figures.beneficiary_profile;
    Section {
        id: "beneficiaires",
        heading: "Bénéficiaires et entreprises",
        notes: vec!["Personnes distinctes ayant au moins une heure validée pour un mois de l'année (une personne \
                     compte une fois, quels que soient ses marchés) ; entreprises titulaires de ces marchés."
            .to_owned()],
        chart: None,
        empty: None,
        table: DataTable {
            caption: format!("Bénéficiaires et entreprises en {year}"),
            columns: vec!["Indicateur", "Valeur"],
            rows: vec![
                row("Bénéficiaires distincts", vec![format::count(figures.beneficiaries)]),
                row("dont inscrits au registre des participants", vec![format::count(profile.participants)]),
                row("dont nouveaux cette année", vec![format::count(profile.new)]),
                row(
                    "Habitants d'un quartier prioritaire (QPV)",
                    vec![format::count(profile.priority_neighbourhood_residents)],
                ),
                row("Heures validées par bénéficiaire", vec![format::hours_or_dash(profile.hours_per_beneficiary)]),
                row("Entreprises concernées", vec![format::count(figures.firms)]),
            ],
        },
    }
}

fn penalties(year: i32, figures: &Indicators) -> Section {
    let p = &figures.penalties;
    let decided = |label: &str, d: &PenaltyDecisions| {
        row(
            label,
            vec![format::count(d.count), format::euros(d.proposed_amount_ht), format::euros(d.decided_amount_ht)],
        )
    };
    let bars = [
        Bar::new("Proposées", Decimal::from(p.proposed.count), format::count(p.proposed.count)),
        Bar::new("Confirmées", Decimal::from(p.confirmed.count), format::count(p.confirmed.count)),
        Bar::new("Modifiées", Decimal::from(p.adjusted.count), format::count(p.adjusted.count)),
        Bar::new("Non appliquées", Decimal::from(p.waived.count), format::count(p.waived.count)),
    ];
    Section {
        id: "penalites",
        heading: "Pénalités d'insertion",
        notes: vec!["Pénalités proposées : celles des marchés soldés dans l'année (date du décompte général). \
                     Décisions : celles prises dans l'année (date de la décision)."
            .to_owned()],
        chart: bar_chart("graphique-penalites", &format!("Nombre de pénalités en {year}"), &bars, None),
        empty: None,
        table: DataTable {
            caption: format!("Pénalités d'insertion en {year}"),
            columns: vec!["Pénalités", "Nombre", "Montant proposé HT", "Montant décidé HT"],
            rows: vec![
                row("Proposées", vec![format::count(p.proposed.count), format::euros(p.proposed.amount_ht), dash()]),
                decided("Confirmées", &p.confirmed),
                decided("Modifiées", &p.adjusted),
                decided("Non appliquées", &p.waived),
            ],
        },
    }
}

fn advances(year: i32, figures: &Indicators) -> Section {
    let a = &figures.advances;
    Section {
        id: "avances",
        heading: "Avances",
        notes: vec!["Avances dont la date de paiement est dans l'année.".to_owned()],
        chart: None,
        empty: None,
        table: DataTable {
            caption: format!("Avances versées en {year}"),
            columns: vec!["Avances", "Nombre", "Montant TTC"],
            rows: vec![
                row("Versées", vec![format::count(a.count), format::euros(a.amount_ttc)]),
                row(
                    "dont à une TPE ou une PME",
                    vec![format::count(a.to_sme.count), format::euros(a.to_sme.amount_ttc)],
                ),
                row(
                    "dont sans garantie à première demande",
                    vec![format::count(a.without_guarantee.count), format::euros(a.without_guarantee.amount_ttc)],
                ),
            ],
        },
    }
}

fn payments(year: i32, figures: &Indicators) -> Section {
    let p = &figures.payments;
    let unknown = "inconnus (taux BCE manquant)";
    let mut notes = vec!["Acomptes dont la date de paiement est dans l'année ; délai global de paiement, de la \
                          réception de la demande au paiement."
        .to_owned()];
    if let Some(missing) = &p.interest_unavailable {
        notes.push(format!(
            "Les intérêts moratoires de {} paiement(s) en retard ne peuvent pas être calculés : un taux de la BCE \
             manque dans la table de référence.",
            format::count(missing.payments)
        ));
    }
    let late = p.paid - p.on_time;
    let bars = [
        Bar::new("Payés dans le délai", Decimal::from(p.on_time), format::count(p.on_time)),
        Bar::new("Payés en retard", Decimal::from(late), format::count(late)),
    ];
    Section {
        id: "paiements",
        heading: "Délais de paiement",
        notes,
        chart: if p.paid > 0 {
            bar_chart("graphique-paiements", &format!("Acomptes payés en {year}, dans le délai ou non"), &bars, None)
        } else {
            None
        },
        empty: None,
        table: DataTable {
            caption: format!("Délais de paiement des acomptes payés en {year}"),
            columns: vec!["Paiements", "Valeur"],
            rows: vec![
                row("Acomptes payés", vec![format::count(p.paid)]),
                row("Délai moyen de paiement", vec![format::days_or_dash(p.mean_days_to_pay)]),
                row("Délai médian de paiement", vec![format::days_or_dash(p.median_days_to_pay)]),
                row("Payés dans le délai", vec![format::count(p.on_time)]),
                row("Part payée dans le délai", vec![format::percent_or_dash(p.on_time_share)]),
                row("Intérêts moratoires TTC", vec![p.interest_ttc.map_or_else(|| unknown.to_owned(), format::euros)]),
                row("Indemnités forfaitaires de recouvrement", vec![format::euros(p.flat_fees_ttc)]),
                row(
                    "Total dû au titre des retards TTC",
                    vec![p.interest_due_ttc.map_or_else(|| unknown.to_owned(), format::euros)],
                ),
            ],
        },
    }
}
