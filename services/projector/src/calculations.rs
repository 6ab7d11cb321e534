//! The domain's penalty and late-payment calculations, fed with the dated reference tables.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use suivi_domain::late_payment::{late_payment, LatePaymentInput};
use suivi_domain::penalty::propose_penalty;
use suivi_domain::penalty_view::ProposedPenalty;
use suivi_domain::reference::NoValueInForce;
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
    /// ECB rate applied, a fraction of 1 with four decimals, when late and known.
    pub ecb_rate: Option<Decimal>,
    /// Euros, two decimals (0.00 when on time); `None` when it cannot be computed: see `missing`.
    pub interest: Option<Decimal>,
    /// 40.00 when late, whatever the rate table holds; 0.00 otherwise.
    pub flat_fee: Decimal,
    /// The ECB rate the interest needs and the table lacks.
    pub missing: Option<NoValueInForce>,
}

/// The domain's figures for one payment: its day count, its flat fee and, when the ECB rate of
/// the half-year is known, its interest — else the rate it lacks.
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
    let late = late_payment(&input, &references.ecb);
    Lateness {
        days_to_pay: late.days_to_pay as i32,
        days_late: late.days_late as i32,
        ecb_rate: late.ecb_rate().map(suivi_proto::shown::share),
        interest: late.interest_amount(),
        flat_fee: late.flat_fee,
        missing: late.missing(),
    }
}
