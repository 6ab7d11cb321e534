//! Payments finance reports: the advance, an instalment.
//!
//! They are facts from another system, accepted whatever the contract's status (a payment can
//! be reported after a termination or the final settlement), but only for something due: an
//! advance the contract grants, an instalment approved.

use suivi_proto::events::{AdvancePaidV1, InstalmentPaidV1};

use super::checks::{not_before, not_blank, not_in_future, positive_amount};
use crate::advance_recovery::granted_advance_ttc;
use crate::contract::AwardedContract;
use crate::{DecisionContext, DomainError};

/// One advance payment per contract, at most the advance granted (on the initial amount and
/// duration). A rate of 0 means "rate not stated" (DECP): then only the amount's sign is checked.
pub(super) fn advance_paid(
    contract: &AwardedContract,
    advance: AdvancePaidV1,
    context: &DecisionContext,
) -> Result<AdvancePaidV1, DomainError> {
    let award = contract.award();
    let terms = award.advance_terms.as_ref().ok_or(DomainError::NoAdvanceTerms)?;
    if let Some(paid) = contract.advance_paid() {
        return Err(DomainError::AdvanceAlreadyPaid { paid_on: paid.paid_on });
    }
    positive_amount("amount_ttc", advance.amount_ttc.amount())?;
    if !terms.rate.is_zero() {
        let granted = granted_advance_ttc(award.amount_ht, award.vat_rate, award.duration_months, terms.rate);
        if advance.amount_ttc > granted {
            return Err(DomainError::AdvanceAboveGranted { amount: advance.amount_ttc, granted });
        }
    }
    not_before("paid_on", advance.paid_on, contract.start_date(), "the notification date")?;
    not_in_future("paid_on", advance.paid_on, context)?;
    not_blank("finance_reference", &advance.finance_reference)?;
    Ok(advance)
}

/// Once per approved instalment, at most its net to pay (late-payment interest and the flat fee
/// are owed apart, not paid within the instalment); less is accepted (finance may withhold part,
/// and late-payment interest is computed on what was paid). An instalment whose net is zero
/// needs no payment report.
pub(super) fn instalment_paid(
    contract: &AwardedContract,
    payment: InstalmentPaidV1,
    context: &DecisionContext,
) -> Result<InstalmentPaidV1, DomainError> {
    let number = payment.number;
    let instalment = contract
        .instalment(number)
        .ok_or_else(|| DomainError::UnknownInstalment { field: "number".to_owned(), number })?;
    let approval = instalment.approval().ok_or(DomainError::InstalmentNotApproved { number })?;
    if let Some(paid) = instalment.payment() {
        return Err(DomainError::InstalmentAlreadyPaid { number, paid_on: paid.paid_on });
    }
    positive_amount("amount_ttc", payment.amount_ttc.amount())?;
    if payment.amount_ttc > approval.net_to_pay_ttc {
        return Err(DomainError::PaymentAboveApproved {
            number,
            amount: payment.amount_ttc,
            net_to_pay: approval.net_to_pay_ttc,
        });
    }
    not_before("paid_on", payment.paid_on, approval.approved_on, "the approval date")?;
    not_in_future("paid_on", payment.paid_on, context)?;
    not_blank("finance_reference", &payment.finance_reference)?;
    Ok(payment)
}
