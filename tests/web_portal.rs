//! The web forms that record something, end to end (a real server, a real database, a browser
//! with a cookie jar): a contractor's instalment request with its hour statement, and the
//! facilitator's review of it.

#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use suivi_e2e::app::{award_body, instalment_body, CONTRACTOR_SIRET, OTHER_CONTRACTOR_SIRET};
use suivi_e2e::participants::code_of;
use suivi_e2e::web::{location, token_in, user, Browser};
use suivi_e2e::TestApp;
use suivi_http::Role;
use suivi_proto::TenantId;

const OBJECT: &str = "Réhabilitation du gymnase — lot 2 gros œuvre";
const HOLDER: &str = "titulaire@btp.example";
const OTHER_FIRM: &str = "autre@paysages.example";
const FACILITATOR: &str = "facilitatrice@grand-agglo.example";

/// The value of hidden field `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("a field {name}: {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The HTML from the element with `id` to the end of its field's block: what a person sees
/// next to the input.
fn around<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("an element {id}: {html}"));
    let end = html[start..].find("</div>").map_or(html.len(), |end| start + end);
    &html[start..end]
}

/// A complete, valid request form for instalment 1 (March 2025): line 1 and line 3 filled, line
/// 2 left blank, line 3's hours as given.
fn request_form<'a>(
    csrf: &'a str,
    key: &'a str,
    codes: &'a [String; 2],
    line_3_hours: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("cle", key),
        ("numero", "1"),
        ("debut", "01/03/2025"),
        ("fin", "31/03/2025"),
        ("valeur", "50 000,00"),
        ("lignes-1-code", &codes[0]),
        ("lignes-1-modalite", "direct_hire"),
        ("lignes-1-heures", "35"),
        ("lignes-1-debut", "01/03/2025"),
        ("lignes-1-fin", "31/03/2025"),
        ("lignes-2-code", ""),
        ("lignes-2-modalite", ""),
        ("lignes-2-heures", ""),
        ("lignes-3-code", &codes[1]),
        ("lignes-3-modalite", "geiq"),
        ("lignes-3-heures", line_3_hours),
        ("lignes-3-debut", "2025-03-01"),
        ("lignes-3-fin", "2025-03-31"),
    ]
}

async fn post(browser: &Browser<'_>, path: &str, pairs: Vec<(&str, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(name, value)| (*name, value.as_str())).collect();
    browser.post(path, &pairs).await
}

async fn awarded_with_accounts(app: &TestApp) -> String {
    let id = app.award(&award_body()).await;
    app.catch_up().await;
    user(app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), HOLDER).await;
    user(app, &app.tenant, Role::Contractor, Some(OTHER_CONTRACTOR_SIRET), OTHER_FIRM).await;
    user(app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    id
}

#[tokio::test]
async fn a_contractor_requests_an_instalment_each_error_shown_beside_its_line() {
    let app = TestApp::spawn().await;
    let id = awarded_with_accounts(&app).await;
    let holder = Browser::signed_in(&app, HOLDER).await;

    // The portal: the contract's hours, and the way to the form.
    let (status, contract) = holder.page(&format!("/marches/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Heures engagées</dt><dd>833\u{a0}h",
        "Heures validées</dt><dd>0\u{a0}h",
        "Heures restant à réaliser</dt><dd>833\u{a0}h",
        &format!(r#"<a href="/marches/{id}/acompte">"#),
    ] {
        assert!(contract.contains(expected), "{expected} in {contract}");
    }

    let path = format!("/marches/{id}/acompte");
    let (status, form) = holder.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"id="numero" name="numero" value="1""#), "the next number: {form}");
    assert!(form.contains(r#"<label for="lignes-10-heures">Heures (ligne 10)</label>"#), "ten lines: {form}");
    assert!(!form.contains("erreur-champ") && !form.contains("recu_le"), "{form}");
    let (csrf, key) = (token_in(&form), hidden(&form, "cle"));
    let codes = [code_of("EMP-1"), code_of("EMP-2")];
    let before = app.event_count().await;

    // Unreadable values: each beside its input, all at once, everything typed kept.
    let mut typed = request_form(&csrf, &key, &codes, "douze");
    typed.retain(|(name, _)| *name != "lignes-1-fin");
    typed.push(("lignes-1-fin", "32/03/2025"));
    let refused = holder.post(&path, &typed).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    let hours = around(&page, "lignes-3-heures");
    assert!(hours.contains(r#"value="douze""#), "{hours}");
    assert!(hours.contains(r#"aria-describedby="lignes-3-heures-erreur""#) && hours.contains(r#"aria-invalid="true""#));
    assert!(
        hours.contains(r#"<p class="erreur-champ" id="lignes-3-heures-erreur">"#)
            && hours.contains("Nombre d&#39;heures invalide : un nombre, deux décimales au plus"),
        "the message under line 3's hours: {hours}"
    );
    assert!(around(&page, "lignes-1-fin").contains("Date invalide : écrivez-la JJ/MM/AAAA"), "{page}");
    assert_eq!(page.matches(r#"<p class="erreur-champ""#).count(), 2, "two errors, no more: {page}");
    assert!(page.contains(r##"<a href="#lignes-3-heures">Heures (ligne 3) : Nombre d&#39;heures invalide"##), "{page}");
    assert!(page.contains(r##"<a href="#lignes-1-fin">Au (ligne 1) : Date invalide"##), "{page}");
    assert!(page.contains(r#"value="50 000,00""#) && page.contains(r#"value="01/03/2025""#), "{page}");
    assert!(around(&page, "lignes-1-code").contains(&format!(r#"value="{}""#, codes[0])));
    assert!(around(&page, "lignes-3-code").contains(&format!(r#"value="{}""#, codes[1])));
    assert!(around(&page, "lignes-3-modalite").contains(r#"<option value="geiq" selected>"#), "{page}");
    assert!(!around(&page, "lignes-1-code").contains("erreur-champ"));
    assert_eq!(app.event_count().await, before, "nothing written");

    // A value the contract's rules refuse: the domain's words, on the form's line 3 (the
    // request's second line: blank line 2 is not sent).
    let refused = holder.post(&path, &request_form(&csrf, &key, &codes, "0")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    let hours = around(&page, "lignes-3-heures");
    assert!(hours.contains("Heures (ligne 3) : doit être supérieur à 0"), "{hours}");
    assert!(!page.contains("statement.lines"), "no JSON path shown: {page}");
    assert_eq!(page.matches(r#"<p class="erreur-champ""#).count(), 1, "{page}");
    assert_eq!(app.event_count().await, before, "nothing written");

    // Corrected: recorded, and back to the contract with a confirmation.
    let accepted = holder.post(&path, &request_form(&csrf, &key, &codes, "12,5")).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER, "{}", accepted.text().await.unwrap());
    assert_eq!(location(&accepted), format!("/marches/{id}?acompte=1"));
    assert_eq!(app.event_count().await, before + 1);
    let (_, contract) = holder.page(location(&accepted)).await;
    assert!(contract.contains("Votre demande d&#39;acompte n° 1 et son relevé d&#39;heures sont enregistrés."));
    assert!(contract.contains(r#"<th scope="row">Demande d&#39;acompte et relevé d&#39;heures</th>"#), "{contract}");
    assert!(contract.contains("Acompte n° 1, 2 ligne(s) d&#39;heures"), "{contract}");
    assert!(contract.contains("Heures en attente d&#39;examen</dt><dd>47,5\u{a0}h"), "{contract}");

    // Sent again (a double click, the back button): the first answer, nothing appended twice.
    let again = holder.post(&path, &request_form(&csrf, &key, &codes, "12,5")).await;
    assert_eq!(
        (again.status(), location(&again)),
        (StatusCode::SEE_OTHER, format!("/marches/{id}?acompte=1").as_str())
    );
    assert_eq!(app.event_count().await, before + 1, "a retry appends nothing");
}

#[tokio::test]
async fn only_the_contracts_own_contractor_or_a_buyer_may_open_the_form() {
    let app = TestApp::spawn().await;
    let id = awarded_with_accounts(&app).await;
    let path = format!("/marches/{id}/acompte");

    let other = Browser::signed_in(&app, OTHER_FIRM).await;
    let (status, page) = other.page(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Marché introuvable") && !page.contains(OBJECT), "{page}");
    let csrf = token_in(&other.page("/marches").await.1);
    let codes = [code_of("EMP-1"), code_of("EMP-2")];
    let before = app.event_count().await;
    let posted = other.post(&path, &request_form(&csrf, "k", &codes, "10")).await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.event_count().await, before);

    let other_tenant = TenantId::parse("other-agglo").unwrap();
    user(&app, &other_tenant, Role::Buyer, None, "acheteur@other-agglo.example").await;
    let stranger = Browser::signed_in(&app, "acheteur@other-agglo.example").await;
    assert_eq!(stranger.page(&path).await.0, StatusCode::NOT_FOUND);

    // A facilitator sees the contract but never requests an instalment.
    let facilitator = Browser::signed_in(&app, FACILITATOR).await;
    let (status, page) = facilitator.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Accès refusé"), "{page}");

    // A buyer may record a request received on paper, with its reception date.
    user(&app, &app.tenant, Role::Buyer, None, "acheteuse@grand-agglo.example").await;
    let buyer = Browser::signed_in(&app, "acheteuse@grand-agglo.example").await;
    let (status, page) = buyer.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"id="recu_le""#), "{page}");
}

#[tokio::test]
async fn a_request_posted_without_its_csrf_token_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = awarded_with_accounts(&app).await;
    let holder = Browser::signed_in(&app, HOLDER).await;
    let path = format!("/marches/{id}/acompte");
    let form = holder.page(&path).await.1;
    let key = hidden(&form, "cle");
    let codes = [code_of("EMP-1"), code_of("EMP-2")];
    let before = app.event_count().await;

    let mut without = request_form("", &key, &codes, "10");
    without.retain(|(name, _)| *name != "csrf");
    let refused = holder.post(&path, &without).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("Formulaire refusé"));
    let forged = holder.post(&path, &request_form("forged", &key, &codes, "10")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.event_count().await, before, "nothing written");

    // The same form with its token goes through: the token was all that was missing.
    let accepted = holder.post(&path, &request_form(&token_in(&form), &key, &codes, "10")).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.event_count().await, before + 1);
}

#[tokio::test]
async fn a_facilitator_reviews_a_statement_from_the_queue() {
    let app = TestApp::spawn().await;
    let id = awarded_with_accounts(&app).await;
    let facilitator = Browser::signed_in(&app, FACILITATOR).await;
    let (status, queue) = facilitator.page("/a-valider").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Aucun relevé n'attend d'examen."), "{queue}");

    let body = instalment_body(1, "50000.00", &[("EMP-1", "35"), ("EMP-2", "20")]);
    let response = app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    app.catch_up().await;

    let (_, queue) = facilitator.page("/a-valider").await;
    for expected in [
        format!(r#"<a href="/marches/{id}">{OBJECT}</a>"#),
        "<td>n° 1</td>".to_owned(),
        "<td>du 01/03/2025 au 31/03/2025</td>".to_owned(),
        format!("<td>SIRET {CONTRACTOR_SIRET}</td>"),
        r#"<td class="nombre">2</td>"#.to_owned(),
        "<td class=\"nombre\">55\u{a0}h</td>".to_owned(),
        format!(r#"<a href="/a-valider/{id}/1">Examiner"#),
    ] {
        assert!(queue.contains(&expected), "{expected} in {queue}");
    }
    // The firm has no business in the queue.
    let holder = Browser::signed_in(&app, HOLDER).await;
    assert_eq!(holder.page("/a-valider").await.0, StatusCode::FORBIDDEN);
    assert_eq!(holder.page(&format!("/a-valider/{id}/1")).await.0, StatusCode::FORBIDDEN);

    let path = format!("/a-valider/{id}/1");
    let (status, form) = facilitator.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    for expected in
        [code_of("EMP-1"), "Demandeur d&#39;emploi de longue durée".to_owned(), "Embauche directe".to_owned()]
    {
        assert!(form.contains(&expected), "{expected} in {form}");
    }
    let (csrf, key, version) = (token_in(&form), hidden(&form, "cle"), hidden(&form, "version"));
    let before = app.event_count().await;

    // A rejection without its reason: the domain's words beside the line's reason, choices kept.
    let choices = |reason: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("cle", key.clone()),
            ("version", version.clone()),
            ("decision-1", "valider".to_owned()),
            ("decision-2", "rejeter".to_owned()),
            ("motif-2", reason.to_owned()),
        ]
    };
    let refused = post(&facilitator, &path, choices("")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    let reason = around(&page, "motif-2");
    assert!(reason.contains(r#"aria-describedby="motif-2-aide motif-2-erreur""#), "{reason}");
    assert!(reason.contains("Motif du rejet (ligne 2) : un motif écrit est obligatoire"), "{reason}");
    assert!(page.contains(r#"id="decision-1-valider" name="decision-1" value="valider" checked"#), "{page}");
    assert!(page.contains(r#"id="decision-2-rejeter" name="decision-2" value="rejeter" checked"#), "{page}");
    assert!(page.contains(r##"<a href="#motif-2">"##), "the summary links to it: {page}");
    assert_eq!(app.event_count().await, before, "nothing written");

    // A form read before the contract changed: told so, not a 500, and nothing written.
    let mut stale = choices("Pas de bulletin de paie");
    stale[2].1 = "1".to_owned();
    let refused = post(&facilitator, &path, stale).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("Ce relevé a changé depuis que vous avez ouvert la page"));
    assert_eq!(app.event_count().await, before);

    let accepted = post(&facilitator, &path, choices("Pas de bulletin de paie pour mars")).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&accepted), "/a-valider?examine=1");
    assert_eq!(app.event_count().await, before + 1);
    app.catch_up().await;
    let (_, queue) = facilitator.page(location(&accepted)).await;
    assert!(queue.contains("Votre examen du relevé de l&#39;acompte n° 1 est enregistré."), "{queue}");
    assert!(queue.contains("Aucun relevé n'attend d'examen."), "{queue}");
    assert!(!queue.contains(&format!("/a-valider/{id}/1")), "{queue}");

    let (_, contract) = facilitator.page(&format!("/marches/{id}")).await;
    assert!(contract.contains(r#"<th scope="row">Relevé d&#39;heures examiné</th>"#), "{contract}");
    assert!(contract.contains("Acompte n° 1 : 1 ligne(s) validée(s), 1 rejetée(s)"), "{contract}");
    assert!(contract.contains("Heures validées</dt><dd>35\u{a0}h"), "{contract}");
    let (_, reviewed) = facilitator.page(&path).await;
    assert!(
        reviewed.contains("Rejetée : Pas de bulletin de paie pour mars") && !reviewed.contains("Enregistrer l'examen"),
        "{reviewed}"
    );
}

#[tokio::test]
async fn the_review_queue_leads_page_by_page_to_every_statement() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Facilitator, None, FACILITATOR).await;
    // One more statement than a page holds (1 h each: one person stays far under 230 h a month).
    let mut statements = Vec::new();
    for _ in 0..101 {
        let id = app.award(&award_body()).await;
        let body = instalment_body(1, "10000.00", &[("EMP-1", "1")]);
        let response = app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        statements.push(format!("/a-valider/{id}/1"));
    }
    app.catch_up().await;
    let facilitator = Browser::signed_in(&app, FACILITATOR).await;
    let reviews = |page: &str| -> Vec<String> {
        let links = page.match_indices("href=\"/a-valider/");
        links.map(|(at, _)| page[at + 6..].split('"').next().unwrap().to_owned()).collect()
    };

    let (status, first) = facilitator.page("/a-valider").await;
    assert_eq!(status, StatusCode::OK);
    let mut seen = reviews(&first);
    assert_eq!(seen.len(), 100, "a page holds 100");
    assert!(!first.contains("Retour aux relevés les plus anciens"), "{first}");
    let next = first.split("\" rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().to_owned();
    assert!(next.starts_with("/a-valider?apres="), "{next}");
    let (status, second) = facilitator.page(&next.replace("&#38;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    seen.extend(reviews(&second));
    assert!(second.contains(r#"<a href="/a-valider">Retour aux relevés les plus anciens</a>"#), "{second}");
    assert!(!second.contains("rel=\"next\""), "the last page: {second}");
    seen.sort();
    statements.sort();
    assert_eq!(seen, statements, "every statement once, over the two pages");

    // An edited address starts from the oldest.
    let (status, edited) = facilitator.page("/a-valider?apres=n%27importe%7Cquoi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reviews(&edited).len(), 100);
}
