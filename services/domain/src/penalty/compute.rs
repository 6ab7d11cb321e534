//! The penalty steps, in the order of domain.md §4b (see the module documentation).

use rust_decimal::Decimal;
use suivi_proto::quantities::{Hours, MoneyHt, Share};

use super::{PenaltyInput, PenaltyProposal, Termination};

/// Computes the penalty from plain figures, keeping every step. Total: no input makes it panic
/// (products saturate, a non-positive amount disables the pro-rata instead of dividing by 0).
pub fn compute_penalty(input: &PenaltyInput) -> PenaltyProposal {
    let (pro_rata_factor, pro_rated_committed_hours) = match input.termination {
        Some(termination) if termination.pro_rata_on_termination => pro_rate(input.committed_hours, termination),
        _ => (None, None),
    };
    let committed = pro_rated_committed_hours.unwrap_or(input.committed_hours);

    let shortfall_hours = committed.saturating_sub(input.counted_hours);
    // A share is at most 1: hours × share never overflows.
    let tolerance_threshold_hours = committed * input.tolerance_share.complement();
    let tolerance_reached = input.counted_hours >= tolerance_threshold_hours;
    let penalised_hours = if tolerance_reached { Hours::ZERO } else { shortfall_hours };

    let rate_per_hour_ht = input.rate.per_hour_ht();
    let raw_amount_ht = rate_per_hour_ht.saturating_for(penalised_hours);

    let cap_amount_ht = input.cap_share.map(|share| (input.final_amount_ht * share).round_to_cent());
    let cap_applied = cap_amount_ht.is_some_and(|cap| raw_amount_ht > cap);
    let amount_after_cap_ht = match cap_amount_ht {
        Some(cap) if cap_applied => cap,
        _ => raw_amount_ht.round_to_cent(),
    };

    let exempted = amount_after_cap_ht > MoneyHt::ZERO
        && input.exemption_threshold_ht.is_some_and(|threshold| amount_after_cap_ht <= threshold);
    let final_amount_ht = if exempted { MoneyHt::ZERO.round_to_cent() } else { amount_after_cap_ht };

    PenaltyProposal {
        committed_hours: input.committed_hours,
        termination: input.termination,
        pro_rata_factor,
        pro_rated_committed_hours,
        basis: input.basis,
        counted_hours: input.counted_hours,
        shortfall_hours,
        tolerance_share: input.tolerance_share,
        tolerance_threshold_hours,
        tolerance_reached,
        penalised_hours,
        rate_per_hour_ht,
        rate_source: input.rate,
        raw_amount_ht,
        cap_share: input.cap_share,
        final_contract_amount_ht: input.final_amount_ht,
        cap_amount_ht,
        cap_applied,
        amount_after_cap_ht,
        exemption_threshold_ht: input.exemption_threshold_ht,
        exempted,
        final_amount_ht,
    }
}

/// (factor, pro-rated hours): `committed × value executed ÷ amount`, the value clamped to
/// [0, amount] so a termination can only lower the commitment. Multiplying before dividing
/// keeps 1 000 h × 600 000 ÷ 1 100 000 as exact as a `Decimal` allows. The contract's hours
/// ([`AwardedContract::hours`](crate::AwardedContract::hours)) use it too, so the view, the
/// lists and the penalty show the same commitment.
pub(crate) fn pro_rate(committed: Hours, termination: Termination) -> (Option<Share>, Option<Hours>) {
    // Ratios of two amounts and hours times them: bare decimals inside, typed again on return.
    let amount = termination.amount_ht.amount();
    if amount <= Decimal::ZERO {
        // An award and its amendments always have a positive amount.
        return (None, None);
    }
    let executed = termination.value_executed_ht.amount().clamp(Decimal::ZERO, amount);
    let hours = match committed.value().checked_mul(executed) {
        Some(product) => product / amount,
        None => committed.value() * (executed / amount),
    };
    // Both are within bounds: executed ∈ [0, amount], so the factor ∈ [0, 1] and the hours ≥ 0.
    (Share::new(executed / amount), Hours::new(hours))
}
