//! What an award needs and DECP does not publish: chosen by the importing buyer, once per file.

use rust_decimal::Decimal;
use suivi_proto::events::{AdvanceRecovery, BuyerKind, CompanySize};
use suivi_proto::quantities::Share;

/// Settings the importer applies to every record of a file.
///
/// `Default` fits Suivi's first users: a local authority (intercommunality or commune).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDefaults {
    /// Default: `local_authority`.
    pub buyer_kind: BuyerKind,
    /// VAT rate as a fraction of 1. Default: `0.20`, the normal French rate.
    pub vat_rate: Share,
    /// *Délai global de paiement* in days. Default: 30 (State and local authorities, R2192-10).
    pub payment_term_days: u16,
    /// DECP does not publish company sizes. Default: `pme`, the commonest case among Suivi's
    /// contractors; every record says so in its warnings, because the share awarded to SMEs
    /// is an indicator and the buyer should correct it where it is wrong.
    pub contractor_size: CompanySize,
    /// Whether an imported advance requires a first-demand guarantee (optional since 2020;
    /// not in DECP). Default: `false`.
    pub advance_with_guarantee: bool,
    /// Advance recovery pace (not in DECP). Default: proportional, the rule for a contract
    /// that says nothing since décret 2022-1683.
    pub advance_recovery: AdvanceRecovery,
    /// Rate to record when DECP says an advance was granted at an unknown rate
    /// (`attributionAvance: true`, `tauxAvance: 0` or absent). Default: `None`, i.e. no
    /// advance terms and a warning: recording a guessed rate would make finance pay it.
    pub unknown_advance_rate: Option<Share>,
}

impl ImportDefaults {
    /// Defaults for `kind`, with its legal payment term (R2192-10/11).
    pub fn for_buyer_kind(kind: BuyerKind) -> Self {
        let payment_term_days = match kind {
            BuyerKind::State | BuyerKind::LocalAuthority => 30,
            BuyerKind::Hospital => 50,
            BuyerKind::PublicCompany => 60,
        };
        ImportDefaults { buyer_kind: kind, payment_term_days, ..ImportDefaults::default() }
    }
}

impl Default for ImportDefaults {
    fn default() -> Self {
        ImportDefaults {
            buyer_kind: BuyerKind::LocalAuthority,
            vat_rate: Share::new(Decimal::new(20, 2)).expect("20 % is a fraction of 1"),
            payment_term_days: 30,
            contractor_size: CompanySize::Pme,
            advance_with_guarantee: false,
            advance_recovery: AdvanceRecovery::Proportional {},
            unknown_advance_rate: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_sets_the_legal_payment_term_of_each_buyer_kind() {
        assert_eq!(ImportDefaults::for_buyer_kind(BuyerKind::Hospital).payment_term_days, 50);
        assert_eq!(ImportDefaults::for_buyer_kind(BuyerKind::PublicCompany).payment_term_days, 60);
        assert_eq!(ImportDefaults::for_buyer_kind(BuyerKind::State).payment_term_days, 30);
        assert_eq!(ImportDefaults::default().vat_rate.to_string(), "0.20");
    }
}
