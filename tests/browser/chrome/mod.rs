//! A headless Chromium, one per test, driven through WebDriver (`fantoccini`), with the few
//! gestures the scenarios need: open a page, fill a field by its label, pick a radio button or
//! an option of a list, click a button or a link by its text, read what the page shows (its
//! text, a field's value, a table's rows), and take a screenshot.
//!
//! Each test has its own driver (its own port) and its own browser profile in a directory of its
//! own, so tests run in parallel. That directory also holds the driver's log and, unless
//! `SUIVI_SCREENSHOTS=1`, the screenshots; it is kept when the test fails, for a look at them.

mod driver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::StatusCode;
use serde_json::{json, Value};
use suivi_e2e::TestApp;

use driver::Driver;

/// The session cookie's name over plain HTTP (the tests' servers do not set `Secure`).
const SESSION_COOKIE: &str = "suivi_session";
/// How long a page may take to change after a click.
const NAVIGATION_LIMIT: Duration = Duration::from_secs(20);
/// Screenshots' width: a laptop's.
const WIDTH: u32 = 1280;

pub struct Chrome {
    client: Client,
    base: String,
    dir: PathBuf,
    driver: Option<Driver>,
}

impl Chrome {
    /// A fresh browser (empty profile, no cookie) for the server of `app`.
    pub async fn start(app: &TestApp) -> Chrome {
        let (chromium, driver_binary) = driver::binaries();
        let dir = std::env::temp_dir().join(format!("suivi-browser-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("profile")).expect("create the browser's directory");
        let driver = Driver::start(&driver_binary, &dir.join("chromedriver.log")).await;
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    // Tests run as root, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    // Containers' /dev/shm is small; Chromium then crashes on large pages.
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", dir.join("profile").display()),
                    format!("--window-size={WIDTH},900"),
                    "--lang=fr-FR",
                    "--no-first-run",
                    "--disable-gpu",
                    "--disable-extensions",
                    "--disable-background-networking",
                    "--disable-sync",
                    "--disable-features=Translate,MediaRouter",
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!("an object") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|error| panic!("open a Chromium session: {error} (see {})", dir.display()));
        Chrome { client, base: app.address.clone(), dir, driver: Some(driver) }
    }

    /// Opens `path` of the server (as typing the address would) and waits for the page.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.unwrap_or_else(|error| panic!("open {url}: {error}"));
    }

    /// The current page's path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The HTTP status the current page came with, as the browser saw it (Navigation Timing).
    pub async fn status(&self) -> StatusCode {
        let status = self.script("return performance.getEntriesByType('navigation')[0].responseStatus;").await;
        let code = status.as_u64().and_then(|code| u16::try_from(code).ok()).expect("a response status");
        StatusCode::from_u16(code).expect("an HTTP status")
    }

    /// The page's visible text, as rendered (`innerText` of the body).
    pub async fn text(&self) -> String {
        self.client.find(Locator::Css("body")).await.expect("a body").text().await.expect("the body's text")
    }

    /// The text of the page's `<h1>`.
    pub async fn heading(&self) -> String {
        self.client.find(Locator::Css("h1")).await.expect("an h1").text().await.expect("its text")
    }

    /// Types `value` into the field labelled `label` (a `<label for>`'s text), or else whose id
    /// is `label`.
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.unwrap_or_else(|error| panic!("type into {label:?}: {error}"));
    }

    async fn field(&self, label: &str) -> Element {
        let by_label = format!("//label[normalize-space()={}]", xpath_literal(label));
        if let Ok(found) = self.client.find(Locator::XPath(&by_label)).await {
            let id = found.attr("for").await.expect("the label's for").expect("a label with for=");
            return self.client.find(Locator::Id(&id)).await.unwrap_or_else(|_| panic!("no field #{id}"));
        }
        self.client.find(Locator::Id(label)).await.unwrap_or_else(|_| panic!("no field labelled or named {label:?}"))
    }

    /// Picks the radio button or checkbox labelled `label` (or whose id is `label`).
    pub async fn choose(&self, label: &str) {
        self.field(label).await.click().await.unwrap_or_else(|error| panic!("choose {label:?}: {error}"));
    }

    /// Picks, in the list labelled `label`, the option whose text is `option`.
    pub async fn select(&self, label: &str, option: &str) {
        let list = self.field(label).await;
        list.select_by_label(option).await.unwrap_or_else(|error| panic!("pick {option:?} in {label:?}: {error}"));
    }

    /// What the field labelled `label` (or whose id is `label`) holds now.
    pub async fn value(&self, label: &str) -> String {
        let field = self.field(label).await;
        field.prop("value").await.expect("the field's value").unwrap_or_default()
    }

    /// The visible text of the element whose id is `id`, or `None` when the page has none.
    pub async fn text_of(&self, id: &str) -> Option<String> {
        let element = self.client.find(Locator::Id(id)).await.ok()?;
        Some(element.text().await.expect("the element's text"))
    }

    /// The body rows of the table whose caption is `caption`, each as its cells' texts (header
    /// cell included), spaces normalised: the pages write no-break spaces before units and
    /// narrow ones between thousands, which a test would rather not spell.
    pub async fn table(&self, caption: &str) -> Vec<Vec<String>> {
        let script = format!(
            "const table = [...document.querySelectorAll('table')]
                 .find(t => t.caption && t.caption.textContent.trim() === {caption});
             if (!table) return null;
             return [...table.tBodies].flatMap(b => [...b.rows])
                 .map(r => [...r.cells].map(c => c.textContent));",
            caption = serde_json::to_string(caption).expect("a JSON string"),
        );
        let rows = self.script(&script).await;
        let rows: Vec<Vec<String>> =
            serde_json::from_value(rows).unwrap_or_else(|_| panic!("no table captioned {caption:?}"));
        rows.into_iter().map(|row| row.iter().map(|cell| normalise_spaces(cell)).collect()).collect()
    }

    /// Clicks the button whose text is `text` and waits for the page it leads to.
    pub async fn click(&self, text: &str) {
        let xpath =
            format!("//button[normalize-space()={0}] | //input[@type='submit' and @value={0}]", xpath_literal(text));
        let button = self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no button {text:?}"));
        self.navigate_with(button, text).await;
    }

    /// Follows the link whose text is `text` and waits for the page.
    pub async fn click_link(&self, text: &str) {
        let xpath = format!("//a[normalize-space()={}]", xpath_literal(text));
        let link = self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no link {text:?}"));
        self.navigate_with(link, text).await;
    }

    /// Clicks `element` and waits until the page it was on is gone and the next one loaded: a
    /// click only starts a navigation.
    async fn navigate_with(&self, element: Element, what: &str) {
        let old_page = self.client.find(Locator::Css("html")).await.expect("a page");
        element.click().await.unwrap_or_else(|error| panic!("click {what:?}: {error}"));
        let deadline = Instant::now() + NAVIGATION_LIMIT;
        // A reference to an element of a page that was left is "stale": every command on it fails.
        while old_page.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "clicking {what:?} led nowhere (still at {})", self.path().await);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        while self.script("return document.readyState;").await != "complete" {
            assert!(Instant::now() < deadline, "the page after {what:?} did not finish loading");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Runs `script` in the page (WebDriver's "execute script", which the pages' CSP does not
    /// govern: it comes from the driver, not from the page) and returns its `return` value.
    pub async fn script(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap_or_else(|error| panic!("run {script:?}: {error}"))
    }

    /// The value of the cookie `name`, if the browser holds it.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        self.client.get_named_cookie(name).await.ok().map(|cookie| cookie.value().to_owned())
    }

    /// A PNG of the whole page (the window stretched to its height), written to
    /// `docs/screenshots/<name>.png` with `SUIVI_SCREENSHOTS=1` (for the README), else to the
    /// test's directory. Returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // The window's height counts its frame too: add it, or the page's foot is cut off.
        let height = self
            .script("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;")
            .await;
        let height = height.as_u64().and_then(|h| u32::try_from(h).ok()).expect("the page's height");
        let (width, old_height) = self.client.get_window_size().await.expect("the window's size");
        self.client.set_window_size(WIDTH, height.max(600)).await.expect("stretch the window");
        let png = self.client.screenshot().await.expect("a screenshot");
        let (width, old_height) = (u32::try_from(width).unwrap_or(WIDTH), u32::try_from(old_height).unwrap_or(900));
        self.client.set_window_size(width, old_height).await.expect("restore the window");
        let folder = if std::env::var("SUIVI_SCREENSHOTS").as_deref() == Ok("1") {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
        } else {
            self.dir.clone()
        };
        std::fs::create_dir_all(&folder).expect("create the screenshots' folder");
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
        path
    }

    /// Signs in through the form, as a person would: address, password, "Se connecter".
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/connexion").await;
        self.fill("Adresse électronique", email).await;
        self.fill("Mot de passe", password).await;
        self.click("Se connecter").await;
    }

    /// `GET path` outside the browser, with the browser's session cookie: the status and HTML
    /// exactly as the server sent them.
    pub async fn fetch_with_session(&self, path: &str) -> (StatusCode, String) {
        let session = self.cookie(SESSION_COOKIE).await.expect("a session cookie in the browser");
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("{SESSION_COOKIE}={session}"))
            .send()
            .await
            .expect("request sent");
        (response.status(), response.text().await.expect("a page"))
    }

    /// Ends the WebDriver session (Chromium quits), then the driver.
    pub async fn close(mut self) {
        let client = self.client.clone();
        client.close().await.expect("end the WebDriver session");
        self.driver.take();
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // Kills the driver's process group: the browser goes with it, even after a panic.
        self.driver.take();
        if std::thread::panicking() {
            eprintln!("browser files (driver log, screenshots) kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `text` as an XPath 1.0 string literal (which has no escapes: quotes are concatenated).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        return format!("'{text}'");
    }
    let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}

/// `text` with every run of white space (no-break ones included) as one plain space, trimmed.
pub fn normalise_spaces(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
