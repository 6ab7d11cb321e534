//! What can be asked of a contract, and the context a decision needs from outside.

use std::sync::Arc;

use chrono::NaiveDate;
use suivi_proto::events::{
    AdvancePaidV1, ContractAmendedV2, ContractAwardedV1, ContractSettledV1, ContractTerminatedV1, FactCorrectedV1,
    InstalmentPaidV1, InstalmentRequestedV2, PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyNotifiedV1,
    PenaltyObservationsReceivedV1, PenaltyWaivedV1, StatementReviewedV1,
};
use suivi_proto::quantities::MoneyTtc;

use crate::participants::ParticipantFacts;
use crate::reference::References;

/// A request to change a contract. Most carry the payload of the event they would produce, as
/// the HTTP or NATS edge parsed it; [`crate::decide`] checks it against the rules and the state.
#[allow(clippy::large_enum_variant)] // like `Event`: boxing the award would only add noise
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Buyer: record the notified contract.
    Award(ContractAwardedV1),
    /// Buyer: record an amendment (*avenant*).
    Amend(ContractAmendedV2),
    /// Buyer: record an early termination (*résiliation*).
    Terminate(ContractTerminatedV1),
    /// Finance: the advance was paid.
    RecordAdvancePaid(AdvancePaidV1),
    /// Contractor: request an instalment, with the hour statement.
    RequestInstalment(InstalmentRequestedV2),
    /// Facilitator: validate or reject statement lines.
    ReviewStatement(StatementReviewedV1),
    /// Buyer: approve an instalment; the domain computes gross, advance recovery and net.
    ApproveInstalment {
        number: u32,
        approved_on: NaiveDate,
        /// Other deductions (e.g. penalties already due), euros including VAT.
        other_deductions_ttc: MoneyTtc,
    },
    /// Buyer or administrator: correct an entry mistake, with a reason.
    CorrectFact(FactCorrectedV1),
    /// Finance: an approved instalment was paid.
    RecordInstalmentPaid(InstalmentPaidV1),
    /// Buyer: final settlement (*décompte général et définitif*).
    Settle(ContractSettledV1),
    /// Facilitator: notify the contractor of the intended penalty, opening its observation period.
    NotifyPenalty(PenaltyNotifiedV1),
    /// Contractor (or the facilitator, for observations received on paper): answer the notification.
    ReceivePenaltyObservations(PenaltyObservationsReceivedV1),
    /// Facilitator: apply the penalty proposal as computed (the amount must be the proposal's).
    ConfirmPenalty(PenaltyConfirmedV1),
    /// Facilitator: apply another amount, with a reason.
    AdjustPenalty(PenaltyAdjustedV1),
    /// Facilitator: apply no penalty, with a reason.
    WaivePenalty(PenaltyWaivedV1),
}

impl Command {
    /// A snake_case name for logs and metrics, e.g. `request_instalment`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Award(_) => "award",
            Command::Amend(_) => "amend",
            Command::Terminate(_) => "terminate",
            Command::RecordAdvancePaid(_) => "record_advance_paid",
            Command::RequestInstalment(_) => "request_instalment",
            Command::ReviewStatement(_) => "review_statement",
            Command::ApproveInstalment { .. } => "approve_instalment",
            Command::RecordInstalmentPaid(_) => "record_instalment_paid",
            Command::Settle(_) => "settle",
            Command::NotifyPenalty(_) => "notify_penalty",
            Command::ReceivePenaltyObservations(_) => "receive_penalty_observations",
            Command::ConfirmPenalty(_) => "confirm_penalty",
            Command::AdjustPenalty(_) => "adjust_penalty",
            Command::WaivePenalty(_) => "waive_penalty",
            Command::CorrectFact(_) => "correct_fact",
        }
    }
}

/// What a decision needs from outside the stream. The domain reads no clock and no database: the
/// edge passes `today` (the business day in France, for an HTTP request; the day the message was
/// received, for a NATS one) and the dated reference tables (the application reads them from the
/// `reference_rates` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionContext {
    /// No recorded fact may be dated after it.
    pub today: NaiveDate,
    /// Gross hourly SMIC and ECB rate, dated: a penalty confirmation is checked against the
    /// proposal computed with them.
    pub references: Arc<References>,
    /// What the register says about the participants a statement names (empty for other
    /// commands): see [`crate::participants`].
    pub participants: ParticipantFacts,
}

impl DecisionContext {
    pub fn new(today: NaiveDate, references: Arc<References>) -> Self {
        DecisionContext { today, references, participants: ParticipantFacts::default() }
    }

    /// The same context with the register's facts about the participants a statement names.
    pub fn with_participants(mut self, participants: ParticipantFacts) -> Self {
        self.participants = participants;
        self
    }
}
