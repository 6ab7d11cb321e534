//! `Idempotency-Key` and `If-Match` / `ETag`: retries and optimistic concurrency over HTTP.
//!
//! A contract's ETag is its stream version, `"v7"`. A command sent with `If-Match: "v7"` is
//! decided only if the contract is still at version 7 (412 otherwise); without `If-Match` it is
//! decided on the version just read, and a concurrent change between reading and appending is a
//! 409. `If-Match` follows RFC 9110 §13.1.1: `*` matches any existing contract, a list matches if
//! any of its ETags does, and the comparison is strong — a weak ETag (`W/"v7"`) never matches.
//! A POST carrying an `Idempotency-Key` already used (by the same tenant) appends nothing and
//! answers what the first request answered.

use axum::extract::FromRequestParts;
use std::fmt;

use axum::http::{request::Parts, HeaderValue};

use crate::problem::{Problem, ProblemCode, Text};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"v0\""))
}

/// A JSON answer about a contract, with the contract's version as its `ETag`.
pub struct Tagged<T>(pub i64, pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Tagged<T> {
    fn into_response(self) -> axum::response::Response {
        ([(axum::http::header::ETAG, etag(self.0))], axum::Json(self.1)).into_response()
    }
}

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else { return Ok(IdempotencyKey(None)) };
        let key = value.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= 255);
        match key {
            Some(key) if key.bytes().all(|b| b.is_ascii_graphic()) => Ok(IdempotencyKey(Some(key.to_owned()))),
            _ => Err(Problem::of(ProblemCode::InvalidHeader)
                .detail(
                    "Idempotency-Key compte de 1 à 255 caractères ASCII visibles",
                    "Idempotency-Key is 1 to 255 visible ASCII characters",
                )
                .field("Idempotency-Key")),
        }
    }
}

/// The optional `If-Match` header (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch(pub Option<Precondition>);

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: the contract exists, whatever its version.
    Any,
    /// One or more ETags: one of them matches the contract's, strongly.
    Tags(Vec<EntityTag>),
}

/// An entity tag as sent: `"v7"` or weak `W/"v7"`. `opaque` is the text between the quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTag {
    pub weak: bool,
    pub opaque: String,
}

impl EntityTag {
    /// The strong ETag of a contract at `version`, as [`etag`] sends it.
    pub fn version(version: i64) -> Self {
        EntityTag { weak: false, opaque: format!("v{version}") }
    }

    /// RFC 9110 §8.8.3.2 strong comparison: both strong, same opaque tag.
    pub fn strong_eq(&self, other: &EntityTag) -> bool {
        !self.weak && !other.weak && self.opaque == other.opaque
    }

    /// The contract version this API's ETag names (`"v7"` and `W/"v7"` both name 7).
    fn names_version(&self) -> Option<i64> {
        let digits = self.opaque.strip_prefix('v')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

impl fmt::Display for EntityTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\"{}\"", if self.weak { "W/" } else { "" }, self.opaque)
    }
}

/// Parses an `If-Match` field value: `"*"` or a comma-separated list of entity tags (RFC 9110
/// §13.1.1, §8.8.3, §5.6.1: whitespace around commas and empty list elements are allowed).
/// `None` when it is neither.
pub fn parse_if_match(value: &str) -> Option<Precondition> {
    let value = value.trim_matches([' ', '\t']);
    if value == "*" {
        return Some(Precondition::Any);
    }
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(quoted) => (true, quoted),
            None => (false, rest),
        };
        let body = quoted.strip_prefix('"')?;
        let end = body.find('"')?;
        let opaque = &body[..end];
        // etagc = %x21 / %x23-7E / obs-text: no controls, spaces or quotes inside.
        if !opaque.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80) {
            return None;
        }
        tags.push(EntityTag { weak, opaque: opaque.to_owned() });
        rest = body[end + 1..].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
    if tags.is_empty() {
        None
    } else {
        Some(Precondition::Tags(tags))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut lines = parts.headers.get_all(axum::http::header::IF_MATCH).iter().peekable();
        if lines.peek().is_none() {
            return Ok(IfMatch(None));
        }
        // Several field lines are one list (RFC 9110 §5.3).
        let combined: Option<Vec<&str>> = lines.map(|line| line.to_str().ok()).collect();
        match combined.and_then(|lines| parse_if_match(&lines.join(", "))) {
            Some(precondition) => Ok(IfMatch(Some(precondition))),
            None => Err(Problem::of(ProblemCode::InvalidHeader)
                .detail(
                    "If-Match vaut * ou une liste d'ETags, par exemple \"v3\"",
                    "If-Match must be * or a list of ETags, e.g. \"v3\"",
                )
                .field("If-Match")),
        }
    }
}

impl IfMatch {
    /// `If-Match: "v<version>"`, the usual case.
    pub fn version(version: i64) -> Self {
        IfMatch(Some(Precondition::Tags(vec![EntityTag::version(version)])))
    }

    /// The versions a command may be decided on: those the strong ETags name (none when every
    /// tag is weak or not ours, so nothing matches); any version for `*` (the contract must
    /// exist, which loading it checks) or without the header.
    pub fn expected(&self) -> suivi_application::Expected {
        match &self.0 {
            None | Some(Precondition::Any) => suivi_application::Expected::Any,
            Some(Precondition::Tags(tags)) => suivi_application::Expected::OneOf(
                tags.iter().filter(|tag| !tag.weak).filter_map(EntityTag::names_version).collect(),
            ),
        }
    }

    /// Whether a contract at `current` passes (version 0: it does not exist yet, and then no
    /// `If-Match`, not even `*`, can hold).
    pub fn matches(&self, current: i64) -> bool {
        match &self.0 {
            None => true,
            Some(_) if current <= 0 => false,
            Some(Precondition::Any) => true,
            Some(Precondition::Tags(tags)) => {
                let current = EntityTag::version(current);
                tags.iter().any(|tag| tag.strong_eq(&current))
            }
        }
    }

    /// 412 when the contract moved on since the caller read it (or the header cannot match it).
    pub fn check(&self, current: i64) -> Result<(), Problem> {
        let Some(precondition) = &self.0 else { return Ok(()) };
        if self.matches(current) {
            return Ok(());
        }
        let detail = match precondition {
            Precondition::Tags(tags) if current > 0 => stale_detail(tags, current),
            // `*` matches every existing contract: only a contract yet to be created fails it.
            _ => Text::new(
                "If-Match exige que le marché existe ; il n'existe pas encore",
                "If-Match requires the contract to exist; it does not yet",
            ),
        };
        Err(Problem::of(ProblemCode::PreconditionFailed).with_detail(detail).field("If-Match"))
    }
}

fn stale_detail(tags: &[EntityTag], current: i64) -> Text {
    if let [tag @ EntityTag { weak: false, .. }] = tags {
        if let Some(expected) = tag.names_version() {
            return Text::new(
                format!("If-Match désigne la version {expected} ; le marché est à la version {current}"),
                format!("If-Match names version {expected}; the contract is at version {current}"),
            );
        }
    }
    let sent = tags.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut fr = format!("If-Match désigne {sent} ; le marché est à la version {current} (ETag \"v{current}\")");
    let mut en = format!("If-Match names {sent}; the contract is at version {current} (ETag \"v{current}\")");
    if tags.iter().any(|tag| tag.weak && tag.names_version() == Some(current)) {
        fr.push_str(
            " ; If-Match compare les ETags de façon forte (RFC 9110) : un ETag faible W/ ne correspond jamais, \
             envoyez l'ETag tel que le marché le donne",
        );
        en.push_str(
            "; If-Match compares ETags strongly (RFC 9110), so a weak W/ ETag never matches: send the ETag as \
             the contract gives it",
        );
    }
    Text::new(fr, en)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Lang;
    use axum::http::{Request, StatusCode};

    fn tag(opaque: &str) -> EntityTag {
        EntityTag { weak: false, opaque: opaque.to_owned() }
    }

    fn weak(opaque: &str) -> EntityTag {
        EntityTag { weak: true, opaque: opaque.to_owned() }
    }

    fn header(value: &str) -> IfMatch {
        IfMatch(Some(parse_if_match(value).unwrap_or_else(|| panic!("{value:?} should parse"))))
    }

    fn extract(values: &[&str]) -> Result<IfMatch, Problem> {
        let mut request = Request::post("/");
        for value in values {
            request = request.header(axum::http::header::IF_MATCH, *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        block_on(IfMatch::from_request_parts(&mut parts, &()))
    }

    /// The extractor never awaits anything: one poll finishes it.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the extractor does not wait"),
        }
    }

    #[test]
    fn parses_star_a_tag_a_weak_tag_and_lists() {
        assert_eq!(parse_if_match("*"), Some(Precondition::Any));
        assert_eq!(parse_if_match(" \"v3\" "), Some(Precondition::Tags(vec![tag("v3")])));
        assert_eq!(parse_if_match("W/\"v3\""), Some(Precondition::Tags(vec![weak("v3")])));
        assert_eq!(parse_if_match("\"v3\", \"v4\""), Some(Precondition::Tags(vec![tag("v3"), tag("v4")])));
        assert_eq!(
            parse_if_match("W/\"v3\",\t\"v4\" ,, \"xyzzy\""),
            Some(Precondition::Tags(vec![weak("v3"), tag("v4"), tag("xyzzy")])),
            "OWS around commas, empty list elements, and tags not of this API are all valid syntax"
        );
        assert_eq!(parse_if_match("\"\""), Some(Precondition::Tags(vec![tag("")])));
    }

    #[test]
    fn refuses_what_is_not_an_if_match_value() {
        for value in [
            "",
            " ",
            ",",
            "7",
            "v3",
            "\"v3",
            "v3\"",
            "\"v3\" \"v4\"",
            "\"v3\";",
            "w/\"v3\"",
            "W/ \"v3\"",
            "W/v3",
            "*, \"v3\"",
            "\"v3\", *",
            "**",
            "\"v 3\"",
        ] {
            assert_eq!(parse_if_match(value), None, "{value:?}");
        }
    }

    #[test]
    fn a_strong_tag_matches_its_version_only() {
        assert!(header("\"v3\"").matches(3));
        assert!(!header("\"v3\"").matches(4));
        assert!(!header("\"v3\"").matches(2));
        assert!(!header("\"3\"").matches(3));
        assert!(!header("\"v03\"").matches(3), "opaque tags compare character by character");
        assert!(IfMatch::version(7).matches(7));
        assert!(IfMatch(None).matches(7), "no If-Match, no condition");
    }

    #[test]
    fn a_weak_tag_never_matches_if_match_compares_strongly() {
        assert!(!header("W/\"v3\"").matches(3));
        let problem = header("W/\"v3\"").check(3).unwrap_err();
        assert_eq!(problem.status_code(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(problem.type_uri(), "/problems/precondition_failed");
        let detail = problem.detail_in(Lang::En).unwrap();
        assert!(detail.contains("W/\"v3\"") && detail.contains("strongly"), "{detail}");
        let detail = problem.detail_in(Lang::Fr).unwrap();
        assert!(detail.contains("W/\"v3\"") && detail.contains("forte"), "{detail}");
    }

    #[test]
    fn a_list_matches_when_any_of_its_tags_matches_strongly() {
        let list = header("\"v3\", \"v4\"");
        assert!(list.matches(3));
        assert!(list.matches(4));
        assert!(!list.matches(5));
        assert!(header("W/\"v4\", \"v4\"").matches(4));
        assert!(!header("W/\"v4\", \"v5\"").matches(4));
        let problem = header("\"v3\", \"v4\"").check(5).unwrap_err();
        assert_eq!(
            problem.detail_in(Lang::En),
            Some("If-Match names \"v3\", \"v4\"; the contract is at version 5 (ETag \"v5\")")
        );
        assert_eq!(
            problem.detail_in(Lang::Fr),
            Some("If-Match désigne \"v3\", \"v4\" ; le marché est à la version 5 (ETag \"v5\")")
        );
    }

    #[test]
    fn star_matches_any_existing_contract_and_nothing_yet_to_be_created() {
        let any = header("*");
        assert!(any.matches(1));
        assert!(any.matches(42));
        assert!(any.check(42).is_ok());
        assert!(!any.matches(0), "no contract yet: * cannot hold");
        assert_eq!(any.check(0).unwrap_err().status_code(), StatusCode::PRECONDITION_FAILED);
        assert!(!header("\"v0\"").matches(0), "nor can any tag");
        assert!(IfMatch(None).check(0).is_ok());
    }

    #[test]
    fn a_stale_version_names_both_versions() {
        let problem = IfMatch::version(6).check(7).unwrap_err();
        assert_eq!(problem.status_code(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(problem.detail_in(Lang::En), Some("If-Match names version 6; the contract is at version 7"));
        assert_eq!(problem.detail_in(Lang::Fr), Some("If-Match désigne la version 6 ; le marché est à la version 7"));
        assert_eq!(problem.field_path(), Some("If-Match"));
    }

    #[test]
    fn the_extractor_reads_every_field_line_and_refuses_bad_syntax_with_400() {
        assert_eq!(extract(&[]).unwrap(), IfMatch(None));
        assert_eq!(extract(&["\"v3\""]).unwrap(), IfMatch::version(3));
        assert_eq!(extract(&["*"]).unwrap(), IfMatch(Some(Precondition::Any)));
        let lines = extract(&["\"v3\"", "W/\"v4\""]).unwrap();
        assert_eq!(lines, IfMatch(Some(Precondition::Tags(vec![tag("v3"), weak("v4")]))));
        for bad in [&["yesterday"][..], &["7"], &["\"v3\"", "*"]] {
            let problem = extract(bad).unwrap_err();
            assert_eq!(problem.status_code(), StatusCode::BAD_REQUEST, "{bad:?}");
            assert_eq!(problem.type_uri(), "/problems/invalid_header");
            assert_eq!(problem.field_path(), Some("If-Match"));
        }
    }
}
