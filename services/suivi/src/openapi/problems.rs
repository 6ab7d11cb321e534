//! Every problem `type` the API answers: `/problems/<code>`.
//!
//! The edge's own codes are listed here by hand (a test scans the services' sources for
//! `Problem::new`/`Problem::invalid` codes and fails on one missing here); the domain's come from
//! [`suivi_domain::DomainError::code`], through one example refusal per variant (an exhaustive
//! `match` beside the examples stops compiling when a variant is added).

use serde_json::{json, Value};
use suivi_domain::DomainError;

/// One problem type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemType {
    pub code: &'static str,
    pub status: u16,
    /// What it means, in English, for the `description` of its entry.
    pub meaning: String,
}

impl ProblemType {
    pub fn type_uri(&self) -> String {
        format!("/problems/{}", self.code)
    }
}

/// The codes the HTTP edge answers itself (`suivi_http` and the handlers), with their status.
pub const EDGE: &[(&str, u16, &str)] = &[
    ("malformed_json", 400, "The body is not valid JSON; `detail` says where it stops making sense."),
    ("invalid_header", 400, "`Idempotency-Key` or `If-Match` is malformed; `field` names the header."),
    ("invalid_path", 400, "The contract id in the path is not a UUID; `field` is `id`."),
    ("unreadable_body", 400, "The body could not be read (e.g. the connection broke)."),
    ("unauthorized", 401, "No bearer token, or one that is unknown or revoked."),
    ("forbidden", 403, "The token's role may not do this; `detail` lists the roles that may."),
    (
        "not_found",
        404,
        "No such contract for the caller: another organisation's contract, or another contractor's, \
         is answered the same, so its existence is not disclosed.",
    ),
    ("already_exists", 409, "The contract is already recorded."),
    (
        "concurrent_change",
        409,
        "The contract changed between reading it and recording the change; read it again and retry.",
    ),
    (
        "no_pseudonym_key",
        409,
        "The organisation's pseudonym key was destroyed or is missing: hour statements cannot be accepted.",
    ),
    (
        "precondition_failed",
        412,
        "`If-Match` does not match the contract's `ETag`: it names an older version (or the current one as a \
         weak `W/` ETag, which never matches); `detail` gives both.",
    ),
    ("body_too_large", 413, "The body is larger than 256 KiB."),
    ("unsupported_media_type", 415, "The body is not sent as `application/json` (or another `+json` type)."),
    (
        "invalid_field",
        422,
        "A value has the wrong shape (unknown field, wrong type, malformed decimal or date), or a \
         query parameter is missing, invalid or unknown; `field` is its JSON path, or the parameter's name.",
    ),
    (
        "idempotency_key_reused",
        422,
        "The `Idempotency-Key` was already sent by the same token with another request (another contract or \
         another body): a retry must send the same request.",
    ),
    ("buyer_not_in_tenant", 422, "`buyer_siret` is not one of the buyers your organisation purchases for."),
    (
        "received_on_set_by_server",
        422,
        "`received_on` is stamped by Suivi on submission; only a buyer may record another date.",
    ),
    ("invalid_beneficiary_reference", 422, "A beneficiary reference is 1 to 64 characters."),
    (
        "amount_differs_from_proposal",
        422,
        "A confirmation states another amount than the penalty proposed: to apply another amount, adjust it.",
    ),
    (
        "penalty_proposal_unavailable",
        422,
        "The penalty proposal cannot be computed (no SMIC in force at the contract's reference date): \
         an administrator adds it with `suivi reference add`.",
    ),
    ("internal", 500, "An internal error; the body says nothing more, the server's log does."),
    ("unavailable", 503, "The database is unreachable; retry later (with the same `Idempotency-Key`)."),
];

/// Every problem type: the edge's, then the domain's (all 422), each code once.
pub fn problem_types() -> Vec<ProblemType> {
    let edge = EDGE.iter().map(|&(code, status, meaning)| ProblemType { code, status, meaning: meaning.to_owned() });
    let mut seen = std::collections::BTreeSet::new();
    let domain =
        DomainError::examples().into_iter().filter(|error| seen.insert(error.code())).map(|error| ProblemType {
            code: error.code(),
            status: 422,
            meaning: format!("A rule of the contract refuses the request, e.g. \u{ab} {error} \u{bb}."),
        });
    edge.chain(domain).collect()
}

/// The `ProblemType` component: a string that is one of the documented types.
pub fn problem_type_schema() -> Value {
    let one_of: Vec<Value> = problem_types()
        .iter()
        .map(|problem| json!({ "const": problem.type_uri(), "description": format!("HTTP {}. {}", problem.status, problem.meaning) }))
        .collect();
    json!({
        "description": "What went wrong, as a stable URI reference `/problems/<code>`; the codes are never \
            renamed once published. Domain codes are `suivi_domain::DomainError::code()`.",
        "type": "string",
        "oneOf": one_of,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn it_gives_one_example_per_domain_code_and_one_entry_per_code() {
        let examples = DomainError::examples();
        let codes: HashSet<&str> = examples.iter().map(DomainError::code).collect();
        assert_eq!(codes.len(), examples.len(), "two examples of one variant");
        let types = problem_types();
        let unique: HashSet<&str> = types.iter().map(|problem| problem.code).collect();
        assert_eq!(unique.len(), types.len(), "a code documented twice");
    }
}
