//! The dashboard (`/tableau-de-bord`) and the yearly report (`/rapport`) end to end: contracts
//! recorded through the API, projected, then the pages read as a browser would.
//!
//! Tenant grand-agglo, buyers B (20004869500015, "Communauté d'agglomération Grand Agglo") and
//! M (21000000000013, "Commune de Saint-Martin"); in 2025:
//!
//! | contract | buyer | notified | amount HT | considerations | insertion clause |
//! |---|---|---|---|---|---|
//! | K1 gymnase | B | 2025-01-15 | 1 000 000 | clause sociale, clause environnementale | 833 h |
//! | K2 espaces verts | B | 2025-06-02 | 200 000 | none social, clause environnementale | — |
//! | K3 restauration | M | 2025-09-01 | 300 000 | clause sociale, none environmental | — |
//!
//! K1: advance 60 000 € TTC paid 2025-02-03; instalment 1 at 700 000 € HT executed, received
//! 2025-03-03, lines of March 2025: EMP-1 100 h direct hire (validated), EMP-2 30 h direct hire
//! (rejected), an RSA recipient 50 h through an ETTI (validated); paid 2025-04-12, 40 days
//! after reception, 10 days late. 150 h validated < 833 × 70 % × 80 % = 466.48 h: at risk.
//! Another tenant's contract of 2025 must never count.

#![allow(clippy::unwrap_used)]

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{
    award_body, instalment_body, registration_body, BUYER_SIRET, CONTRACTOR_SIRET, MEMBER_COMMUNE_SIRET,
    OTHER_BUYER_SIRET, OTHER_CONTRACTOR_SIRET,
};
use suivi_e2e::web::{user, Browser};
use suivi_e2e::TestApp;
use suivi_http::tenants::{name_buyer, NamedBy};
use suivi_http::Role;
use suivi_proto::TenantId;

const GYMNASIUM: &str = "Réhabilitation du gymnase — lot 2 gros œuvre";
const OTHER_TENANTS: &str = "Marché confidentiel d'une autre agglomération";
const BUYER: &str = "acheteuse@grand-agglo.example";
const FACILITATOR: &str = "facilitateur@grand-agglo.example";
/// Narrow no-break space (thousands) and no-break space (before a unit), as the pages write.
const N: char = '\u{202F}';
const S: char = '\u{a0}';

async fn accepted(app: &TestApp, path: &str, token: &str, body: Value) {
    let response = app.post(path, token, &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}: {}", response.text().await.unwrap());
}

fn award(buyer: &str, object: &str, amount: &str, notified: &str, social: &str, environmental: &str) -> Value {
    json!({
        "buyer_siret": buyer, "buyer_kind": "local_authority",
        "contractors": [{ "siret": OTHER_CONTRACTOR_SIRET, "size": "ge", "role": "sole" }],
        "object": object, "cpv_code": "45212222-8", "procedure": "Appel d'offres ouvert",
        "amount_ht": amount, "vat_rate": "0.20", "duration_months": 12, "notification_date": notified,
        "social_considerations": [social], "environmental_considerations": [environmental],
        "payment_term_days": 30
    })
}

/// The history of the module's table; returns K1's id.
async fn seed(app: &TestApp) -> String {
    let t = &app.tokens;
    let pool = &app.db.pool;
    name_buyer(pool, &app.tenant, BUYER_SIRET, "Communauté d'agglomération Grand Agglo", NamedBy::Administrator)
        .await
        .unwrap();
    name_buyer(pool, &app.tenant, MEMBER_COMMUNE_SIRET, "Commune de Saint-Martin", NamedBy::Administrator)
        .await
        .unwrap();
    let mut rsa = registration_body("Durand", "Claire", "1984-05-17");
    rsa["category"] = "minimum_income_recipient".into();
    let rsa = app.register(&rsa).await;

    let k1 = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{k1}");
    let advance = json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                          "finance_reference": "M-0" });
    accepted(app, &format!("{contract}/advance-payments"), &t.finance, advance).await;
    let mut request = instalment_body(1, "700000.00", &[("EMP-1", "100"), ("EMP-2", "30")]);
    request["received_on"] = "2025-03-03".into();
    let lines = request["statement"]["lines"].as_array_mut().unwrap();
    lines.push(json!({ "line_id": 3, "participant": rsa, "modality": "temporary_work_etti", "hours": "50",
                       "period": { "start": "2025-03-01", "end": "2025-03-31" } }));
    accepted(app, &format!("{contract}/instalments"), &t.buyer, request).await;
    let review = json!({ "instalment_number": 1, "decisions": [
        { "line_id": 1, "decision": { "kind": "validated" } },
        { "line_id": 2, "decision": { "kind": "rejected", "reason": "Pas de bulletin de paie" } },
        { "line_id": 3, "decision": { "kind": "validated" } } ] });
    accepted(app, &format!("{contract}/statement-reviews"), &t.facilitator, review).await;
    let approval = json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" });
    accepted(app, &format!("{contract}/instalment-approvals"), &t.buyer, approval).await;
    let payment =
        json!({ "number": 1, "amount_ttc": "820000.00", "paid_on": "2025-04-12", "finance_reference": "M-1" });
    accepted(app, &format!("{contract}/instalment-payments"), &t.finance, payment).await;

    let k2 = award(
        BUYER_SIRET,
        "Entretien des espaces verts",
        "200000.00",
        "2025-06-02",
        "pas_de_consideration_sociale",
        "clause_environnementale",
    );
    app.award(&k2).await;
    let k3 = award(
        MEMBER_COMMUNE_SIRET,
        "Restauration scolaire",
        "300000.00",
        "2025-09-01",
        "clause_sociale",
        "pas_de_consideration_environnementale",
    );
    app.award(&k3).await;
    let other =
        award(OTHER_BUYER_SIRET, OTHER_TENANTS, "90000.00", "2025-03-01", "clause_sociale", "clause_environnementale");
    let response = app.post("/api/contracts", &t.other_tenant_buyer, &other).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    app.catch_up().await;
    k1
}

/// A row of a figures table, as the page writes it.
fn table_row(header: &str, cells: &[&str]) -> String {
    let cells: String = cells.iter().map(|cell| format!(r#"<td class="nombre">{cell}</td>"#)).collect();
    format!(r#"<tr><th scope="row">{header}</th>{cells}</tr>"#)
}

fn euros(text: &str) -> String {
    format!("{}{S}€", text.replace(' ', &N.to_string()))
}

#[tokio::test]
async fn the_dashboard_shows_a_buyers_year_with_targets_hours_charts_and_contracts_at_risk() {
    let app = TestApp::spawn().await;
    let k1 = seed(&app).await;
    user(&app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    let browser = Browser::signed_in(&app, FACILITATOR).await;

    let (status, page) = browser.page(&format!("/tableau-de-bord?annee=2025&acheteur={BUYER_SIRET}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("style="), "no style attribute under the CSP: {page}");
    assert_eq!(page.matches("<h1>").count(), 1);
    assert!(page.contains("Tableau de bord 2025 — Communauté d&#39;agglomération Grand Agglo"), "{page}");
    // The form: labelled fields, the buyer chosen by name.
    assert!(
        page.contains(r#"<label for="annee">Année</label>"#)
            && page.contains(r#"<label for="acheteur">Acheteur</label>"#)
    );
    assert!(
        page.contains(&format!(
            r#"<option value="{BUYER_SIRET}" selected>Communauté d&#39;agglomération Grand Agglo (SIRET {BUYER_SIRET})</option>"#
        )),
        "{page}"
    );
    // Buyer B in 2025: K1 and K2, 1 200 000 € HT; one of two with a social consideration (50 %,
    // beside the 30 % of the PNAD), both with an environmental one (100 %, target 100 %).
    for expected in [
        table_row("Marchés notifiés", &["2", &euros("1 200 000,00"), "—", "—"]),
        table_row("Avec au moins une considération sociale", &["1", &euros("1 000 000,00"), "50\u{a0}%", "30\u{a0}%"]),
        table_row(
            "Avec au moins une considération environnementale",
            &["2", &euros("1 200 000,00"), "100\u{a0}%", "100\u{a0}%"],
        ),
        "PNAD 2022-2025".to_owned(),
        // Hours of March 2025, by category and modality, in French.
        table_row("Demandeur d&#39;emploi de longue durée", &["130\u{a0}h", "100\u{a0}h", "30\u{a0}h", "0\u{a0}h"]),
        table_row("Allocataire d&#39;un minimum social (RSA…)", &["50\u{a0}h", "50\u{a0}h", "0\u{a0}h", "0\u{a0}h"]),
        table_row("Embauche directe", &["130\u{a0}h", "100\u{a0}h", "30\u{a0}h", "0\u{a0}h"]),
        table_row("Mise à disposition par une ETTI", &["50\u{a0}h", "50\u{a0}h", "0\u{a0}h", "0\u{a0}h"]),
        table_row("Engagées par les marchés notifiés dans l&#39;année", &["833\u{a0}h"]),
        table_row("Bénéficiaires distincts", &["2"]),
        // Paid 40 days after reception, 10 days late; the advance to a PME without guarantee.
        table_row("Délai moyen de paiement", &["40\u{a0}jours"]),
        table_row("Part payée dans le délai", &["0\u{a0}%"]),
        table_row("dont sans garantie à première demande", &["1", &euros("60 000,00")]),
        // Each chart, and its table beside it.
        r#"<svg class="graphique" role="img" aria-labelledby="graphique-categories-titre""#.to_owned(),
        r#"<title id="graphique-categories-titre">Heures validées par catégorie de public en 2025</title>"#.to_owned(),
        "<caption>Heures par catégorie de public en 2025</caption>".to_owned(),
        r#"<title id="graphique-parts-titre">Part des marchés notifiés en 2025</title>"#.to_owned(),
        "Considérations sociales (objectif : 30\u{a0}%)".to_owned(),
        "<caption>Marchés notifiés en 2025 et objectifs nationaux</caption>".to_owned(),
        r#"<th scope="col" class="nombre">Objectif national (PNAD)</th>"#.to_owned(),
        // The contract at risk, by name, linked to its page.
        "<caption>1 marché en retard sur l&#39;objectif d&#39;heures</caption>".to_owned(),
        format!(r#"<th scope="row"><a href="/marches/{k1}">{GYMNASIUM}</a></th>"#),
        "Données au <strong>".to_owned(),
    ] {
        assert!(page.contains(&expected), "{expected} in {page}");
    }
    assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
    assert!(page.matches(r#"<svg class="graphique" role="img""#).count() >= 4, "{page}");
    assert!(!page.contains("Restauration scolaire") && !page.contains(OTHER_TENANTS), "{page}");

    // The whole organisation: K3 of the member commune counts, the other tenant's contract not.
    let (status, all) = browser.page("/tableau-de-bord?annee=2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.contains("Tableau de bord 2025 — tous les acheteurs de l&#39;organisation"), "{all}");
    let social = table_row(
        "Avec au moins une considération sociale",
        &["2", &euros("1 300 000,00"), "66,67\u{a0}%", "30\u{a0}%"],
    );
    assert!(all.contains(&table_row("Marchés notifiés", &["3", &euros("1 500 000,00"), "—", "—"])), "{all}");
    assert!(all.contains(&social), "{all}");
    assert!(!all.contains(OTHER_TENANTS));

    // A year no plan covers says so, and its shares have no target beside them.
    let (status, later) = browser.page("/tableau-de-bord?annee=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(later.contains("Aucun plan ne couvre l&#39;année"), "{later}");
    assert!(later.contains("Aucun marché notifié cette année."), "{later}");
    // Without a year: the current one in France.
    let this_year = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).year();
    assert!(browser.page("/tableau-de-bord").await.1.contains(&format!("<h1>Tableau de bord {this_year} — ")));
}

#[tokio::test]
async fn the_yearly_report_is_one_printable_page_with_the_method() {
    let app = TestApp::spawn().await;
    let k1 = seed(&app).await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::signed_in(&app, BUYER).await;
    let (status, report) = browser.page(&format!("/rapport?annee=2025&acheteur={BUYER_SIRET}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(!report.contains("style="), "{report}");
    assert_eq!(report.matches("<h1>").count(), 1);
    for expected in [
        "Rapport annuel 2025 des achats socialement et écologiquement responsables — Communauté d&#39;agglomération Grand Agglo".to_owned(),
        "<h2 id=\"methode\">Méthode</h2>".to_owned(),
        "la\n<strong>date de notification</strong> du marché".to_owned(),
        "le <strong>mois de travail</strong>".to_owned(),
        "<strong>date du décompte général et définitif</strong>".to_owned(),
        "Source : Suivi, données au ".to_owned(),
        table_row("Avec au moins une considération sociale", &["1", &euros("1 000 000,00"), "50\u{a0}%", "30\u{a0}%"]),
        r#"<title id="graphique-heures-titre">Heures d&#39;insertion en 2025</title>"#.to_owned(),
        "<caption>Heures d&#39;insertion en 2025</caption>".to_owned(),
        format!(r#"<a href="/marches/{k1}">{GYMNASIUM}</a>"#),
    ] {
        assert!(report.contains(&expected), "{expected} in {report}");
    }
    // What printing hides: the menu, the form, the screen-only notes.
    let css = browser.get("/static/suivi.css").await.text().await.unwrap();
    let print = &css[css.find("@media print").unwrap()..];
    for hidden in [".bandeau nav", ".filtres", ".ecran-seulement", "break-inside: avoid"] {
        assert!(print.contains(hidden), "{hidden} in {print}");
    }
}

#[tokio::test]
async fn contractors_other_tenants_and_bad_queries_are_refused_with_a_page() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), "titulaire@btp.example").await;
    let contractor = Browser::signed_in(&app, "titulaire@btp.example").await;
    for path in ["/tableau-de-bord?annee=2025", "/rapport?annee=2025"] {
        let (status, page) = contractor.page(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Accès réservé") && !page.contains(GYMNASIUM), "{page}");
    }

    let other = TenantId::parse("other-agglo").unwrap();
    user(&app, &other, Role::Buyer, None, "acheteur@other-agglo.example").await;
    let outsider = Browser::signed_in(&app, "acheteur@other-agglo.example").await;
    let (status, page) = outsider.page(&format!("/tableau-de-bord?annee=2025&acheteur={BUYER_SIRET}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Acheteur inconnu") && !page.contains("Grand Agglo"), "{page}");
    let (status, own) = outsider.page("/tableau-de-bord?annee=2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains(&table_row("Marchés notifiés", &["1", &euros("90 000,00"), "—", "—"])), "{own}");
    assert!(!own.contains(GYMNASIUM) && !own.contains("Grand Agglo") && !own.contains("833\u{a0}h"), "{own}");

    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let buyer = Browser::signed_in(&app, BUYER).await;
    for (query, status, message) in [
        ("annee=1999", StatusCode::BAD_REQUEST, "L&#39;année doit être une année civile de 2000 à 2100"),
        ("annee=2101", StatusCode::BAD_REQUEST, "Année invalide"),
        ("annee=deux-mille", StatusCode::BAD_REQUEST, "« deux-mille »"),
        ("annee=2025&acheteur=99999999999999", StatusCode::NOT_FOUND, "Acheteur inconnu"),
        (&format!("annee=2025&acheteur={OTHER_BUYER_SIRET}"), StatusCode::NOT_FOUND, "Acheteur inconnu"),
    ] {
        for path in ["/tableau-de-bord", "/rapport"] {
            let (got, page) = buyer.page(&format!("{path}?{query}")).await;
            assert_eq!(got, status, "{path}?{query}: {page}");
            assert!(page.contains(message), "{message} in {page}");
        }
    }
    // Not signed in: to the sign-in page.
    let anonymous = Browser::new(&app).get("/tableau-de-bord").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

/// Every cell of a workbook's first sheet, as text.
fn cells(workbook: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook.to_vec())).expect("an XLSX workbook");
    let sheet = workbook.worksheet_range_at(0).expect("a sheet").expect("a readable sheet");
    let rows: Vec<Vec<String>> = sheet.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect();
    assert!(!rows.is_empty(), "at least the header row");
    rows
}

#[tokio::test]
async fn the_dashboard_links_the_years_files_and_each_is_the_file_the_api_gives() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let buyer = Browser::signed_in(&app, BUYER).await;
    let (status, dashboard) = buyer.page(&format!("/tableau-de-bord?annee=2025&acheteur={BUYER_SIRET}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dashboard.contains("Télécharger les données de 2025"), "{dashboard}");
    for name in ["contracts", "statement-lines", "penalties", "indicators"] {
        for (extension, content_type) in [("csv", "text/csv; charset=utf-8"), ("xlsx", "spreadsheetml.sheet")] {
            let link = format!("/telecharger/{name}.{extension}?annee=2025&acheteur={BUYER_SIRET}");
            assert!(dashboard.contains(&format!("href=\"{}\"", link.replace('&', "&#38;"))), "{link}: {dashboard}");
            let file = buyer.get(&link).await;
            assert_eq!(file.status(), StatusCode::OK, "{link}");
            let got_type = file.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(got_type.ends_with(content_type), "{link}: {got_type}");
            assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"), "{link}");
            let body = file.bytes().await.unwrap();
            let api_path = format!("/api/exports/{name}.{extension}?year=2025&buyer={BUYER_SIRET}");
            let api = app.get(&api_path, &app.tokens.buyer).await.bytes().await.unwrap();
            if extension == "csv" {
                assert_eq!(body, api, "{link}: the API's file");
            } else {
                assert_eq!(cells(&body), cells(&api), "{link}: the API's workbook");
            }
        }
    }
    let contracts = buyer.get(&format!("/telecharger/contracts.csv?annee=2025&acheteur={BUYER_SIRET}")).await;
    assert!(contracts.text().await.unwrap().contains(GYMNASIUM));

    let (status, page) = buyer.page("/telecharger/secrets.txt?annee=2025").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Fichier inconnu"), "{page}");
    let (status, page) =
        buyer.page(&format!("/telecharger/contracts.csv?annee=2025&acheteur={OTHER_BUYER_SIRET}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's buyer: {page}");
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), "titulaire@btp.example").await;
    let contractor = Browser::signed_in(&app, "titulaire@btp.example").await;
    let (status, page) = contractor.page("/telecharger/contracts.csv?annee=2025").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains(GYMNASIUM), "{page}");
    assert_eq!(Browser::new(&app).get("/telecharger/contracts.csv?annee=2025").await.status(), StatusCode::SEE_OTHER);
}
