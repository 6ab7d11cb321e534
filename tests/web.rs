//! The web interface end to end: a real server, a real database, a browser with a cookie jar.

#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use suivi_e2e::app::{award_body, CONTRACTOR_SIRET, OTHER_CONTRACTOR_SIRET};
use suivi_e2e::web::{location, token_in, user, Browser, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;
use suivi_proto::TenantId;

const OBJECT: &str = "Réhabilitation du gymnase — lot 2 gros œuvre";
const BUYER: &str = "acheteuse@grand-agglo.example";

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_cookie_and_signing_out_ends_it() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::new(&app);
    let home = browser.get("/").await;
    assert_eq!((home.status(), location(&home)), (StatusCode::SEE_OTHER, "/connexion"));

    let (status, form) = browser.page("/connexion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"<html lang="fr">"#), "{form}");
    assert_eq!(form.matches("<h1>").count(), 1, "one h1: {form}");
    assert!(form.contains(r#"<label for="courriel">Adresse électronique</label>"#), "{form}");
    assert!(form.contains(r##"href="#contenu">Aller au contenu"##), "a skip link: {form}");

    // Addresses are matched whatever their case.
    let signed_in = browser.sign_in(&BUYER.to_uppercase(), PASSWORD).await;
    assert_eq!((signed_in.status(), location(&signed_in)), (StatusCode::SEE_OTHER, "/marches"));
    let cookies = set_cookies(&signed_in);
    let session = cookies.iter().find(|c| c.starts_with("suivi_session=")).expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.split("; ").any(|part| part == flag), "{flag} in {session}");
    }
    assert!(!session.contains("Secure"), "served over plain HTTP here: {session}");
    let stored: i64 = sqlx::query_scalar("select count(*) from sessions").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(stored, 1);
    let value = session.trim_start_matches("suivi_session=").split(';').next().unwrap();
    let in_clear: i64 = sqlx::query_scalar("select count(*) from sessions where encode(id_hash, 'escape') like $1")
        .bind(format!("%{value}%"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(in_clear, 0, "the session id is stored hashed");

    let home = browser.get("/").await;
    assert_eq!(location(&home), "/marches");
    let (status, list) = browser.page("/marches").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Connecté·e en tant que <strong>acheteur</strong>"), "{list}");

    let csrf = token_in(&list);
    let out = browser.post("/deconnexion", &[("csrf", &csrf)]).await;
    assert_eq!((out.status(), location(&out)), (StatusCode::SEE_OTHER, "/connexion"));
    let after = browser.get("/marches").await;
    assert_eq!((after.status(), location(&after)), (StatusCode::SEE_OTHER, "/connexion"));
    let stored: i64 = sqlx::query_scalar("select count(*) from sessions").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(stored, 0, "signing out deletes the session");
}

#[tokio::test]
async fn over_tls_the_cookies_are_secure_and_host_only() {
    let limits = suivi::app::HttpLimits {
        web: suivi_web::WebSettings { secure_cookies: true },
        auth_failures_per_minute: std::num::NonZeroU32::new(1000).unwrap(),
        ..suivi::app::HttpLimits::default()
    };
    let app = TestApp::spawn_with(limits).await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::new(&app);
    let form = browser.get("/connexion").await;
    let sign_in_cookie = set_cookies(&form).remove(0);
    assert!(sign_in_cookie.starts_with("__Host-suivi_connexion=") && sign_in_cookie.ends_with("; Secure"));
    // A jar does not send a Secure cookie over HTTP: post the token by hand, as a browser over TLS would.
    let csrf = sign_in_cookie.trim_start_matches("__Host-suivi_connexion=").split(';').next().unwrap().to_owned();
    let signed_in = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(browser.url("/connexion"))
        .header("cookie", format!("__Host-suivi_connexion={csrf}"))
        .form(&[("csrf", csrf.as_str()), ("courriel", BUYER), ("mot_de_passe", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = set_cookies(&signed_in).into_iter().find(|c| c.starts_with("__Host-suivi_session=")).unwrap();
    assert!(session.ends_with("; Secure") && session.contains("HttpOnly") && session.contains("SameSite=Strict"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_attempts_are_slowed_down() {
    let limits = suivi::app::HttpLimits {
        auth_failures_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        ..suivi::app::HttpLimits::default()
    };
    let app = TestApp::spawn_with(limits).await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::new(&app);
    for attempt in ["pas le bon mot de passe", "toujours pas le bon", "encore un essai raté"] {
        let refused = browser.sign_in(BUYER, attempt).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookies(&refused).iter().all(|c| !c.starts_with("suivi_session")), "no session");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Adresse électronique ou mot de passe incorrect."), "{page}");
        assert!(page.contains(&format!(r#"value="{BUYER}""#)), "the address is kept: {page}");
    }
    let unknown = browser.sign_in("personne@grand-agglo.example", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS, "the budget is spent, whatever the address");
    // Even the right password waits: guessing goes no faster than the budget refills.
    let right = browser.sign_in(BUYER, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = right.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert!(right.text().await.unwrap().contains("Trop de tentatives de connexion"));
    let stored: i64 = sqlx::query_scalar("select count(*) from sessions").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn the_list_and_the_contract_page_show_the_contract_in_french() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    app.catch_up().await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::signed_in(&app, BUYER).await;

    let (status, list) = browser.page("/marches").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.matches("<h1>").count(), 1);
    assert!(list.contains(&format!(r#"<a href="/marches/{id}">{OBJECT}</a>"#)), "{list}");
    assert!(list.contains(r#"<th scope="col" class="nombre">Heures engagées</th>"#), "{list}");
    assert!(list.contains("833\u{a0}h") && list.contains("1\u{202F}000\u{202F}000,00\u{a0}€"), "{list}");
    assert!(list.contains("En cours") && list.contains(r#"<label for="acheteur">Acheteur</label>"#), "{list}");
    for (filter, shown) in [
        ("q=GYMNASE", true),
        ("q=piscine", false),
        // A NUL cannot reach PostgreSQL: it is left out of the words looked for.
        ("q=gym%00nase", true),
        ("clause=avec", true),
        ("clause=sans", false),
        ("annee=2025&statut=en-cours", true),
        ("annee=2024", false),
        ("statut=solde", false),
    ] {
        let (status, page) = browser.page(&format!("/marches?{filter}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains(OBJECT), shown, "{filter}: {page}");
        if !shown {
            assert!(page.contains("Aucun marché ne correspond à ces critères."), "{filter}");
        }
    }

    let (status, page) = browser.page(&format!("/marches/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("<h1>{OBJECT}</h1>")), "{page}");
    for expected in [
        "Conditions du marché",
        "Notifié le</dt><dd>15/01/2025",
        "Heures engagées</dt><dd>833\u{a0}h",
        "Heures validées</dt><dd>0\u{a0}h",
        "Heures restant à réaliser</dt><dd>833\u{a0}h",
        // Values are HTML-escaped (an apostrophe too), the template's own text is not.
        "Pénalité par heure d&#39;insertion manquante</dt><dd>60,00\u{a0}€ HT",
        "Aucune demande d'acompte pour l'instant.",
        "<caption>Historique du marché</caption>",
        r#"<th scope="row">Notification du marché</th>"#,
        "Acheteur (",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    let (status, _) = browser.page("/marches/pas-un-identifiant").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_contractor_sees_its_own_contracts_only() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    app.catch_up().await;
    user(&app, &app.tenant, Role::Contractor, Some(CONTRACTOR_SIRET), "titulaire@btp.example").await;
    user(&app, &app.tenant, Role::Contractor, Some(OTHER_CONTRACTOR_SIRET), "autre@paysages.example").await;

    let holder = Browser::signed_in(&app, "titulaire@btp.example").await;
    let (status, page) = holder.page(&format!("/marches/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(OBJECT));
    assert!(holder.page("/marches").await.1.contains(OBJECT));

    let other = Browser::signed_in(&app, "autre@paysages.example").await;
    let (status, list) = other.page("/marches").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains(OBJECT) && list.contains("Aucun marché"), "{list}");
    let (status, page) = other.page(&format!("/marches/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Marché introuvable") && !page.contains(OBJECT), "{page}");
}

#[tokio::test]
async fn another_tenants_user_finds_nothing() {
    let app = TestApp::spawn().await;
    let id = app.award(&award_body()).await;
    app.catch_up().await;
    let other = TenantId::parse("other-agglo").unwrap();
    user(&app, &other, Role::Buyer, None, "acheteur@other-agglo.example").await;
    let browser = Browser::signed_in(&app, "acheteur@other-agglo.example").await;
    let (status, page) = browser.page(&format!("/marches/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Marché introuvable") && !page.contains(OBJECT), "{page}");
    let (status, list) = browser.page("/marches").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains(OBJECT), "{list}");
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;

    // The sign-in form: no token, or a token other than its cookie's.
    let browser = Browser::new(&app);
    let _ = browser.get("/connexion").await;
    let without = browser.post("/connexion", &[("courriel", BUYER), ("mot_de_passe", PASSWORD)]).await;
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let forged = [("csrf", "forged"), ("courriel", BUYER), ("mot_de_passe", PASSWORD)];
    assert_eq!(browser.post("/connexion", &forged).await.status(), StatusCode::FORBIDDEN);

    // A signed-in person's form: without the session's token, nothing happens.
    let browser = Browser::signed_in(&app, BUYER).await;
    let refused = browser.post("/deconnexion", &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("Formulaire refusé"));
    let other_token = token_in(&Browser::signed_in(&app, BUYER).await.page("/marches").await.1);
    let refused = browser.post("/deconnexion", &[("csrf", &other_token)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "another session's token is not this one's");
    assert_eq!(browser.page("/marches").await.0, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn pages_forbid_framing_and_foreign_resources_and_the_style_sheet_is_served() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let form = browser.get("/connexion").await;
    let policy = form.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(form.headers()["cache-control"], "no-store");
    let css = browser.get("/static/suivi.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains(":focus-visible"));
}

#[tokio::test]
async fn suivi_user_create_reads_the_password_from_standard_input_and_refuses_bad_accounts() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let app = TestApp::spawn().await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(suivi_e2e::process::suivi_binary())
            .args(["user", "create", "--tenant", "grand-agglo"])
            .args(args)
            .env("DATABASE_URL", app.db.url())
            .env("RUST_LOG", "warn")
            .env_remove("SUIVI_USER_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let created =
        run(&["--role", "facilitator", "--email", "Facilitatrice@Grand-Agglo.example"], &format!("{PASSWORD}\n"));
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let (hash, email): (String, String) =
        sqlx::query_as("select password_hash, email from users").fetch_one(&app.db.pool).await.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD), "{hash}");
    assert_eq!(email, "facilitatrice@grand-agglo.example");
    let browser = Browser::signed_in(&app, "facilitatrice@grand-agglo.example").await;
    assert!(browser.page("/marches").await.1.contains("<strong>facilitateur</strong>"));

    for (args, why) in [
        (vec!["--role", "facilitator", "--email", "facilitatrice@grand-agglo.example"], "already exists"),
        (vec!["--role", "contractor", "--email", "x@btp.example"], "needs --siret"),
        (
            vec!["--role", "buyer", "--email", "court@grand-agglo.example", "--password-too-short"],
            "unexpected argument",
        ),
    ] {
        let refused = run(&args, &format!("{PASSWORD}\n"));
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains(why), "{why}: {refused:?}");
    }
    let short = run(&["--role", "buyer", "--email", "court@grand-agglo.example"], "court\n");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"), "{short:?}");
    let accounts: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(accounts, 1, "nothing created by a refused command");
}

/// `suivi user disable`: a person who left is out at once (the open session too) and cannot
/// sign in; `enable` lets them back with the same password; `list` shows which accounts are off.
#[tokio::test]
async fn an_administrator_disables_an_account_its_session_ends_and_it_can_be_enabled_again() {
    let app = TestApp::spawn().await;
    user(&app, &app.tenant, Role::Buyer, None, BUYER).await;
    let browser = Browser::signed_in(&app, BUYER).await;
    assert_eq!(browser.page("/marches").await.0, StatusCode::OK);
    let suivi = |args: &[&str]| {
        let output = std::process::Command::new(suivi_e2e::process::suivi_binary())
            .args(["user"])
            .args(args)
            .env("DATABASE_URL", app.db.url())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };

    let disabled = suivi(&["disable", "--email", &BUYER.to_uppercase()]);
    assert!(disabled.contains("disabled; its sessions are closed"), "{disabled}");
    assert_eq!(browser.get("/marches").await.status(), StatusCode::SEE_OTHER, "the open session ended");
    let refused = browser.sign_in(BUYER, PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("Adresse électronique ou mot de passe incorrect."));
    assert!(suivi(&["disable", "--email", BUYER]).contains("already disabled"));
    let listed = suivi(&["list", "--tenant", app.tenant.as_str()]);
    let line = listed.lines().find(|line| line.starts_with(BUYER)).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("buyer") && !line.trim_end().ends_with('-'), "a disabled date: {line}");
    assert!(!listed.contains("argon2"), "{listed}");

    assert!(suivi(&["enable", "--email", BUYER]).contains("signs in again"));
    assert_eq!(browser.sign_in(BUYER, PASSWORD).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.page("/marches").await.0, StatusCode::OK);
    assert!(suivi(&["enable", "--email", BUYER]).contains("was not disabled"));
}
