//! What list endpoints share: strict query strings, opaque cursors, and the headers that say
//! where the next page is and how far the read models are behind the log.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine as _;
use suivi_projector::Lag;

use crate::problem::{Problem, ProblemCode, Text};

/// Events in the log not yet in the read models a list was served from.
pub const LAG_EVENTS: HeaderName = HeaderName::from_static("suivi-lag-events");
/// Age, in seconds, of the oldest event not yet in those read models (0 when caught up).
pub const LAG_SECONDS: HeaderName = HeaderName::from_static("suivi-lag-seconds");

/// The default and largest page sizes.
pub const DEFAULT_LIMIT: u32 = 100;

/// A query string's parameters, each at most once, all among `allowed`.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<HashMap<String, String>, Problem> {
    let mut parameters = HashMap::new();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !allowed.contains(&name.as_ref()) {
            let allowed = allowed.join(", ");
            return Err(invalid_query(
                &name,
                Text::new(
                    format!("paramètre inconnu ; paramètres admis : {allowed}"),
                    format!("unknown parameter; allowed: {allowed}"),
                ),
            ));
        }
        if parameters.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(invalid_query(&name, Text::new("donné plusieurs fois", "given more than once")));
        }
    }
    Ok(parameters)
}

/// Parses parameter `name` with `parse`, refusing (422) a value it cannot read; `expected` says
/// what it should be, in French and in English ("un SIRET (14 chiffres)", "a SIRET (14 digits)").
pub fn parameter<T>(
    parameters: &HashMap<String, String>,
    name: &str,
    expected: Text,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, Problem> {
    parameters
        .get(name)
        .map(|value| {
            parse(value).ok_or_else(|| {
                let detail = Text::new(
                    format!("attendu : {}", expected.get(crate::Lang::Fr)),
                    format!("expected {}", expected.get(crate::Lang::En)),
                );
                invalid_query(name, detail)
            })
        })
        .transpose()
}

/// What a `cursor` parameter is.
pub fn a_cursor() -> Text {
    Text::new("un curseur donné par un en-tête Link", "a cursor from a Link header")
}

/// The page size: `limit`, 1 to `max`, [`DEFAULT_LIMIT`] when absent.
pub fn limit(parameters: &HashMap<String, String>, max: u32) -> Result<u32, Problem> {
    let expected = Text::new(format!("un nombre entier de 1 à {max}"), format!("a whole number from 1 to {max}"));
    let limit = parameter(parameters, "limit", expected, |v| v.parse::<u32>().ok().filter(|n| (1..=max).contains(n)))?;
    Ok(limit.unwrap_or(DEFAULT_LIMIT.min(max)))
}

/// A query parameter that is unknown, repeated or unreadable: 422 naming it, like the fields of
/// a body.
pub fn invalid_query(name: &str, detail: Text) -> Problem {
    Problem::invalid(ProblemCode::InvalidField, name, detail)
}

/// A cursor as the client sees it: opaque (base64url of our own text form).
pub fn encode_cursor(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

pub fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()
}

/// The lag headers, and `Link: <…>; rel="next"` when there is a next page.
pub fn page_headers(lag: Lag, path: &str, parameters: &HashMap<String, String>, next: Option<String>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(LAG_EVENTS, HeaderValue::from(lag.events));
    if let Ok(seconds) = HeaderValue::from_str(&format!("{:.3}", lag.seconds)) {
        headers.insert(LAG_SECONDS, seconds);
    }
    if let Some(cursor) = next {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut names: Vec<&String> = parameters.keys().filter(|name| name.as_str() != "cursor").collect();
        names.sort();
        for name in names {
            query.append_pair(name, &parameters[name]);
        }
        query.append_pair("cursor", &cursor);
        if let Ok(link) = HeaderValue::from_str(&format!("<{path}?{}>; rel=\"next\"", query.finish())) {
            headers.insert(axum::http::header::LINK, link);
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        assert_eq!(parse_query(Some("year=2025&nope=1"), &["year"]).expect_err("refused").field_path(), Some("nope"));
        assert_eq!(parse_query(Some("year=1&year=2"), &["year"]).expect_err("refused").field_path(), Some("year"));
        assert_eq!(parse_query(None, &["year"]).map(|p| p.len()).ok(), Some(0));
    }

    #[test]
    fn a_cursor_survives_the_round_trip() {
        let text = "2026-01-05|0193a1c2-0000-7000-8000-000000000000|3";
        assert_eq!(decode_cursor(&encode_cursor(text)).as_deref(), Some(text));
        assert_eq!(decode_cursor("%%%"), None);
    }

    #[test]
    fn the_next_link_keeps_the_filters() {
        let parameters = parse_query(Some("year=2025&cursor=old"), &["year", "cursor"]).expect("valid");
        let lag = Lag { events: 3, seconds: 0.25 };
        let headers = page_headers(lag, "/api/contracts", &parameters, Some("abc".into()));
        assert_eq!(headers[axum::http::header::LINK], "</api/contracts?year=2025&cursor=abc>; rel=\"next\"");
        assert_eq!(headers[LAG_EVENTS], "3");
        assert_eq!(headers[LAG_SECONDS], "0.250");
    }
}
