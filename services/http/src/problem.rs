//! RFC 9457 `application/problem+json` errors.
//!
//! Every refusal names a stable `type` (`/problems/<code>`): one of the edge's [`ProblemCode`]s,
//! or a rule of the contract ([`Problem::rule`], the code being
//! [`DomainError::code`](suivi_domain::DomainError::code)). The OpenAPI document lists both from
//! these types. A problem also has a short title (the code's), a `detail` and — when one input
//! field is at fault — that field as a JSON path (`statement.lines[2].hours`). 5xx bodies say
//! nothing internal: the cause is logged instead.
//!
//! Titles and details exist in French and in English ([`Text`]); a problem is written in French
//! unless the request asked for English (`Accept-Language`, see [`crate::language`]), with
//! `Content-Language` saying which. The `type` is the same in both.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use suivi_domain::{DomainError, Lang};

pub const CONTENT_TYPE: &str = "application/problem+json";

macro_rules! problem_codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal, $status:ident, fr: $fr:literal, en: $en:literal, meaning: $meaning:literal;
    )+) => {
        /// Every problem the HTTP edge answers itself, with its status and title. The rules of the
        /// contract have their own codes ([`Problem::rule`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($(#[$doc])* $variant,)+
        }

        impl ProblemCode {
            /// Every code, in the order the documentation lists them.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant),+];

            /// The stable snake_case code: the last segment of the `type` URI. Never renamed once
            /// published.
            pub fn code(self) -> &'static str {
                match self { $(ProblemCode::$variant => $code,)+ }
            }

            pub fn status(self) -> StatusCode {
                match self { $(ProblemCode::$variant => StatusCode::$status,)+ }
            }

            /// The problem's `title`: the same for every problem of this code.
            pub fn title(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((ProblemCode::$variant, Lang::Fr) => $fr, (ProblemCode::$variant, Lang::En) => $en,)+
                }
            }

            /// What it means, in English, for the OpenAPI document.
            pub fn meaning(self) -> &'static str {
                match self { $(ProblemCode::$variant => $meaning,)+ }
            }
        }
    };
}

problem_codes! {
    MalformedJson = "malformed_json", BAD_REQUEST,
        fr: "Le corps n'est pas du JSON valide",
        en: "The body is not valid JSON",
        meaning: "The body is not valid JSON; `detail` says where it stops making sense.";
    InvalidHeader = "invalid_header", BAD_REQUEST,
        fr: "Un en-tête n'est pas valide",
        en: "A header is not valid",
        meaning: "`Idempotency-Key` or `If-Match` is malformed; `field` names the header.";
    InvalidPath = "invalid_path", BAD_REQUEST,
        fr: "L'identifiant du marché n'est pas valide",
        en: "The contract id is not valid",
        meaning: "The contract id in the path is not a UUID; `field` is `id`.";
    UnreadableBody = "unreadable_body", BAD_REQUEST,
        fr: "Le corps de la requête n'a pas pu être lu",
        en: "The request body could not be read",
        meaning: "The body could not be read (e.g. the connection broke).";
    Unauthorized = "unauthorized", UNAUTHORIZED,
        fr: "Un jeton d'accès valide est requis",
        en: "A valid bearer token is required",
        meaning: "No bearer token, or one that is unknown or revoked.";
    Forbidden = "forbidden", FORBIDDEN,
        fr: "Votre rôle ne permet pas cette action",
        en: "Your role may not do this",
        meaning: "The token's role may not do this; `detail` lists the roles that may.";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED,
        fr: "Cette méthode n'est pas permise ici",
        en: "This method is not allowed here",
        meaning: "The path exists but does not take this method; `Allow` lists the ones it takes.";
    NotFound = "not_found", NOT_FOUND,
        fr: "Introuvable",
        en: "Not found",
        meaning: "No such contract for the caller: another organisation's contract, or another contractor's, \
                  is answered the same, so its existence is not disclosed. Also a path that does not exist.";
    AlreadyExists = "already_exists", CONFLICT,
        fr: "Ce marché existe déjà",
        en: "This contract already exists",
        meaning: "The contract is already recorded.";
    ConcurrentChange = "concurrent_change", CONFLICT,
        fr: "Le marché a changé pendant le traitement de votre demande",
        en: "The contract changed while your request was decided",
        meaning: "The contract changed between reading it and recording the change; read it again and retry.";
    ParticipantAlreadyRegistered = "participant_already_registered", CONFLICT,
        fr: "Cette personne est déjà inscrite",
        en: "This person is already registered",
        meaning: "The same family name, given names and birth date (compared without case, accents, spaces or \
                  hyphens) are already registered in the organisation: `detail` and `Location` give the existing \
                  participant's code.";
    ParticipantAlreadyErased = "participant_already_erased", CONFLICT,
        fr: "Ce participant a déjà été effacé",
        en: "This participant was already erased",
        meaning: "The participant's identity was already erased; nothing is left to erase.";
    RegisterUnavailable = "register_unavailable", SERVICE_UNAVAILABLE,
        fr: "Le registre des participants n'est pas disponible sur ce serveur",
        en: "The participants' register is not available on this server",
        meaning: "The server was started without its key-encryption key (`SUIVI_KEK_FILE` or `SUIVI_KEK`), or the \
                  key does not open the organisation's keys: identities can be neither sealed nor read.";
    PreconditionFailed = "precondition_failed", PRECONDITION_FAILED,
        fr: "Le marché a changé depuis votre lecture",
        en: "The contract changed since you read it",
        meaning: "`If-Match` does not match the contract's `ETag`: it names an older version (or the current one \
                  as a weak `W/` ETag, which never matches); `detail` gives both.";
    BodyTooLarge = "body_too_large", PAYLOAD_TOO_LARGE,
        fr: "Le corps de la requête est trop volumineux",
        en: "The request body is too large",
        meaning: "The body is larger than 256 KiB.";
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT,
        fr: "Le corps de la requête est arrivé trop lentement",
        en: "The request body arrived too slowly",
        meaning: "Nothing of the body arrived for 10 seconds (`SUIVI_HTTP_BODY_TIMEOUT`): send it again, at once.";
    TooManyRequests = "too_many_requests", TOO_MANY_REQUESTS,
        fr: "Trop de tentatives d'authentification : réessayez plus tard",
        en: "Too many authentication attempts: try again later",
        meaning: "This client sent too many requests without a token this server has verified (no token, an unknown \
                  or a revoked one): its next attempts wait the number of seconds in `Retry-After`. Requests with a \
                  token already verified are not slowed.";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE,
        fr: "Le corps doit être du JSON (Content-Type: application/json)",
        en: "The body must be JSON (Content-Type: application/json)",
        meaning: "The body is not sent as `application/json` (or another `+json` type).";
    InvalidField = "invalid_field", UNPROCESSABLE_ENTITY,
        fr: "La requête n'est pas valide",
        en: "The request is not valid",
        meaning: "A value has the wrong shape (unknown field, wrong type, malformed decimal or date, a control character in a text), or a \
                  query parameter is missing, invalid or unknown; `field` is its JSON path, or the parameter's \
                  name. For a body, `detail` is the JSON parser's own words, in English whatever the language \
                  asked for.";
    IdempotencyKeyReused = "idempotency_key_reused", UNPROCESSABLE_ENTITY,
        fr: "Cette clé d'idempotence a déjà servi pour une autre requête",
        en: "This idempotency key was already used for another request",
        meaning: "The `Idempotency-Key` was already sent by the same token with another request (another \
                  contract or another body): a retry must send the same request.";
    BuyerNotInTenant = "buyer_not_in_tenant", UNPROCESSABLE_ENTITY,
        fr: "Cet acheteur n'est pas de votre organisation",
        en: "This buyer is not one of your organisation's",
        meaning: "`buyer_siret` is not one of the buyers your organisation purchases for.";
    ReceivedOnSetByServer = "received_on_set_by_server", UNPROCESSABLE_ENTITY,
        fr: "La date de réception est fixée par Suivi",
        en: "The reception date is set by Suivi",
        meaning: "`received_on` is stamped by Suivi on submission; only a buyer may record another date.";
    InvalidParticipantCode = "invalid_participant_code", UNPROCESSABLE_ENTITY,
        fr: "Le code d'un participant n'est pas valide",
        en: "A participant code is not valid",
        meaning: "A participant code is 8 characters among 0-9 and A-Z without I, L, O, U (lower case is read as \
                  upper case).";
    Internal = "internal", INTERNAL_SERVER_ERROR,
        fr: "Erreur interne",
        en: "Internal error",
        meaning: "An internal error; the body says nothing more, the server's log does.";
    Unavailable = "unavailable", SERVICE_UNAVAILABLE,
        fr: "Service momentanément indisponible",
        en: "Service temporarily unavailable",
        meaning: "The database is unreachable; retry later (with the same `Idempotency-Key`).";
    DeadlineExceeded = "deadline_exceeded", SERVICE_UNAVAILABLE,
        fr: "La requête a pris trop de temps et a été abandonnée",
        en: "The request took too long and was abandoned",
        meaning: "The request was not answered within 30 seconds (`SUIVI_HTTP_REQUEST_TIMEOUT`); a command may or \
                  may not have been recorded: retry with the same `Idempotency-Key` to find out.";
}

impl ProblemCode {
    /// `/problems/<code>`.
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.code())
    }
}

/// The status of every refusal by a rule of the contract.
pub const RULE_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// The title of every refusal by a rule of the contract.
pub fn rule_title(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Les règles du marché refusent cette demande",
        Lang::En => "The contract's rules refuse this request",
    }
}

/// The same words in French and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    fr: String,
    en: String,
}

impl Text {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Text { fr: fr.into(), en: en.into() }
    }

    /// Words that exist in one language only (a parser's message), shown whatever the language.
    pub fn untranslated(text: impl Into<String>) -> Self {
        let text = text.into();
        Text { fr: text.clone(), en: text }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

impl From<&DomainError> for Text {
    fn from(error: &DomainError) -> Self {
        Text::new(error.message(Lang::Fr), error.message(Lang::En))
    }
}

/// What a problem's `type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One of the edge's own.
    Edge(ProblemCode),
    /// A rule of the contract: [`DomainError::code`].
    Rule(&'static str),
}

/// A refusal, in both languages until it is written in the one the request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    kind: Kind,
    detail: Option<Text>,
    field: Option<String>,
}

/// A problem as sent: RFC 9457 `application/problem+json`, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Problem")]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The input field at fault, as a JSON path into the request body (or a header or query
    /// parameter name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn of(code: ProblemCode) -> Self {
        Problem { kind: Kind::Edge(code), detail: None, field: None }
    }

    /// A refusal by a rule of the contract: 422, its stable code, the field at fault, and the
    /// rule in words.
    pub fn rule(error: &DomainError) -> Self {
        Problem { kind: Kind::Rule(error.code()), detail: Some(Text::from(error)), field: error.field() }
    }

    /// The detail, in French and in English.
    pub fn detail(self, fr: impl Into<String>, en: impl Into<String>) -> Self {
        self.with_detail(Text::new(fr, en))
    }

    pub fn with_detail(mut self, detail: Text) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized() -> Self {
        Problem::of(ProblemCode::Unauthorized)
    }

    /// Also what another tenant's or another contractor's contract looks like: it does not exist
    /// for the caller, so its existence is not disclosed.
    pub fn not_found(what: Text) -> Self {
        Problem::of(ProblemCode::NotFound).with_detail(what)
    }

    /// No contract `id` for the caller.
    pub fn no_contract(id: impl std::fmt::Display) -> Self {
        Problem::not_found(Text::new(format!("aucun marché {id}"), format!("no contract {id}")))
    }

    /// 422 naming the input at fault.
    pub fn invalid(code: ProblemCode, field: impl Into<String>, detail: Text) -> Self {
        Problem::of(code).field(field).with_detail(detail)
    }

    /// Logs the cause and answers a 500 that discloses nothing.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "internal error");
        Problem::of(ProblemCode::Internal)
    }

    pub fn unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "dependency unavailable");
        Problem::of(ProblemCode::Unavailable)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The stable code: the last segment of `type`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            Kind::Edge(code) => code.code(),
            Kind::Rule(code) => code,
        }
    }

    pub fn type_uri(&self) -> String {
        format!("/problems/{}", self.code())
    }

    pub fn status_code(&self) -> StatusCode {
        match self.kind {
            Kind::Edge(code) => code.status(),
            Kind::Rule(_) => RULE_STATUS,
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self.kind {
            Kind::Edge(code) => code.title(lang),
            Kind::Rule(_) => rule_title(lang),
        }
    }

    pub fn detail_in(&self, lang: Lang) -> Option<&str> {
        self.detail.as_ref().map(|detail| detail.get(lang))
    }

    pub fn field_path(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The problem as sent in `lang`.
    pub fn body(&self, lang: Lang) -> ProblemBody {
        ProblemBody {
            type_uri: self.type_uri(),
            title: self.title(lang).to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail_in(lang).map(str::to_owned),
            field: self.field.clone(),
        }
    }

    /// The response in `lang`: problem+json, `Content-Language`, and `Vary: Accept-Language`.
    pub fn response(&self, lang: Lang) -> Response {
        let body = serde_json::to_vec(&self.body(lang)).unwrap_or_default();
        let headers = [
            (header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)),
            (header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag())),
            (header::VARY, HeaderValue::from_static("accept-language")),
        ];
        let mut response = (self.status_code(), headers, body).into_response();
        if self.status_code() == StatusCode::UNAUTHORIZED {
            // RFC 9110 §11.6.1: a 401 names the scheme that would be accepted.
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Written in French, the default; the problem rides along in the response's extensions so
/// that [`crate::language::negotiate`] can write it again in the language the request asked for.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.response(Lang::default());
        response.extensions_mut().insert(self);
        response
    }
}

/// Displays an error with its whole `source()` chain, for logs.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_unique_snake_case_and_titled_in_both_languages() {
        let codes: HashSet<&str> = ProblemCode::ALL.iter().map(|code| code.code()).collect();
        assert_eq!(codes.len(), ProblemCode::ALL.len());
        for code in ProblemCode::ALL {
            assert!(code.code().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code:?}");
            assert_ne!(code.title(Lang::Fr), code.title(Lang::En), "{code:?}");
            assert!(!code.meaning().is_empty());
        }
    }

    #[test]
    fn no_edge_code_is_also_a_rule_s() {
        let edge: HashSet<&str> = ProblemCode::ALL.iter().map(|code| code.code()).collect();
        for error in DomainError::examples() {
            assert!(!edge.contains(error.code()), "{} is both", error.code());
        }
    }

    #[test]
    fn a_rule_is_a_422_with_its_code_field_and_words_in_both_languages() {
        let error = DomainError::InstalmentNotApproved { number: 2 };
        let problem = Problem::rule(&error);
        assert_eq!(problem.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        let french = problem.body(Lang::Fr);
        let english = problem.body(Lang::En);
        assert_eq!(french.type_uri, "/problems/instalment_not_approved");
        assert_eq!(english.type_uri, french.type_uri);
        assert_eq!(french.field.as_deref(), Some("number"));
        assert_eq!(french.title, "Les règles du marché refusent cette demande");
        assert_eq!(french.detail.as_deref(), Some("l'acompte n° 2 n'est pas approuvé"));
        assert_eq!(english.title, "The contract's rules refuse this request");
        assert_eq!(english.detail.as_deref(), Some("instalment 2 is not approved"));
    }

    #[test]
    fn the_response_says_its_language_and_carries_the_problem() {
        let problem = Problem::of(ProblemCode::Forbidden).detail("non", "no");
        let response = problem.clone().into_response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
        assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "fr");
        assert_eq!(response.headers()[header::VARY], "accept-language");
        assert_eq!(response.extensions().get::<Problem>(), Some(&problem));
        assert_eq!(problem.response(Lang::En).headers()[header::CONTENT_LANGUAGE], "en");
    }
}
