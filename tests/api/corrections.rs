//! Corrections of entry mistakes: a correction event with its reason, after which the views,
//! the penalty, the indicators and a rebuild of the read models all read the corrected facts.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};
use suivi_e2e::participants::code_of;
use suivi_projector::{Projector, ProjectorConfig};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn proposed_penalties(app: &TestApp, year: i32) -> Value {
    let body: Value = app.get(&format!("/api/indicators?year={year}"), &app.tokens.buyer).await.json().await.unwrap();
    body["consolidated"]["penalties"]["proposed"]["count"].clone()
}

/// The settlement was typed 2026-01-05 instead of 2025-12-30: the penalty counted in 2026's
/// indicators. Corrected, it counts in 2025's, in the views, and after a rebuild.
#[tokio::test]
async fn a_corrected_settlement_date_moves_the_penalty_to_its_year_everywhere() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    // Recorded by the buyer (a request received on paper), so with its own reception date.
    let mut request = instalment_body(1, "1000000.00", &[("EMP-1", "100")]);
    request["received_on"] = json!("2025-12-10");
    ok(app.post(&format!("{contract}/instalments"), &app.tokens.buyer, &request).await).await;
    let review =
        json!({ "instalment_number": 1, "decisions": [{ "line_id": 1, "decision": { "kind": "validated" } }] });
    ok(app.post(&format!("{contract}/statement-reviews"), &app.tokens.facilitator, &review).await).await;
    let approval = json!({ "number": 1, "approved_on": "2025-12-15", "other_deductions_ttc": "0.00" });
    ok(app.post(&format!("{contract}/instalment-approvals"), &app.tokens.buyer, &approval).await).await;
    let settlement = json!({ "final_amount_ht": "1000000.00", "settled_on": "2026-01-05" });
    ok(app.post(&format!("{contract}/settlement"), &app.tokens.buyer, &settlement).await).await;
    app.catch_up().await;
    assert_eq!(proposed_penalties(&app, 2026).await, 1);
    assert_eq!(proposed_penalties(&app, 2025).await, 0);

    // A contractor cannot correct; a correction without a reason is refused, and writes nothing.
    let correction = |reason: &str| {
        json!({ "correction": { "kind": "settlement_date", "settled_on": "2025-12-30" },
                "corrected_on": suivi_application::business_today().to_string(), "reason": reason })
    };
    let path = format!("{contract}/corrections");
    let before = app.event_count().await;
    let forbidden = app.post(&path, &app.tokens.contractor, &correction("Erreur")).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let unexplained = app.post(&path, &app.tokens.buyer, &correction(" ")).await;
    assert_eq!(unexplained.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unexplained.json::<Value>().await.unwrap()["field"], "reason");
    assert_eq!(app.event_count().await, before);

    let reason = "Date du décompte mal saisie : le DGD est daté du 30/12/2025";
    ok(app.post(&path, &app.tokens.buyer, &correction(reason)).await).await;
    let view: Value = app.get(&contract, &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["settlement"]["settled_on"], "2025-12-30", "{view}");
    assert_eq!(view["corrections"][0]["reason"], reason);
    assert_eq!(view["corrections"][0]["correction"]["kind"], "settlement_date");
    let penalty: Value = app.get(&format!("{contract}/penalty"), &app.tokens.facilitator).await.json().await.unwrap();
    assert_eq!(penalty["proposed_amount_ht"], "43980.00", "the proposal stands: 733 h short at 60 €");

    app.catch_up().await;
    assert_eq!(proposed_penalties(&app, 2025).await, 1);
    assert_eq!(proposed_penalties(&app, 2026).await, 0);

    // A rebuild of the read models from the log agrees.
    let mut projector = Projector::new(app.db.pool.clone(), ProjectorConfig::default()).await.unwrap();
    projector.rebuild().await.unwrap();
    app.catch_up().await;
    assert_eq!(proposed_penalties(&app, 2025).await, 1);
    assert_eq!(proposed_penalties(&app, 2026).await, 0);
}

/// An instalment recorded by mistake is withdrawn: its hours no longer count (the 230 h bound
/// included), its rows leave the read models, and its number can be requested again.
#[tokio::test]
async fn a_withdrawn_instalment_stops_counting_everywhere() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    ok(app
        .post(
            &format!("{contract}/instalments"),
            &app.tokens.contractor,
            &instalment_body(1, "50000.00", &[("EMP-1", "120")]),
        )
        .await)
    .await;
    // The same March hours sent again under the next number (and April's period).
    ok(app
        .post(
            &format!("{contract}/instalments"),
            &app.tokens.contractor,
            &instalment_body(2, "50000.00", &[("EMP-1", "100")]),
        )
        .await)
    .await;
    let counted = || async {
        sqlx::query_scalar::<_, rust_decimal::Decimal>(
            "select hours from participant_month_hours where code = $1 and month = '2025-03-01'",
        )
        .bind(code_of("EMP-1"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .to_string()
    };
    assert_eq!(counted().await, "220");
    app.catch_up().await;

    let withdrawal = json!({ "correction": { "kind": "instalment_withdrawn", "number": 2 },
                             "corrected_on": suivi_application::business_today().to_string(),
                             "reason": "Relevé de mars envoyé deux fois" });
    ok(app.post(&format!("{contract}/corrections"), &app.tokens.buyer, &withdrawal).await).await;
    assert_eq!(counted().await, "120");
    let view: Value = app.get(&contract, &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["instalments"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["hours"]["declared"], "120");

    app.catch_up().await;
    let schema = suivi_projector::target::active(&app.db.pool).await.unwrap();
    let rows: i64 =
        sqlx::query_scalar(&format!("select count(*) from {}.statement_lines where contract_id = $1", schema.name()))
            .bind(id.parse::<uuid::Uuid>().unwrap())
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(rows, 1, "the withdrawn instalment's line left the read models");

    // Number 2 is free again, and 110 more hours fit under 230.
    ok(app
        .post(
            &format!("{contract}/instalments"),
            &app.tokens.contractor,
            &instalment_body(2, "60000.00", &[("EMP-1", "110")]),
        )
        .await)
    .await;
    assert_eq!(counted().await, "230");
}
