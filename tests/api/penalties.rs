//! The penalty at final settlement: the explained proposal, and the facilitator's decision.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, TestApp};
use suivi_e2e::settled::{settled, settled_contract, today};

async fn penalty(app: &TestApp, id: &str, token: &str) -> (StatusCode, Value) {
    let response = app.get(&format!("/api/contracts/{id}/penalty"), token).await;
    (response.status(), response.json().await.unwrap())
}

/// The contradictory procedure through the API: the facilitator notifies `amount_ht` today
/// (default period), the contractor answers from its portal the same day.
async fn hear(app: &TestApp, id: &str, amount_ht: &str) {
    let notice = json!({ "amount_ht": amount_ht, "notified_on": today() });
    let path = format!("/api/contracts/{id}/penalty-notification");
    let response = app.post(&path, &app.tokens.facilitator, &notice).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let answer = json!({ "observations": "Nos heures de tutorat n'ont pas été comptées.", "received_on": today() });
    let path = format!("/api/contracts/{id}/penalty-observations");
    let response = app.post(&path, &app.tokens.contractor, &answer).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

async fn refused(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let before = app.event_count().await;
    let response = app.post(path, token, &body).await;
    let status = response.status();
    let problem: Value = response.json().await.unwrap();
    assert_eq!(app.event_count().await, before, "a refused decision writes nothing: {problem}");
    (status, problem)
}

#[tokio::test]
async fn a_facilitator_reads_the_explained_proposal_and_confirms_exactly_that_amount() {
    let app = TestApp::spawn().await;
    let unsettled = app.award(&award_body()).await;
    let (status, problem) = penalty(&app, &unsettled, &app.tokens.facilitator).await;
    assert_eq!((status, problem["type"].as_str()), (StatusCode::NOT_FOUND, Some("/problems/not_found")));

    let id = settled_contract(&app).await;
    let response = app.get(&format!("/api/contracts/{id}/penalty"), &app.tokens.facilitator).await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["proposed_amount_ht"], "43980.00");
    assert_eq!(view["proposal"]["status"], "computed");
    assert_eq!(view["proposal"]["committed_hours"], "833");
    assert_eq!(view["proposal"]["counted_hours"], "100");
    assert_eq!(view["proposal"]["shortfall_hours"], "733");
    assert_eq!(view["proposal"]["rate_per_hour_ht"], "60.00");
    let explanation: Vec<String> = serde_json::from_value(view["proposal"]["explanation"].clone()).unwrap();
    assert_eq!(explanation.last().map(String::as_str), Some("Pénalité proposée : 43 980,00 € HT"));
    assert!(view.get("decision").is_none());
    assert_eq!(etag, format!("\"v{}\"", view["version"]));

    // The contractor sees its own contract's proposal, to make its observations; no one else's.
    assert_eq!(penalty(&app, &id, &app.tokens.contractor).await.0, StatusCode::OK);
    assert_eq!(penalty(&app, &id, &app.tokens.other_contractor).await.0, StatusCode::NOT_FOUND);
    assert_eq!(penalty(&app, &id, &app.tokens.other_tenant_buyer).await.0, StatusCode::NOT_FOUND);

    let confirm = format!("/api/contracts/{id}/penalty-confirmation");
    let other_amount = json!({ "amount_ht": "40000.00", "decided_on": today() });
    let (status, problem) = refused(&app, &confirm, &app.tokens.facilitator, other_amount).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "/problems/amount_differs_from_proposal");
    assert_eq!(problem["field"], "amount_ht");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("la proposition est de 43") && detail.contains("980,00 € HT"),
        "names the proposal's amount: {problem}"
    );

    let as_proposed = json!({ "amount_ht": "43980.00", "decided_on": today() });
    for token in [&app.tokens.contractor, &app.tokens.buyer, &app.tokens.finance] {
        assert_eq!(refused(&app, &confirm, token, as_proposed.clone()).await.0, StatusCode::FORBIDDEN);
    }

    // The contradictory procedure first: no adverse decision before the contractor is notified…
    let (status, problem) = refused(&app, &confirm, &app.tokens.facilitator, as_proposed.clone()).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/problems/penalty_not_notified"))
    );
    let notify = format!("/api/contracts/{id}/penalty-notification");
    let notice = json!({ "amount_ht": "43980.00", "notified_on": today() });
    for token in [&app.tokens.contractor, &app.tokens.buyer, &app.tokens.finance] {
        assert_eq!(refused(&app, &notify, token, notice.clone()).await.0, StatusCode::FORBIDDEN);
    }
    let response = app.post(&notify, &app.tokens.facilitator, &notice).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let (_, view) = penalty(&app, &id, &app.tokens.contractor).await;
    let until = (suivi_application::business_today() + chrono::Days::new(15)).to_string();
    assert_eq!(
        view["notice"],
        json!({ "amount_ht": "43980.00", "notified_on": today(), "observation_days": 15, "observations_until": until })
    );
    // … nor while its observation period runs without an answer.
    let (status, problem) = refused(&app, &confirm, &app.tokens.facilitator, as_proposed.clone()).await;
    assert_eq!(problem["type"], "/problems/observation_period_running", "{problem}");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Its own contractor answers; another firm cannot.
    let observe = format!("/api/contracts/{id}/penalty-observations");
    let answer =
        json!({ "observations": "Deux salariés recrutés en CDI.\nNous demandons la remise.", "received_on": today() });
    assert_eq!(refused(&app, &observe, &app.tokens.other_contractor, answer.clone()).await.0, StatusCode::NOT_FOUND);
    let response = app.post(&observe, &app.tokens.contractor, &answer).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let response = app.get(&format!("/api/contracts/{id}/penalty"), &app.tokens.facilitator).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["observations"], answer);

    let response = app
        .request(reqwest::Method::POST, &confirm, Some(&app.tokens.facilitator))
        .header("If-Match", &etag)
        .json(&as_proposed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let (_, view) = penalty(&app, &id, &app.tokens.buyer).await;
    assert_eq!(view["decision"], json!({ "kind": "confirmed", "amount_ht": "43980.00", "decided_on": today() }));

    // One decision per contract, final.
    let waiver = json!({ "reason": "Observations admises", "decided_on": today() });
    let (status, problem) =
        refused(&app, &format!("/api/contracts/{id}/penalty-waiver"), &app.tokens.facilitator, waiver).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/problems/penalty_already_decided"))
    );
}

#[tokio::test]
async fn a_facilitator_adjusts_or_waives_the_penalty_with_a_reason() {
    let app = TestApp::spawn().await;
    let (adjusted, waived) = (settled_contract(&app).await, settled_contract(&app).await);
    let f = &app.tokens.facilitator;

    let adjust = format!("/api/contracts/{adjusted}/penalty-adjustment");
    let (status, problem) =
        refused(&app, &adjust, f, json!({ "amount_ht": "20000.00", "reason": "  ", "decided_on": today() })).await;
    assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (status, problem) = refused(
        &app,
        &adjust,
        f,
        json!({ "amount_ht": "20000.00", "reason": "Arrêt de chantier", "decided_on": "2099-01-01" }),
    )
    .await;
    assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decided_on")));
    hear(&app, &adjusted, "43980.00").await;
    let body = json!({ "amount_ht": "20000.00", "reason": "Arrêt de chantier", "decided_on": today() });
    assert_eq!(app.post(&adjust, f, &body).await.status(), StatusCode::OK);
    let (_, view) = penalty(&app, &adjusted, f).await;
    assert_eq!(
        view["decision"],
        json!({ "kind": "adjusted", "amount_ht": "20000.00", "reason": "Arrêt de chantier", "decided_on": today() })
    );

    let waive = format!("/api/contracts/{waived}/penalty-waiver");
    let body = json!({ "reason": "Observations du titulaire admises", "decided_on": today() });
    assert_eq!(app.post(&waive, f, &body).await.status(), StatusCode::OK);
    let (_, view) = penalty(&app, &waived, f).await;
    assert_eq!(view["decision"]["kind"], "waived");
    assert_eq!(view["decision"]["amount_ht"], "0.00");
    assert_eq!(view["proposed_amount_ht"], "43980.00", "the proposal stays beside the decision");
}

#[tokio::test]
async fn a_proposal_that_cannot_be_computed_cannot_be_confirmed_but_may_be_waived() {
    let app = TestApp::spawn().await;
    // 5 × the SMIC in force on 2012-06-01: the reference table starts in 2013.
    let mut award = award_body();
    award["insertion_clause"]["penalty_terms"]["rate"] =
        json!({ "kind": "smic_multiple", "multiple": "5", "reference_date": "2012-06-01" });
    let id = app.award(&award).await;
    let settlement = json!({ "final_amount_ht": "1000000.00", "settled_on": today() });
    let response = app.post(&format!("/api/contracts/{id}/settlement"), &app.tokens.buyer, &settlement).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());

    let confirm = format!("/api/contracts/{id}/penalty-confirmation");
    let body = json!({ "amount_ht": "0.00", "decided_on": today() });
    let (status, problem) = refused(&app, &confirm, &app.tokens.facilitator, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "/problems/penalty_proposal_unavailable");
    assert_eq!(problem["field"], "amount_ht");
    assert!(problem["detail"].as_str().unwrap().contains("01/06/2012"), "{problem}");

    let waiver = json!({ "reason": "Barème du SMIC de 2012 absent ; observations admises", "decided_on": today() });
    let response = app.post(&format!("/api/contracts/{id}/penalty-waiver"), &app.tokens.facilitator, &waiver).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

/// A SMIC-based rate whose reference date comes before the SMIC table: no figure is guessed, the
/// proposal says which value is missing, and confirming it is refused — in French, or in English
/// on request.
#[tokio::test]
async fn a_proposal_that_cannot_be_computed_says_why_and_cannot_be_confirmed() {
    let app = TestApp::spawn().await;
    let mut award = award_body();
    award["insertion_clause"]["penalty_terms"]["rate"] =
        json!({ "kind": "smic_multiple", "multiple": "1.5", "reference_date": "2012-06-01" });
    let id = settled(&app, award).await;
    let (status, view) = penalty(&app, &id, &app.tokens.facilitator).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["proposed_amount_ht"], "0.00", "{view}");
    let proposal = &view["proposal"];
    assert_eq!(proposal["status"], "unavailable", "{view}");
    assert_eq!(proposal["missing_table"], "gross_hourly_smic");
    assert_eq!(proposal["in_force_on"], "2012-06-01");
    assert!(proposal["reason"].as_str().unwrap().starts_with("aucun SMIC horaire brut en vigueur au 01/06/2012"));
    assert!(proposal.get("error").is_none() && proposal.get("committed_hours").is_none());

    let confirm = format!("/api/contracts/{id}/penalty-confirmation");
    let body = json!({ "amount_ht": "0.00", "decided_on": today() });
    let (status, problem) = refused(&app, &confirm, &app.tokens.facilitator, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "/problems/penalty_proposal_unavailable");
    assert_eq!(problem["title"], "Les règles du marché refusent cette demande");
    assert!(problem["detail"].as_str().unwrap().starts_with("aucun SMIC horaire brut"), "{problem}");
    let english = app
        .request(reqwest::Method::POST, &confirm, Some(&app.tokens.facilitator))
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    let problem: Value = english.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/penalty_proposal_unavailable");
    assert_eq!(problem["title"], "The contract's rules refuse this request");
    assert!(
        problem["detail"].as_str().unwrap().starts_with("no gross hourly SMIC in force on 2012-06-01"),
        "{problem}"
    );
}
