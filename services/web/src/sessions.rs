//! Server-side sessions and their cookie.
//!
//! The cookie holds 256 random bits (base64url); the database holds their SHA-256 only, with the
//! session's tenant, role, SIRET, expiry and CSRF token. Every page asks the database, so
//! signing out, or an expired session, takes effect on the next request.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use base64::Engine as _;
use chrono::{Duration, Utc};
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use suivi_application::{Principal, Role};
use suivi_http::AppState;
use suivi_proto::TenantId;
use uuid::Uuid;

use crate::accounts::User;
use crate::pages::PageError;
use crate::WebSettings;

/// A session lasts a working day from sign-in, then one signs in again: staff share offices,
/// and an idle tab left open should not stay signed in for days.
pub const SESSION_HOURS: i64 = 10;

/// 256 random bits, base64url without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

/// A signed-in person: who they act as, and the token their forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub user_id: Uuid,
    pub csrf_token: String,
}

/// Opens a session for `user`: the cookie's value (the only copy of the session id).
pub async fn open(pool: &PgPool, user: &User) -> Result<String, sqlx::Error> {
    let id = random_token();
    let expires_at = Utc::now() + Duration::hours(SESSION_HOURS);
    // Expired sessions are of no use to anyone: each sign-in sweeps them.
    sqlx::query("delete from sessions where expires_at < now()").execute(pool).await?;
    sqlx::query(
        "insert into sessions (id_hash, user_id, tenant, role, siret, csrf_token, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash(&id))
    .bind(user.id)
    .bind(user.tenant.as_str())
    .bind(user.role.as_str())
    .bind(user.siret.as_deref())
    .bind(random_token())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    tenant: String,
    role: String,
    siret: Option<String>,
    csrf_token: String,
}

/// The live session of cookie value `id`, if any (its user still enabled).
pub async fn find(pool: &PgPool, id: &str) -> Result<Option<Session>, sqlx::Error> {
    let row: Option<SessionRow> = sqlx::query_as(
        "select s.user_id, s.tenant, s.role, s.siret, s.csrf_token
         from sessions s join users u on u.id = s.user_id
         where s.id_hash = $1 and s.expires_at > now() and u.disabled_at is null",
    )
    .bind(hash(id))
    .fetch_optional(pool)
    .await?;
    let Some(SessionRow { user_id, tenant, role, siret, csrf_token }) = row else { return Ok(None) };
    // A row the schema's checks let in always parses; one that does not is no session.
    let (Ok(tenant), Some(role)) = (TenantId::parse(&tenant), Role::parse(&role)) else { return Ok(None) };
    // The actor id names the account, as an API token's id names the token.
    let principal = Principal::new(format!("user:{user_id}"), role, tenant, siret);
    Ok(Some(Session { principal, user_id, csrf_token }))
}

pub async fn close(pool: &PgPool, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from sessions where id_hash = $1").bind(hash(id)).execute(pool).await?;
    Ok(())
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// A `Set-Cookie` value: never readable by scripts, never sent from another site's page, and
/// over TLS only when the server is served over TLS (`SUIVI_SECURE_COOKIES`).
pub fn set_cookie(settings: &WebSettings, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = if settings.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}")
}

/// The session a page is asked with: absent (or ended) sends the browser to the sign-in page.
impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let settings = WebSettings::of(parts);
        let id = cookie(&parts.headers, settings.session_cookie()).ok_or(PageError::SignInFirst)?;
        find(&state.pool, id).await.map_err(PageError::unavailable)?.ok_or(PageError::SignInFirst)
    }
}

/// The session, if the request has one (the pages anyone may see: `/`, `/connexion`).
pub async fn optional(parts_headers: &HeaderMap, settings: &WebSettings, pool: &PgPool) -> Option<Session> {
    let id = cookie(parts_headers, settings.session_cookie())?;
    find(pool, id).await.ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; suivi_session_x=2"));
        headers.append(header::COOKIE, HeaderValue::from_static("suivi_session=abc"));
        assert_eq!(cookie(&headers, "suivi_session"), Some("abc"));
        assert_eq!(cookie(&headers, "a"), Some("1"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_strict_and_secure_over_tls() {
        let plain = set_cookie(&WebSettings { secure_cookies: false }, "s", "v", 60);
        assert_eq!(plain, "s=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
        assert!(set_cookie(&WebSettings { secure_cookies: true }, "s", "v", 60).ends_with("; Secure"));
    }
}
