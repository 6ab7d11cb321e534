//! The domain's penalty and late-payment calculations, fed with the dated reference tables.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_domain::late_payment::{late_payment, payment_delay, LatePayment, LatePaymentInput};
use suivi_domain::penalty::propose_penalty;
use suivi_domain::penalty_view::ProposedPenalty;
use suivi_domain::AwardedContract;
use suivi_proto::events::InstalmentPaidV1;
use suivi_proto::quantities::MoneyHt;

/// The dated reference tables (gross hourly SMIC, ECB rate as a fraction of 1), read from
/// `reference_rates` by [`suivi_store::reference_rates::load`] once per projector run.
pub use suivi_domain::References;

/// The penalty proposal of a settled contract with an insertion clause, with its steps.
pub struct Proposal {
    pub final_amount_ht: MoneyHt,
    pub proposed: ProposedPenalty,
}

pub fn penalty_of(contract: &AwardedContract, references: &References) -> Option<Proposal> {
    match propose_penalty(contract, &references.smic) {
        Ok(Some(proposal)) => {
            Some(Proposal { final_amount_ht: proposal.final_amount_ht, proposed: ProposedPenalty::computed(&proposal) })
        }
        Ok(None) => None,
        Err(missing) => {
            // Without the SMIC in force the proposal cannot be made; say so rather than guess.
            Some(Proposal { final_amount_ht: MoneyHt::ZERO, proposed: ProposedPenalty::unavailable(missing) })
        }
    }
}

/// Delay and late-payment interest of one instalment payment.
pub struct Lateness {
    pub days_to_pay: i32,
    pub days_late: i32,
    /// ECB rate applied, in percent (as the reference table), when late.
    pub ecb_rate: Option<Decimal>,
    pub interest: Decimal,
    pub flat_fee: Decimal,
}

/// The domain's figures for one payment: its day count ([`payment_delay`], the only one) and,
/// when the ECB rate of the half-year is known, its interest and fee.
pub fn late_payment_of(
    received_on: NaiveDate,
    payment_term_days: u16,
    payment: &InstalmentPaidV1,
    references: &References,
) -> Lateness {
    let input = LatePaymentInput {
        received_on,
        payment_term_days,
        paid_on: payment.paid_on,
        amount_paid_ttc: payment.amount_ttc,
    };
    let delay = payment_delay(received_on, payment_term_days, payment.paid_on);
    let (days_to_pay, days_late) = (delay.days_to_pay as i32, delay.days_late as i32);
    match late_payment(&input, &references.ecb) {
        Ok(LatePayment { ecb_rate, interest, flat_fee, .. }) => Lateness {
            days_to_pay,
            days_late,
            ecb_rate: ecb_rate.map(|r| r * Decimal::ONE_HUNDRED),
            interest,
            flat_fee,
        },
        // No ECB rate known for that half-year yet: the delay is known, the interest is not.
        Err(_) => Lateness { days_to_pay, days_late, ecb_rate: None, interest: Decimal::ZERO, flat_fee: Decimal::ZERO },
    }
}
