//! `decide`: checks a command against the rules and the contract's state, and answers the
//! events to append, or why not. Pure: no I/O, no clock (see [`DecisionContext`]).

mod approval;
mod award;
mod checks;
mod correction;
mod instalment;
mod lifecycle;
mod payments;
mod penalty;
mod review;

use suivi_proto::Event;

use crate::contract::{AwardedContract, Contract};
use crate::{Command, DecisionContext, DomainError};

/// Decides `command` on `state`: the events to append (in order), or the first rule it breaks.
///
/// Every command yields exactly one event today; the `Vec` leaves room for commands that will
/// yield several.
pub fn decide(state: &Contract, command: Command, context: &DecisionContext) -> Result<Vec<Event>, DomainError> {
    let Some(contract) = state.awarded() else {
        return match command {
            Command::Award(award) => Ok(vec![award::award(award, context)?.into()]),
            _ => Err(DomainError::NotAwarded),
        };
    };
    let event: Event = match command {
        Command::Award(_) => return Err(DomainError::AlreadyAwarded),
        Command::Amend(amendment) => lifecycle::amend(contract, amendment, context)?.into(),
        Command::Terminate(termination) => lifecycle::terminate(contract, termination, context)?.into(),
        Command::Settle(settlement) => lifecycle::settle(contract, settlement, context)?.into(),
        Command::RecordAdvancePaid(advance) => payments::advance_paid(contract, advance, context)?.into(),
        Command::RequestInstalment(request) => instalment::request(contract, request, context)?.into(),
        Command::ReviewStatement(review) => review::review(contract, review)?.into(),
        Command::ApproveInstalment { number, approved_on, other_deductions_ttc } => {
            approval::approve(contract, number, approved_on, other_deductions_ttc, context)?.into()
        }
        Command::RecordInstalmentPaid(payment) => payments::instalment_paid(contract, payment, context)?.into(),
        Command::NotifyPenalty(notice) => penalty::notify(contract, notice, context)?.into(),
        Command::ReceivePenaltyObservations(answer) => penalty::receive_observations(contract, answer, context)?.into(),
        Command::ConfirmPenalty(decision) => penalty::confirm(contract, decision, context)?.into(),
        Command::AdjustPenalty(decision) => penalty::adjust(contract, decision, context)?.into(),
        Command::WaivePenalty(decision) => penalty::waive(contract, decision, context)?.into(),
        Command::CorrectFact(correction) => correction::correct(contract, correction, context)?.into(),
    };
    Ok(vec![event])
}

/// After the final settlement the execution is closed: no request, review, approval,
/// amendment or termination.
fn ensure_not_settled(contract: &AwardedContract) -> Result<(), DomainError> {
    match contract.settlement() {
        Some(settlement) => Err(DomainError::AlreadySettled { settled_on: settlement.settled_on }),
        None => Ok(()),
    }
}

/// Neither settled nor terminated: what amendments and a termination need.
fn ensure_running(contract: &AwardedContract) -> Result<(), DomainError> {
    ensure_not_settled(contract)?;
    match contract.termination() {
        Some(termination) => Err(DomainError::AlreadyTerminated { terminated_on: termination.terminated_on }),
        None => Ok(()),
    }
}
