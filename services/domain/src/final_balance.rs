//! The final balance the settlement states (*solde du décompte général*): what the buyer still
//! owes the contractor, or the contractor the buyer, once the final amount is fixed.
//!
//! ```text
//! final amount TTC   = final amount HT × (1 + VAT rate), rounded to the cent
//! balance TTC        = final amount TTC − gross TTC of the instalments approved
//!                      − advance paid and not yet recovered
//! ```
//!
//! The advance still outstanding is recovered here: the settlement is the last account, so
//! whatever the instalments did not deduct is deducted from the balance. A negative balance is
//! owed by the contractor (an advance larger than the work left, a final amount below the
//! instalments). Other deductions of the instalments and penalties are the buyer's separate
//! decisions: they are not part of this balance (a penalty is decided after the settlement).

use serde::Serialize;
use suivi_proto::quantities::{MoneyHt, MoneyTtc};

use crate::contract::AwardedContract;
use crate::money::including_vat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FinalBalance {
    /// The final amount the settlement fixed, HT.
    pub final_amount_ht: MoneyHt,
    /// The same with VAT, rounded to the cent.
    pub final_amount_ttc: MoneyTtc,
    /// Sum of the gross TTC of every instalment approved.
    pub instalments_gross_ttc: MoneyTtc,
    /// Advance paid and not recovered by the instalments: recovered by the settlement.
    pub advance_recovered_at_settlement_ttc: MoneyTtc,
    /// Final amount TTC − instalments − advance outstanding; negative when the contractor owes.
    pub balance_ttc: MoneyTtc,
}

/// The balance of a settled contract; `None` before the settlement.
pub fn final_balance(contract: &AwardedContract) -> Option<FinalBalance> {
    let settlement = contract.settlement()?;
    let final_amount_ttc = including_vat(settlement.final_amount_ht, contract.award().vat_rate).round_to_cent();
    let instalments_gross_ttc: MoneyTtc =
        contract.instalments().iter().filter_map(|i| i.approval()).map(|a| a.gross_ttc).sum();
    let advance = contract.advance_outstanding_ttc();
    Some(FinalBalance {
        final_amount_ht: settlement.final_amount_ht.round_to_cent(),
        final_amount_ttc,
        instalments_gross_ttc: instalments_gross_ttc.round_to_cent(),
        advance_recovered_at_settlement_ttc: advance.round_to_cent(),
        balance_ttc: (final_amount_ttc - instalments_gross_ttc - advance).round_to_cent(),
    })
}
