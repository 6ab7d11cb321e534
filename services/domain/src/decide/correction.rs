//! Corrections of entry mistakes. Events are never edited: a buyer (or an administrator)
//! records a correction with a written reason, and the history reads as corrected from then on.
//!
//! What can be corrected, and until when:
//! - **the settlement's date**, until the penalty is decided (the decision is dated from it);
//!   the new date passes the checks a settlement passes;
//! - **an instalment's reception date**, until the settlement; the new date lies between the
//!   period's start (and the notification) and today, and not after the instalment's approval;
//! - **the last instalment, withdrawn** (recorded twice, or by mistake), until it is approved
//!   and before the settlement: its statement stops counting, the 230 h bound included.

use suivi_proto::events::{Correction, FactCorrectedV1};

use super::checks::{not_before, not_in_future, reason};
use super::ensure_not_settled;
use super::lifecycle::settlement_date;
use crate::contract::{AwardedContract, Instalment};
use crate::{DecisionContext, DomainError};

pub(super) fn correct(
    contract: &AwardedContract,
    corrected: FactCorrectedV1,
    context: &DecisionContext,
) -> Result<FactCorrectedV1, DomainError> {
    not_before("corrected_on", corrected.corrected_on, contract.start_date(), "the notification date")?;
    not_in_future("corrected_on", corrected.corrected_on, context)?;
    reason("reason", &corrected.reason)?;
    match &corrected.correction {
        Correction::SettlementDate { settled_on } => {
            let settlement = contract.settlement().ok_or(DomainError::NotSettled { status: contract.status() })?;
            if let Some(decision) = contract.penalty_decision() {
                return Err(DomainError::PenaltyAlreadyDecided { decided_on: decision.decided_on() });
            }
            unchanged(settlement.settled_on == *settled_on)?;
            settlement_date(contract, "correction.settled_on", *settled_on, context)?;
        }
        Correction::ReceptionDate { number, received_on } => {
            ensure_not_settled(contract)?;
            let instalment = corrected_instalment(contract, *number)?;
            unchanged(instalment.received_on() == *received_on)?;
            let field = "correction.received_on";
            not_before(field, *received_on, contract.start_date(), "the notification date")?;
            not_before(field, *received_on, instalment.period().start, "the start of the period requested")?;
            not_in_future(field, *received_on, context)?;
            if let Some(approval) = instalment.approval() {
                if *received_on > approval.approved_on {
                    return Err(DomainError::DateTooLate {
                        field: field.to_owned(),
                        date: *received_on,
                        latest: approval.approved_on,
                        bound: "the approval date",
                    });
                }
            }
        }
        Correction::InstalmentWithdrawn { number } => {
            ensure_not_settled(contract)?;
            let last = contract.last_instalment_number();
            let instalment = corrected_instalment(contract, *number)?;
            if *number != last {
                return Err(DomainError::NotTheLastInstalment { number: *number, last });
            }
            if instalment.approval().is_some() {
                return Err(DomainError::InstalmentAlreadyApproved { number: *number });
            }
        }
    }
    Ok(corrected)
}

fn corrected_instalment(contract: &AwardedContract, number: u32) -> Result<&Instalment, DomainError> {
    contract
        .instalment(number)
        .ok_or_else(|| DomainError::UnknownInstalment { field: "correction.number".to_owned(), number })
}

fn unchanged(same: bool) -> Result<(), DomainError> {
    if same {
        return Err(DomainError::CorrectionChangesNothing);
    }
    Ok(())
}
