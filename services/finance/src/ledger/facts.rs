//! The ledger fact of an event, computed from the contract as it stood right after it.

use suivi_domain::advance_recovery::granted_advance_ttc;
use suivi_domain::final_balance::final_balance;
use suivi_domain::late_payment::{due_date, late_payment, LateInterest, LatePaymentInput};
use suivi_domain::money::including_vat;
use suivi_domain::{AwardedContract, MissingReference, References};
use suivi_proto::ledger::{FactSource, LedgerBody, LedgerFact, PenaltyDecisionKind};
use suivi_proto::Event;
use suivi_store::StoredEvent;

/// The event types that give a fact: only their events are folded.
pub const FACT_EVENTS: &[&str] = &[
    "contract_awarded",
    "instalment_approved",
    "instalment_paid",
    "contract_settled",
    "penalty_confirmed",
    "penalty_adjusted",
    "penalty_waived",
];

/// The fact `event` gives, if any, with `contract` folded up to and including `event`.
pub fn fact_of(
    stored: &StoredEvent,
    event: &Event,
    contract: &AwardedContract,
    references: &References,
) -> Option<LedgerFact> {
    let body = body_of(event, contract, references)?;
    let award = contract.award();
    Some(LedgerFact {
        tenant: stored.tenant.clone(),
        contract_id: stored.stream_id,
        buyer_siret: award.buyer_siret.clone(),
        contractor_sirets: award.contractors.iter().map(|c| c.siret.clone()).collect(),
        object: award.object.clone(),
        source: FactSource {
            event_id: stored.event_id,
            event_type: stored.event_type.clone(),
            stream_version: stored.stream_version,
            position: stored.log_position,
            recorded_at: stored.recorded_at,
        },
        body,
    })
}

fn body_of(event: &Event, contract: &AwardedContract, references: &References) -> Option<LedgerBody> {
    let award = contract.award();
    match event {
        Event::ContractAwarded(award) => {
            let advance = award.advance_terms.as_ref().filter(|terms| !terms.rate.is_zero());
            Some(LedgerBody::ContractAwarded {
                notification_date: award.notification_date,
                amount_ht: award.amount_ht.round_to_cent().amount(),
                vat_rate: award.vat_rate.value(),
                amount_ttc: including_vat(award.amount_ht, award.vat_rate).round_to_cent().amount(),
                payment_term_days: award.payment_term_days,
                advance_due_ttc: advance.map(|terms| {
                    granted_advance_ttc(award.amount_ht, award.vat_rate, award.duration_months, terms.rate)
                        .round_to_cent()
                        .amount()
                }),
            })
        }
        Event::InstalmentApproved(approval) => {
            let received_on = contract.instalment(approval.number)?.received_on();
            Some(LedgerBody::InstalmentApproved {
                number: approval.number,
                received_on,
                approved_on: approval.approved_on,
                due_on: due_date(received_on, award.payment_term_days),
                gross_ttc: approval.gross_ttc.amount(),
                advance_recovery_ttc: approval.advance_recovery_ttc.amount(),
                other_deductions_ttc: approval.other_deductions_ttc.amount(),
                net_to_pay_ttc: approval.net_to_pay_ttc.amount(),
            })
        }
        Event::InstalmentPaid(payment) => {
            let received_on = contract.instalment(payment.number)?.received_on();
            let input = LatePaymentInput {
                received_on,
                payment_term_days: award.payment_term_days,
                paid_on: payment.paid_on,
                amount_paid_ttc: payment.amount_ttc,
            };
            let late = late_payment(&input, &references.ecb);
            if late.days_late <= 0 {
                return None;
            }
            let (applied_rate, interest_missing) = match late.interest {
                LateInterest::Computed { applied_rate, .. } => (Some(applied_rate), None),
                LateInterest::Unavailable(missing) => (None, Some(MissingReference::of(missing).reason)),
                LateInterest::NotDue => (None, None),
            };
            Some(LedgerBody::LatePaymentOwed {
                number: payment.number,
                due_on: late.due_date,
                paid_on: payment.paid_on,
                amount_paid_ttc: payment.amount_ttc.amount(),
                days_late: late.days_late,
                applied_rate,
                interest_ttc: late.interest_amount(),
                interest_missing,
                flat_fee_ttc: late.flat_fee,
                total_ttc: late.total(),
            })
        }
        Event::ContractSettled(settlement) => {
            let balance = final_balance(contract)?;
            Some(LedgerBody::ContractSettled {
                settled_on: settlement.settled_on,
                final_amount_ttc: balance.final_amount_ttc.amount(),
                instalments_gross_ttc: balance.instalments_gross_ttc.amount(),
                advance_recovered_at_settlement_ttc: balance.advance_recovered_at_settlement_ttc.amount(),
                balance_ttc: balance.balance_ttc.amount(),
            })
        }
        Event::PenaltyConfirmed(_) | Event::PenaltyAdjusted(_) | Event::PenaltyWaived(_) => {
            let decision = contract.penalty_decision()?;
            let kind = match event {
                Event::PenaltyConfirmed(_) => PenaltyDecisionKind::Confirmed,
                Event::PenaltyAdjusted(_) => PenaltyDecisionKind::Adjusted,
                _ => PenaltyDecisionKind::Waived,
            };
            Some(LedgerBody::PenaltyDecided {
                decision: kind,
                decided_on: decision.decided_on(),
                deduction: decision.amount_ht().round_to_cent().amount(),
            })
        }
        _ => None,
    }
}
