//! The language of problems: French unless the request prefers English.
//!
//! `Accept-Language` (RFC 9110 §12.5.4) is read simply: each language range with its weight
//! (`q`, 1 when absent); `en`, `en-GB`… count for English, `fr`, `fr-CA`… for French, `*` for
//! whichever of the two is not named. English is chosen when it weighs more than French, or as
//! much but listed first; anything else (no header, only other languages, a header that cannot be
//! read) is French. Only problem+json bodies are translated: successful answers are data, the
//! same in every language (the penalty explanation is French).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use suivi_domain::Lang;

use crate::problem::{Problem, ProblemCode};

/// The language `Accept-Language` asks for, among those Suivi speaks.
pub fn negotiate(headers: &HeaderMap) -> Lang {
    let values: Vec<&str> = headers.get_all(header::ACCEPT_LANGUAGE).iter().filter_map(|v| v.to_str().ok()).collect();
    preferred(&values.join(","))
}

/// The language of an `Accept-Language` field value.
pub fn preferred(accept_language: &str) -> Lang {
    // (weight, position in the list) of each language, named or through `*`.
    let mut named: [Option<(f32, usize)>; 2] = [None, None];
    let mut star: Option<(f32, usize)> = None;
    for (position, item) in accept_language.split(',').enumerate() {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let Some(weight) = weight(parts) else { continue };
        let primary = range.split('-').next().unwrap_or_default();
        let slot = match primary {
            "fr" => &mut named[0],
            "en" => &mut named[1],
            "*" => &mut star,
            _ => continue,
        };
        // The first range naming a language is the one that counts (`en-GB;q=1, en;q=0.1`).
        slot.get_or_insert((weight, position));
    }
    let [french, english] = named.map(|slot| slot.or(star).unwrap_or((0.0, usize::MAX)));
    let english_first = english.0 > french.0 || (english.0 == french.0 && english.1 < french.1);
    if english.0 > 0.0 && english_first {
        Lang::En
    } else {
        Lang::Fr
    }
}

/// The `q` parameter of a language range: 1 when absent, `None` when unreadable (the range is
/// then ignored).
fn weight<'a>(parameters: impl Iterator<Item = &'a str>) -> Option<f32> {
    let mut weight = 1.0;
    for parameter in parameters {
        let (name, value) = parameter.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = value.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))?;
        }
    }
    Some(weight)
}

/// Middleware: writes a problem answered in French (what [`Problem`]'s `IntoResponse` does)
/// again in the language the request asked for.
pub async fn negotiate_problems(request: Request, next: Next) -> Response {
    let lang = negotiate(request.headers());
    let response = as_problem(next.run(request).await);
    in_language(response, lang)
}

/// Marks a response whose body is already written for its reader (a page of the web interface):
/// [`negotiate_problems`] leaves it as it is, whatever its status.
#[derive(Debug, Clone, Copy)]
pub struct OwnBody;

/// The router's own bare 404 (no such path), 405 (a path that takes other methods) and 413 (a
/// body announced too large) as problem+json like every other error, keeping the `Allow` header
/// of a 405.
fn as_problem(response: Response) -> Response {
    let code = match response.status() {
        StatusCode::NOT_FOUND => ProblemCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ProblemCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemCode::BodyTooLarge,
        _ => return response,
    };
    if response.extensions().get::<Problem>().is_some() || response.extensions().get::<OwnBody>().is_some() {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let problem = match code {
        ProblemCode::NotFound => {
            Problem::of(code).detail("aucune ressource à cette adresse", "no resource at this path")
        }
        _ => Problem::of(code),
    };
    let mut answer = problem.into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// `response` with its problem, if it carries one, written in `lang`.
pub fn in_language(mut response: Response, lang: Lang) -> Response {
    if lang == Lang::default() {
        return response;
    }
    let Some(problem) = response.extensions_mut().remove::<Problem>() else { return response };
    let body = serde_json::to_vec(&problem.body(lang)).unwrap_or_default();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    headers.remove(header::CONTENT_LENGTH);
    *response.body_mut() = Body::from(body);
    response.extensions_mut().insert(problem);
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::response::IntoResponse as _;

    use super::*;
    use crate::problem::ProblemCode;

    #[test]
    fn french_unless_english_is_preferred() {
        for (header, lang) in [
            ("", Lang::Fr),
            ("fr", Lang::Fr),
            ("fr-FR,fr;q=0.9,en;q=0.8", Lang::Fr),
            ("en", Lang::En),
            ("EN-gb", Lang::En),
            ("en-US,en;q=0.9,fr;q=0.8", Lang::En),
            ("en, fr", Lang::En),
            ("fr, en", Lang::Fr),
            ("fr;q=0.5, en;q=0.8", Lang::En),
            ("de", Lang::Fr),
            ("de, en;q=0.5", Lang::En),
            ("*", Lang::Fr),
            ("en;q=0", Lang::Fr),
            ("fr;q=0, *", Lang::En),
            ("fr;q=0.2, *;q=0.5", Lang::En),
            ("en;q=0.1, *", Lang::Fr),
            ("en;q=abc", Lang::Fr),
            ("en;q=2", Lang::Fr),
            ("   en  ;  q=0.7 ", Lang::En),
        ] {
            assert_eq!(preferred(header), lang, "{header:?}");
        }
    }

    #[test]
    fn every_field_line_counts() {
        let mut headers = HeaderMap::new();
        assert_eq!(negotiate(&headers), Lang::Fr);
        headers.append(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr;q=0.3"));
        headers.append(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en;q=0.6"));
        assert_eq!(negotiate(&headers), Lang::En);
    }

    #[tokio::test]
    async fn a_problem_is_written_again_in_english_and_nothing_else_is_touched() {
        let problem = Problem::of(ProblemCode::Unauthorized);
        let english = in_language(problem.clone().into_response(), Lang::En);
        assert_eq!(english.headers()[header::CONTENT_LANGUAGE], "en");
        let body = axum::body::to_bytes(english.into_body(), 1 << 16).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["title"], "A valid bearer token is required");
        assert_eq!(body["type"], "/problems/unauthorized");

        let french = in_language(problem.into_response(), Lang::Fr);
        assert_eq!(french.headers()[header::CONTENT_LANGUAGE], "fr");
        let body = axum::body::to_bytes(french.into_body(), 1 << 16).await.unwrap();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["title"], problem_title_fr());

        let data = in_language(axum::Json(serde_json::json!({ "ok": true })).into_response(), Lang::En);
        assert!(data.headers().get(header::CONTENT_LANGUAGE).is_none());
    }

    fn problem_title_fr() -> &'static str {
        ProblemCode::Unauthorized.title(Lang::Fr)
    }
}
