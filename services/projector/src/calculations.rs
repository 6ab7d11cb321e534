//! The domain's penalty and late-payment calculations, fed with the dated reference tables.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;
use suivi_domain::late_payment::{late_payment, LatePayment, LatePaymentInput};
use suivi_domain::penalty::propose_penalty;
use suivi_domain::penalty_view::ProposedPenalty;
use suivi_domain::reference::DatedRates;
use suivi_domain::AwardedContract;
use suivi_proto::events::InstalmentPaidV1;

use crate::projector::ProjectorError;

/// The reference tables of `reference_rates`, loaded once per projector run.
#[derive(Debug, Clone)]
pub struct References {
    /// Gross hourly SMIC, euros.
    pub smic: DatedRates,
    /// ECB main refinancing rate, as a fraction of 1 (the table stores percents).
    pub ecb: DatedRates,
}

impl References {
    pub async fn load(pool: &PgPool) -> Result<Self, ProjectorError> {
        let rows: Vec<(String, NaiveDate, Decimal)> =
            sqlx::query_as("select kind, in_force_from, value from reference_rates order by kind, in_force_from")
                .fetch_all(pool)
                .await?;
        let table = |kind: &str, scale: Decimal| {
            let entries =
                rows.iter().filter(|(k, _, _)| k == kind).map(|(_, from, value)| (*from, *value / scale)).collect();
            DatedRates::new(entries).map_err(|e| ProjectorError::References(e.to_string()))
        };
        Ok(References {
            smic: table("smic_hourly_gross", Decimal::ONE)?,
            ecb: table("ecb_main_refinancing", Decimal::ONE_HUNDRED)?,
        })
    }
}

/// The penalty proposal of a settled contract with an insertion clause, with its steps.
pub struct Proposal {
    pub final_amount_ht: Decimal,
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
            Some(Proposal { final_amount_ht: Decimal::ZERO, proposed: ProposedPenalty::unavailable(missing) })
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
    match late_payment(&input, &references.ecb) {
        Ok(LatePayment { days_to_pay, days_late, ecb_rate, interest, flat_fee, .. }) => Lateness {
            days_to_pay: days_to_pay as i32,
            days_late: days_late as i32,
            ecb_rate: ecb_rate.map(|r| r * Decimal::ONE_HUNDRED),
            interest,
            flat_fee,
        },
        // No ECB rate known for that half-year yet: the delay is known, the interest is not.
        Err(_) => {
            let due = received_on + chrono::Duration::days(i64::from(payment_term_days));
            Lateness {
                days_to_pay: (payment.paid_on - received_on).num_days() as i32,
                days_late: (payment.paid_on - due).num_days().max(0) as i32,
                ecb_rate: None,
                interest: Decimal::ZERO,
                flat_fee: Decimal::ZERO,
            }
        }
    }
}
