//! A router that documents itself: each route is registered with its documentation in the same
//! call, and what the handler's signature says is read from it.
//!
//! [`Routes::get`] and [`Routes::post`] add the route to an axum [`Router`] and record an
//! [`Operation`]: the method and path as routed, who may call it (the policy of the handler's
//! `Authorized<P>` or `CommandContext<P>`, public without either), whether it names a contract
//! (`ContractId`), whether it is a command (`CommandContext`: `Idempotency-Key`, `If-Match`), its
//! request body (the `T` of `JsonBody<T>`: schema and parser) and whether it reads a query string
//! (`RawQuery`) — all from the handler's extractors —, its answer (`Created`: a command's
//! `Accepted`; `Json<T>`, `Tagged<T>` with an `ETag`, or a page's `(HeaderMap, Json<T>)`: the
//! schema of `T`) from the handler's return type, plus what only words can say ([`Doc`]):
//! operation id, tag, summary, description, the query's parameters and the problems beyond
//! those its shape implies. Registration panics when the words contradict the
//! handler (a `{id}` path without `ContractId`, a body description without `JsonBody`, …), so
//! the router cannot be built from a wrong documentation.
//!
//! `suivi::openapi` turns the operations into the OpenAPI document; the server only routes.

use std::future::Future;

use axum::extract::{RawQuery, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;

use crate::auth::Policy;
use crate::{
    AppState, Authorized, CodePath, CommandContext, ContractId, Created, JsonBody, Problem, Registered, Registrar,
    Role, Tagged,
};

/// A function giving the schema of a type from a generator (a `$ref` to its definition, or the
/// schema itself for types that are inlined), so operations can name types as data.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// Reads a body exactly as a handler does, keeping only the verdict.
pub type BodyParseFn = fn(&[u8]) -> Result<(), Problem>;

/// Reads a query string exactly as a handler does, keeping only the verdict.
pub type QueryParseFn = fn(Option<&str>) -> Result<(), Problem>;

/// The [`SchemaFn`] of `T`.
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (health checks, the OpenAPI document).
    Public,
    /// A bearer token of one of these roles.
    Roles(&'static [Role]),
}

/// A request body: its Rust type's schema, how the server reads it, and its description.
#[derive(Clone, Copy)]
pub struct Body {
    pub description: &'static str,
    pub schema: SchemaFn,
    /// Reads a body exactly as the handler does ([`crate::json::parse`]).
    pub parse: BodyParseFn,
}

/// Query parameters: their names under `components/parameters`, how the handler reads a query
/// string, and query strings it refuses (each a 422 example).
#[derive(Clone, Copy)]
pub struct Query {
    pub parameters: &'static [&'static str],
    /// Reads a query string exactly as the handler does.
    pub parse: QueryParseFn,
    /// `(example name, query string)` pairs the handler refuses.
    pub refused: &'static [(&'static str, &'static str)],
}

/// What a successful call answers.
#[derive(Clone, Copy)]
pub enum Success {
    /// A command's `Accepted`: 201 with `Location` when it creates the contract, 200 otherwise;
    /// both with the contract's new `ETag`.
    Accepted { created: bool },
    /// 200 with a JSON body, and the contract's `ETag` when `etag` is set.
    Json { description: &'static str, schema: SchemaFn, etag: bool },
    /// 201 with `Location` and a JSON body: a participant registered.
    Registered { description: &'static str, schema: SchemaFn },
    /// 200 with a file to download (an export): its media type, with `Content-Disposition`.
    File { media_type: &'static str, description: &'static str },
    /// `/healthz`: 200 `ok` as plain text.
    Alive,
    /// `/readyz`: 200, or 503 naming the checks that failed.
    Ready,
    /// The OpenAPI document.
    Document,
}

/// Problems an operation answers besides those derived from its shape: `(status, code)`.
pub type Extra = &'static [crate::ProblemCode];

/// One routed operation, as documented.
#[derive(Clone, Copy)]
pub struct Operation {
    pub method: Method,
    /// As axum routes it, which is OpenAPI's template syntax: `/api/contracts/{id}`.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    /// From the handler's `Authorized<P>` or `CommandContext<P>`.
    pub access: Access,
    /// From the handler's `ContractId`: the path's `{id}`, which may answer 404.
    pub on_contract: bool,
    /// From the handler's `CommandContext`: it reads `Idempotency-Key` and `If-Match`, and
    /// records events.
    pub is_command: bool,
    /// From the handler's `Registrar`: it records a change to the participants' register.
    pub registers: bool,
    /// From the handler's `CodePath`: the path's `{code}`, which may answer 404.
    pub on_participant: bool,
    /// From the handler's `JsonBody<T>`, described by the [`Doc`].
    pub body: Option<Body>,
    /// When the handler reads `RawQuery`, as the [`Doc`] describes it.
    pub query: Option<Query>,
    pub success: Success,
    pub extra_problems: Extra,
}

impl Operation {
    /// Whether `If-Match` is read: a command on an existing contract.
    pub fn takes_if_match(&self) -> bool {
        self.is_command && self.on_contract
    }
}

/// What the words of an operation say: everything its handler's signature cannot.
#[derive(Clone, Copy)]
pub struct Doc {
    operation_id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
    body: Option<&'static str>,
    query: Option<Query>,
    answer: Answered,
    extra_problems: Extra,
}

/// What a [`Doc`] says of the answer; the rest comes from the handler's return type.
#[derive(Clone, Copy)]
enum Answered {
    /// A command's `Accepted`, creating the contract or not.
    Accepted { created: bool },
    /// JSON of the handler's type, described so.
    Json { description: &'static str },
    /// 201 with `Location` and JSON of the handler's type, described so.
    Registered { description: &'static str },
    /// An answer that is not JSON of a Rust type.
    Other(Success),
}

impl Doc {
    fn new(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        answer: Answered,
    ) -> Self {
        Doc { operation_id, tag, summary, description, body: None, query: None, answer, extra_problems: &[] }
    }

    /// A command on a contract: its body (described here) and its `Accepted` answer (200).
    pub fn command(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        body: &'static str,
    ) -> Self {
        Doc {
            body: Some(body),
            ..Doc::new(operation_id, tag, summary, description, Answered::Accepted { created: false })
        }
    }

    /// A change to the participants' register (no contract): its body (described here) and its
    /// answer, 201 with `Location` and the JSON of what was registered.
    pub fn registration(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        body: &'static str,
        response: &'static str,
    ) -> Self {
        Doc {
            body: Some(body),
            ..Doc::new(operation_id, tag, summary, description, Answered::Registered { description: response })
        }
    }

    /// A change to the participants' register answering 200 with the JSON its handler returns.
    pub fn register_change(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        body: &'static str,
        response: &'static str,
    ) -> Self {
        Doc {
            body: Some(body),
            ..Doc::new(operation_id, tag, summary, description, Answered::Json { description: response })
        }
    }

    /// A read answering 200 with the JSON its handler returns (described here).
    pub fn read(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        response: &'static str,
    ) -> Self {
        Doc::new(operation_id, tag, summary, description, Answered::Json { description: response })
    }

    /// An operation whose answer is not JSON of a Rust type (health checks, metrics, the document).
    pub fn other(
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
        success: Success,
    ) -> Self {
        Doc::new(operation_id, tag, summary, description, Answered::Other(success))
    }

    /// The command creates the contract: 201 with `Location`.
    pub fn creating(mut self) -> Self {
        self.answer = Answered::Accepted { created: true };
        self
    }

    /// The query string the handler reads.
    pub fn query(mut self, query: Query) -> Self {
        self.query = Some(query);
        self
    }

    /// Problems beyond those the operation's shape implies.
    pub fn problems(mut self, extra: Extra) -> Self {
        self.extra_problems = extra;
        self
    }
}

/// What one extractor tells of an operation.
#[derive(Clone, Copy, Default)]
pub struct Inputs {
    pub roles: Option<&'static [Role]>,
    pub on_contract: bool,
    pub is_command: bool,
    pub registers: bool,
    pub on_participant: bool,
    pub body: Option<(SchemaFn, BodyParseFn)>,
    pub query: bool,
}

/// An extractor that says something of the operation (or nothing: the default).
pub trait Input {
    fn describe(_inputs: &mut Inputs) {}
}

impl<P: Policy> Input for Authorized<P> {
    fn describe(inputs: &mut Inputs) {
        inputs.roles = Some(P::ROLES);
    }
}

impl<P: Policy> Input for CommandContext<P> {
    fn describe(inputs: &mut Inputs) {
        inputs.roles = Some(P::ROLES);
        inputs.is_command = true;
    }
}

impl<P: Policy> Input for Registrar<P> {
    fn describe(inputs: &mut Inputs) {
        inputs.roles = Some(P::ROLES);
        inputs.registers = true;
    }
}

impl Input for CodePath {
    fn describe(inputs: &mut Inputs) {
        inputs.on_participant = true;
    }
}

impl Input for ContractId {
    fn describe(inputs: &mut Inputs) {
        inputs.on_contract = true;
    }
}

impl<T: JsonSchema + DeserializeOwned> Input for JsonBody<T> {
    fn describe(inputs: &mut Inputs) {
        inputs.body = Some((schema_of::<T>, |bytes| crate::json::parse::<T>(bytes).map(drop)));
    }
}

impl Input for RawQuery {
    fn describe(inputs: &mut Inputs) {
        inputs.query = true;
    }
}

impl<S> Input for State<S> {}

/// A value the application layers in (`/readyz`'s probes): nothing the client sends.
impl<T> Input for Option<axum::Extension<T>> {}

/// What a handler's return type tells of its success.
#[derive(Clone, Copy)]
pub enum Output {
    /// `Created`: a command's `Accepted`.
    Accepted,
    /// JSON of a Rust type, with the contract's `ETag` or not.
    Json { schema: SchemaFn, etag: bool },
    /// `Registered`: 201, `Location` and JSON of a Rust type.
    Registered { schema: SchemaFn },
    /// Anything else: the [`Doc`] says what (health checks, metrics, the document).
    Other,
}

/// A handler's return type, as far as the document is concerned.
pub trait Answer {
    fn output() -> Output {
        Output::Other
    }
}

impl Answer for Created {
    fn output() -> Output {
        Output::Accepted
    }
}

impl<T: JsonSchema> Answer for Json<T> {
    fn output() -> Output {
        Output::Json { schema: schema_of::<T>, etag: false }
    }
}

impl<T: JsonSchema> Answer for Registered<T> {
    fn output() -> Output {
        Output::Registered { schema: schema_of::<T> }
    }
}

impl<T: JsonSchema> Answer for Tagged<T> {
    fn output() -> Output {
        Output::Json { schema: schema_of::<T>, etag: true }
    }
}

/// A page: its `Link` and lag headers, and its items.
impl<T: JsonSchema> Answer for (HeaderMap, Json<T>) {
    fn output() -> Output {
        Output::Json { schema: schema_of::<T>, etag: false }
    }
}

impl<T: Answer> Answer for Result<T, Problem> {
    fn output() -> Output {
        T::output()
    }
}

/// A handler whose refusals carry headers a [`Problem`] cannot (a `Location`).
impl<T: Answer> Answer for Result<T, Response> {
    fn output() -> Output {
        T::output()
    }
}

impl Answer for &'static str {}
impl Answer for String {}
impl Answer for Response {}
impl<T> Answer for (StatusCode, Json<T>) {}
impl<T> Answer for ([(axum::http::HeaderName, &'static str); 1], T) {}

/// The extractors of a handler, as axum's [`Handler`] names them: `(M, T1, …, Tn)`.
pub trait HandlerInputs {
    fn inputs() -> Inputs;
}

/// The return type of a handler taking the extractors `T` (as in [`HandlerInputs`]).
pub trait HandlerOutput<T> {
    fn output() -> Output;
}

impl<F, Fut> HandlerOutput<((),)> for F
where
    F: FnOnce() -> Fut,
    Fut: Future,
    Fut::Output: Answer,
{
    fn output() -> Output {
        <Fut::Output as Answer>::output()
    }
}

macro_rules! handler_output {
    ($($t:ident),+) => {
        impl<F, Fut, M, $($t),+> HandlerOutput<(M, $($t,)+)> for F
        where
            F: FnOnce($($t),+) -> Fut,
            Fut: Future,
            Fut::Output: Answer,
        {
            fn output() -> Output {
                <Fut::Output as Answer>::output()
            }
        }
    };
}

handler_output!(T1);
handler_output!(T1, T2);
handler_output!(T1, T2, T3);
handler_output!(T1, T2, T3, T4);

impl HandlerInputs for ((),) {
    fn inputs() -> Inputs {
        Inputs::default()
    }
}

macro_rules! handler_inputs {
    ($($t:ident),+) => {
        impl<M, $($t: Input),+> HandlerInputs for (M, $($t,)+) {
            fn inputs() -> Inputs {
                let mut inputs = Inputs::default();
                $($t::describe(&mut inputs);)+
                inputs
            }
        }
    };
}

handler_inputs!(T1);
handler_inputs!(T1, T2);
handler_inputs!(T1, T2, T3);
handler_inputs!(T1, T2, T3, T4);

/// A router and the documentation of each of its routes.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    operations: Vec<Operation>,
}

impl Routes {
    pub fn new() -> Self {
        Routes::default()
    }

    /// Routes `GET path` to `handler`, documented by `doc`.
    pub fn get<H, T>(self, path: &'static str, handler: H, doc: Doc) -> Self
    where
        H: Handler<T, AppState> + HandlerOutput<T>,
        T: HandlerInputs + 'static,
    {
        self.add(Method::Get, path, get(handler), T::inputs(), H::output(), doc)
    }

    /// Routes `POST path` to `handler`, documented by `doc`.
    pub fn post<H, T>(self, path: &'static str, handler: H, doc: Doc) -> Self
    where
        H: Handler<T, AppState> + HandlerOutput<T>,
        T: HandlerInputs + 'static,
    {
        self.add(Method::Post, path, post(handler), T::inputs(), H::output(), doc)
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        route: axum::routing::MethodRouter<AppState>,
        inputs: Inputs,
        output: Output,
        doc: Doc,
    ) -> Self {
        let operation = operation(method, path, inputs, output, doc);
        self.router = self.router.route(path, route);
        self.operations.push(operation);
        self
    }

    /// Both routes and documentation of `other` (whose paths and methods must be new).
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.operations.extend(other.operations);
        self
    }

    /// Every operation routed, in the order they were registered.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The router, its documentation dropped.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The operation, checking that the words agree with the handler.
///
/// # Panics
///
/// When they do not: the router is not built.
fn operation(method: Method, path: &'static str, inputs: Inputs, output: Output, doc: Doc) -> Operation {
    let what = format!("{} {path} ({})", method.as_str(), doc.operation_id);
    assert_eq!(path.contains("{id}"), inputs.on_contract, "{what}: a `{{id}}` path is read by `ContractId`, only");
    assert_eq!(path.contains("{code}"), inputs.on_participant, "{what}: a `{{code}}` path is read by `CodePath`, only");
    assert_eq!(
        inputs.is_command || inputs.registers,
        method == Method::Post,
        "{what}: every POST, and only a POST, is a command or a change to the register"
    );
    assert_eq!(inputs.query, doc.query.is_some(), "{what}: a handler reading `RawQuery` documents its query");
    let body = match (inputs.body, doc.body) {
        (Some((schema, parse)), Some(description)) => Some(Body { description, schema, parse }),
        (None, None) => None,
        _ => panic!("{what}: a handler reading `JsonBody` documents its body, and only it"),
    };
    let success = match (output, doc.answer) {
        (Output::Accepted, Answered::Accepted { created }) => Success::Accepted { created },
        (Output::Json { schema, etag }, Answered::Json { description }) => Success::Json { description, schema, etag },
        (Output::Registered { schema }, Answered::Registered { description }) => {
            Success::Registered { description, schema }
        }
        (Output::Other, Answered::Other(success))
            if !matches!(success, Success::Accepted { .. } | Success::Json { .. }) =>
        {
            success
        }
        _ => panic!("{what}: the handler's return type and the documented answer differ"),
    };
    assert_eq!(matches!(success, Success::Accepted { .. }), inputs.is_command, "{what}: a command answers `Accepted`");
    Operation {
        method,
        path,
        operation_id: doc.operation_id,
        tag: doc.tag,
        summary: doc.summary,
        description: doc.description,
        access: inputs.roles.map_or(Access::Public, Access::Roles),
        on_contract: inputs.on_contract,
        is_command: inputs.is_command,
        registers: inputs.registers,
        on_participant: inputs.on_participant,
        body,
        query: doc.query,
        success,
        extra_problems: doc.extra_problems,
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::RawQuery;

    use super::*;
    use crate::policies::{Buyers, Readers};

    async fn command(
        _: CommandContext<Buyers>,
        _: ContractId,
        _: JsonBody<serde_json::Value>,
    ) -> Result<Created, Problem> {
        Err(Problem::of(crate::ProblemCode::NotFound))
    }

    async fn read(_: Authorized<Readers>, _: State<AppState>, _: RawQuery) -> Json<Vec<u32>> {
        Json(Vec::new())
    }

    fn command_doc() -> Doc {
        Doc::command("command", "tag", "summary", "description", "the body")
    }

    fn read_doc() -> Doc {
        Doc::read("read", "tag", "summary", "description", "the answer")
    }

    fn query() -> Query {
        Query { parameters: &["Limit"], parse: |_| Ok(()), refused: &[] }
    }

    #[test]
    fn it_reads_roles_path_id_headers_and_body_from_the_handler() {
        let routes = Routes::new().post("/things/{id}", command, command_doc());
        let [operation] = routes.operations() else { panic!("one operation") };
        assert_eq!(operation.method, Method::Post);
        assert_eq!(operation.path, "/things/{id}");
        assert_eq!(operation.access, Access::Roles(&[Role::Buyer]));
        assert!(operation.on_contract && operation.is_command && operation.takes_if_match());
        let body = operation.body.expect("a body");
        assert_eq!(body.description, "the body");
        assert!((body.parse)(b"{}").is_ok() && (body.parse)(b"{").is_err());
    }

    #[test]
    fn it_reads_a_read_s_policy_and_query_and_a_public_route() {
        let routes = Routes::new().get("/things", read, read_doc().query(query())).get(
            "/alive",
            || async { "ok" },
            Doc::other("alive", "tag", "s", "d", Success::Alive),
        );
        let [read, alive] = routes.operations() else { panic!("two operations") };
        assert!(matches!(read.success, Success::Json { etag: false, .. }));
        assert_eq!(read.access, Access::Roles(Readers::ROLES));
        assert!(!read.on_contract && !read.is_command && read.body.is_none() && read.query.is_some());
        assert_eq!(alive.access, Access::Public);
    }

    #[test]
    #[should_panic(expected = "`ContractId`")]
    fn it_refuses_a_contract_id_the_path_does_not_have() {
        let _ = Routes::new().post("/things", command, command_doc());
    }

    #[test]
    #[should_panic(expected = "documents its query")]
    fn it_refuses_an_undocumented_query() {
        let _ = Routes::new().get("/things", read, read_doc());
    }

    #[test]
    #[should_panic(expected = "only a POST")]
    fn it_refuses_a_command_routed_as_get() {
        let _ = Routes::new().get("/things/{id}", command, command_doc());
    }

    #[test]
    #[should_panic(expected = "return type")]
    fn it_refuses_a_read_whose_handler_answers_no_json_type() {
        async fn untyped(_: Authorized<Readers>) -> Response {
            Response::default()
        }
        let _ = Routes::new().get("/things", untyped, read_doc());
    }

    #[test]
    #[should_panic(expected = "documents its body")]
    fn it_refuses_a_body_the_handler_does_not_read() {
        async fn no_body(_: CommandContext<Buyers>, _: ContractId) -> Result<Created, Problem> {
            Err(Problem::of(crate::ProblemCode::NotFound))
        }
        let _ = Routes::new().post("/things/{id}", no_body, command_doc());
    }
}
