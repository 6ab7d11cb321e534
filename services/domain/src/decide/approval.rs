//! Approval of an instalment: what finance must pay.
//!
//! - **Gross** = cumulative value × (1 + VAT rate), rounded, minus the same for the previous
//!   cumulative value: each instalment's gross is the increase of the cumulative value TTC, so
//!   the grosses add up to the value executed TTC to the cent. Rounding each increase on its
//!   own would let them drift a cent a time above it (10.10 € HT three times at 5.5 %: 3 ×
//!   10.66 = 31.98 € against 30.30 × 1.055 = 31.9665 → 31.97 €).
//! - **Advance recovery**: see [`crate::advance_recovery`]; it comes first, capped at the gross,
//!   the rest carried to the next instalments.
//! - **Other deductions** are the buyer's; if they exceed what is left, the approval is refused
//!   rather than producing a negative net: the buyer lowers them.
//!
//! Instalments are approved in order, so "recovered so far" is well defined. The statement need
//! not be reviewed first: the payment term runs from receipt of the request, and holding the
//! payment for the hours' review would make the buyer pay late-payment interest for a review
//! that does not change the amount.

use chrono::NaiveDate;
use suivi_proto::events::InstalmentApprovedV1;
use suivi_proto::quantities::{MoneyHt, MoneyTtc};

use super::checks::{non_negative_amount, not_before, not_in_future};
use super::ensure_not_settled;
use crate::advance_recovery::{executed_share, instalment_recovery, RecoveryInput, RecoveryPace};
use crate::contract::AwardedContract;
use crate::money::including_vat;
use crate::{DecisionContext, DomainError};

pub(super) fn approve(
    contract: &AwardedContract,
    number: u32,
    approved_on: NaiveDate,
    other_deductions_ttc: MoneyTtc,
    context: &DecisionContext,
) -> Result<InstalmentApprovedV1, DomainError> {
    ensure_not_settled(contract)?;
    let instalment = contract
        .instalment(number)
        .ok_or_else(|| DomainError::UnknownInstalment { field: "number".to_owned(), number })?;
    if instalment.approval().is_some() {
        return Err(DomainError::InstalmentAlreadyApproved { number });
    }
    let previous = number.checked_sub(1).and_then(|previous| contract.instalment(previous));
    if let Some(previous) = previous {
        let Some(previous_approval) = previous.approval() else {
            return Err(DomainError::PreviousInstalmentNotApproved { number, previous: previous.number() });
        };
        // Approved in order, so dated in order: recovery "so far" follows the dates too.
        not_before("approved_on", approved_on, previous_approval.approved_on, "the previous instalment's approval")?;
    }
    not_before("approved_on", approved_on, instalment.received_on(), "the day the request was received")?;
    not_in_future("approved_on", approved_on, context)?;
    non_negative_amount("other_deductions_ttc", other_deductions_ttc.amount())?;

    let previous_cumulative = previous.map_or(MoneyHt::ZERO, |previous| previous.cumulative_value_ht());
    let gross_ttc =
        cumulative_ttc(contract, instalment.cumulative_value_ht()) - cumulative_ttc(contract, previous_cumulative);
    let advance_recovery_ttc = advance_recovery(contract, instalment.cumulative_value_ht(), gross_ttc);
    let net_to_pay_ttc = gross_ttc - advance_recovery_ttc - other_deductions_ttc;
    if net_to_pay_ttc < MoneyTtc::ZERO {
        return Err(DomainError::NegativeNetToPay { gross_ttc, advance_recovery_ttc, other_deductions_ttc });
    }
    Ok(InstalmentApprovedV1 {
        number,
        gross_ttc,
        advance_recovery_ttc,
        other_deductions_ttc: other_deductions_ttc.round_to_cent(),
        net_to_pay_ttc: net_to_pay_ttc.round_to_cent(),
        approved_on,
    })
}

/// A cumulative value executed, including VAT, rounded to the cent: what the grosses of the
/// instalments up to it add up to. Never decreasing, since the cumulative value never does.
pub(crate) fn cumulative_ttc(contract: &AwardedContract, cumulative_value_ht: MoneyHt) -> MoneyTtc {
    including_vat(cumulative_value_ht, contract.award().vat_rate).round_to_cent()
}

/// Zero without advance terms or before the advance is paid.
fn advance_recovery(contract: &AwardedContract, cumulative_value_ht: MoneyHt, gross_ttc: MoneyTtc) -> MoneyTtc {
    let (Some(terms), Some(advance)) = (&contract.award().advance_terms, contract.advance_paid()) else {
        return MoneyTtc::ZERO.round_to_cent();
    };
    let input = RecoveryInput {
        advance_paid_ttc: advance.amount_ttc,
        recovered_so_far_ttc: contract.advance_recovered_ttc(),
        executed_share: executed_share(cumulative_value_ht, contract.initial_amount_ht()),
        gross_ttc,
    };
    instalment_recovery(&RecoveryPace::of(&terms.recovery), input)
}
