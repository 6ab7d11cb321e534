//! Every operation of the API, as data: one entry per route of `crate::app::router`.
//!
//! What an entry does not say is derived from what it does (see `super::paths`): a `{id}` in
//! the path is the contract id and may answer 404; every POST takes an `Idempotency-Key`, may
//! meet a concurrent change (409) and a rule of the domain (422); a POST to an existing
//! contract takes `If-Match` (412); a body may be malformed (400), too large (413), not JSON
//! (415) or of the wrong shape (422); a query parameter may be missing or invalid (422). The
//! roles are the handlers' own policies.

use serde_json::Value;
use suivi_contracts::{ApprovalBody, ContractSummary, ContractView};
use suivi_declarations::{InstalmentRequestBody, QueuedStatement};
use suivi_http::auth::Policy;
use suivi_http::policies::{Buyers, Facilitators, Finance, IndicatorReaders, Readers, Requesters, Reviewers};
use suivi_http::{Problem, ProblemCode, Role};
use suivi_projector::YearlyIndicators;
use suivi_proto::events::{
    AdvancePaidV1, ContractAmendedV1, ContractAwardedV1, ContractSettledV1, ContractTerminatedV1, InstalmentPaidV1,
    PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyWaivedV1, StatementReviewedV1,
};
use suivi_reporting::PenaltyView;

use super::examples::{self, Example, Story};
use super::schemas::{array_of, schema_of, SchemaFn};

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
    /// Anyone, without a token (health checks, this document).
    Public,
    /// A bearer token of one of these roles.
    Roles(&'static [Role]),
}

/// A request body: its Rust type's schema, how the server reads it, and examples.
#[derive(Clone, Copy)]
pub struct Body {
    pub description: &'static str,
    pub schema: SchemaFn,
    /// Reads a body exactly as the handler does (`suivi_http::json::parse`).
    pub parse: fn(&[u8]) -> Result<(), Problem>,
    pub examples: fn() -> Vec<Example>,
}

impl Body {
    fn of<T: schemars::JsonSchema + serde::de::DeserializeOwned>(
        description: &'static str,
        examples: fn() -> Vec<Example>,
    ) -> Self {
        Body {
            description,
            schema: schema_of::<T>,
            parse: |bytes| suivi_http::json::parse::<T>(bytes).map(drop),
            examples,
        }
    }
}

/// Query parameters: their components under `components/parameters`, how the handler reads a
/// query string, and query strings it refuses (each a 422 example).
#[derive(Clone, Copy)]
pub struct Query {
    pub parameters: &'static [&'static str],
    /// Reads a query string exactly as the handler does.
    pub parse: fn(Option<&str>) -> Result<(), Problem>,
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
    Json { description: &'static str, schema: SchemaFn, etag: bool, example: fn(&Story) -> Value },
    /// `/healthz`: 200 `ok` as plain text.
    Alive,
    /// `/readyz`: 200, or 503 when the database is unreachable.
    Ready,
    /// `/metrics`: Prometheus' text format.
    Metrics,
    /// This document.
    Document,
}

/// Problems an operation answers besides those derived from its shape (each with its status).
pub type Extra = &'static [ProblemCode];

#[derive(Clone, Copy)]
pub struct Operation {
    pub method: Method,
    /// As axum routes it, which is OpenAPI's template syntax: `/api/contracts/{id}`.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub access: Access,
    pub body: Option<Body>,
    pub query: Option<Query>,
    pub success: Success,
    pub extra_problems: Extra,
}

impl Operation {
    /// Whether the path names an existing contract (`{id}`).
    pub fn on_contract(&self) -> bool {
        self.path.contains("{id}")
    }

    /// A command: a POST that appends events.
    pub fn is_command(&self) -> bool {
        self.method == Method::Post
    }

    /// Whether `If-Match` is read: a command on an existing contract.
    pub fn takes_if_match(&self) -> bool {
        self.is_command() && self.on_contract()
    }
}

/// The tags, in the order a reader meets them, with their description.
pub const TAGS: &[(&str, &str)] = &[
    ("contracts", "Buyers (service de la commande publique) record a contract's life; every role reads contracts."),
    (
        "declarations",
        "Contractors (titulaires) request instalments with their hour statement; facilitators review them.",
    ),
    ("payments", "Finance reports the payments it made."),
    (
        "penalties",
        "The penalty for insertion hours not done, proposed at final settlement with its computation; the \
         sustainability service (facilitators) confirms, adjusts or waives it.",
    ),
    ("indicators", "Yearly indicators of responsible procurement (SPASER, PNAD targets), per buyer and consolidated."),
    ("operations", "Health checks and this document."),
];

const fn roles<P: Policy>() -> Access {
    Access::Roles(P::ROLES)
}

fn command(
    path: &'static str,
    operation_id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
    access: Access,
    body: Body,
) -> Operation {
    Operation {
        method: Method::Post,
        path,
        operation_id,
        tag,
        summary,
        description,
        access,
        body: Some(body),
        query: None,
        success: Success::Accepted { created: false },
        extra_problems: &[],
    }
}

/// Every operation, in the order the document lists them.
pub fn operations() -> Vec<Operation> {
    vec![
        Operation {
            success: Success::Accepted { created: true },
            extra_problems: &[ProblemCode::AlreadyExists, ProblemCode::BuyerNotInTenant],
            ..command(
                "/api/contracts",
                "awardContract",
                "contracts",
                "Record an awarded contract (marché notifié)",
                "Records a notified contract with everything its rules need: contractors, amount, VAT rate, \
                 duration, insertion clause and penalty terms, advance terms, payment term. Suivi makes the \
                 contract's id (a UUID v7) and answers 201 with its `Location` and `ETag`. The buyer must be \
                 one your organisation purchases for. A retry with the same `Idempotency-Key` answers the \
                 first contract again instead of recording a second one.",
                roles::<Buyers>(),
                Body::of::<ContractAwardedV1>("The contract as notified.", examples::award),
            )
        },
        Operation {
            method: Method::Get,
            path: "/api/contracts",
            operation_id: "listContracts",
            tag: "contracts",
            summary: "List the contracts you follow",
            description: "The contracts of your organisation, with their amounts, insertion hours and at-risk \
                flag; a contractor sees only the contracts it holds. Served from the read models, by pages, \
                filtered by buyer, status, year of notification and risk.",
            access: roles::<Readers>(),
            body: None,
            query: Some(Query {
                parameters: &["Buyer", "Status", "NotifiedIn", "AtRisk", "Limit", "Cursor"],
                parse: |query| suivi_contracts::list_query(query).map(drop),
                refused: &[("unknown_status", "status=open"), ("unknown_parameter", "colour=red")],
            }),
            success: Success::Json {
                description: "A page of contracts, in the order of their ids (the order they were recorded).",
                schema: array_of::<ContractSummary>,
                etag: false,
                example: |story| Value::Array(vec![story.summary.clone()]),
            },
            extra_problems: &[],
        },
        Operation {
            method: Method::Get,
            path: "/api/contracts/{id}",
            operation_id: "getContract",
            tag: "contracts",
            summary: "Read one contract (suivi du marché)",
            description: "The contract in full: amounts, insertion hours (committed, declared, validated, rejected, \
                pending, remaining), advance outstanding, and every instalment with its statement lines, their \
                review, its approval and its payment. The `ETag` is the version to send back in `If-Match`.",
            access: roles::<Readers>(),
            body: None,
            query: None,
            success: Success::Json {
                description: "The contract.",
                schema: schema_of::<ContractView>,
                etag: true,
                example: |story| story.contract.clone(),
            },
            extra_problems: &[],
        },
        command(
            "/api/contracts/{id}/amendments",
            "amendContract",
            "contracts",
            "Record an amendment (avenant)",
            "Records a signed amendment: a new total amount, duration or number of committed insertion hours \
             (absent fields are unchanged). Amendments are numbered 1, 2, … in signature order.",
            roles::<Buyers>(),
            Body::of::<ContractAmendedV1>("The amendment.", examples::amendment),
        ),
        command(
            "/api/contracts/{id}/termination",
            "terminateContract",
            "contracts",
            "Record an early termination (résiliation)",
            "Records that the contract ended early, with the value executed: committed insertion hours are \
             pro-rated to it when the penalty terms say so.",
            roles::<Buyers>(),
            Body::of::<ContractTerminatedV1>("The termination.", examples::termination),
        ),
        command(
            "/api/contracts/{id}/instalment-approvals",
            "approveInstalment",
            "contracts",
            "Approve an instalment (acompte) for payment",
            "Approves a requested instalment; Suivi computes the gross amount including VAT, the advance \
             recovered on it and the net to pay, which finance then pays. Instalments are approved in order.",
            roles::<Buyers>(),
            Body::of::<ApprovalBody>("The approval.", examples::approval),
        ),
        command(
            "/api/contracts/{id}/settlement",
            "settleContract",
            "contracts",
            "Record the final settlement (décompte général et définitif)",
            "Records the final amount. Every statement line must have been reviewed first: the penalty for \
             insertion hours not done is computed from here on.",
            roles::<Buyers>(),
            Body::of::<ContractSettledV1>("The final settlement.", examples::settlement),
        ),
        Operation {
            extra_problems: &[
                ProblemCode::NoPseudonymKey,
                ProblemCode::ReceivedOnSetByServer,
                ProblemCode::InvalidBeneficiaryReference,
            ],
            ..command(
                "/api/contracts/{id}/instalments",
                "requestInstalment",
                "declarations",
                "Request an instalment (demande d'acompte) with the hour statement",
                "The contractor requests an instalment for a period, with the cumulative value executed and the \
                 statement of insertion hours done: one line per person, modality and calendar month. Each \
                 person is named by the contractor's own reference, which Suivi never stores: it keeps only your \
                 organisation's keyed pseudonym of it. Suivi stamps the reception date, from which the payment \
                 term runs; only a buyer, recording a request received on paper, may set `received_on`.",
                roles::<Requesters>(),
                Body::of::<InstalmentRequestBody>(
                    "The instalment request and its hour statement.",
                    examples::instalment_request,
                ),
            )
        },
        command(
            "/api/contracts/{id}/statement-reviews",
            "reviewStatement",
            "declarations",
            "Review an hour statement (validation des heures)",
            "The facilitator validates or rejects statement lines of an instalment, each rejection with its \
             reason. Lines may be reviewed over several calls; each line once.",
            roles::<Facilitators>(),
            Body::of::<StatementReviewedV1>("The decisions on statement lines.", examples::statement_review),
        ),
        Operation {
            method: Method::Get,
            path: "/api/review-queue",
            operation_id: "getReviewQueue",
            tag: "declarations",
            summary: "List the statements waiting for review",
            description: "Every instalment with statement lines still undecided, oldest received first, with the \
                contract's version to send in `If-Match` with the review.",
            access: roles::<Reviewers>(),
            body: None,
            query: Some(Query {
                parameters: &["Limit", "Cursor"],
                parse: |query| suivi_declarations::queue_query(query).map(drop),
                refused: &[("limit_out_of_range", "limit=0")],
            }),
            success: Success::Json {
                description: "The statements waiting for review.",
                schema: array_of::<QueuedStatement>,
                etag: false,
                example: |story| story.queue.clone(),
            },
            extra_problems: &[],
        },
        command(
            "/api/contracts/{id}/advance-payments",
            "recordAdvancePayment",
            "payments",
            "Report that the advance (avance) was paid",
            "Finance reports the advance it paid: at most the advance the contract grants, once.",
            roles::<Finance>(),
            Body::of::<AdvancePaidV1>("The advance payment.", examples::advance_paid),
        ),
        command(
            "/api/contracts/{id}/instalment-payments",
            "recordInstalmentPayment",
            "payments",
            "Report that an approved instalment was paid",
            "Finance reports the payment of an approved instalment, once; late-payment interest is computed on \
             the amount paid.",
            roles::<Finance>(),
            Body::of::<InstalmentPaidV1>("The instalment payment.", examples::instalment_paid),
        ),
        Operation {
            method: Method::Get,
            path: "/api/contracts/{id}/penalty",
            operation_id: "getPenalty",
            tag: "penalties",
            summary: "Read the penalty proposal (pénalité d'insertion) and its computation",
            description: "Once the contract is settled, the penalty for insertion hours not done: hours committed \
                (after amendments, pro-rated on termination), counted (validated, or declared when the contract \
                says so), shortfall, tolerance, rate (fixed, or a multiple of the SMIC in force at the reference \
                date), raw amount, cap, exemption threshold, final amount — and `explanation`, the same steps in \
                French for the contractor's letter. With the decision, once taken. 404 before the settlement or \
                without an insertion clause. Contractors read their own contracts' proposal, to make their \
                observations before the decision.",
            access: roles::<Readers>(),
            body: None,
            query: None,
            success: Success::Json {
                description: "The proposal, its steps, and the decision if taken.",
                schema: schema_of::<PenaltyView>,
                etag: true,
                example: |story| story.penalty.clone(),
            },
            extra_problems: &[],
        },
        Operation {
            extra_problems: &[ProblemCode::AmountDiffersFromProposal, ProblemCode::PenaltyProposalUnavailable],
            ..command(
                "/api/contracts/{id}/penalty-confirmation",
                "confirmPenalty",
                "penalties",
                "Confirm the penalty as proposed",
                "Applies the proposal as computed; `amount_ht` restates it (`proposed_amount_ht` of \
                 `GET …/penalty`), so what is confirmed is what was read. One decision per contract, after the \
                 settlement, final; confirmed amounts go to finance for deduction.",
                roles::<Facilitators>(),
                Body::of::<PenaltyConfirmedV1>("The confirmation.", examples::penalty_confirmation),
            )
        },
        command(
            "/api/contracts/{id}/penalty-adjustment",
            "adjustPenalty",
            "penalties",
            "Adjust the penalty, with a reason",
            "Applies another amount than proposed (more than 0: to apply none, waive), with the written reason. \
             One decision per contract, after the settlement, final.",
            roles::<Facilitators>(),
            Body::of::<PenaltyAdjustedV1>("The adjustment.", examples::penalty_adjustment),
        ),
        command(
            "/api/contracts/{id}/penalty-waiver",
            "waivePenalty",
            "penalties",
            "Waive the penalty, with a reason",
            "Applies no penalty, with the written reason (the contractor's observations admitted, say). One \
             decision per contract, after the settlement, final.",
            roles::<Facilitators>(),
            Body::of::<PenaltyWaivedV1>("The waiver.", examples::penalty_waiver),
        ),
        Operation {
            method: Method::Get,
            path: "/api/indicators",
            operation_id: "getYearlyIndicators",
            tag: "indicators",
            summary: "Yearly indicators (indicateurs SPASER et PNAD)",
            description: "Your organisation's indicators for one calendar year, consolidated and for each buyer \
                SIRET: contracts notified and those with social or environmental considerations (beside the PNAD \
                targets of 30 % and 100 %), reserved contracts, awards to SMEs; insertion hours committed, \
                declared, validated, rejected and short, by category of person and by modality; distinct \
                beneficiaries and firms; penalties proposed, confirmed, adjusted and waived; advances; payment \
                delays and late-payment interest; contracts at risk. `docs/indicators.md` defines each figure \
                and the date that puts it in a year. Computed from the read models, which follow the log within \
                seconds (see `/readyz`).",
            access: roles::<IndicatorReaders>(),
            body: None,
            query: Some(Query {
                parameters: &["Year"],
                parse: |query| suivi_reporting::year_of(query).map(drop),
                refused: &[("missing_year", ""), ("year_out_of_range", "year=1999")],
            }),
            success: Success::Json {
                description: "The year's indicators, consolidated and per buyer.",
                schema: schema_of::<YearlyIndicators>,
                etag: false,
                example: |_| super::indicator_example::yearly_indicators(),
            },
            extra_problems: &[],
        },
        Operation {
            method: Method::Get,
            path: "/healthz",
            operation_id: "checkAlive",
            tag: "operations",
            summary: "Liveness",
            description: "Answers `ok` while the process serves HTTP; it checks nothing else.",
            access: Access::Public,
            body: None,
            query: None,
            success: Success::Alive,
            extra_problems: &[],
        },
        Operation {
            method: Method::Get,
            path: "/readyz",
            operation_id: "checkReady",
            tag: "operations",
            summary: "Readiness",
            description: "200 when the database answers and the read models are less than 10 000 events and \
                          60 seconds behind the log; 503 otherwise.",
            access: Access::Public,
            body: None,
            query: None,
            success: Success::Ready,
            extra_problems: &[],
        },
        Operation {
            method: Method::Get,
            path: "/metrics",
            operation_id: "metrics",
            tag: "operations",
            summary: "Prometheus metrics",
            description: "Counters of commands (by outcome), events relayed and projected; gauges of the \
                          projector's lag in events and seconds.",
            access: Access::Public,
            body: None,
            query: None,
            success: Success::Metrics,
            extra_problems: &[],
        },
        Operation {
            method: Method::Get,
            path: "/api/openapi.json",
            operation_id: "getOpenApiDocument",
            tag: "operations",
            summary: "This OpenAPI document",
            description: "The OpenAPI 3.1 document of this API, as checked in at `services/suivi/openapi.json`.",
            access: Access::Public,
            body: None,
            query: None,
            success: Success::Document,
            extra_problems: &[],
        },
    ]
}
