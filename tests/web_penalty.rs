//! The penalty review in the web interface: the computation shown step by step, the
//! contradictory procedure (notification, the contractor's observations from its portal, the
//! decision with a written reason), each step in the timeline; refusals in French beside their
//! field, with what was typed kept and nothing written.

#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use suivi_e2e::app::{CONTRACTOR_SIRET, OTHER_CONTRACTOR_SIRET};
use suivi_e2e::settled::settled_contract;
use suivi_e2e::web::{location, token_in, user, Browser};
use suivi_e2e::TestApp;
use suivi_http::Role;

const FACILITATOR: &str = "facilitatrice@grand-agglo.example";
const CONTRACTOR: &str = "chantiers@btp-comtois.example";
const OTHER_FIRM: &str = "contact@autre-entreprise.example";

fn french_date(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The value of the `version` hidden input of the page's forms.
fn version_in(html: &str) -> String {
    let at = html.find(r#"name="version" value=""#).expect("a version field") + r#"name="version" value=""#.len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// A page's status and HTML, apostrophes unescaped (askama writes those of values as `&#39;`).
async fn html(browser: &Browser<'_>, path: &str) -> (StatusCode, String) {
    let (status, page) = browser.page(path).await;
    (status, page.replace("&#39;", "'"))
}

async fn accounts(app: &TestApp) {
    user(app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    user(app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), CONTRACTOR).await;
    user(app, &app.tenant, Role::Contractor, Some(OTHER_CONTRACTOR_SIRET), OTHER_FIRM).await;
}

#[tokio::test]
async fn a_facilitator_notifies_the_contractor_answers_and_the_facilitator_decides() {
    let app = TestApp::spawn().await;
    accounts(&app).await;
    let id = settled_contract(&app).await;
    let path = format!("/marches/{id}/penalite");
    let facilitator = Browser::signed_in(&app, FACILITATOR).await;

    // The computation, step by step, and the notification form prefilled with the proposal.
    let (status, page) = html(&facilitator, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pénalité proposée : <strong>43\u{202f}980,00\u{a0}€ HT</strong>"), "{page}");
    assert!(page.contains("<ol class=\"explication\">"), "{page}");
    assert!(page.contains("733"), "the shortfall is explained: {page}");
    assert!(page.contains("Notifier le titulaire") && page.contains(r#"name="delai" inputmode="numeric" value="15""#));
    let (csrf, version) = (token_in(&page), version_in(&page));

    // A crafted confirmation before any notification: refused by the rules, nothing written.
    let before = app.event_count().await;
    let early = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "decision"),
        ("decision", "confirmer"),
        ("propose", "43980.00"),
        ("motif", "Proposition appliquée"),
    ];
    let response = facilitator.post(&path, &early).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap().replace("&#39;", "'");
    assert!(page.contains("Le titulaire doit d'abord recevoir la notification"), "{page}");
    // An amount nobody can read, and a period out of bounds: each beside its own field, kept.
    let bad_amount = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "notification"),
        ("montant", "quarante mille"),
        ("delai", "15"),
    ];
    let response = facilitator.post(&path, &bad_amount).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap().replace("&#39;", "'");
    assert!(page.contains(r#"<p class="erreur" id="montant-erreur">Indiquez le montant envisagé"#), "{page}");
    assert!(page.contains(r#"value="quarante mille""#), "what was typed is kept: {page}");
    let bad_days = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "notification"),
        ("montant", "43 980,00"),
        ("delai", "120"),
    ];
    let response = facilitator.post(&path, &bad_days).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap().replace("&#39;", "'");
    let error = page
        .split(r#"<p class="erreur" id="delai-erreur">"#)
        .nth(1)
        .expect("the period's error")
        .split("</p>")
        .next()
        .unwrap();
    assert!(error.contains("compris entre 1 et 90"), "{error}");
    assert!(page.contains(r#"value="120""#) && page.contains(r#"value="43 980,00""#), "{page}");
    assert_eq!(app.event_count().await, before, "nothing written by refused steps");

    // Notified, with the default period.
    let notify = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "notification"),
        ("montant", "43 980,00"),
        ("delai", "15"),
    ];
    let response = facilitator.post(&path, &notify).await;
    assert_eq!(
        (response.status(), location(&response)),
        (StatusCode::SEE_OTHER, format!("{path}?fait=notifiee").as_str())
    );
    let today = suivi_application::business_today();
    let until = french_date(today + chrono::Days::new(15));
    let (_, page) = html(&facilitator, &format!("{path}?fait=notifiee")).await;
    assert!(page.contains("notifiée au titulaire ; son délai d'observations court"), "{page}");
    assert!(page.contains(&format!("observations possibles pendant 15 jours, jusqu'au {until} inclus")), "{page}");
    assert!(page.contains("Le titulaire peut encore présenter ses observations"), "waiting: {page}");
    assert!(!page.contains(r#"value="confirmer""#), "no confirmation while the period runs: {page}");

    // Another firm never reaches this contract's penalty; its own contractor answers.
    let other = Browser::signed_in(&app, OTHER_FIRM).await;
    let (status, page) = html(&other, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Marché introuvable") && !page.contains("43\u{202f}980"), "{page}");
    let contractor = Browser::signed_in(&app, CONTRACTOR).await;
    app.catch_up().await;
    let (_, list) = html(&contractor, "/penalites").await;
    assert!(list.contains(&format!("vos observations sont attendues jusqu'au {until}")), "{list}");
    let (status, page) = html(&contractor, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Présenter vos observations"), "{page}");
    let (csrf, version) = (token_in(&page), version_in(&page));
    let decide = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "decision"),
        ("decision", "renoncer"),
        ("motif", "Je renonce"),
    ];
    assert_eq!(contractor.post(&path, &decide).await.status(), StatusCode::FORBIDDEN, "a contractor cannot decide");
    let blank = [("csrf", csrf.as_str()), ("version", &version), ("etape", "observations"), ("observations", "   ")];
    let response = contractor.post(&path, &blank).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .replace("&#39;", "'")
        .contains(r#"id="observations-erreur">Écrivez vos observations."#));
    let text = "La structure d'insertion partenaire a fermé en mars.\nNous demandons la remise de la pénalité.";
    let answer = [("csrf", csrf.as_str()), ("version", &version), ("etape", "observations"), ("observations", text)];
    let response = contractor.post(&path, &answer).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The facilitator decides, with a written reason.
    let (_, page) = html(&facilitator, &path).await;
    assert!(page.contains("Reçues le") && page.contains("La structure d'insertion partenaire a fermé"), "{page}");
    let (csrf, version) = (token_in(&page), version_in(&page));
    let no_reason = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "decision"),
        ("decision", "ajuster"),
        ("montant", "20 000,00"),
        ("motif", ""),
    ];
    let response = facilitator.post(&path, &no_reason).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap().replace("&#39;", "'");
    assert!(page.contains(r#"id="motif-erreur">Écrivez le motif"#), "{page}");
    assert!(page.contains(r#"value="ajuster" checked"#) && page.contains(r#"value="20 000,00""#), "{page}");
    let confirm = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "decision"),
        ("decision", "confirmer"),
        ("propose", "43980.00"),
        ("motif", "Observations examinées : la fermeture de la structure ne couvre que deux mois."),
    ];
    let response = facilitator.post(&path, &confirm).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = html(&facilitator, &path).await;
    assert!(
        page.contains(&format!("Pénalité confirmée le {} : 43\u{202f}980,00\u{a0}€ HT.", french_date(today))),
        "{page}"
    );

    // Each step is in the contract's timeline, with who did it.
    let (_, contract) = html(&facilitator, &format!("/marches/{id}")).await;
    for label in ["Pénalité envisagée notifiée au titulaire", "Observations du titulaire reçues", "Pénalité confirmée"]
    {
        assert!(contract.contains(label), "{label} in the timeline: {contract}");
    }
    assert!(contract.contains("Titulaire ("), "the contractor's step is its own: {contract}");
    assert!(contract.contains(&format!("/marches/{id}/penalite")), "the contract links its penalty: {contract}");
}

#[tokio::test]
async fn the_worklist_shows_what_to_do_and_a_form_without_its_token_is_refused() {
    let app = TestApp::spawn().await;
    accounts(&app).await;
    let id = settled_contract(&app).await;
    app.catch_up().await;
    let facilitator = Browser::signed_in(&app, FACILITATOR).await;
    let (status, list) = html(&facilitator, "/penalites").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!(r#"<a href="/marches/{id}/penalite">"#)), "{list}");
    assert!(list.contains("<strong>À notifier au titulaire</strong>"), "{list}");
    assert!(list.contains("<strong>1</strong> pénalité(s) demandent une action"), "{list}");

    let path = format!("/marches/{id}/penalite");
    let (_, page) = html(&facilitator, &path).await;
    let version = version_in(&page);
    let before = app.event_count().await;
    let forged = [("version", version.as_str()), ("etape", "notification"), ("montant", "43980.00"), ("delai", "15")];
    let response = facilitator.post(&path, &forged).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().replace("&#39;", "'").contains("Formulaire refusé"));
    assert_eq!(app.event_count().await, before);

    // A page opened before someone else acted: the step is not applied on a state nobody saw.
    let csrf = token_in(&page);
    let notify = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "notification"),
        ("montant", "43980.00"),
        ("delai", "30"),
    ];
    assert_eq!(facilitator.post(&path, &notify).await.status(), StatusCode::SEE_OTHER);
    let waive = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("etape", "decision"),
        ("decision", "renoncer"),
        ("motif", "Doublon"),
    ];
    let response = facilitator.post(&path, &waive).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response
        .text()
        .await
        .unwrap()
        .replace("&#39;", "'")
        .contains("Ce marché a changé depuis l'ouverture de la page"));
    assert_eq!(app.event_count().await, before + 1);
}
