//! A facilitator's day in the browser: a statement validated from the review queue, then a
//! penalty taken through its contradictory procedure with the contractor, in two browsers — the
//! notification, the contractor's observations, the confirmation — each step found in the
//! contract's timeline and the confirmed penalty in the dashboard's figures.

use chrono::Datelike;
use reqwest::StatusCode;
use suivi_e2e::app::{award_body, instalment_body, CONTRACTOR_SIRET};
use suivi_e2e::settled::settled_contract;
use suivi_e2e::web::{user, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;

use crate::chrome::{normalise_spaces, Chrome};
use crate::OBJECT;

const FACILITATOR: &str = "facilitatrice@grand-agglo.example";
const CONTRACTOR: &str = "chantiers@btp-comtois.example";
/// The contract whose statement waits for review: an object of its own, so that the queue's
/// link cannot be the settled contract's.
const WAITING: &str = "Entretien de la voirie communale — lot 1";
const OBSERVATIONS: &str =
    "La structure d'insertion partenaire a fermé en mars. Nous demandons la remise de la pénalité.";
const REASON: &str = "Observations examinées : la fermeture de la structure ne couvre que deux mois.";

/// The dashboard's row `header` of the year's penalties table: count, proposed, decided.
async fn penalties_row(chrome: &Chrome, year: i32, header: &str) -> Vec<String> {
    chrome.open(&format!("/tableau-de-bord?annee={year}")).await;
    assert_eq!(chrome.status().await, StatusCode::OK);
    let rows = chrome.table(&format!("Pénalités d'insertion en {year}")).await;
    rows.into_iter().find(|row| row[0] == header).unwrap_or_else(|| panic!("a row {header:?} of penalties"))
}

#[tokio::test]
async fn a_facilitator_validates_a_statement_then_takes_a_penalty_through_its_procedure() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), CONTRACTOR).await;
    let mut award = award_body();
    award["object"] = WAITING.into();
    let waiting = app.award(&award).await;
    let statement = instalment_body(1, "50000.00", &[("EMP-1", "35"), ("EMP-2", "20")]);
    let response = app.post(&format!("/api/contracts/{waiting}/instalments"), &app.tokens.contractor, &statement).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let settled = settled_contract(&app).await;
    app.catch_up().await;
    let year = suivi_application::business_today().year();

    // The review queue: the waiting statement, opened and validated line by line.
    let facilitator = Chrome::start(&app).await;
    facilitator.sign_in(FACILITATOR, PASSWORD).await;
    facilitator.open("/a-valider").await;
    assert_eq!(facilitator.status().await, StatusCode::OK);
    let queue = facilitator.table("Relevés en attente d'examen").await;
    assert_eq!(queue.len(), 1, "one statement waits: {queue:?}");
    assert_eq!(queue[0][0], WAITING, "{queue:?}");
    facilitator.click_link(&format!("Examiner le relevé de l'acompte n° 1 — {WAITING}")).await;
    assert_eq!(facilitator.path().await, format!("/a-valider/{waiting}/1"));
    assert_eq!(facilitator.heading().await, "Relevé d'heures de l'acompte n° 1");
    facilitator.choose("decision-1-valider").await;
    facilitator.choose("decision-2-valider").await;
    let before = app.event_count().await;
    facilitator.click("Enregistrer l'examen").await;
    assert_eq!(facilitator.path().await, "/a-valider?examine=1");
    assert!(facilitator.text().await.contains("Votre examen du relevé de l'acompte n° 1 est enregistré."));
    assert_eq!(app.event_count().await, before + 1, "one review recorded");
    app.catch_up().await;
    facilitator.open("/a-valider").await;
    assert!(facilitator.text().await.contains("Aucun relevé n'attend d'examen."));
    facilitator.open(&format!("/marches/{waiting}")).await;
    let page = normalise_spaces(&facilitator.text().await);
    assert!(page.contains("Acompte n° 1 : 2 ligne(s) validée(s), 0 rejetée(s)"), "{page}");

    // The dashboard before: the settled contract's penalty proposed, none confirmed yet.
    assert_eq!(penalties_row(&facilitator, year, "Proposées").await, ["Proposées", "1", "43 980,00 €", "—"]);
    assert_eq!(penalties_row(&facilitator, year, "Confirmées").await, ["Confirmées", "0", "0,00 €", "0,00 €"]);

    // The settled contract, its penalty page: the computation, then the notification.
    facilitator.open(&format!("/marches/{settled}")).await;
    facilitator.click_link("Voir le calcul de la pénalité et la procédure contradictoire").await;
    let path = format!("/marches/{settled}/penalite");
    assert_eq!(facilitator.path().await, path);
    assert_eq!(facilitator.heading().await, "Pénalité d'insertion");
    let page = normalise_spaces(&facilitator.text().await);
    assert!(page.contains("Pénalité proposée : 43 980,00 € HT"), "{page}");
    assert_eq!(normalise_spaces(&facilitator.value("Montant envisagé (€ HT)").await), "43 980,00");
    assert_eq!(facilitator.value("Délai d'observations (jours)").await, "15");
    facilitator.click("Notifier le titulaire").await;
    assert_eq!(facilitator.path().await, format!("{path}?fait=notifiee"));
    let page = facilitator.text().await;
    assert!(page.contains("La pénalité envisagée a été notifiée au titulaire ; son délai d'observations court."));
    assert!(page.contains("Le titulaire peut encore présenter ses observations"), "{page}");
    assert!(!page.contains("Enregistrer la décision"), "no decision while the period runs: {page}");

    // The contractor, in its own browser, finds the penalty in its worklist and answers.
    app.catch_up().await;
    let contractor = Chrome::start(&app).await;
    contractor.sign_in(CONTRACTOR, PASSWORD).await;
    contractor.open("/penalites").await;
    assert!(contractor.text().await.contains("vos observations sont attendues jusqu'au"));
    contractor.click_link(OBJECT).await;
    assert_eq!(contractor.path().await, path);
    assert!(!contractor.text().await.contains("Notifier le titulaire"), "a contractor does not notify");
    contractor.fill("Vos observations", OBSERVATIONS).await;
    contractor.click("Envoyer mes observations").await;
    assert_eq!(contractor.path().await, format!("{path}?fait=observations"));
    let page = contractor.text().await;
    assert!(page.contains("Les observations ont été transmises au service"), "{page}");
    assert!(!page.contains("Envoyer mes observations"), "one sending only: {page}");
    contractor.close().await;

    // The facilitator reads them and confirms the penalty, with a reason.
    facilitator.open(&path).await;
    let page = facilitator.text().await;
    assert!(page.contains("Reçues le") && page.contains(OBSERVATIONS), "{page}");
    facilitator.screenshot("revue-penalite").await;
    facilitator.choose("decision-confirmer").await;
    facilitator.fill("Motif (communiqué au titulaire)", REASON).await;
    facilitator.click("Enregistrer la décision").await;
    assert_eq!(facilitator.path().await, format!("{path}?fait=decidee"));
    let today = suivi_application::business_today().format("%d/%m/%Y");
    let page = normalise_spaces(&facilitator.text().await);
    assert!(page.contains("La décision est enregistrée"), "{page}");
    assert!(page.contains(&format!("Pénalité confirmée le {today} : 43 980,00 € HT.")), "{page}");

    // Each step in the contract's timeline, in order, the observations by the contractor.
    facilitator.click_link("Voir le marché et son historique").await;
    assert_eq!(facilitator.path().await, format!("/marches/{settled}"));
    let timeline = facilitator.table("Historique du marché").await;
    let at = |label: &str| {
        timeline.iter().position(|row| row[1] == label).unwrap_or_else(|| panic!("{label:?} in {timeline:?}"))
    };
    let steps = [
        at("Pénalité envisagée notifiée au titulaire"),
        at("Observations du titulaire reçues"),
        at("Pénalité confirmée"),
    ];
    assert!(steps[0] < steps[1] && steps[1] < steps[2], "in order: {timeline:?}");
    assert!(timeline[steps[1]][3].starts_with("Titulaire ("), "{:?}", timeline[steps[1]]);
    assert!(!timeline[steps[2]][3].starts_with("Titulaire"), "{:?}", timeline[steps[2]]);

    // The dashboard after, once the projector has caught up: one penalty confirmed.
    app.catch_up().await;
    assert_eq!(
        penalties_row(&facilitator, year, "Confirmées").await,
        ["Confirmées", "1", "43 980,00 €", "43 980,00 €"]
    );
    facilitator.close().await;
}
