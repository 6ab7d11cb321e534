//! A browser for the web interface's tests: a cookie jar, redirects not followed (so a test
//! sees each answer, its `Set-Cookie` and `Location`), and the CSRF token read from the form.

use reqwest::{Client, Response, StatusCode};
use suivi_http::Role;
use suivi_proto::TenantId;
use suivi_web::accounts::{create_user, NewUser};

use crate::TestApp;

/// Every test account's password.
pub const PASSWORD: &str = "un mot de passe de test assez long";

/// Creates an account of `tenant` with [`PASSWORD`].
pub async fn user(app: &TestApp, tenant: &TenantId, role: Role, siret: Option<&str>, email: &str) {
    let user = NewUser { tenant, role, siret, email, password: PASSWORD };
    create_user(&app.db.pool, user).await.expect("create the account");
}

pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: Client,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client =
            Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client");
        Browser { app, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(self.url(path)).form(form).send().await.expect("request sent")
    }

    /// The CSRF token of the first form of the page at `path`.
    pub async fn csrf_token(&self, path: &str) -> String {
        let page = self.get(path).await.text().await.expect("a page");
        token_in(&page)
    }

    /// Posts the sign-in form, as a person would after opening `/connexion`.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        let csrf = self.csrf_token("/connexion").await;
        self.post("/connexion", &[("csrf", &csrf), ("courriel", email), ("mot_de_passe", password)]).await
    }

    /// Signs in and checks it worked.
    pub async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        let browser = Browser::new(app);
        let response = browser.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap_or_default());
        browser
    }

    /// A page's status and HTML.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.expect("a page"))
    }
}

/// The value of the first `csrf` hidden field of `html`.
pub fn token_in(html: &str) -> String {
    let start = html.find(r#"name="csrf" value=""#).expect("a form with a CSRF token") + r#"name="csrf" value=""#.len();
    html[start..].split('"').next().expect("the token").to_owned()
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> &str {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}
