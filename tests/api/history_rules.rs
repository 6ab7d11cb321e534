//! Rules found from outside, as a new user met them: facts dated or repeated against the
//! history already recorded are refused with the field at fault, and nothing is written.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, TestApp};

fn today() -> String {
    suivi_application::business_today().to_string()
}

async fn refused(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    response.json().await.unwrap()
}

/// A request sent twice without an idempotency key used to create a second, empty instalment.
#[tokio::test]
async fn a_request_for_a_period_already_requested_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let first = instalment_body(1, "50000.00", &[("EMP-1", "35")]);
    assert_eq!(app.post(&path, &app.tokens.contractor, &first).await.status(), StatusCode::OK);
    let before = app.event_count().await;

    let mut again = first.clone();
    again["number"] = json!(2);
    let problem = refused(app.post(&path, &app.tokens.contractor, &again).await).await;
    assert_eq!(problem["type"], "/problems/instalment_period_overlaps");
    assert_eq!(problem["field"], "period");
    assert!(problem["detail"].as_str().unwrap().contains("acompte n° 1"), "{problem}");
    assert_eq!(app.event_count().await, before);
}

/// Settlement waits for every approval, and the contract view then states the balance, the
/// advance still outstanding recovered.
#[tokio::test]
async fn settlement_waits_for_every_approval_and_states_the_final_balance() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let statement = instalment_body(1, "100000.00", &[("EMP-1", "35")]);
    assert_eq!(
        app.post(&format!("{contract}/instalments"), &app.tokens.contractor, &statement).await.status(),
        StatusCode::OK
    );
    let review =
        json!({ "instalment_number": 1, "decisions": [{ "line_id": 1, "decision": { "kind": "validated" } }] });
    assert_eq!(
        app.post(&format!("{contract}/statement-reviews"), &app.tokens.facilitator, &review).await.status(),
        StatusCode::OK
    );

    let settlement = json!({ "final_amount_ht": "100000.00", "settled_on": today() });
    let before = app.event_count().await;
    let problem = refused(app.post(&format!("{contract}/settlement"), &app.tokens.buyer, &settlement).await).await;
    assert_eq!(problem["type"], "/problems/instalments_awaiting_approval");
    assert!(problem["detail"].as_str().unwrap().contains("n° 1"), "{problem}");
    assert_eq!(app.event_count().await, before, "nothing written");

    let approval = json!({ "number": 1, "approved_on": today(), "other_deductions_ttc": "0.00" });
    assert_eq!(
        app.post(&format!("{contract}/instalment-approvals"), &app.tokens.buyer, &approval).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&format!("{contract}/settlement"), &app.tokens.buyer, &settlement).await.status(),
        StatusCode::OK
    );

    let view: Value = app.get(&contract, &app.tokens.buyer).await.json().await.unwrap();
    let settled = &view["settlement"];
    assert_eq!(settled["settled_on"], today(), "{view}");
    let vat: rust_decimal::Decimal = award_body()["vat_rate"].as_str().unwrap().parse().unwrap();
    let final_ttc = (rust_decimal::Decimal::from(100_000) * (rust_decimal::Decimal::ONE + vat)).round_dp(2);
    assert_eq!(settled["final_amount_ttc"], format!("{final_ttc:.2}"));
    assert_eq!(settled["instalments_gross_ttc"], format!("{final_ttc:.2}"));
    assert_eq!(settled["advance_recovered_at_settlement_ttc"], "0.00");
    assert_eq!(settled["balance_ttc"], "0.00", "{view}");
}

/// A settlement dated before the requests it settles put the penalty in the wrong year.
#[tokio::test]
async fn a_settlement_dated_before_the_last_request_is_refused() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract = format!("/api/contracts/{id}");
    let statement = instalment_body(1, "100000.00", &[("EMP-1", "35")]);
    assert_eq!(
        app.post(&format!("{contract}/instalments"), &app.tokens.contractor, &statement).await.status(),
        StatusCode::OK
    );
    // The request was received today (stamped by the service): the period ended in March 2025.
    let settlement = json!({ "final_amount_ht": "100000.00", "settled_on": "2025-11-20" });
    let problem = refused(app.post(&format!("{contract}/settlement"), &app.tokens.buyer, &settlement).await).await;
    assert_eq!(problem["type"], "/problems/date_too_early");
    assert_eq!(problem["field"], "settled_on");
    assert!(problem["detail"].as_str().unwrap().contains("dernière demande d'acompte"), "{problem}");
}

/// A contract awarded with a social clause but no commitment (DECP publishes the clause, not its
/// hours) receives its commitment by amendment; agreed once, its penalty terms then apply.
#[tokio::test]
async fn a_social_clause_receives_its_insertion_commitment_by_amendment() {
    let app = TestApp::spawn().await;
    let mut award = award_body();
    let clause = award["insertion_clause"].take();
    award.as_object_mut().unwrap().remove("insertion_clause");
    assert_eq!(award["social_considerations"], json!(["clause_sociale"]), "{award}");
    let id = app.award(&award).await;
    let path = format!("/api/contracts/{id}/amendments");
    let amendment = |number: u32, clause: Value| {
        json!({ "amendment_number": number, "signed_on": today(), "insertion_clause": clause,
                "reason": "Engagement d'insertion précisé par avenant" })
    };

    let mut implausible = clause.clone();
    implausible["committed_hours"] = json!("900000");
    let before = app.event_count().await;
    let problem = refused(app.post(&path, &app.tokens.buyer, &amendment(1, implausible)).await).await;
    assert_eq!(problem["type"], "/problems/implausible_committed_hours");
    assert_eq!(problem["field"], "insertion_clause.committed_hours");
    assert_eq!(app.event_count().await, before);

    let agreed = app.post(&path, &app.tokens.buyer, &amendment(1, clause.clone())).await;
    assert_eq!(agreed.status(), StatusCode::OK, "{}", agreed.text().await.unwrap());
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["hours"]["committed"], clause["committed_hours"], "{view}");

    let problem = refused(app.post(&path, &app.tokens.buyer, &amendment(2, clause)).await).await;
    assert_eq!(problem["type"], "/problems/insertion_clause_already_agreed");
    assert_eq!(problem["field"], "insertion_clause");
}
