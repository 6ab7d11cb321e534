//! The ledger: the facts finance acts on, published on
//! `<prefix>.<tenant>.ledger.<fact>.<contract_id>` (see [`crate::subjects`]).
//!
//! Events are the history of a contract; a ledger fact is what finance must do about one of them,
//! with every figure it needs already computed (finance does not fold events): the advance due
//! at the award, the net to pay of an approved instalment, the interest and flat fee owed on a
//! late payment, the final balance of a settlement, the deduction of a decided penalty.
//!
//! Each fact names the event it comes from (`source`): its id is the fact's `Nats-Msg-Id`, and
//! a consumer that keeps the ids it applied applies each fact once. Figures are written in the
//! format of [`crate::shown`] (amounts with two decimals, shares with four).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::Siret;
use crate::envelope::LogPosition;
use crate::ids::TenantId;

/// The version of [`LedgerFact`]'s schema (`ledger_fact.v1.json`), in each message's
/// `Suivi-Schema-Version` header.
pub const LEDGER_SCHEMA_VERSION: u16 = 1;

/// One ledger message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerFact {
    pub tenant: TenantId,
    pub contract_id: Uuid,
    /// Who pays whom: the buyer and the contractors (the first is the lead of a group).
    pub buyer_siret: Siret,
    pub contractor_sirets: Vec<Siret>,
    /// The contract's object, for a person reading the message.
    pub object: String,
    /// The event this fact comes from.
    pub source: FactSource,
    #[serde(flatten)]
    pub body: LedgerBody,
}

/// The event a fact comes from, and where it sits in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FactSource {
    /// The event's id: also the message's `Nats-Msg-Id`.
    pub event_id: Uuid,
    pub event_type: String,
    /// The contract's version after the event.
    pub stream_version: i64,
    /// The event's position in the log: facts are published in this order.
    #[serde(flatten)]
    pub position: LogPosition,
    pub recorded_at: DateTime<Utc>,
}

/// What finance must do, by fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum LedgerBody {
    /// A contract was awarded: its amount, its payment term and the advance due, if any.
    ContractAwarded {
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        notification_date: NaiveDate,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        amount_ht: Decimal,
        #[serde(with = "crate::shown::share")]
        #[schemars(with = "crate::decimal::Fraction")]
        vat_rate: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        amount_ttc: Decimal,
        /// Days between the receipt of a payment request and its due date.
        payment_term_days: u16,
        /// The advance the contract grants, TTC; absent when it grants none.
        #[serde(with = "crate::shown::money_opt")]
        #[schemars(with = "Option<crate::decimal::Money>")]
        advance_due_ttc: Option<Decimal>,
    },
    /// An instalment was approved: what to pay, by when.
    InstalmentApproved {
        number: u32,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        received_on: NaiveDate,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        approved_on: NaiveDate,
        /// Receipt + payment term: paid later, interest and the flat fee are owed.
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        due_on: NaiveDate,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        gross_ttc: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        advance_recovery_ttc: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        other_deductions_ttc: Decimal,
        /// gross − advance recovery − other deductions.
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        net_to_pay_ttc: Decimal,
    },
    /// An instalment was paid after its due date: the interest and the 40 € flat fee owed
    /// (Code de la commande publique R2192-31 to R2192-33).
    LatePaymentOwed {
        number: u32,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        due_on: NaiveDate,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        paid_on: NaiveDate,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        amount_paid_ttc: Decimal,
        days_late: i64,
        /// The ECB rate + 8 points, when the ECB table holds the rate in force.
        #[serde(with = "crate::shown::share_opt")]
        #[schemars(with = "Option<crate::decimal::Fraction>")]
        applied_rate: Option<Decimal>,
        /// The interest; absent when it cannot be computed yet (see `interest_missing`).
        #[serde(with = "crate::shown::money_opt")]
        #[schemars(with = "Option<crate::decimal::Money>")]
        interest_ttc: Option<Decimal>,
        /// Why the interest cannot be computed (the ECB rate missing for a date), if so.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        interest_missing: Option<String>,
        /// 40.00: owed whatever the rate table holds.
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        flat_fee_ttc: Decimal,
        /// Interest + flat fee; absent when the interest cannot be computed.
        #[serde(with = "crate::shown::money_opt")]
        #[schemars(with = "Option<crate::decimal::Money>")]
        total_ttc: Option<Decimal>,
    },
    /// The final settlement: the balance finance pays (positive) or recovers (negative).
    ContractSettled {
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        settled_on: NaiveDate,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        final_amount_ttc: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        instalments_gross_ttc: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        advance_recovered_at_settlement_ttc: Decimal,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        balance_ttc: Decimal,
    },
    /// The insertion penalty was decided: the deduction to apply (penalties are not subject to
    /// VAT), 0.00 when waived.
    PenaltyDecided {
        decision: PenaltyDecisionKind,
        #[serde(with = "crate::date")]
        #[schemars(with = "NaiveDate")]
        decided_on: NaiveDate,
        #[serde(with = "crate::shown::money")]
        #[schemars(with = "crate::decimal::Money")]
        deduction: Decimal,
    },
}

/// How the penalty proposal was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyDecisionKind {
    Confirmed,
    Adjusted,
    Waived,
}

impl LedgerBody {
    /// The subject token of the fact, e.g. `instalment_approved`.
    pub fn fact(&self) -> &'static str {
        match self {
            LedgerBody::ContractAwarded { .. } => "contract_awarded",
            LedgerBody::InstalmentApproved { .. } => "instalment_approved",
            LedgerBody::LatePaymentOwed { .. } => "late_payment_owed",
            LedgerBody::ContractSettled { .. } => "contract_settled",
            LedgerBody::PenaltyDecided { .. } => "penalty_decided",
        }
    }
}

/// Every fact's subject token.
pub const LEDGER_FACTS: &[&str] =
    &["contract_awarded", "instalment_approved", "late_payment_owed", "contract_settled", "penalty_decided"];

/// A contract's balance, as the `balance` query answers it: what was approved, what was paid,
/// what is still owed either way. Every amount TTC except the penalty (not subject to VAT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContractBalance {
    pub contract_id: Uuid,
    pub status: String,
    /// Gross TTC of the approved instalments.
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub approved_gross_ttc: Decimal,
    /// Net to pay of the approved instalments (gross − advance recovery − other deductions).
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub approved_net_ttc: Decimal,
    /// What finance reported paid on instalments.
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub instalments_paid_ttc: Decimal,
    /// Net to pay of the approved instalments not yet paid.
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub approved_unpaid_ttc: Decimal,
    /// The instalments approved and not paid, by number.
    pub unpaid_instalments: Vec<u32>,
    #[serde(with = "crate::shown::money_opt")]
    #[schemars(with = "Option<crate::decimal::Money>")]
    pub advance_paid_ttc: Option<Decimal>,
    /// Advance paid − advance recovered so far.
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub advance_outstanding_ttc: Decimal,
    /// Late-payment interest and flat fees owed on the instalments paid late.
    #[serde(with = "crate::shown::money")]
    #[schemars(with = "crate::decimal::Money")]
    pub late_payment_owed_ttc: Decimal,
    /// Instalments paid late whose interest cannot be computed yet (the ECB rate missing):
    /// `late_payment_owed_ttc` holds only their flat fee.
    pub late_interest_missing: Vec<u32>,
    /// The decided penalty's deduction; absent while no penalty was decided.
    #[serde(with = "crate::shown::money_opt")]
    #[schemars(with = "Option<crate::decimal::Money>")]
    pub penalty_deduction: Option<Decimal>,
    /// The settlement's final balance, once settled.
    #[serde(with = "crate::shown::money_opt")]
    #[schemars(with = "Option<crate::decimal::Money>")]
    pub final_balance_ttc: Option<Decimal>,
}

/// The `balance` query's request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BalanceRequest {
    pub contract_id: Uuid,
}
