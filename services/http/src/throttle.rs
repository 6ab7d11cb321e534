//! Failed authentications, slowed per client.
//!
//! Every `/api` request whose bearer token this server has not verified yet (no token, an
//! unknown one, a revoked one, or a good one seen for the first time) spends one unit of its
//! client's budget **before** the token is looked up; a request with a token already verified
//! spends nothing. When the budget is spent the request is answered 429 with `Retry-After`,
//! without looking the token up: guessing tokens, or flooding the token table with lookups,
//! goes no faster than the budget refills, while the people who use Suivi are never slowed.
//!
//! The budget is a GCRA bucket per client IP address from `governor` (the rate limiter that
//! `tower_governor` wraps); it is kept per process. Behind a reverse proxy every client shares
//! the proxy's address: set the limit there, or raise `SUIVI_AUTH_FAILURES_PER_MINUTE`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::{Problem, ProblemCode};
use crate::state::AppState;

/// Past this many tracked clients, those whose bucket is full again are forgotten.
const TRACKED_CLIENTS: usize = 10_000;

/// Unverified requests per minute and client, in a burst of as many.
pub const DEFAULT_PER_MINUTE: u32 = 30;

pub struct AuthThrottle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthThrottle {
    /// `per_minute` unverified requests per client and minute, all of them at once if it likes.
    pub fn per_minute(per_minute: NonZeroU32) -> Arc<Self> {
        Arc::new(AuthThrottle { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)) })
    }

    /// `Ok` if `client` may try once more, else the whole seconds it must wait. Spends one unit:
    /// the web interface's sign-in form spends from the same budget as unverified tokens.
    pub fn spend(&self, client: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > TRACKED_CLIENTS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

impl Default for AuthThrottle {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(DEFAULT_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        AuthThrottle { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }
}

/// Middleware: see the module documentation. Requests without a peer address (a router driven
/// in-process) and routes that need no token pass.
pub async fn throttle_unverified(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let needs_token = request.uri().path().starts_with("/api/") && request.uri().path() != "/api/openapi.json";
    let (Some(peer), true) = (peer, needs_token) else { return next.run(request).await };
    let verified = crate::auth::bearer_hash(request.headers()).is_some_and(|hash| state.tokens.get(&hash).is_some());
    if !verified {
        if let Err(wait_seconds) = state.auth_throttle.spend(peer) {
            crate::auth::count_refusal("throttled");
            let mut response = Problem::of(ProblemCode::TooManyRequests).into_response();
            if let Ok(value) = HeaderValue::from_str(&wait_seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_that_spent_its_budget_waits_and_the_others_do_not() {
        let throttle = AuthThrottle::per_minute(NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN));
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        for _ in 0..3 {
            assert_eq!(throttle.spend(a), Ok(()));
        }
        let wait = throttle.spend(a).expect_err("the fourth attempt within the minute waits");
        assert!((1..=20).contains(&wait), "one unit comes back every 20 s: {wait}");
        assert_eq!(throttle.spend(b), Ok(()));
    }
}
