//! The contract aggregate's state: what the decisions need, and what the HTTP layer reads.
//!
//! [`Contract::default()`] is a contract not yet awarded; [`Contract::apply`] folds events into
//! it. Everything about an awarded contract lives in [`AwardedContract`], reached through
//! [`Contract::awarded`], so a caller handles "not awarded" once instead of on every getter.
//! The stream version is the store's business, not the domain's.

mod apply;
mod hours;
mod instalment;

use std::borrow::Borrow;
use std::fmt;

use chrono::{Months, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use suivi_proto::codes::Siret;
use suivi_proto::events::{
    AdvancePaidV1, ContractAmendedV2, ContractAwardedV1, ContractSettledV1, ContractTerminatedV1, FactCorrectedV1,
    InsertionClause, PenaltyAdjustedV1, PenaltyConfirmedV1, PenaltyNotifiedV1, PenaltyObservationsReceivedV1,
    PenaltyWaivedV1,
};
use suivi_proto::quantities::{Hours, MoneyHt, MoneyTtc};
use suivi_proto::Event;

pub use hours::{HoursSummary, PendingLine};
pub use instalment::{Instalment, LineReview, LineReviewStatus, ReviewStatus, ReviewedLine};

/// One contract's state, folded from its event stream. `Default` = not yet awarded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contract {
    awarded: Option<AwardedContract>,
}

impl Contract {
    /// Folds a stream of events (owned or borrowed) into a state.
    pub fn from_events<I>(events: I) -> Self
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let mut contract = Contract::default();
        for event in events {
            contract.apply(event.borrow());
        }
        contract
    }

    /// Folds one event in. Events are facts that [`crate::decide`] already checked, so `apply`
    /// never fails: an event that does not fit (e.g. a second award, a review of an unknown
    /// line) changes nothing rather than corrupting the state.
    pub fn apply(&mut self, event: &Event) {
        match (&mut self.awarded, event) {
            (None, Event::ContractAwarded(award)) => self.awarded = Some(AwardedContract::new(award.clone())),
            (Some(contract), event) => contract.apply(event),
            (None, _) => {}
        }
    }

    /// The awarded contract, or `None` before the award.
    pub fn awarded(&self) -> Option<&AwardedContract> {
        self.awarded.as_ref()
    }

    /// Where the contract stands, or `None` before the award.
    pub fn status(&self) -> Option<ContractStatus> {
        self.awarded.as_ref().map(AwardedContract::status)
    }

    /// Why `event` cannot follow this state, when [`crate::decide`] could never have written it
    /// here: [`Contract::apply`] would ignore it or record a duplicate, so the state would no
    /// longer be what the log says. Only a log written around the domain holds such an event; a
    /// read model reports it rather than show figures that ignore it.
    pub fn misfit(&self, event: &Event) -> Option<Misfit> {
        let Some(contract) = &self.awarded else {
            return (!matches!(event, Event::ContractAwarded(_))).then_some(Misfit::NotAwarded);
        };
        let unknown = |number: u32| contract.instalment(number).is_none().then_some(Misfit::UnknownInstalment(number));
        match event {
            Event::ContractAwarded(_) => Some(Misfit::AlreadyAwarded),
            Event::InstalmentRequested(request) => {
                contract.instalment(request.number).map(|_| Misfit::InstalmentAlreadyRequested(request.number))
            }
            Event::StatementReviewed(review) => unknown(review.instalment_number),
            Event::InstalmentApproved(approval) => unknown(approval.number),
            Event::InstalmentPaid(payment) => unknown(payment.number),
            _ => None,
        }
    }
}

/// An event that cannot follow a contract's state: see [`Contract::misfit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Misfit {
    #[error("the contract has not been awarded: its first event must be contract_awarded")]
    NotAwarded,
    #[error("the contract is already awarded")]
    AlreadyAwarded,
    #[error("instalment {0} is already requested")]
    InstalmentAlreadyRequested(u32),
    #[error("instalment {0} was never requested")]
    UnknownInstalment(u32),
}

/// Where an awarded contract stands. A terminated contract that is then settled is `settled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Notified and running (possibly with amendments, instalments, an advance).
    Awarded,
    /// Terminated early; instalments for work done before the termination date may follow.
    Terminated,
    /// Final settlement done; only finance's payment reports and the penalty decision follow.
    Settled,
}

impl ContractStatus {
    /// How the API and the read models write it: `awarded`, `terminated`, `settled`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Awarded => "awarded",
            ContractStatus::Terminated => "terminated",
            ContractStatus::Settled => "settled",
        }
    }
}

impl fmt::Display for ContractStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which decision was taken on the penalty proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The penalty proposed, applied as computed.
    Confirmed,
    /// Another amount than proposed, with a reason.
    Adjusted,
    /// No penalty, with a reason.
    Waived,
}

impl DecisionKind {
    /// How the API and the read models write it: `confirmed`, `adjusted`, `waived`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Confirmed => "confirmed",
            DecisionKind::Adjusted => "adjusted",
            DecisionKind::Waived => "waived",
        }
    }
}

/// The decision on the penalty proposal, made once after final settlement.
#[derive(Debug, Clone, PartialEq)]
pub enum PenaltyDecision {
    Confirmed(PenaltyConfirmedV1),
    Adjusted(PenaltyAdjustedV1),
    Waived(PenaltyWaivedV1),
}

impl PenaltyDecision {
    pub fn decided_on(&self) -> NaiveDate {
        match self {
            PenaltyDecision::Confirmed(p) => p.decided_on,
            PenaltyDecision::Adjusted(p) => p.decided_on,
            PenaltyDecision::Waived(p) => p.decided_on,
        }
    }

    pub fn kind(&self) -> DecisionKind {
        match self {
            PenaltyDecision::Confirmed(_) => DecisionKind::Confirmed,
            PenaltyDecision::Adjusted(_) => DecisionKind::Adjusted,
            PenaltyDecision::Waived(_) => DecisionKind::Waived,
        }
    }

    /// The written reason: required to adjust or waive, optional to confirm.
    pub fn reason(&self) -> Option<&str> {
        match self {
            PenaltyDecision::Confirmed(p) => p.reason.as_deref(),
            PenaltyDecision::Adjusted(p) => Some(&p.reason),
            PenaltyDecision::Waived(p) => Some(&p.reason),
        }
    }

    /// The penalty applied, euros excluding VAT (zero when waived).
    pub fn amount_ht(&self) -> MoneyHt {
        match self {
            PenaltyDecision::Confirmed(p) => p.amount_ht,
            PenaltyDecision::Adjusted(p) => p.amount_ht,
            PenaltyDecision::Waived(_) => MoneyHt::ZERO,
        }
    }
}

/// An awarded contract and its execution so far.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardedContract {
    award: ContractAwardedV1,
    amendments: Vec<ContractAmendedV2>,
    amount_ht: MoneyHt,
    duration_months: u32,
    committed_hours: Option<Hours>,
    /// The award's clause, or the one an amendment agreed for a contract awarded without one.
    insertion_clause: Option<InsertionClause>,
    termination: Option<ContractTerminatedV1>,
    advance: Option<AdvancePaidV1>,
    instalments: Vec<Instalment>,
    settlement: Option<ContractSettledV1>,
    /// The contradictory procedure before an adverse decision: the notification, the answer.
    penalty_notice: Option<PenaltyNotifiedV1>,
    penalty_observations: Option<PenaltyObservationsReceivedV1>,
    penalty: Option<PenaltyDecision>,
    /// Entry mistakes corrected, in order (their effect is already folded in).
    corrections: Vec<FactCorrectedV1>,
}

impl AwardedContract {
    fn new(award: ContractAwardedV1) -> Self {
        AwardedContract {
            amount_ht: award.amount_ht,
            duration_months: award.duration_months,
            committed_hours: award.insertion_clause.as_ref().map(|clause| clause.committed_hours),
            insertion_clause: award.insertion_clause.clone(),
            award,
            amendments: Vec::new(),
            termination: None,
            advance: None,
            instalments: Vec::new(),
            settlement: None,
            penalty_notice: None,
            penalty_observations: None,
            penalty: None,
            corrections: Vec::new(),
        }
    }

    pub fn status(&self) -> ContractStatus {
        match (&self.settlement, &self.termination) {
            (Some(_), _) => ContractStatus::Settled,
            (None, Some(_)) => ContractStatus::Terminated,
            (None, None) => ContractStatus::Awarded,
        }
    }

    /// The award as notified: initial amount, terms, clause, advance terms.
    pub fn award(&self) -> &ContractAwardedV1 {
        &self.award
    }

    pub fn buyer_siret(&self) -> &Siret {
        &self.award.buyer_siret
    }

    pub fn contractor_sirets(&self) -> impl Iterator<Item = &Siret> {
        self.award.contractors.iter().map(|contractor| &contractor.siret)
    }

    /// Whether `siret` is one of the contractors (what a contractor may see is its own contracts).
    pub fn has_contractor(&self, siret: &Siret) -> bool {
        self.contractor_sirets().any(|own| own == siret)
    }

    pub fn initial_amount_ht(&self) -> MoneyHt {
        self.award.amount_ht
    }

    /// Amount excluding VAT after amendments.
    pub fn current_amount_ht(&self) -> MoneyHt {
        self.amount_ht
    }

    /// Duration in months after amendments.
    pub fn current_duration_months(&self) -> u32 {
        self.duration_months
    }

    /// The insertion clause: the award's, or the one an amendment agreed (its penalty terms; its
    /// hours as agreed, see [`Self::committed_hours`] for the hours after amendments). `None`
    /// without one.
    pub fn insertion_clause(&self) -> Option<&InsertionClause> {
        self.insertion_clause.as_ref()
    }

    /// Committed insertion hours after amendments; `None` without an insertion clause.
    pub fn committed_hours(&self) -> Option<Hours> {
        self.committed_hours
    }

    /// First day of execution: the notification date.
    pub fn start_date(&self) -> NaiveDate {
        self.award.notification_date
    }

    /// Last day of execution as planned: notification date + duration in months (amended),
    /// included. E.g. notified 2024-03-01 for 12 months: work up to 2025-03-01 is accepted.
    pub fn planned_end_date(&self) -> NaiveDate {
        end_date(self.start_date(), self.duration_months)
    }

    /// Last day work may be declared for: the planned end, or the termination date if earlier.
    pub fn execution_end_date(&self) -> NaiveDate {
        match &self.termination {
            Some(termination) => termination.terminated_on.min(self.planned_end_date()),
            None => self.planned_end_date(),
        }
    }

    /// The corrections recorded, oldest first: the facts above are already corrected.
    pub fn corrections(&self) -> &[FactCorrectedV1] {
        &self.corrections
    }

    pub fn amendments(&self) -> &[ContractAmendedV2] {
        &self.amendments
    }

    /// Number of the last amendment, 0 if none.
    pub fn last_amendment_number(&self) -> u32 {
        self.amendments.last().map_or(0, |amendment| amendment.amendment_number)
    }

    pub fn termination(&self) -> Option<&ContractTerminatedV1> {
        self.termination.as_ref()
    }

    pub fn settlement(&self) -> Option<&ContractSettledV1> {
        self.settlement.as_ref()
    }

    pub fn advance_paid(&self) -> Option<&AdvancePaidV1> {
        self.advance.as_ref()
    }

    /// Advance recovered so far by approved instalments, including VAT.
    pub fn advance_recovered_ttc(&self) -> MoneyTtc {
        self.instalments.iter().filter_map(Instalment::approval).map(|approval| approval.advance_recovery_ttc).sum()
    }

    /// Advance paid and not yet recovered, including VAT.
    pub fn advance_outstanding_ttc(&self) -> MoneyTtc {
        let paid = self.advance.as_ref().map_or(MoneyTtc::ZERO, |advance| advance.amount_ttc);
        (paid - self.advance_recovered_ttc()).max(MoneyTtc::ZERO)
    }

    pub fn instalments(&self) -> &[Instalment] {
        &self.instalments
    }

    pub fn instalment(&self, number: u32) -> Option<&Instalment> {
        self.instalments.iter().find(|instalment| instalment.number() == number)
    }

    /// Number of the last instalment requested, 0 if none.
    pub fn last_instalment_number(&self) -> u32 {
        self.instalments.last().map_or(0, Instalment::number)
    }

    /// Cumulative value executed excluding VAT, as of the last instalment requested (0 if none).
    pub fn executed_value_ht(&self) -> MoneyHt {
        self.instalments.last().map_or(MoneyHt::ZERO, Instalment::cumulative_value_ht)
    }

    /// The last day covered by any instalment request, if any.
    pub fn last_work_day(&self) -> Option<NaiveDate> {
        self.instalments.iter().map(|instalment| instalment.period().end).max()
    }

    /// The notification of the intended penalty, once sent.
    pub fn penalty_notice(&self) -> Option<&PenaltyNotifiedV1> {
        self.penalty_notice.as_ref()
    }

    /// The contractor's observations on the notification, once received.
    pub fn penalty_observations(&self) -> Option<&PenaltyObservationsReceivedV1> {
        self.penalty_observations.as_ref()
    }

    pub fn penalty_decision(&self) -> Option<&PenaltyDecision> {
        self.penalty.as_ref()
    }
}

/// `start` + `months`, clamped to the end of a shorter month; the latest representable date if
/// the sum overflows (a duration no award would carry).
pub(crate) fn end_date(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}
