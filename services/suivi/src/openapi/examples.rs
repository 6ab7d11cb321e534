//! The document's examples: one contract's life, told through the request bodies.
//!
//! Each request example is played through the real domain ([`suivi_domain::decide`]) in the
//! order a contract lives it, so an example the rules would refuse fails generation; the
//! responses' examples (what a command answers, the contract as it reads afterwards) are what
//! that play produced. Tests also check every example against its schema and the Rust type.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use suivi_contracts::{ApprovalBody, ContractSummary, ContractView};
use suivi_declarations::InstalmentRequestBody;
use suivi_domain::participants::assume_registered;
use suivi_domain::{decide, Command, Contract, DecisionContext, DomainError, References};
use suivi_proto::codes::ParticipantCode;
use suivi_proto::events::{Beneficiary, EligibleCategory, HourStatement, InstalmentRequestedV2, StatementLine};
use suivi_reporting::PenaltyView;
use uuid::Uuid;

/// A named example of a request or response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub name: &'static str,
    pub summary: &'static str,
    pub value: Value,
}

/// The id of the contract of the examples.
pub const CONTRACT_ID: &str = "01901c4e-8f6a-7b3e-9d2c-5a7e1f3b8c40";

/// The day the examples' decisions are taken.
const TODAY: (i32, u32, u32) = (2025, 6, 30);

/// The day Suivi stamps on the contractor's instalment request (it sets `received_on` itself).
const RECEIVED_ON: &str = "2024-04-03";

pub fn award() -> Vec<Example> {
    vec![
        Example {
            name: "works_with_insertion_clause",
            summary: "Works contract with an insertion clause of 1 000 hours and a 10 % advance",
            value: json!({
                "buyer_siret": "20004869500015",
                "buyer_kind": "local_authority",
                "contractors": [{ "siret": "73282932000074", "size": "pme", "role": "sole" }],
                "object": "Réhabilitation du gymnase communautaire",
                "cpv_code": "45212222-8",
                "procedure": "Appel d'offres ouvert",
                "ccag": "Travaux",
                "amount_ht": "1000000.00",
                "vat_rate": "0.20",
                "duration_months": 12,
                "notification_date": "2024-03-01",
                "social_considerations": ["clause_sociale"],
                "environmental_considerations": ["pas_de_consideration_environnementale"],
                "insertion_clause": {
                    "committed_hours": "1000",
                    "penalty_terms": {
                        "rate": { "kind": "fixed", "amount_per_hour_ht": "60.00" },
                        "basis": "validated",
                        "tolerance_share": "0",
                        "cap_share": "0.2",
                        "pro_rata_on_termination": true
                    }
                },
                "advance_terms": {
                    "rate": "0.10",
                    "with_guarantee": false,
                    "recovery": { "kind": "thresholds", "start_share": "0.65", "end_share": "0.80" }
                },
                "payment_term_days": 30
            }),
        },
        Example {
            name: "group_lot_smic_penalty",
            summary: "A lot awarded to a group, penalty in SMIC multiples, no advance",
            value: json!({
                "buyer_siret": "20004869500015",
                "buyer_kind": "local_authority",
                "contractors": [
                    { "siret": "73282932000074", "size": "pme", "role": "lead" },
                    { "siret": "44306184100047", "size": "tpe", "role": "co_contractor" }
                ],
                "object": "Entretien des espaces verts",
                "cpv_code": "77310000",
                "procedure": "Procédure adaptée",
                "lot": { "number": 2, "title": "Secteur nord" },
                "amount_ht": "180000.00",
                "vat_rate": "0.20",
                "duration_months": 36,
                "notification_date": "2024-09-02",
                "social_considerations": ["clause_sociale", "critere_social"],
                "environmental_considerations": ["clause_environnementale"],
                "insertion_clause": {
                    "committed_hours": "1200",
                    "penalty_terms": {
                        "rate": { "kind": "smic_multiple", "multiple": "5" },
                        "basis": "validated",
                        "tolerance_share": "0.1",
                        "pro_rata_on_termination": true
                    }
                },
                "payment_term_days": 30
            }),
        },
    ]
}

pub fn advance_paid() -> Vec<Example> {
    vec![Example {
        name: "advance",
        summary: "The 10 % advance, paid without a guarantee",
        value: json!({
            "amount_ttc": "120000.00",
            "paid_on": "2024-03-20",
            "with_guarantee": false,
            "finance_reference": "MDT-2024-001873"
        }),
    }]
}

fn instalment_lines() -> Value {
    json!({
        "lines": [
            {
                "line_id": 1,
                "participant": "K7M2QX9A",
                "modality": "direct_hire",
                "hours": "151.67",
                "period": { "start": "2024-03-01", "end": "2024-03-31" }
            },
            {
                "line_id": 2,
                "participant": "3WZ8HT0D",
                "modality": "temporary_work_etti",
                "hours": "35",
                "period": { "start": "2024-03-18", "end": "2024-03-22" }
            }
        ]
    })
}

pub fn instalment_request() -> Vec<Example> {
    vec![
        Example {
            name: "by_the_contractor",
            summary: "The contractor's first instalment request, with two people's hours",
            value: json!({
                "number": 1,
                "period": { "start": "2024-03-01", "end": "2024-03-31" },
                "cumulative_value_ht": "80000.00",
                "statement": instalment_lines()
            }),
        },
        Example {
            name: "received_on_paper",
            summary: "A buyer records a request received on paper, with its reception date",
            value: json!({
                "number": 1,
                "period": { "start": "2024-03-01", "end": "2024-03-31" },
                "cumulative_value_ht": "80000.00",
                "received_on": RECEIVED_ON,
                "statement": instalment_lines()
            }),
        },
    ]
}

pub fn statement_review() -> Vec<Example> {
    vec![Example {
        name: "one_validated_one_rejected",
        summary: "One line validated, one rejected with its reason",
        value: json!({
            "instalment_number": 1,
            "decisions": [
                { "line_id": 1, "decision": { "kind": "validated" } },
                { "line_id": 2, "decision": { "kind": "rejected", "reason": "No payslip for March" } }
            ]
        }),
    }]
}

pub fn approval() -> Vec<Example> {
    vec![Example {
        name: "no_other_deduction",
        summary: "Approve instalment 1 without other deductions",
        value: json!({ "number": 1, "approved_on": "2024-04-10", "other_deductions_ttc": "0.00" }),
    }]
}

pub fn instalment_paid() -> Vec<Example> {
    vec![Example {
        name: "instalment_1",
        summary: "Instalment 1 paid in full",
        value: json!({
            "number": 1,
            "amount_ttc": "96000.00",
            "paid_on": "2024-04-25",
            "finance_reference": "MDT-2024-002211"
        }),
    }]
}

pub fn amendment() -> Vec<Example> {
    vec![Example {
        name: "more_works",
        summary: "Amendment 1 raises the amount",
        value: json!({
            "amendment_number": 1,
            "signed_on": "2024-06-03",
            "new_amount_ht": "1100000.00",
            "reason": "Travaux supplémentaires de désamiantage"
        }),
    }]
}

pub fn termination() -> Vec<Example> {
    vec![Example {
        name: "general_interest",
        summary: "Early termination in the general interest",
        value: json!({
            "terminated_on": "2024-09-30",
            "value_executed_ht": "600000.00",
            "reason": "Résiliation pour motif d'intérêt général"
        }),
    }]
}

pub fn settlement() -> Vec<Example> {
    vec![Example {
        name: "final_settlement",
        summary: "Final settlement (décompte général et définitif)",
        value: json!({ "final_amount_ht": "1100000.00", "settled_on": "2025-04-15" }),
    }]
}

pub fn penalty_notification() -> Vec<Example> {
    vec![
        Example {
            name: "default_period",
            summary: "The proposal notified, 15 days for observations (the default)",
            value: json!({ "amount_ht": PROPOSED_PENALTY_HT, "notified_on": "2025-04-18" }),
        },
        Example {
            name: "period_set_for_the_contract",
            summary: "The proposal notified, with the 30 days this contract's CCAP gives",
            value: json!({ "amount_ht": PROPOSED_PENALTY_HT, "notified_on": "2025-04-18", "observation_days": 30 }),
        },
    ]
}

pub fn penalty_observations() -> Vec<Example> {
    vec![Example {
        name: "observations_from_the_portal",
        summary: "The contractor's answer, within its period",
        value: json!({
            "observations": "La structure d'insertion partenaire a cessé son activité en cours de chantier.\nNous \
                             demandons que la pénalité en tienne compte.",
            "received_on": "2025-04-30"
        }),
    }]
}

pub fn penalty_confirmation() -> Vec<Example> {
    vec![Example {
        name: "confirmed_as_proposed",
        summary: "The proposal applied as computed",
        value: json!({ "amount_ht": PROPOSED_PENALTY_HT, "decided_on": "2025-05-20" }),
    }]
}

pub fn penalty_adjustment() -> Vec<Example> {
    vec![Example {
        name: "halved_for_a_site_closure",
        summary: "Another amount, with the reason",
        value: json!({
            "amount_ht": "25449.90",
            "reason": "Chantier arrêté six semaines par arrêté préfectoral : moitié de la pénalité retenue",
            "decided_on": "2025-05-20"
        }),
    }]
}

pub fn penalty_waiver() -> Vec<Example> {
    vec![Example {
        name: "waived_after_observations",
        summary: "No penalty, with the reason",
        value: json!({
            "reason": "Observations du titulaire admises : structure d'insertion défaillante en cours de marché",
            "decided_on": "2025-05-20"
        }),
    }]
}

pub fn correction() -> Vec<Example> {
    vec![
        Example {
            name: "settlement_date",
            summary: "The settlement's date, typed wrong",
            value: json!({
                "correction": { "kind": "settlement_date", "settled_on": "2025-04-14" },
                "corrected_on": "2025-05-02",
                "reason": "Date du décompte mal saisie : le DGD signé est daté du 14/04/2025"
            }),
        },
        Example {
            name: "instalment_withdrawn",
            summary: "The last instalment, recorded twice",
            value: json!({
                "correction": { "kind": "instalment_withdrawn", "number": 2 },
                "corrected_on": "2024-05-06",
                "reason": "Demande d'acompte de mars envoyée deux fois"
            }),
        },
    ]
}

/// The request examples of an operation, by its id (those of the router, `crate::app::routes`).
///
/// # Panics
///
/// For an operation without examples: a body the document shows no example of.
pub fn request(operation_id: &str) -> Vec<Example> {
    match operation_id {
        "awardContract" => award(),
        "amendContract" => amendment(),
        "terminateContract" => termination(),
        "approveInstalment" => approval(),
        "settleContract" => settlement(),
        "requestInstalment" => instalment_request(),
        "reviewStatement" => statement_review(),
        "recordAdvancePayment" => advance_paid(),
        "recordInstalmentPayment" => instalment_paid(),
        "notifyPenalty" => penalty_notification(),
        "submitPenaltyObservations" => penalty_observations(),
        "confirmPenalty" => penalty_confirmation(),
        "adjustPenalty" => penalty_adjustment(),
        "waivePenalty" => penalty_waiver(),
        "correctFact" => correction(),
        "registerParticipant" => super::participant_examples::registration(),
        "eraseParticipant" => super::participant_examples::erasure(),
        other => panic!("no request example for operation {other:?}: add one to `openapi::examples::request`"),
    }
}

/// The example of a read's JSON answer, by the operation's id, from the story played.
///
/// # Panics
///
/// For an operation without one.
pub fn response(operation_id: &str, story: &Story) -> Value {
    match operation_id {
        "listContracts" => Value::Array(vec![story.summary.clone()]),
        "getContract" => story.contract.clone(),
        "getReviewQueue" => story.queue.clone(),
        "getPenalty" => story.penalty.clone(),
        "getYearlyIndicators" => super::indicator_example::yearly_indicators(),
        "registerParticipant" | "getParticipant" => super::participant_examples::participant(),
        "listParticipants" => super::participant_examples::list(),
        "eraseParticipant" => super::participant_examples::erased(),
        other => panic!("no response example for operation {other:?}: add one to `openapi::examples::response`"),
    }
}

/// The penalty the examples' contract is proposed at settlement; [`play`] checks it.
const PROPOSED_PENALTY_HT: &str = "50899.80";

/// What playing the examples produced.
pub struct Story {
    /// The `Accepted` answer of each command, by operation id.
    pub accepted: BTreeMap<&'static str, Value>,
    /// The contract as `GET /api/contracts/{id}` reads it at the end.
    pub contract: Value,
    /// The contract as a line of `GET /api/contracts`.
    pub summary: Value,
    /// The review queue just after the instalment request.
    pub queue: Value,
    /// The penalty proposal once the contract is settled, as `GET …/penalty` reads it.
    pub penalty: Value,
}

/// Plays the first example of each command through the domain, in the order of a contract's
/// life: award, advance, instalment 1, review, approval, payment, amendment; then checks that
/// the termination and the settlement would be accepted from there.
///
/// # Panics
///
/// When the domain refuses an example: the document must not show a request that fails.
pub fn play() -> Story {
    let mut play = Play::default();
    play.step("awardContract", Command::Award(first(award())));
    play.step("recordAdvancePayment", Command::RecordAdvancePaid(first(advance_paid())));
    play.step("requestInstalment", Command::RequestInstalment(instalment_requested(first(instalment_request()))));
    let queue = play.queue();
    play.step("reviewStatement", Command::ReviewStatement(first(statement_review())));
    let approval: ApprovalBody = first(approval());
    play.step(
        "approveInstalment",
        Command::ApproveInstalment {
            number: approval.number,
            approved_on: approval.approved_on,
            other_deductions_ttc: approval.other_deductions_ttc,
        },
    );
    play.step("recordInstalmentPayment", Command::RecordInstalmentPaid(first(instalment_paid())));
    play.step("amendContract", Command::Amend(first(amendment())));
    let (contract, summary) = play.views();
    // Either ends the contract: both are decided from the same state, neither is applied.
    play.try_step("terminateContract", Command::Terminate(first(termination())));
    play.try_step("settleContract", Command::Settle(first(settlement())));
    // The penalty decisions are alternatives too, each decided on the settled contract.
    let mut settled = play.clone();
    settled.step("settleContract", Command::Settle(first(settlement())));
    // The contradictory procedure comes before any adverse decision.
    settled.step("notifyPenalty", Command::NotifyPenalty(first(penalty_notification())));
    settled.step("submitPenaltyObservations", Command::ReceivePenaltyObservations(first(penalty_observations())));
    let penalty = settled.penalty();
    assert_eq!(penalty["proposed_amount_ht"], PROPOSED_PENALTY_HT, "the confirmation example states the proposal");
    settled.try_step("confirmPenalty", Command::ConfirmPenalty(first(penalty_confirmation())));
    settled.try_step("adjustPenalty", Command::AdjustPenalty(first(penalty_adjustment())));
    settled.try_step("waivePenalty", Command::WaivePenalty(first(penalty_waiver())));
    settled.try_step("correctFact", Command::CorrectFact(first(correction())));
    play.accepted.append(&mut settled.accepted);
    Story { accepted: play.accepted, contract, summary, queue, penalty }
}

#[derive(Default, Clone)]
struct Play {
    contract: Contract,
    version: i64,
    accepted: BTreeMap<&'static str, Value>,
}

impl Play {
    fn decide(&mut self, operation: &'static str, command: Command) -> Vec<suivi_proto::Event> {
        let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).expect("a valid date");
        // The examples' contract has a fixed penalty rate: no reference table is needed.
        // The participants the statement names are in the register, eligible (a made-up one).
        let participants = assume_registered(&self.contract, &command);
        let context = DecisionContext::new(today, Default::default()).with_participants(participants);
        let events = decide(&self.contract, command, &context)
            .unwrap_or_else(|error| panic!("the example of {operation} is refused by the domain: {error}"));
        let types: Vec<&str> = events.iter().map(|event| event.event_type()).collect();
        let version = self.version + events.len() as i64;
        self.accepted.insert(operation, json!({ "contract_id": CONTRACT_ID, "version": version, "events": types }));
        events
    }

    fn step(&mut self, operation: &'static str, command: Command) {
        for event in self.decide(operation, command) {
            self.contract.apply(&event);
            self.version += 1;
        }
    }

    fn try_step(&mut self, operation: &'static str, command: Command) {
        self.decide(operation, command);
    }

    fn id() -> Uuid {
        Uuid::parse_str(CONTRACT_ID).expect("a valid UUID")
    }

    fn views(&self) -> (Value, Value) {
        // The example's instalment is paid on time: its interest needs no ECB rate.
        let view = ContractView::of(Self::id(), self.version, &self.contract, &References::default())
            .expect("the contract is awarded");
        let summary = ContractSummary::of(Self::id(), self.version, &self.contract).expect("the contract is awarded");
        (to_json(&view), to_json(&summary))
    }

    /// What `GET /api/contracts/{id}/penalty` answers. The examples' contract has a fixed rate
    /// per missing hour: its proposal needs no reference table (the server reads its tables from
    /// `reference_rates`).
    fn penalty(&self) -> Value {
        let references = References::default();
        let awarded = self.contract.awarded().expect("the contract is awarded");
        to_json(&PenaltyView::of(Self::id(), self.version, awarded, &references).expect("a settled contract"))
    }

    /// What `GET /api/review-queue` answers for this contract (`suivi_declarations`' handler
    /// folds the same pending lines).
    fn queue(&self) -> Value {
        let awarded = self.contract.awarded().expect("the contract is awarded");
        let lines: Vec<Value> = awarded
            .pending_review_lines()
            .map(|pending| {
                json!({
                    "line_id": pending.line.line_id,
                    "beneficiary": pending.line.beneficiary.as_str(),
                    "category": pending.line.category,
                    "modality": pending.line.modality,
                    "hours": pending.line.hours.to_string(),
                    "period": pending.line.period,
                })
            })
            .collect();
        json!([{
            "contract_id": CONTRACT_ID,
            "contract_object": awarded.award().object,
            "version": self.version,
            "instalment_number": 1,
            "received_on": RECEIVED_ON,
            "lines": lines,
        }])
    }
}

fn first<T: DeserializeOwned>(examples: Vec<Example>) -> T {
    let example = examples.into_iter().next().expect("at least one example");
    serde_json::from_value(example.value)
        .unwrap_or_else(|error| panic!("example {} does not read as its type: {error}", example.name))
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("views serialise to JSON")
}

/// The event the instalment handler makes of the contractor's request: Suivi stamps the
/// reception date, and each line takes its participant's category from the register (here a
/// made-up register of the examples' two participants).
fn instalment_requested(body: InstalmentRequestBody) -> InstalmentRequestedV2 {
    let received_on = RECEIVED_ON.parse().expect("a valid date");
    let lines = body
        .statement
        .lines
        .into_iter()
        .map(|line| {
            let code = ParticipantCode::read_typed(&line.participant).expect("the examples' codes are valid");
            let category = match code.as_str() {
                "K7M2QX9A" => EligibleCategory::LongTermJobseeker,
                _ => EligibleCategory::YoungLowQualification,
            };
            StatementLine {
                line_id: line.line_id,
                beneficiary: Beneficiary::Participant { code },
                category,
                modality: line.modality,
                hours: line.hours,
                period: line.period,
            }
        })
        .collect();
    InstalmentRequestedV2 {
        number: body.number,
        period: body.period,
        cumulative_value_ht: body.cumulative_value_ht,
        received_on: body.received_on.unwrap_or(received_on),
        statement: HourStatement { lines },
    }
}

/// A refusal each command may meet, for its 422 example.
pub fn refusal(operation_id: &str) -> Option<DomainError> {
    let day = |text: &str| text.parse::<NaiveDate>().expect("a valid date");
    Some(match operation_id {
        "awardContract" => DomainError::PaymentTermAboveLegalMaximum {
            days: 60,
            maximum: 30,
            buyer_kind: suivi_proto::events::BuyerKind::LocalAuthority,
        },
        "amendContract" => DomainError::AmendmentOutOfSequence { expected: 2, got: 3 },
        "terminateContract" => DomainError::AlreadyTerminated { terminated_on: day("2024-09-30") },
        "approveInstalment" => DomainError::PreviousInstalmentNotApproved { number: 2, previous: 1 },
        "settleContract" => DomainError::LinesPendingReview { count: 2 },
        "correctFact" => DomainError::CorrectionChangesNothing,
        "requestInstalment" => DomainError::TooManyHoursPerPersonPerMonth {
            index: 1,
            code: "3WZ8HT0D".to_owned(),
            month: suivi_domain::plausibility::CalendarMonth::of(day("2024-03-01")),
            total: suivi_proto::Hours::whole(250),
            maximum: suivi_domain::plausibility::MAX_HOURS_PER_PERSON_PER_MONTH,
        },
        "reviewStatement" => DomainError::LineAlreadyReviewed { index: 0, line_id: 1 },
        "recordAdvancePayment" => DomainError::AdvanceAboveGranted {
            amount: suivi_proto::MoneyTtc::new(rust_decimal::Decimal::new(13_000_000, 2)),
            granted: suivi_proto::MoneyTtc::new(rust_decimal::Decimal::new(12_000_000, 2)),
        },
        "recordInstalmentPayment" => DomainError::InstalmentNotApproved { number: 2 },
        "notifyPenalty" => DomainError::PenaltyAlreadyNotified { notified_on: day("2025-04-18") },
        "submitPenaltyObservations" => DomainError::ObservationsAlreadyReceived { received_on: day("2025-04-30") },
        "confirmPenalty" | "adjustPenalty" | "waivePenalty" => {
            DomainError::PenaltyAlreadyDecided { decided_on: day("2025-05-20") }
        }
        _ => return None,
    })
}
