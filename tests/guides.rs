//! The user guides of `docs/guides/`, played against the demo data a newcomer gets: every page a
//! guide links to opens for the guide's reader, and every shell example of a role guide runs
//! verbatim, in order, by `bash` with the reader's `SUIVI_URL` and `SUIVI_TOKEN`, every request
//! answered without error. A guide cannot drift from the product without this failing.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use reqwest::StatusCode;
use suivi_e2e::guide_blocks::{is_administrators, shell_blocks};
use suivi_e2e::web::{Browser, PASSWORD};
use suivi_e2e::TestApp;
use suivi_http::Role;
use suivi_proto::TenantId;

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

/// The shell examples of a guide's reader, in order, as one script. Left out: the reader's own
/// address and token (`export SUIVI_URL=…`, `SUIVI_TOKEN=…`: the test gives its own), and the
/// blocks of the administrator's `suivi …` commands, run on the server
/// (`services/suivi/tests/cli.rs` plays those, with the same rule).
fn shell_examples(text: &str) -> String {
    let readers_own = |line: &&str| {
        let line = line.trim_start();
        line.starts_with("export SUIVI_URL=") || line.starts_with("export SUIVI_TOKEN=")
    };
    let mut script = String::new();
    for block in shell_blocks(text).iter().filter(|block| !is_administrators(block)) {
        for line in block.lines().filter(|line| !readers_own(line)) {
            script.push_str(line);
            script.push('\n');
        }
    }
    script
}

/// Runs a guide's shell examples in one `bash`, as its reader would with `SUIVI_URL` and
/// `SUIVI_TOKEN` set, in a directory of its own: stopped by the first failing command, by the
/// first request answered with an error (4xx, 5xx), and by a `jq` finding nothing (`null`). The requests it sent (one line each),
/// and its output.
async fn play(script: &str, url: &str, token: &str) -> (Vec<String>, String) {
    let directory = std::env::temp_dir().join(format!("suivi-guide-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap();
    let log = directory.join("requests.log");
    let prelude = "set -euo pipefail\n\
                   curl() { printf '%s\\n' \"${*//$'\\n'/ }\" >> \"$SUIVI_REQUESTS\"; command curl --fail-with-body \"$@\"; }\n\
                   jq() { command jq --exit-status \"$@\"; }\n";
    let (script, url, token) = (format!("{prelude}{script}"), url.to_owned(), token.to_owned());
    let (dir, log_path) = (directory.clone(), log.clone());
    // On a blocking thread: the server answering it runs on this test's runtime.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .env("SUIVI_URL", url)
            .env("SUIVI_TOKEN", token)
            .env("SUIVI_REQUESTS", log_path)
            // The readers are in France: `date` gives the day Suivi calls today (Paris), even
            // when the machine's clock is on UTC a little after midnight in Paris.
            .env("TZ", "Europe/Paris")
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let requests = std::fs::read_to_string(&log).unwrap_or_default().lines().map(str::to_owned).collect();
    std::fs::remove_dir_all(&directory).unwrap();
    let transcript = format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{transcript}");
    (requests, transcript)
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

/// A role guide against a fresh demo: every page it links to opens for its reader, then every
/// request it shows runs verbatim, in order (a later example uses what an earlier one created).
/// `email` is the reader's demo web account (finance has none: it works through programs).
async fn play_guide(name: &str, email: Option<&str>, role: Role) {
    let app = TestApp::spawn().await;
    let tenant = demo(&app).await;
    let text = guide(name);
    if let Some(email) = email {
        let browser = Browser::signed_in(&app, email).await;
        let pages = page_links(&text);
        assert!(!pages.is_empty(), "{name} points its reader to no page");
        for path in pages {
            let (status, page) = browser.page(&path).await;
            assert_eq!(status, StatusCode::OK, "{name}: {path} as {email}: {page}");
        }
    }
    let script = shell_examples(&text);
    let shown = script.matches("curl ").count();
    assert!(shown >= 3, "{name}: only {shown} requests found: is the extraction broken?\n{script}");
    let url = app.address.trim_end_matches('/').to_owned();
    let (requests, transcript) = play(&script, &url, &token(&app, &tenant, role).await).await;
    assert_eq!(requests.len(), shown, "{name}: every request shown was sent\n{transcript}");
}

#[tokio::test]
async fn the_buyer_guide_plays_on_the_demo_data() {
    play_guide("acheteur.md", Some("acheteur@demo.example"), Role::Buyer).await;
}

#[tokio::test]
async fn the_contractor_guide_plays_on_the_demo_data() {
    play_guide("titulaire.md", Some("titulaire@demo.example"), Role::Contractor).await;
}

#[tokio::test]
async fn the_facilitator_guide_plays_on_the_demo_data() {
    play_guide("facilitateur.md", Some("facilitateur@demo.example"), Role::Facilitator).await;
}

#[tokio::test]
async fn the_finance_guide_plays_on_the_demo_data() {
    play_guide("finances.md", None, Role::Finance).await;
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
fn the_extraction_finds_links_and_the_readers_commands_in_order() {
    let text = "Voir [les marchés](/marches) et [l'API](/api/openapi.json).\n\
                ```sh\nexport SUIVI_URL=https://suivi.exemple.fr\n\
                curl -sS \"$SUIVI_URL/api/contracts\" \\\n  -H \"Authorization: Bearer $SUIVI_TOKEN\"\n```\n\
                ```sh\n# sur le serveur\nsuivi tenant create --id t \\\n  --name T\n```\n\
                ```json\ncurl in json\n```\n```sh\nC=1  # then\n```";
    assert_eq!(page_links(text), ["/marches"]);
    assert_eq!(
        shell_examples(text),
        "curl -sS \"$SUIVI_URL/api/contracts\" \\\n  -H \"Authorization: Bearer $SUIVI_TOKEN\"\nC=1  # then\n"
    );
}
