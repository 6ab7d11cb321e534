//! A contractor's instalment request in the browser: a statement typed with one bad line comes
//! back with the French message beside that line and everything typed kept; corrected, it is
//! recorded, confirmed, and in the contract's timeline.

use reqwest::StatusCode;
use suivi_e2e::app::{award_body, CONTRACTOR_SIRET};
use suivi_e2e::participants::code_of;
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;

use crate::chrome::{normalise_spaces, Chrome};
use crate::OBJECT;

const HOLDER: &str = "titulaire@btp.example";

/// Types one statement line of the form: participant, modality, hours, March 2025.
async fn fill_line(chrome: &Chrome, line: u32, code: &str, modality: &str, hours: &str) {
    chrome.fill(&format!("Code du participant (ligne {line})"), code).await;
    chrome.select(&format!("Modalité (ligne {line})"), modality).await;
    chrome.fill(&format!("Heures (ligne {line})"), hours).await;
    chrome.fill(&format!("Du (ligne {line})"), "01/03/2025").await;
    chrome.fill(&format!("Au (ligne {line})"), "31/03/2025").await;
}

#[tokio::test]
async fn a_contractor_corrects_the_line_the_form_points_at_and_the_request_is_recorded() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    app.catch_up().await;
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), HOLDER).await;
    let (first, second) = (code_of("EMP-1"), code_of("EMP-2"));

    let chrome = Chrome::start(&app).await;
    chrome.sign_in(HOLDER, PASSWORD).await;
    chrome.open(&format!("/marches/{id}")).await;
    assert_eq!(chrome.heading().await, OBJECT);
    chrome.open(&format!("/marches/{id}/acompte")).await;
    assert_eq!(chrome.status().await, StatusCode::OK);
    assert_eq!(chrome.heading().await, "Demande d'acompte et relevé d'heures");
    assert_eq!(chrome.value("Numéro de l'acompte").await, "1", "the next number, proposed");

    chrome.fill("Début de la période", "01/03/2025").await;
    chrome.fill("Fin de la période", "31/03/2025").await;
    chrome.fill("Valeur cumulée exécutée HT", "50 000,00").await;
    fill_line(&chrome, 1, &first, "Embauche directe", "35").await;
    fill_line(&chrome, 2, &second, "Recours à un GEIQ", "abc").await;
    let before = app.event_count().await;
    chrome.click("Envoyer la demande").await;

    // Refused: the message under line 2's hours only, listed at the top, nothing lost.
    assert_eq!(chrome.status().await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(chrome.path().await, format!("/marches/{id}/acompte"));
    let error = chrome.text_of("lignes-2-heures-erreur").await.expect("an error under line 2's hours");
    assert!(error.contains("Nombre d'heures invalide : un nombre, deux décimales au plus"), "{error}");
    let described =
        chrome.script("return document.getElementById('lignes-2-heures').getAttribute('aria-describedby');").await;
    assert!(described.as_str().unwrap_or_default().contains("lignes-2-heures-erreur"), "{described}");
    let errors = chrome.script("return document.querySelectorAll('.erreur-champ').length;").await;
    assert_eq!(errors, 1, "one error, beside the bad line");
    let page = chrome.text().await;
    assert!(page.contains("La demande n'a pas été enregistrée : corrigez les points suivants"), "{page}");
    assert!(page.contains("Heures (ligne 2) : Nombre d'heures invalide"), "the summary names it: {page}");
    for (field, typed) in [
        ("Numéro de l'acompte", "1"),
        ("Début de la période", "01/03/2025"),
        ("Fin de la période", "31/03/2025"),
        ("Valeur cumulée exécutée HT", "50 000,00"),
        ("Code du participant (ligne 1)", first.as_str()),
        ("Heures (ligne 1)", "35"),
        ("Au (ligne 1)", "31/03/2025"),
        ("Code du participant (ligne 2)", second.as_str()),
        ("Modalité (ligne 2)", "geiq"),
        ("Heures (ligne 2)", "abc"),
        ("Du (ligne 2)", "01/03/2025"),
    ] {
        assert_eq!(chrome.value(field).await, typed, "{field} kept");
    }
    assert_eq!(chrome.value("Modalité (ligne 1)").await, "direct_hire");
    assert_eq!(app.event_count().await, before, "nothing written");

    // Corrected: recorded, confirmed on the contract's page, and in its timeline.
    chrome.fill("Heures (ligne 2)", "20,5").await;
    chrome.click("Envoyer la demande").await;
    assert_eq!(chrome.path().await, format!("/marches/{id}?acompte=1"));
    assert_eq!(chrome.status().await, StatusCode::OK);
    assert_eq!(app.event_count().await, before + 1, "one request recorded");
    let page = normalise_spaces(&chrome.text().await);
    assert!(page.contains("Votre demande d'acompte n° 1 et son relevé d'heures sont enregistrés."), "{page}");
    assert!(page.contains("Heures en attente d'examen 55,5 h"), "{page}");
    let timeline = chrome.table("Historique du marché").await;
    let request = timeline
        .iter()
        .find(|row| row[1] == "Demande d'acompte et relevé d'heures")
        .unwrap_or_else(|| panic!("the request in the timeline: {timeline:?}"));
    assert!(request[2].contains("Acompte n° 1, 2 ligne(s) d'heures"), "{request:?}");
    assert!(request[3].starts_with("Titulaire"), "{request:?}");
    chrome.close().await;
}
