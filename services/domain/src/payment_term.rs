//! Payment term (*délai global de paiement*, R2192-10 and R2192-11).

use suivi_proto::events::BuyerKind;

/// The legal maximum payment term, in days from receipt of a request, for a kind of buyer:
/// 30 for the State and local authorities, 50 for public hospitals, 60 for public companies.
///
/// It is also the default a buyer service should propose. The law sets a *maximum*: a contract
/// may promise to pay sooner, so an award accepts any term from 1 day up to this figure and
/// refuses a longer one, which would understate late-payment interest.
pub fn maximum_payment_term_days(kind: BuyerKind) -> u16 {
    match kind {
        BuyerKind::State | BuyerKind::LocalAuthority => 30,
        BuyerKind::Hospital => 50,
        BuyerKind::PublicCompany => 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_depends_on_the_kind_of_buyer() {
        assert_eq!(maximum_payment_term_days(BuyerKind::State), 30);
        assert_eq!(maximum_payment_term_days(BuyerKind::LocalAuthority), 30);
        assert_eq!(maximum_payment_term_days(BuyerKind::Hospital), 50);
        assert_eq!(maximum_payment_term_days(BuyerKind::PublicCompany), 60);
    }
}
