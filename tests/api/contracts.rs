//! Buyers: award and read contracts; bad input gets a clear problem and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use suivi_e2e::app::{award_body, TestApp, MEMBER_COMMUNE_SIRET, OTHER_BUYER_SIRET};

#[tokio::test]
async fn a_buyer_awards_a_contract_and_everyone_concerned_reads_it() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/contracts", &app.tokens.buyer, &award_body()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"v1\"");
    let body: Value = response.json().await.unwrap();
    let id = body["contract_id"].as_str().unwrap().to_owned();
    assert_eq!(body["events"], serde_json::json!(["contract_awarded"]));

    for token in [&app.tokens.buyer, &app.tokens.contractor, &app.tokens.facilitator, &app.tokens.finance] {
        let response = app.get(&format!("/api/contracts/{id}"), token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["etag"], "\"v1\"");
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["status"], "awarded");
        assert_eq!(view["amount_ht"], "1000000.00");
        assert_eq!(view["hours"]["committed"], "833");
        assert_eq!(view["hours"]["remaining"], "833");
    }
}

#[tokio::test]
async fn a_member_communes_contract_may_be_awarded_by_its_intercommunality() {
    let app = TestApp::spawn().await;
    let mut body = award_body();
    body["buyer_siret"] = MEMBER_COMMUNE_SIRET.into();
    app.award(&body).await;
}

async fn assert_refused(app: &TestApp, body: Value, status: StatusCode, kind: &str, field: Option<&str>) {
    let before = app.event_count().await;
    let response = app.post("/api/contracts", &app.tokens.buyer, &body).await;
    assert_eq!(response.status(), status, "{body}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], format!("/problems/{kind}"), "{problem}");
    assert_eq!(problem["status"], status.as_u16());
    if let Some(field) = field {
        assert_eq!(problem["field"], field, "{problem}");
    }
    assert_eq!(app.event_count().await, before, "a refused request writes nothing");
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let with = |path: &[&str], value: Value| {
        let mut body = award_body();
        let mut target = &mut body;
        for key in &path[..path.len() - 1] {
            target = &mut target[*key];
        }
        target[path[path.len() - 1]] = value;
        body
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    assert_refused(&app, with(&["amount_ht"], "NC".into()), unprocessable, "invalid_field", Some("amount_ht")).await;
    assert_refused(&app, with(&["amount_ht"], 1000.into()), unprocessable, "invalid_field", Some("amount_ht")).await;
    assert_refused(
        &app,
        with(&["notification_date"], "15/01/2025".into()),
        unprocessable,
        "invalid_field",
        Some("notification_date"),
    )
    .await;
    assert_refused(&app, with(&["cpv_code"], "4521".into()), unprocessable, "invalid_field", Some("cpv_code")).await;
    assert_refused(
        &app,
        with(&["insertion_clause", "penalty_terms", "basis"], "guessed".into()),
        unprocessable,
        "invalid_field",
        Some("insertion_clause.penalty_terms.basis"),
    )
    .await;
    // Wrong check digit: the domain's rule, with its own problem type.
    let bad_siret =
        with(&["contractors"], serde_json::json!([{ "siret": "73282932000075", "size": "pme", "role": "sole" }]));
    assert_refused(&app, bad_siret, unprocessable, "invalid_siret_checksum", Some("contractors[0].siret")).await;
    assert_refused(&app, with(&["amount_ht"], "0.00".into()), unprocessable, "not_positive", Some("amount_ht")).await;
    let mut missing = award_body();
    missing.as_object_mut().unwrap().remove("cpv_code");
    assert_refused(&app, missing, unprocessable, "invalid_field", Some("cpv_code")).await;
    let mut nested_missing = award_body();
    nested_missing["insertion_clause"].as_object_mut().unwrap().remove("committed_hours");
    assert_refused(&app, nested_missing, unprocessable, "invalid_field", Some("insertion_clause.committed_hours"))
        .await;
    // Another tenant's buyer.
    assert_refused(
        &app,
        with(&["buyer_siret"], OTHER_BUYER_SIRET.into()),
        unprocessable,
        "buyer_not_in_tenant",
        Some("buyer_siret"),
    )
    .await;
    let mut unknown = award_body();
    unknown["surprise"] = true.into();
    assert_refused(&app, unknown, unprocessable, "invalid_field", Some("surprise")).await;
    let nested_unknown = with(&["insertion_clause", "extra"], 1.into());
    assert_refused(&app, nested_unknown, unprocessable, "invalid_field", Some("insertion_clause.extra")).await;
}

#[tokio::test]
async fn malformed_json_wrong_media_type_and_oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.request(Method::POST, "/api/contracts", Some(&app.tokens.buyer))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let malformed = send(b"{\"buyer_siret\": ".to_vec(), "application/json").await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let problem: Value = malformed.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/malformed_json");

    let text = send(award_body().to_string().into_bytes(), "text/plain").await.unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = send(vec![b' '; 300 * 1024], "application/json").await.unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test]
async fn free_text_with_a_control_character_is_refused_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let with = |key: &str, value: Value| {
        let mut body = award_body();
        body[key] = value;
        body
    };
    // The case: a NUL in the object stopped the projector for every tenant.
    let nul = with("object", "Réhabilitation du gymnase\u{0}".into());
    assert_refused(&app, nul.clone(), unprocessable, "invalid_field", Some("object")).await;
    let response = app.post("/api/contracts", &app.tokens.buyer, &nul).await;
    let problem: Value = response.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.starts_with("control character U+0000 at character 26"), "{detail}");
    assert_refused(&app, with("object", "\u{1b}[31mGymnase".into()), unprocessable, "invalid_field", Some("object"))
        .await;
    // One-line texts take no line feed or tab either.
    assert_refused(
        &app,
        with("procedure", "Appel d'offres\nouvert".into()),
        unprocessable,
        "invalid_field",
        Some("procedure"),
    )
    .await;
    assert_refused(&app, with("ccag", "Travaux\t".into()), unprocessable, "invalid_field", Some("ccag")).await;
    let lot = with("lot", serde_json::json!({ "number": 2, "title": "Gros\u{7f}œuvre" }));
    assert_refused(&app, lot, unprocessable, "invalid_field", Some("lot.title")).await;

    // An object on several lines is a text like any other.
    let id = app.award(&with("object", "Réhabilitation du gymnase\n\t- lot 2 : gros œuvre".into())).await;
    let before = app.event_count().await;
    let amend = app
        .post(
            &format!("/api/contracts/{id}/amendments"),
            &app.tokens.buyer,
            &serde_json::json!({ "amendment_number": 1, "signed_on": "2025-02-01", "new_amount_ht": "1100000.00",
                                 "reason": "Travaux supplémentaires\u{0}" }),
        )
        .await;
    assert_eq!(amend.status(), unprocessable);
    let problem: Value = amend.json().await.unwrap();
    assert_eq!(
        (problem["type"].as_str(), problem["field"].as_str()),
        (Some("/problems/invalid_field"), Some("reason"))
    );
    let paid = app
        .post(
            &format!("/api/contracts/{id}/advance-payments"),
            &app.tokens.finance,
            &serde_json::json!({ "amount_ttc": "60000.00", "paid_on": "2025-02-03", "with_guarantee": false,
                                 "finance_reference": "MANDAT\n2025" }),
        )
        .await;
    assert_eq!(paid.status(), unprocessable);
    let problem: Value = paid.json().await.unwrap();
    assert_eq!(problem["field"], "finance_reference", "{problem}");
    assert_eq!(app.event_count().await, before, "a refused request writes nothing");
}

/// A refusal is in French unless the request prefers English; its `type`, `status` and `field`
/// are the same either way, and `Content-Language` says which language it is in.
#[tokio::test]
async fn a_refusal_is_in_french_by_default_and_in_english_on_request() {
    let app = TestApp::spawn().await;
    let mut body = award_body();
    body["payment_term_days"] = 60.into();
    let send = |accept_language: Option<&'static str>| {
        let mut request = app.request(Method::POST, "/api/contracts", Some(&app.tokens.buyer)).json(&body);
        if let Some(value) = accept_language {
            request = request.header("accept-language", value);
        }
        request.send()
    };
    let mut answers = Vec::new();
    for accept_language in [None, Some("fr-FR,fr;q=0.9"), Some("en"), Some("en-GB,en;q=0.9,fr;q=0.5")] {
        let response = send(accept_language).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let language = response.headers()["content-language"].to_str().unwrap().to_owned();
        assert_eq!(response.headers()["vary"], "accept-language");
        let problem: Value = response.json().await.unwrap();
        answers.push((accept_language, language, problem));
    }
    for (accept_language, language, problem) in &answers {
        assert_eq!(problem["type"], "/problems/payment_term_above_legal_maximum", "{accept_language:?}");
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["field"], "payment_term_days");
        let english = accept_language.is_some_and(|value| value.starts_with("en"));
        assert_eq!(language, if english { "en" } else { "fr" }, "{accept_language:?}");
        let (title, detail) = if english {
            (
                "The contract's rules refuse this request",
                "payment term of 60 days exceeds the legal maximum of 30 days for a local authority",
            )
        } else {
            (
                "Les règles du marché refusent cette demande",
                "un délai de paiement de 60 jours dépasse le maximum légal de 30 jours pour une collectivité \
                 territoriale",
            )
        };
        assert_eq!((problem["title"].as_str(), problem["detail"].as_str()), (Some(title), Some(detail)));
    }

    // The edge's own problems too; serde's words stay serde's (English), under a French title.
    let mut wrong_type = award_body();
    wrong_type["amount_ht"] = 1000.into();
    let response = app.post("/api/contracts", &app.tokens.buyer, &wrong_type).await;
    assert_eq!(response.headers()["content-language"], "fr");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["title"], "La requête n'est pas valide");
    assert!(problem["detail"].as_str().unwrap().contains("invalid type"), "{problem}");
    let unauthorized = app.request(Method::GET, "/api/contracts", None).header("accept-language", "en").send();
    let problem: Value = unauthorized.await.unwrap().json().await.unwrap();
    assert_eq!(problem["title"], "A valid bearer token is required");
    assert_eq!(app.event_count().await, 0);
}

/// A body announced at 1 GiB is refused at once, from its `Content-Length`, without waiting for
/// a body that will never come.
#[tokio::test]
async fn a_body_announced_too_large_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let before = app.event_count().await;
    let head = format!(
        "POST /api/contracts HTTP/1.1\r\nHost: suivi\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{{",
        app.tokens.buyer
    );
    // Answered at once, not after a timeout.
    let answer = app.raw_exchange(&head, std::time::Duration::from_secs(5)).await;
    assert!(answer.starts_with("http/1.1 413"), "{answer}");
    assert!(answer.contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/body_too_large"), "{answer}");
    assert_eq!(app.event_count().await, before);
}
