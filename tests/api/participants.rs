//! The participants' register over HTTP: facilitators register people and hand their code to
//! firms; statements name participants by code; the 230 h bound counts every contract and firm;
//! identities are sealed, shown to facilitators only, and erasable.

use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::app::{award_body, instalment_body, registration_body, TestApp, OTHER_CONTRACTOR_SIRET};

async fn stored_payloads(app: &TestApp, event_type: &str) -> Vec<Value> {
    sqlx::query_scalar("select payload::jsonb from events where event_type = $1 order by position")
        .bind(event_type)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

/// A statement of one line for `code`, of `hours` in March 2025.
fn statement(number: u32, cumulative: &str, code: &str, hours: &str) -> Value {
    let mut body = instalment_body(number, cumulative, &[("EMP-1", hours)]);
    body["statement"]["lines"][0]["participant"] = json!(code);
    body
}

async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_facilitator_registers_a_participant_and_the_log_holds_its_code_and_profile_only() {
    let app = TestApp::spawn().await;
    let body = registration_body("Le Gall-Dupré", "Anne Hélène", "1990-04-02");
    let response = app.post("/api/participants", &app.tokens.facilitator, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let registered: Value = response.json().await.unwrap();
    let code = registered["code"].as_str().unwrap();
    assert_eq!(location, format!("/api/participants/{code}"));
    assert_eq!(code.len(), 8);
    assert_eq!(registered["identity"]["family_name"], "Le Gall-Dupré");
    assert_eq!(registered["age_band_at_entry"], "26_to_49", "34 on 2025-01-01");

    let events = stored_payloads(&app, "participant_registered").await;
    let mine = events.iter().find(|e| e["code"] == code).expect("its event");
    assert_eq!(mine["category"], "long_term_jobseeker");
    assert_eq!(mine["priority_neighbourhood_resident"], true);
    let everything: String =
        sqlx::query_scalar("select string_agg(payload::text, ' ') from events").fetch_one(&app.db.pool).await.unwrap();
    for personal in ["Gall", "Hélène", "Helene", "1990-04-02"] {
        assert!(!everything.contains(personal), "{personal} is in the log");
    }
    let sealed: Vec<u8> = sqlx::query_scalar(
        "select identity from participant_identities i join participants p using (participant_id) where p.code = $1",
    )
    .bind(code)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(!sealed.windows(4).any(|w| w == b"Gall"), "the identity is stored sealed");

    // Read back: the facilitator sees who it is, a buyer the profile only, a firm nothing.
    let by_facilitator: Value = app.get(&location, &app.tokens.facilitator).await.json().await.unwrap();
    assert_eq!(by_facilitator["identity"]["given_names"], "Anne Hélène");
    assert_eq!(by_facilitator["identity"]["birth_date"], "1990-04-02");
    let by_buyer: Value = app.get(&location, &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(by_buyer["code"], code);
    assert!(by_buyer.get("identity").is_none(), "{by_buyer}");
    let listed: Vec<Value> = app.get("/api/participants", &app.tokens.facilitator).await.json().await.unwrap();
    assert!(listed.iter().any(|p| p["code"] == code));
    assert!(listed.iter().all(|p| p.get("identity").is_none()), "never identities in the list");
    for path in [location.as_str(), "/api/participants"] {
        let refused = app.get(path, &app.tokens.contractor).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let lower_case = app.get(&location.to_lowercase(), &app.tokens.facilitator).await;
    assert_eq!(lower_case.status(), StatusCode::OK, "a code typed in lower case");
    let other_tenant = app.get(&location, &app.tokens.other_tenant_buyer).await;
    assert_eq!(other_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_same_person_registered_twice_is_refused_with_the_code_it_has() {
    let app = TestApp::spawn().await;
    let code = app.register(&registration_body("Le Gall-Dupré", "Anne Hélène", "1990-04-02")).await;
    for (family, given) in [("LE GALL DUPRE", "anne-helene"), ("  le gall'dupré ", "ANNE  HÉLÈNE")] {
        let again = app
            .post("/api/participants", &app.tokens.facilitator, &registration_body(family, given, "1990-04-02"))
            .await;
        assert_eq!(again.status(), StatusCode::CONFLICT, "{family} {given}");
        assert_eq!(again.headers()["location"], format!("/api/participants/{code}").as_str());
        let problem: Value = again.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/participant_already_registered");
        assert!(problem["detail"].as_str().unwrap().contains(&code), "{problem}");
    }
    // Another birth date is another person.
    app.register(&registration_body("Le Gall-Dupré", "Anne Hélène", "1990-04-03")).await;
    let count: i64 = sqlx::query_scalar("select count(*) from participants where tenant = 'grand-agglo'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 5 + 2, "the harness's five, and two: the refusals wrote nothing");
}

#[tokio::test]
async fn bad_registrations_are_refused_naming_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let before: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&app.db.pool).await.unwrap();
    let base = registration_body("Martin", "Léa", "2001-03-14");
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("family_name", json!("   ")), "family_name"),
        (with("given_names", json!("x".repeat(101))), "given_names"),
        (with("birth_date", json!("2099-01-01")), "birth_date"),
        (with("birth_date", json!("2015-01-01")), "birth_date"),
        (with("eligible_until", json!("2024-12-31")), "eligible_until"),
        (with("category", json!("unemployed")), "category"),
        (with("family_name", json!("Martin\u{0007}")), "family_name"),
        (with("nir", json!("2850775123456")), "nir"),
    ];
    for (body, field) in cases {
        let problem = problem(
            app.post("/api/participants", &app.tokens.facilitator, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let firm = app.post("/api/participants", &app.tokens.contractor, &base).await;
    assert_eq!(firm.status(), StatusCode::FORBIDDEN, "a firm does not register people");
    let after: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn statements_name_participants_by_code_and_take_the_registers_category() {
    let app = TestApp::spawn().await;
    let mut body = registration_body("Martin", "Léa", "2001-03-14");
    body["category"] = json!("young_low_qualification");
    let code = app.register(&body).await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");

    let accepted = app.post(&path, &app.tokens.contractor, &statement(1, "10000.00", &code.to_lowercase(), "35")).await;
    assert_eq!(accepted.status(), StatusCode::OK, "{}", accepted.text().await.unwrap());
    let stored = stored_payloads(&app, "instalment_requested").await;
    let line = &stored[0]["statement"]["lines"][0];
    assert_eq!(line["beneficiary"], json!({ "kind": "participant", "code": code }));
    assert_eq!(line["category"], "young_low_qualification", "the register's category, not the firm's");
    let version: i16 =
        sqlx::query_scalar("select schema_version from events where event_type = 'instalment_requested'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(version, 2);

    // The firm sees the code and category on its contract, never who it is.
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.contractor).await.json().await.unwrap();
    let text = view.to_string();
    assert!(text.contains(&code), "{text}");
    assert!(!text.contains("Martin") && !text.contains("2001-03-14"), "{text}");
}

#[tokio::test]
async fn unknown_malformed_ineligible_and_erased_participants_are_refused_at_their_line() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let path = format!("/api/contracts/{id}/instalments");
    let c = &app.tokens.contractor;
    let before = app.event_count().await;

    let unknown = problem(
        app.post(&path, c, &statement(1, "10000.00", "ZZZZZZZZ", "10")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (unknown["type"].as_str(), unknown["field"].as_str()),
        (Some("/problems/unknown_participant"), Some("statement.lines[0].participant"))
    );
    assert!(unknown["detail"].as_str().unwrap().contains("ZZZZZZZZ"), "{unknown}");
    let malformed = problem(
        app.post(&path, c, &statement(1, "10000.00", "Jean Dupont", "10")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (malformed["type"].as_str(), malformed["field"].as_str()),
        (Some("/problems/invalid_participant_code"), Some("statement.lines[0].participant"))
    );

    // Eligible from 2025-03-10: a line for all of March 2025 starts before.
    let mut late = registration_body("Petit", "Sandrine", "1972-11-23");
    late["eligible_from"] = json!("2025-03-10");
    let late = app.register(&late).await;
    let ineligible =
        problem(app.post(&path, c, &statement(1, "10000.00", &late, "10")).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(
        (ineligible["type"].as_str(), ineligible["field"].as_str()),
        (Some("/problems/participant_not_eligible"), Some("statement.lines[0].period"))
    );
    assert!(ineligible["detail"].as_str().unwrap().contains("10/03/2025"), "{ineligible}");

    let erased = app.register(&registration_body("Lefèvre", "Karim", "1969-05-09")).await;
    let erasure = app
        .post(
            &format!("/api/participants/{erased}/erasure"),
            &app.tokens.facilitator,
            &json!({ "reason": "Demande de la personne" }),
        )
        .await;
    assert_eq!(erasure.status(), StatusCode::OK);
    let refused =
        problem(app.post(&path, c, &statement(1, "10000.00", &erased, "10")).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(refused["type"], "/problems/participant_erased");
    assert_eq!(app.event_count().await, before, "nothing written by the refusals");
}

#[tokio::test]
async fn the_230_hours_bound_counts_every_contract_and_firm_and_a_rejection_frees_hours() {
    let app = TestApp::spawn().await;
    let code = app.register(&registration_body("Diallo", "Moussa", "1985-07-02")).await;
    let first = app.award(&award_body()).await;
    let mut other_firm = award_body();
    other_firm["contractors"][0]["siret"] = json!(OTHER_CONTRACTOR_SIRET);
    let second = app.award(&other_firm).await;
    let post = |contract: &str, token: &str, body: Value| {
        let path = format!("/api/contracts/{contract}/instalments");
        let token = token.to_owned();
        let app = &app;
        async move { app.post(&path, &token, &body).await }
    };
    let t = &app.tokens;
    let declared = post(&first, &t.contractor, statement(1, "10000.00", &code, "200")).await;
    assert_eq!(declared.status(), StatusCode::OK);

    // Another firm, another contract, the same person, the same month: 200 + 31 = 231.
    let refused = problem(
        post(&second, &t.other_contractor, statement(1, "10000.00", &code, "31")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["type"], "/problems/too_many_hours_per_person_per_month");
    assert_eq!(refused["field"], "statement.lines[0].hours");
    assert!(refused["detail"].as_str().unwrap().contains(&code), "{refused}");
    let exactly = post(&second, &t.other_contractor, statement(1, "10000.00", &code, "30")).await;
    assert_eq!(exactly.status(), StatusCode::OK, "200 + 30 = 230 is plausible");

    // The facilitator rejects the first firm's 200 h: they stop counting, 190 more fit.
    let review = json!({ "instalment_number": 1, "decisions": [{ "line_id": 1, "decision": { "kind": "rejected", "reason": "Pas de bulletin de paie" } }] });
    let reviewed = app.post(&format!("/api/contracts/{first}/statement-reviews"), &t.facilitator, &review).await;
    assert_eq!(reviewed.status(), StatusCode::OK);
    let after_rejection = post(&first, &t.contractor, statement(2, "20000.00", &code, "190")).await;
    assert_eq!(after_rejection.status(), StatusCode::OK, "{}", after_rejection.text().await.unwrap());
    let counted: rust_decimal::Decimal =
        sqlx::query_scalar("select hours from participant_month_hours where code = $1 and month = '2025-03-01'")
            .bind(&code)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(counted, rust_decimal::Decimal::from(220), "30 + 190");
}

#[tokio::test]
async fn two_firms_declaring_the_same_person_at_once_cannot_both_pass_the_bound() {
    let app = TestApp::spawn().await;
    let code = app.register(&registration_body("Nguyen", "Thi Hoa", "1990-09-30")).await;
    let mut contracts = Vec::new();
    for _ in 0..6 {
        contracts.push(app.award(&award_body()).await);
    }
    // Six statements of 60 h for the same month at once: at most three fit under 230 h.
    let requests = contracts.iter().map(|id| {
        let path = format!("/api/contracts/{id}/instalments");
        let body = statement(1, "10000.00", &code, "60");
        let app = &app;
        async move { app.post(&path, &app.tokens.contractor, &body).await.status() }
    });
    let statuses = futures::future::join_all(requests).await;
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(accepted, 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    let counted: rust_decimal::Decimal =
        sqlx::query_scalar("select hours from participant_month_hours where code = $1")
            .bind(&code)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(counted, rust_decimal::Decimal::from(180));
}

#[tokio::test]
async fn erasing_keeps_code_profile_and_hours_and_is_recorded_once_with_its_reason() {
    let app = TestApp::spawn().await;
    let code = app.register(&registration_body("Rousseau", "Nadia", "1980-02-11")).await;
    let id = app.award(&award_body()).await;
    let declared = app
        .post(
            &format!("/api/contracts/{id}/instalments"),
            &app.tokens.contractor,
            &statement(1, "10000.00", &code, "35"),
        )
        .await;
    assert_eq!(declared.status(), StatusCode::OK);
    let path = format!("/api/participants/{code}/erasure");

    let blank = app.post(&path, &app.tokens.facilitator, &json!({ "reason": "  " })).await;
    assert_eq!(problem(blank, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "reason");
    for token in [&app.tokens.buyer, &app.tokens.contractor] {
        let refused = app.post(&path, token, &json!({ "reason": "x" })).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    let erased = app.post(&path, &app.tokens.admin, &json!({ "reason": "Demande d'effacement (RGPD, art. 17)" })).await;
    assert_eq!(erased.status(), StatusCode::OK, "an admin may erase too");
    let view: Value = erased.json().await.unwrap();
    assert_eq!(view["erased_on"], suivi_application::business_today().to_string());
    let again = app.post(&path, &app.tokens.facilitator, &json!({ "reason": "encore" })).await;
    assert_eq!(problem(again, StatusCode::CONFLICT).await["type"], "/problems/participant_already_erased");

    let read: Value =
        app.get(&format!("/api/participants/{code}"), &app.tokens.facilitator).await.json().await.unwrap();
    assert!(read.get("identity").is_none(), "{read}");
    assert_eq!(read["category"], "long_term_jobseeker");
    let identities: i64 = sqlx::query_scalar(
        "select count(*) from participant_identities i join participants p using (participant_id) where p.code = $1",
    )
    .bind(&code)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(identities, 0, "sealed identity and data key deleted");
    let events = stored_payloads(&app, "participant_erased").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["reason"], "Demande d'effacement (RGPD, art. 17)");
    // The hours stay on the contract.
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["hours"]["declared"], "35");
}

/// A log written before the register holds `instalment_requested` v1, whose lines name a keyed
/// pseudonym: it still reads (upcast to v2), folds, projects and counts, and the contract takes
/// new statements naming participants.
#[tokio::test]
async fn a_log_written_with_v1_statements_still_reads_folds_projects_and_counts() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    let contract_id: uuid::Uuid = id.parse().unwrap();
    let v1 = json!({
        "number": 1, "period": { "start": "2025-03-01", "end": "2025-03-31" },
        "cumulative_value_ht": "10000.00", "received_on": "2025-04-01",
        "statement": { "lines": [{ "line_id": 1, "beneficiary": "ab".repeat(32), "category": "court_supervision",
            "modality": "geiq", "hours": "42.5", "period": { "start": "2025-03-01", "end": "2025-03-31" } }] }
    });
    let event = suivi_proto::NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: "instalment_requested".into(),
        schema_version: 1,
        occurred_at: chrono::Utc::now(),
        payload: v1,
    };
    let actor = suivi_proto::Actor { kind: suivi_proto::ActorKind::Contractor, id: "before-the-register".into() };
    suivi_store::EventStore::new(app.db.pool.clone())
        .append(suivi_store::AppendRequest {
            tenant: &app.tenant,
            stream_id: contract_id,
            expected_version: 1,
            actor: &actor,
            correlation_id: uuid::Uuid::now_v7(),
            causation_id: None,
            idempotency_key: None,
            request_digest: None,
            events: &[event],
        })
        .await
        .unwrap();

    // Folded by the command path: the next statement is number 2, naming a participant.
    let code = app.register(&registration_body("Bernard", "Lucas", "2003-01-18")).await;
    let next = app
        .post(
            &format!("/api/contracts/{id}/instalments"),
            &app.tokens.contractor,
            &statement(2, "20000.00", &code, "30"),
        )
        .await;
    assert_eq!(next.status(), StatusCode::OK, "{}", next.text().await.unwrap());

    // Read by the views, and projected.
    let view: Value = app.get(&format!("/api/contracts/{id}"), &app.tokens.buyer).await.json().await.unwrap();
    assert_eq!(view["hours"]["declared"], "72.5", "{view}");
    app.catch_up().await;
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "select beneficiary, participant, category from read_a.statement_lines where contract_id = $1 order by instalment",
    )
    .bind(contract_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("ab".repeat(32), None, "court_supervision".to_owned()),
            (code.clone(), Some(code.clone()), "long_term_jobseeker".to_owned()),
        ]
    );
    let failures: i64 =
        sqlx::query_scalar("select count(*) from read_a.projection_failures").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(failures, 0);
}
