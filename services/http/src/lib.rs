//! What every Suivi HTTP service shares: bearer-token principals, RFC 9457 problems, strict JSON
//! bodies that name the field at fault, idempotency keys and ETags, tenants and pseudonyms.

pub mod auth;
pub mod command;
pub mod credentials;
pub mod json;
pub mod language;
pub mod listing;
pub mod preconditions;
pub mod problem;
pub mod register;
pub mod request_id;
pub mod routes;
pub mod state;
pub mod tenants;
pub mod throttle;
pub mod timeouts;
pub mod tokens;

pub use auth::{policies, require, Authorized, Principal, Role};
pub use command::{CommandContext, ContractId, Created};
pub use json::{JsonBody, RequestDigest};
pub use preconditions::{etag, IdempotencyKey, IfMatch, Tagged};
pub use problem::{Problem, ProblemCode, Text};
pub use register::{CodePath, Registered, Registrar};
pub use request_id::RequestId;
pub use state::AppState;
pub use suivi_domain::Lang;
