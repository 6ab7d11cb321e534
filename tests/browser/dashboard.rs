//! The dashboard of a year with data, in the browser: every chart drawn with its bars beside its
//! table; the README's `tableau-de-bord.png` (`SUIVI_SCREENSHOTS=1`).

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, registration_body, BUYER_SIRET, MEMBER_COMMUNE_SIRET};
use suivi_e2e::participants::code_of;
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::tenants::{name_buyer, NamedBy};
use suivi_http::Role;

use crate::chrome::{normalise_spaces, Chrome};
use crate::OBJECT;

const FACILITATOR: &str = "facilitateur@grand-agglo.example";
const SCHOOL: &str = "Construction de l'école des Tilleuls — lot 1";

async fn accepted(app: &TestApp, path: &str, token: &str, body: Value) {
    let response = app.post(path, token, &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}: {}", response.text().await.unwrap());
}

/// A contract of `buyer` with an insertion clause of `hours` h, or none.
fn award(buyer: &str, object: &str, amount: &str, notified: &str, hours: Option<&str>) -> Value {
    let mut body = award_body();
    body["buyer_siret"] = buyer.into();
    body["object"] = object.into();
    body["amount_ht"] = amount.into();
    body["notification_date"] = notified.into();
    match hours {
        Some(hours) => body["insertion_clause"]["committed_hours"] = hours.into(),
        None => {
            body.as_object_mut().unwrap().remove("insertion_clause");
            body["social_considerations"] = json!(["pas_de_consideration_sociale"]);
        }
    }
    body
}

/// Instalment `number` of `contract` as the buyer records it, received on `received`, with its
/// lines `(participant code, modality, hours)` reviewed at once: validated, but for `rejected`.
async fn instalment(
    app: &TestApp,
    contract: &str,
    number: u32,
    value: &str,
    received: &str,
    lines: &[(&str, &str, &str)],
    rejected: &[usize],
) {
    let hours: Vec<(&str, &str)> = lines.iter().map(|(_, _, hours)| ("EMP-1", *hours)).collect();
    let mut request = instalment_body(number, value, &hours);
    request["received_on"] = received.into();
    for (line, (code, modality, _)) in request["statement"]["lines"].as_array_mut().unwrap().iter_mut().zip(lines) {
        line["participant"] = (*code).into();
        line["modality"] = (*modality).into();
    }
    let t = &app.tokens;
    accepted(app, &format!("{contract}/instalments"), &t.buyer, request).await;
    let decisions: Vec<Value> = (1..=lines.len())
        .map(|line| {
            let decision = if rejected.contains(&line) {
                json!({ "kind": "rejected", "reason": "Pas de bulletin de paie" })
            } else {
                json!({ "kind": "validated" })
            };
            json!({ "line_id": line, "decision": decision })
        })
        .collect();
    let review = json!({ "instalment_number": number, "decisions": decisions });
    accepted(app, &format!("{contract}/statement-reviews"), &t.facilitator, review).await;
}

/// A participant of `category`, registered by the facilitator: its code.
async fn participant(app: &TestApp, family_name: &str, category: &str) -> String {
    let mut body = registration_body(family_name, "Claire", "1984-05-17");
    body["category"] = category.into();
    app.register(&body).await
}

/// A year, 2025, of two buyers: five contracts, hours of several modalities and publics, an
/// advance, payments on time and late, a contract settled short of its hours (a penalty).
async fn seed(app: &TestApp) {
    let t = &app.tokens;
    let pool = &app.db.pool;
    name_buyer(pool, &app.tenant, BUYER_SIRET, "Communauté d'agglomération Grand Agglo", NamedBy::Administrator)
        .await
        .unwrap();
    name_buyer(pool, &app.tenant, MEMBER_COMMUNE_SIRET, "Commune de Saint-Martin", NamedBy::Administrator)
        .await
        .unwrap();
    let jobseeker = code_of("EMP-1");
    let rsa = participant(app, "Durand", "minimum_income_recipient").await;
    let young = participant(app, "Martin", "young_low_qualification").await;
    let over_50 = participant(app, "Bernard", "jobseeker_over50").await;

    let gym = format!("/api/contracts/{}", app.award(&award_body()).await);
    let advance = json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                          "finance_reference": "M-0" });
    accepted(app, &format!("{gym}/advance-payments"), &t.finance, advance).await;
    let lines = [
        (jobseeker.as_str(), "direct_hire", "180"),
        (rsa.as_str(), "direct_hire", "30"),
        (young.as_str(), "geiq", "120"),
    ];
    instalment(app, &gym, 1, "700000.00", "2025-03-03", &lines, &[2]).await;
    let approval = json!({ "number": 1, "approved_on": "2025-03-10", "other_deductions_ttc": "0.00" });
    accepted(app, &format!("{gym}/instalment-approvals"), &t.buyer, approval).await;
    let payment =
        json!({ "number": 1, "amount_ttc": "820000.00", "paid_on": "2025-04-12", "finance_reference": "M-1" });
    accepted(app, &format!("{gym}/instalment-payments"), &t.finance, payment).await;

    let school = format!(
        "/api/contracts/{}",
        app.award(&award(MEMBER_COMMUNE_SIRET, SCHOOL, "650000.00", "2025-02-10", Some("400"))).await
    );
    let lines = [
        (rsa.as_str(), "temporary_work_etti", "90"),
        (over_50.as_str(), "training", "60"),
        (jobseeker.as_str(), "subcontracting_siae", "40"),
    ];
    instalment(app, &school, 1, "650000.00", "2025-04-02", &lines, &[]).await;
    let approval = json!({ "number": 1, "approved_on": "2025-04-10", "other_deductions_ttc": "0.00" });
    accepted(app, &format!("{school}/instalment-approvals"), &t.buyer, approval).await;
    let payment =
        json!({ "number": 1, "amount_ttc": "780000.00", "paid_on": "2025-04-25", "finance_reference": "M-2" });
    accepted(app, &format!("{school}/instalment-payments"), &t.finance, payment).await;
    let settlement = json!({ "final_amount_ht": "650000.00", "settled_on": "2025-11-20" });
    accepted(app, &format!("{school}/settlement"), &t.buyer, settlement).await;

    for (buyer, object, amount, notified, hours) in [
        (BUYER_SIRET, "Entretien des espaces verts", "200000.00", "2025-06-02", None),
        (MEMBER_COMMUNE_SIRET, "Restauration scolaire", "300000.00", "2025-09-01", Some("250")),
        (BUYER_SIRET, "Nettoyage des locaux administratifs", "150000.00", "2025-10-06", Some("300")),
    ] {
        app.award(&award(buyer, object, amount, notified, hours)).await;
    }
    app.catch_up().await;
}

#[tokio::test]
async fn the_dashboard_of_a_year_with_data_draws_its_charts() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    user(&app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    let chrome = Chrome::start(&app).await;
    chrome.sign_in(FACILITATOR, PASSWORD).await;
    chrome.click_link("Tableau de bord").await;
    assert_eq!(chrome.path().await, "/tableau-de-bord");
    chrome.fill("Année", "2025").await;
    chrome.click("Afficher").await;
    assert_eq!(chrome.path().await, "/tableau-de-bord?annee=2025&acheteur=");
    assert_eq!(chrome.status().await, StatusCode::OK);

    // Each chart has bars, and what they draw is in its table too.
    let bars = chrome
        .script("return [...document.querySelectorAll('figure.figure-graphique svg')].map(s => s.querySelectorAll('rect').length);")
        .await;
    let bars: Vec<u64> = serde_json::from_value(bars).unwrap();
    assert!(bars.len() >= 3 && bars.iter().all(|&n| n > 0), "every chart has bars: {bars:?}");
    let penalties = chrome.table("Pénalités d'insertion en 2025").await;
    assert_eq!(penalties[0], ["Proposées", "1", "12 600,00 €", "—"], "{penalties:?}");
    let page = normalise_spaces(&chrome.text().await);
    for expected in ["Marchés en retard sur l'objectif d'heures", OBJECT] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    chrome.screenshot("tableau-de-bord").await;
    chrome.close().await;
}
