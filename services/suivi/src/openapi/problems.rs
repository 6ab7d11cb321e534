//! Every problem `type` the API answers: `/problems/<code>`.
//!
//! The edge's codes are [`ProblemCode::ALL`] (each with its status and meaning); the rules' come
//! from [`DomainError::code`], through [`DomainError::examples`], one refusal per variant (an
//! exhaustive `match` beside them stops compiling when a variant is added). No code is written
//! anywhere as a string literal: a problem is made from one of these types.

use serde_json::{json, Value};
use suivi_domain::{DomainError, Lang};
use suivi_http::problem::RULE_STATUS;
use suivi_http::ProblemCode;

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

/// Every problem type: the edge's, then the rules' (all [`RULE_STATUS`]), each code once.
pub fn problem_types() -> Vec<ProblemType> {
    let edge = ProblemCode::ALL.iter().map(|code| ProblemType {
        code: code.code(),
        status: code.status().as_u16(),
        meaning: code.meaning().to_owned(),
    });
    let mut seen = std::collections::BTreeSet::new();
    let domain =
        DomainError::examples().into_iter().filter(|error| seen.insert(error.code())).map(|error| ProblemType {
            code: error.code(),
            status: RULE_STATUS.as_u16(),
            meaning: format!(
                "A rule of the contract refuses the request, e.g. \u{ab} {} \u{bb} (in English; in French: \
                 \u{ab} {} \u{bb}).",
                error.message(Lang::En),
                error.message(Lang::Fr)
            ),
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
            renamed once published, and are the same whatever the language of the `title` and `detail`. \
            Domain codes are `suivi_domain::DomainError::code()`.",
        "type": "string",
        "oneOf": one_of,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn it_gives_one_entry_per_code() {
        let types = problem_types();
        let unique: HashSet<&str> = types.iter().map(|problem| problem.code).collect();
        assert_eq!(unique.len(), types.len(), "a code documented twice");
    }
}
