//! What a contract looks like to the people following it: amounts, hours, instalments.
//!
//! Folded from the contract's own events on each read (with the dated reference tables for
//! late-payment interest). The projector (read models) serves the same figures for lists and
//! indicators at scale.

mod payment;
mod terms;

pub use payment::PaymentView;
pub use terms::{PenaltyRateView, TermsView};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use suivi_application::lists::ContractRow;
use suivi_domain::contract::{Instalment, LineReview, LineReviewStatus};
use suivi_domain::final_balance::{final_balance, FinalBalance};
use suivi_domain::late_payment::due_date;
use suivi_domain::money::including_vat;
use suivi_domain::{AwardedContract, Contract, ContractStatus, References};
use suivi_proto::events::{EligibleCategory, FactCorrectedV1, InsertionModality, InstalmentApprovedV1, Period};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Hours {
    /// Committed after amendments; absent without an insertion clause.
    #[serde(with = "suivi_proto::shown::hours_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<suivi_proto::decimal::Quantity>")]
    pub committed: Option<Decimal>,
    /// The commitment pro-rated to the value executed by an early termination (committed × value
    /// executed ÷ amount after amendments), when the penalty terms say so: what `remaining` and
    /// the penalty measure. Absent otherwise.
    #[serde(with = "suivi_proto::shown::hours_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<suivi_proto::decimal::Quantity>")]
    pub pro_rated_committed: Option<Decimal>,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub declared: Decimal,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub validated: Decimal,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub rejected: Decimal,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub pending: Decimal,
    /// Committed hours (pro-rated if so) not yet validated, never below 0; absent without an
    /// insertion clause.
    #[serde(with = "suivi_proto::shown::hours_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<suivi_proto::decimal::Quantity>")]
    pub remaining: Option<Decimal>,
}

/// One line of a contract list.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContractSummary {
    pub contract_id: Uuid,
    pub version: i64,
    pub status: ContractStatus,
    pub object: String,
    pub buyer_siret: String,
    pub contractor_sirets: Vec<String>,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub notification_date: NaiveDate,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub amount_ht: Decimal,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub executed_value_ht: Decimal,
    pub hours: Hours,
    /// Before settlement, once a quarter of the value is executed: validated hours below 80 % of
    /// the committed hours × the share of value executed (lists only: computed by the projector).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<bool>,
}

impl ContractSummary {
    pub fn of(contract_id: Uuid, version: i64, contract: &Contract) -> Option<Self> {
        let awarded = contract.awarded()?;
        let hours = awarded.hours();
        Some(ContractSummary {
            contract_id,
            version,
            status: awarded.status(),
            object: awarded.award().object.clone(),
            buyer_siret: awarded.buyer_siret().as_str().to_owned(),
            contractor_sirets: awarded.contractor_sirets().map(|s| s.as_str().to_owned()).collect(),
            notification_date: awarded.start_date(),
            // Views mix the domain's state and the projector's rows (bare `numeric`s).
            amount_ht: awarded.current_amount_ht().amount(),
            executed_value_ht: awarded.executed_value_ht().amount(),
            hours: Hours {
                committed: hours.committed.map(suivi_proto::Hours::value),
                pro_rated_committed: hours.pro_rated_committed.map(suivi_proto::Hours::value),
                declared: hours.declared.value(),
                validated: hours.validated.value(),
                rejected: hours.rejected.value(),
                pending: hours.pending.value(),
                remaining: hours.remaining.map(suivi_proto::Hours::value),
            },
            at_risk: None,
        })
    }
}

impl ContractSummary {
    /// The summary as the read models hold it (lists are served from them).
    pub fn from_row(row: &ContractRow) -> Self {
        ContractSummary {
            contract_id: row.contract_id,
            version: row.version,
            status: row.status,
            object: row.object.clone(),
            buyer_siret: row.buyer_siret.clone(),
            contractor_sirets: row.contractor_sirets.clone(),
            notification_date: row.notification_date,
            amount_ht: row.amount_ht,
            executed_value_ht: row.executed_value_ht,
            hours: Hours {
                committed: row.committed_hours,
                pro_rated_committed: row.pro_rated_committed_hours,
                declared: row.declared_hours,
                validated: row.validated_hours,
                rejected: row.rejected_hours,
                pending: row.pending_hours,
                remaining: row.remaining_hours,
            },
            at_risk: Some(row.at_risk),
        }
    }
}

/// One contract in full.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContractView {
    #[serde(flatten)]
    pub summary: ContractSummary,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub initial_amount_ht: Decimal,
    /// The value executed including VAT, rounded to the cent: what the instalments' grosses add
    /// up to.
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub executed_value_ttc: Decimal,
    /// The award's terms the figures below are computed with.
    pub terms: TermsView,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub execution_end_date: NaiveDate,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub advance_outstanding_ttc: Decimal,
    pub instalments: Vec<InstalmentView>,
    /// Once settled: the final amount and the balance it leaves, the advance still outstanding
    /// recovered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementView>,
    /// Entry mistakes corrected, oldest first: the figures above are already corrected.
    pub corrections: Vec<FactCorrectedV1>,
}

/// The final settlement and the balance it states.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SettlementView {
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub settled_on: NaiveDate,
    #[serde(flatten)]
    pub balance: FinalBalance,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstalmentView {
    pub number: u32,
    pub period: Period,
    #[serde(with = "suivi_proto::shown::money")]
    #[schemars(with = "suivi_proto::decimal::Money")]
    pub cumulative_value_ht: Decimal,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub received_on: NaiveDate,
    /// Reception + the award's payment term: paid after it, the instalment owes late-payment
    /// interest and the 40 € flat fee.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub due_on: NaiveDate,
    pub lines: Vec<LineView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<InstalmentApprovedV1>,
    #[serde(with = "suivi_proto::date::option", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<NaiveDate>")]
    pub paid_on: Option<NaiveDate>,
    /// Once paid: days to pay, days late, the ECB rate used, the interest (or why it cannot be
    /// computed), the flat fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentView>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineView {
    pub line_id: u32,
    pub beneficiary: String,
    pub category: EligibleCategory,
    pub modality: InsertionModality,
    #[serde(with = "suivi_proto::shown::hours")]
    #[schemars(with = "suivi_proto::decimal::Quantity")]
    pub hours: Decimal,
    pub period: Period,
    pub review: LineReviewStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

impl ContractView {
    /// The view of an awarded contract; `references` give the ECB rates of late-payment interest.
    pub fn of(contract_id: Uuid, version: i64, contract: &Contract, references: &References) -> Option<Self> {
        let summary = ContractSummary::of(contract_id, version, contract)?;
        let awarded = contract.awarded()?;
        Some(ContractView {
            summary,
            initial_amount_ht: awarded.initial_amount_ht().amount(),
            executed_value_ttc: including_vat(awarded.executed_value_ht(), awarded.award().vat_rate)
                .round_to_cent()
                .amount(),
            terms: TermsView::of(awarded),
            execution_end_date: awarded.execution_end_date(),
            advance_outstanding_ttc: awarded.advance_outstanding_ttc().amount(),
            instalments: awarded.instalments().iter().map(|i| instalment_view(awarded, i, references)).collect(),
            settlement: awarded
                .settlement()
                .zip(final_balance(awarded))
                .map(|(settlement, balance)| SettlementView { settled_on: settlement.settled_on, balance }),
            corrections: awarded.corrections().to_vec(),
        })
    }
}

fn instalment_view(contract: &AwardedContract, instalment: &Instalment, references: &References) -> InstalmentView {
    let term = contract.award().payment_term_days;
    InstalmentView {
        number: instalment.number(),
        period: instalment.period(),
        cumulative_value_ht: instalment.cumulative_value_ht().amount(),
        received_on: instalment.received_on(),
        due_on: due_date(instalment.received_on(), term),
        lines: instalment
            .lines()
            .iter()
            .map(|reviewed| {
                let line = reviewed.line();
                let rejection_reason = match reviewed.review() {
                    LineReview::Rejected { reason } => Some(reason.clone()),
                    LineReview::Pending | LineReview::Validated => None,
                };
                LineView {
                    line_id: line.line_id,
                    beneficiary: line.beneficiary.as_str().to_owned(),
                    category: line.category,
                    modality: line.modality,
                    hours: line.hours.value(),
                    period: line.period,
                    review: reviewed.review().status(),
                    rejection_reason,
                }
            })
            .collect(),
        approval: instalment.approval().cloned(),
        paid_on: instalment.payment().map(|p| p.paid_on),
        payment: instalment.payment().map(|paid| PaymentView::of(instalment.received_on(), term, paid, references)),
    }
}
