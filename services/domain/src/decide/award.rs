//! Award: every setting of the contract is checked once, here, so later rules can rely on it.

use std::collections::HashSet;

use suivi_proto::codes::Siret;
use suivi_proto::events::{
    AdvanceRecovery, AdvanceTerms, BuyerKind, ContractAwardedV1, Contractor, ContractorRole,
    EnvironmentalConsideration, InsertionClause, PenaltyRate, SocialConsideration,
};
use suivi_proto::quantities::Share;

use rust_decimal::Decimal;

use super::checks::{
    duration_months, non_negative_amount, not_blank, not_in_future, plausible_committed_hours, positive_amount,
    positive_count, share, ShareRange,
};
use crate::payment_term::maximum_payment_term_days;
use crate::{DecisionContext, DomainError};

pub(super) fn award(award: ContractAwardedV1, context: &DecisionContext) -> Result<ContractAwardedV1, DomainError> {
    siret("buyer_siret", &award.buyer_siret)?;
    contractors(&award.contractors)?;
    not_blank("object", &award.object)?;
    not_blank("procedure", &award.procedure)?;
    if let Some(ccag) = &award.ccag {
        not_blank("ccag", ccag)?;
    }
    considerations(&award)?;
    positive_amount("amount_ht", award.amount_ht.amount())?;
    share("vat_rate", award.vat_rate, ShareRange::BelowOne)?;
    duration_months("duration_months", award.duration_months)?;
    not_in_future("notification_date", award.notification_date, context)?;
    if let Some(clause) = &award.insertion_clause {
        insertion_clause(clause)?;
        plausible_committed_hours(
            "insertion_clause.committed_hours",
            clause.committed_hours,
            award.amount_ht,
            award.notification_date,
            context,
        )?;
    }
    if let Some(terms) = &award.advance_terms {
        advance_terms(terms)?;
    }
    payment_term(award.buyer_kind, award.payment_term_days)?;
    Ok(award)
}

/// The checksum (Luhn, or La Poste's rule). Published data holds SIRETs that fail it: an
/// importer reports them; a contract recorded here must have valid ones.
fn siret(field: &str, siret: &Siret) -> Result<(), DomainError> {
    if !siret.has_valid_checksum() {
        return Err(DomainError::InvalidSiretChecksum { field: field.to_owned(), siret: siret.clone() });
    }
    Ok(())
}

/// At least one; each SIRET valid and listed once; one `sole`, or one `lead` with co-contractors.
fn contractors(contractors: &[Contractor]) -> Result<(), DomainError> {
    if contractors.is_empty() {
        return Err(DomainError::NoContractor);
    }
    let mut seen = HashSet::new();
    for (index, contractor) in contractors.iter().enumerate() {
        siret(&format!("contractors[{index}].siret"), &contractor.siret)?;
        if !seen.insert(&contractor.siret) {
            return Err(DomainError::DuplicateContractor { index, siret: contractor.siret.clone() });
        }
    }
    let count = |role: ContractorRole| contractors.iter().filter(|c| c.role == role).count();
    let roles_ok = match contractors.len() {
        1 => count(ContractorRole::Sole) == 1,
        n => count(ContractorRole::Lead) == 1 && count(ContractorRole::CoContractor) == n - 1,
    };
    if !roles_ok {
        return Err(DomainError::InvalidContractorRoles);
    }
    Ok(())
}

/// "Pas de considération …" cannot sit next to a consideration of the same kind: indicators
/// would count the contract on both sides.
fn considerations(award: &ContractAwardedV1) -> Result<(), DomainError> {
    let social = &award.social_considerations;
    if social.contains(&SocialConsideration::PasDeConsiderationSociale) && social.len() > 1 {
        return Err(DomainError::ContradictoryConsiderations { field: "social_considerations".to_owned() });
    }
    let environmental = &award.environmental_considerations;
    if environmental.contains(&EnvironmentalConsideration::PasDeConsiderationEnvironnementale)
        && environmental.len() > 1
    {
        return Err(DomainError::ContradictoryConsiderations { field: "environmental_considerations".to_owned() });
    }
    Ok(())
}

pub(super) fn insertion_clause(clause: &InsertionClause) -> Result<(), DomainError> {
    // Committed hours are never negative: `Hours` cannot hold a negative number.
    let terms = &clause.penalty_terms;
    match &terms.rate {
        PenaltyRate::Fixed { amount_per_hour_ht } => {
            non_negative_amount("insertion_clause.penalty_terms.rate.amount_per_hour_ht", amount_per_hour_ht.amount())?
        }
        PenaltyRate::SmicMultiple { multiple, .. } => smic_multiple(*multiple)?,
    }
    share("insertion_clause.penalty_terms.tolerance_share", terms.tolerance_share, ShareRange::Closed)?;
    if let Some(cap) = terms.cap_share {
        share("insertion_clause.penalty_terms.cap_share", cap, ShareRange::AboveZero)?;
    }
    if let Some(threshold) = terms.exemption_threshold_ht {
        non_negative_amount("insertion_clause.penalty_terms.exemption_threshold_ht", threshold.amount())?;
    }
    Ok(())
}

/// The most SMICs a missing hour may cost: 10 (some 120 € per hour; CCAPs ask 1 to 5, the
/// fixed rates seen reach 60 €, about 5 SMICs). Zero would make the clause toothless: leave the
/// clause's terms out instead.
const MAX_SMIC_MULTIPLE: u32 = 10;

fn smic_multiple(multiple: Decimal) -> Result<(), DomainError> {
    if multiple <= Decimal::ZERO || multiple > Decimal::from(MAX_SMIC_MULTIPLE) {
        return Err(DomainError::OutOfRange {
            field: "insertion_clause.penalty_terms.rate.multiple".to_owned(),
            value: multiple,
            range: "(0, 10]",
        });
    }
    Ok(())
}

/// A rate of 0 is accepted: DECP writes `tauxAvance: 0` when an advance is granted at a rate
/// not stated.
fn advance_terms(terms: &AdvanceTerms) -> Result<(), DomainError> {
    share("advance_terms.rate", terms.rate, ShareRange::Closed)?;
    if let AdvanceRecovery::Thresholds { start_share, end_share } = &terms.recovery {
        share("advance_terms.recovery.start_share", *start_share, ShareRange::Closed)?;
        if let Some(end) = end_share {
            share("advance_terms.recovery.end_share", *end, ShareRange::Closed)?;
        }
        if end_share.unwrap_or(Share::ONE) <= *start_share {
            return Err(DomainError::RecoveryThresholdsInverted { start_share: *start_share, end_share: *end_share });
        }
    }
    Ok(())
}

/// Any term from 1 day to the legal maximum for the kind of buyer (see
/// [`maximum_payment_term_days`]).
fn payment_term(kind: BuyerKind, days: u16) -> Result<(), DomainError> {
    positive_count("payment_term_days", u32::from(days))?;
    let maximum = maximum_payment_term_days(kind);
    if days > maximum {
        return Err(DomainError::PaymentTermAboveLegalMaximum { days, maximum, buyer_kind: kind });
    }
    Ok(())
}
