//! Folding events into an awarded contract.

use suivi_proto::events::{Correction, FactCorrectedV1};
use suivi_proto::Event;

use super::{AwardedContract, Instalment, PenaltyDecision};

impl AwardedContract {
    /// See [`super::Contract::apply`]: total, first fact wins.
    pub(super) fn apply(&mut self, event: &Event) {
        match event {
            // A second award cannot be decided; ignore it.
            Event::ContractAwarded(_) => {}
            Event::ContractAmended(amendment) => {
                if let Some(amount) = amendment.new_amount_ht {
                    self.amount_ht = amount;
                }
                if let Some(months) = amendment.new_duration_months {
                    self.duration_months = months;
                }
                if let Some(clause) = &amendment.insertion_clause {
                    self.committed_hours = Some(clause.committed_hours);
                    self.insertion_clause = Some(clause.clone());
                }
                if let (Some(hours), Some(committed)) = (amendment.new_committed_hours, &mut self.committed_hours) {
                    *committed = hours;
                }
                self.amendments.push(amendment.clone());
            }
            Event::ContractTerminated(termination) => {
                self.termination.get_or_insert_with(|| termination.clone());
            }
            Event::AdvancePaid(advance) => {
                self.advance.get_or_insert_with(|| advance.clone());
            }
            Event::InstalmentRequested(request) => self.instalments.push(Instalment::requested(request)),
            Event::StatementReviewed(review) => {
                if let Some(instalment) = self.instalment_mut(review.instalment_number) {
                    for decision in &review.decisions {
                        instalment.review(decision.line_id, &decision.decision);
                    }
                }
            }
            Event::InstalmentApproved(approval) => {
                if let Some(instalment) = self.instalment_mut(approval.number) {
                    instalment.approve(approval);
                }
            }
            Event::InstalmentPaid(payment) => {
                if let Some(instalment) = self.instalment_mut(payment.number) {
                    instalment.pay(payment);
                }
            }
            Event::ContractSettled(settlement) => {
                self.settlement.get_or_insert_with(|| settlement.clone());
            }
            Event::PenaltyNotified(notice) => {
                self.penalty_notice.get_or_insert_with(|| notice.clone());
            }
            Event::PenaltyObservationsReceived(observations) => {
                self.penalty_observations.get_or_insert_with(|| observations.clone());
            }
            Event::PenaltyConfirmed(p) => self.decide_penalty(PenaltyDecision::Confirmed(p.clone())),
            Event::PenaltyAdjusted(p) => self.decide_penalty(PenaltyDecision::Adjusted(p.clone())),
            Event::PenaltyWaived(p) => self.decide_penalty(PenaltyDecision::Waived(p.clone())),
            Event::FactCorrected(corrected) => self.correct(corrected),
        }
    }

    /// The history as corrected: the fact takes its right value, and the correction is kept
    /// (the contract view lists them).
    fn correct(&mut self, corrected: &FactCorrectedV1) {
        match &corrected.correction {
            Correction::SettlementDate { settled_on } => {
                if let Some(settlement) = &mut self.settlement {
                    settlement.settled_on = *settled_on;
                }
            }
            Correction::ReceptionDate { number, received_on } => {
                if let Some(instalment) = self.instalment_mut(*number) {
                    instalment.received_on = *received_on;
                }
            }
            Correction::InstalmentWithdrawn { number } => {
                if self.instalments.last().is_some_and(|last| last.number() == *number) {
                    self.instalments.pop();
                }
            }
        }
        self.corrections.push(corrected.clone());
    }

    fn instalment_mut(&mut self, number: u32) -> Option<&mut Instalment> {
        self.instalments.iter_mut().find(|instalment| instalment.number() == number)
    }

    fn decide_penalty(&mut self, decision: PenaltyDecision) {
        self.penalty.get_or_insert(decision);
    }
}
