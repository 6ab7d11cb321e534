//! The user guides of `docs/guides/`, played against the demo data a newcomer gets: every page a
//! guide links to opens for the guide's reader, and every read request a guide shows (a `curl`
//! line without a placeholder to fill in) answers 200, run verbatim by `bash` with the reader's
//! `SUIVI_URL` and `SUIVI_TOKEN`. A guide cannot drift from the product without this failing.
//!
//! Not played: requests that write (they need an id, a version, a body the reader adapts) and
//! lines with a placeholder such as `<id>`; the API's own tests cover those routes.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use reqwest::StatusCode;
use suivi_e2e::web::{Browser, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;
use suivi_proto::TenantId;

/// A guide, the demo account its reader signs in with, and the role of its API token.
const GUIDES: &[(&str, &str, Role)] = &[
    ("acheteur.md", "acheteur@demo.example", Role::Buyer),
    ("titulaire.md", "titulaire@demo.example", Role::Contractor),
    ("facilitateur.md", "facilitateur@demo.example", Role::Facilitator),
];

/// Every demo account, for the web interface's guide (written for all of them).
const ACCOUNTS: &[&str] = &["acheteur@demo.example", "titulaire@demo.example", "facilitateur@demo.example"];

fn guide(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/guides").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The pages a guide links to: markdown links whose target is a path of this site.
fn page_links(text: &str) -> Vec<String> {
    text.match_indices("](/")
        .map(|(at, _)| text[at + 2..].split(')').next().unwrap().to_owned())
        .filter(|path| !path.starts_with("/api/"))
        .collect()
}

/// The read requests a guide shows: `curl` lines that send nothing and have nothing to fill in.
fn read_requests(text: &str) -> Vec<String> {
    let mut in_shell = false;
    let mut requests = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_shell = line == "```sh";
            continue;
        }
        let line = line.trim();
        let writes = line.contains(" -X ") || line.contains(" -d ") || line.ends_with('\\');
        if in_shell && line.starts_with("curl ") && !writes && !line.contains('<') {
            requests.push(line.split(" #").next().unwrap().to_owned());
        }
    }
    requests
}

/// The demo, seeded in the test's database, with passwords and tokens the test knows.
async fn demo(app: &TestApp) -> TenantId {
    suivi::demo::run(&app.db.pool, &app.vault).await.unwrap();
    for email in ACCOUNTS {
        suivi_web::accounts::set_password(&app.db.pool, email, PASSWORD).await.unwrap();
    }
    app.catch_up().await;
    TenantId::parse("demo").unwrap()
}

async fn token(app: &TestApp, tenant: &TenantId, role: Role) -> String {
    let siret = (role == Role::Contractor).then_some("73282932000074");
    suivi_http::auth::create_token(&app.db.pool, role, tenant, siret, "guide").await.unwrap().token
}

/// Runs a guide's `curl` line as written, with the reader's environment; the HTTP status. On a
/// blocking thread: the server answering it runs on this test's runtime.
async fn play(line: &str, url: &str, token: &str) -> (String, String) {
    let (script, url, token) = (format!("{line} -o /dev/null -w '%{{http_code}}'"), url.to_owned(), token.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .env("SUIVI_URL", url)
            .env("SUIVI_TOKEN", token)
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test]
async fn every_page_and_read_request_of_the_role_guides_works_on_the_demo_data() {
    let app = TestApp::spawn().await;
    let tenant = demo(&app).await;
    let url = app.address.trim_end_matches('/').to_owned();
    let mut played = 0;
    for (name, email, role) in GUIDES {
        let text = guide(name);
        let browser = Browser::signed_in(&app, email).await;
        let pages = page_links(&text);
        assert!(!pages.is_empty(), "{name} points its reader to no page");
        for path in pages {
            let (status, page) = browser.page(&path).await;
            assert_eq!(status, StatusCode::OK, "{name}: {path} as {email}: {page}");
            played += 1;
        }
        let token = token(&app, &tenant, *role).await;
        for line in read_requests(&text) {
            let (status, stderr) = play(&line, &url, &token).await;
            assert_eq!(status, "200", "{name}: `{line}` as {role:?}: {stderr}");
            played += 1;
        }
    }
    assert!(played >= 10, "only {played} examples found: is the extraction broken?");
}

#[tokio::test]
async fn every_page_of_the_web_interface_guide_opens_for_one_of_the_demo_accounts() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    // Someone not signed in yet, for the sign-in page, and each demo account.
    let mut browsers = vec![(&"(pas de session)", Browser::new(&app))];
    for email in ACCOUNTS {
        browsers.push((email, Browser::signed_in(&app, email).await));
    }
    let pages = page_links(&guide("interface-web.md"));
    assert!(pages.len() >= 6, "{pages:?}");
    for path in pages {
        let mut statuses = Vec::new();
        for (email, browser) in &browsers {
            statuses.push((email, browser.page(&path).await.0));
        }
        assert!(statuses.iter().any(|(_, status)| *status == StatusCode::OK), "{path}: {statuses:?}");
    }
}

#[test]
fn the_extraction_finds_links_and_read_requests_and_leaves_writes_out() {
    let text = "Voir [les marchés](/marches) et [l'API](/api/openapi.json).\n\
                ```sh\ncurl -sS \"$SUIVI_URL/api/contracts\" -H \"Authorization: Bearer $SUIVI_TOKEN\"\n\
                curl -sS -X POST \"$SUIVI_URL/api/contracts\" -d '{}'\n\
                curl -sS \"$SUIVI_URL/api/contracts/<id>/penalty\"\n```\n\
                ```json\ncurl in json\n```";
    assert_eq!(page_links(text), ["/marches"]);
    assert_eq!(
        read_requests(text),
        ["curl -sS \"$SUIVI_URL/api/contracts\" -H \"Authorization: Bearer $SUIVI_TOKEN\""]
    );
}
