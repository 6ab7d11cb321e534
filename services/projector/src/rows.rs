//! Read-model rows, derived from a contract's state after an event. Every row is a function of
//! the contract's events alone (and the dated reference tables), so writing it again is harmless
//! and a rebuild gives the same rows.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use suivi_domain::contract::{Instalment, PenaltyDecision};
use suivi_domain::late_payment::due_date;
use suivi_domain::{AwardedContract, ContractStatus, ProposedPenalty};
use suivi_proto::events::{CompanySize, Correction, SocialConsideration};
use suivi_proto::quantities::{Hours, MoneyHt, MoneyTtc};
use uuid::Uuid;

use crate::calculations::{late_payment_of, penalty_of, References};

/// Below this share of value executed, hours lag is not judged yet (see [`at_risk`]).
const AT_RISK_MIN_EXECUTED_SHARE: Decimal = Decimal::from_parts(25, 0, 0, false, 2);
/// Validated hours may lag the pace of value executed by this share before the flag is raised.
const AT_RISK_TOLERATED_LAG: Decimal = Decimal::from_parts(20, 0, 0, false, 2);

#[derive(Debug, Clone, PartialEq)]
pub struct ContractRow {
    pub contract_id: Uuid,
    pub tenant: String,
    pub buyer_siret: String,
    pub contractor_sirets: Vec<String>,
    pub object: String,
    pub status: &'static str,
    pub notification_date: NaiveDate,
    pub initial_amount_ht: Decimal,
    pub amount_ht: Decimal,
    pub executed_value_ht: Decimal,
    pub final_amount_ht: Option<Decimal>,
    pub paid_ttc: Decimal,
    pub social_considerations: Vec<String>,
    pub environmental_considerations: Vec<String>,
    pub reserved: bool,
    pub awarded_to_sme: bool,
    pub committed_hours: Option<Decimal>,
    pub effective_committed_hours: Option<Decimal>,
    pub declared_hours: Decimal,
    pub validated_hours: Decimal,
    pub rejected_hours: Decimal,
    pub pending_hours: Decimal,
    pub remaining_hours: Option<Decimal>,
    pub at_risk: bool,
    pub advance_paid_ttc: Option<Decimal>,
    pub advance_without_guarantee: Option<bool>,
    /// When finance paid the advance: the year an advance counts in (docs/indicators.md).
    pub advance_paid_on: Option<NaiveDate>,
    pub advance_outstanding_ttc: Decimal,
    pub terminated_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstalmentRow {
    pub contract_id: Uuid,
    pub number: i32,
    pub tenant: String,
    pub received_on: NaiveDate,
    pub cumulative_value_ht: Decimal,
    pub gross_ttc: Option<Decimal>,
    pub advance_recovery_ttc: Option<Decimal>,
    pub advance_outstanding_ttc: Option<Decimal>,
    pub other_deductions_ttc: Option<Decimal>,
    pub net_to_pay_ttc: Option<Decimal>,
    pub approved_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub paid_on: Option<NaiveDate>,
    pub amount_paid_ttc: Option<Decimal>,
    pub days_to_pay: Option<i32>,
    pub days_late: Option<i32>,
    /// ECB rate applied, a fraction of 1 (four decimals), when the interest was computed.
    pub ecb_rate: Option<Decimal>,
    /// Once paid: the interest, or `None` when it cannot be computed (then `interest_missing`).
    pub interest_ttc: Option<Decimal>,
    pub flat_fee: Option<Decimal>,
    /// The reference value a paid instalment's interest lacks: table (`ReferenceTable`'s
    /// name) and the day it must be in force on.
    pub interest_missing: Option<(&'static str, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineRow {
    pub contract_id: Uuid,
    pub instalment: i32,
    pub line_id: i32,
    pub tenant: String,
    pub beneficiary: String,
    /// The participant's code, for lines naming one (not for lines of the pseudonym era).
    pub participant: Option<String>,
    pub category: String,
    pub modality: String,
    pub hours: Decimal,
    pub month: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub review: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyRow {
    pub contract_id: Uuid,
    pub tenant: String,
    /// Stored as `jsonb`.
    pub proposal: ProposedPenalty,
    pub proposed_amount_ht: Decimal,
    pub decision: Option<&'static str>,
    pub decided_amount_ht: Option<Decimal>,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// The contradictory procedure: notification, deadline, answer.
    pub notified_on: Option<NaiveDate>,
    pub notified_amount_ht: Option<Decimal>,
    pub observations_until: Option<NaiveDate>,
    pub observations_received_on: Option<NaiveDate>,
}

/// Rows to write for one batch.
#[derive(Debug, Default)]
pub struct RowSet {
    pub contracts: Vec<ContractRow>,
    pub instalments: Vec<InstalmentRow>,
    pub lines: Vec<LineRow>,
    pub penalties: Vec<PenaltyRow>,
    /// Participants registered in the batch (with their erasure, if also in the batch).
    pub participants: Vec<ParticipantRow>,
    /// Participants registered before the batch and erased in it.
    pub erasures: Vec<(Uuid, NaiveDate)>,
    /// Instalments withdrawn by a correction: their rows and their lines' go (before the rows
    /// above are written, so an instalment requested again under its number is written anew).
    pub withdrawn: Vec<(Uuid, u32)>,
}

/// A participant as indicators count it: profile brackets only (the register's events carry
/// nothing else).
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantRow {
    pub participant_id: Uuid,
    pub tenant: String,
    pub code: String,
    pub category: String,
    pub prescriber: String,
    pub gender: String,
    pub qualification: String,
    pub priority_neighbourhood_resident: bool,
    pub age_band: String,
    pub eligible_from: NaiveDate,
    pub eligible_until: NaiveDate,
    pub registered_on: NaiveDate,
    pub erased_on: Option<NaiveDate>,
}

impl ParticipantRow {
    pub fn of(participant_id: Uuid, tenant: &str, registered: &suivi_proto::events::ParticipantRegisteredV1) -> Self {
        ParticipantRow {
            participant_id,
            tenant: tenant.to_owned(),
            code: registered.code.as_str().to_owned(),
            category: name(&registered.category),
            prescriber: name(&registered.prescriber),
            gender: name(&registered.gender),
            qualification: name(&registered.qualification),
            priority_neighbourhood_resident: registered.priority_neighbourhood_resident,
            age_band: name(&registered.age_band_at_entry),
            eligible_from: registered.eligible_from,
            eligible_until: registered.eligible_until,
            registered_on: registered.registered_on,
            erased_on: None,
        }
    }
}

impl RowSet {
    /// Takes a participant's event into the batch's rows.
    pub fn participant_event(
        &mut self,
        participant_id: Uuid,
        tenant: &str,
        event: &suivi_proto::events::ParticipantEvent,
    ) {
        use suivi_proto::events::ParticipantEvent;
        match event {
            ParticipantEvent::Registered(registered) => {
                self.participants.push(ParticipantRow::of(participant_id, tenant, registered));
            }
            ParticipantEvent::Erased(erased) => {
                match self.participants.iter_mut().find(|row| row.participant_id == participant_id) {
                    Some(row) => row.erased_on = Some(erased.erased_on),
                    None => self.erasures.push((participant_id, erased.erased_on)),
                }
            }
        }
    }
}

/// What a batch changed in one contract, so only those rows are written again.
#[derive(Debug, Default, Clone)]
pub struct Touched {
    pub instalments: Vec<u32>,
    pub statements: Vec<u32>,
    pub penalty: bool,
    /// Instalments withdrawn by a correction.
    pub withdrawn: Vec<u32>,
}

impl Touched {
    pub fn note(&mut self, event: &suivi_proto::events::Event) {
        use suivi_proto::events::Event as E;
        let mut instalment = |number: u32, statement: bool| {
            if !self.instalments.contains(&number) {
                self.instalments.push(number);
            }
            if statement && !self.statements.contains(&number) {
                self.statements.push(number);
            }
        };
        match event {
            E::InstalmentRequested(e) => instalment(e.number, true),
            E::StatementReviewed(e) => instalment(e.instalment_number, true),
            E::InstalmentApproved(e) => instalment(e.number, false),
            E::InstalmentPaid(e) => instalment(e.number, false),
            E::ContractSettled(_)
            | E::PenaltyNotified(_)
            | E::PenaltyObservationsReceived(_)
            | E::PenaltyConfirmed(_)
            | E::PenaltyAdjusted(_)
            | E::PenaltyWaived(_) => self.penalty = true,
            E::FactCorrected(corrected) => match corrected.correction {
                Correction::SettlementDate { .. } => self.penalty = true,
                Correction::ReceptionDate { number, .. } => instalment(number, false),
                Correction::InstalmentWithdrawn { number } => {
                    if !self.withdrawn.contains(&number) {
                        self.withdrawn.push(number);
                    }
                }
            },
            _ => {}
        }
    }
}

fn names<T: serde::Serialize>(values: &[T]) -> Vec<String> {
    values.iter().filter_map(|v| serde_json::to_value(v).ok()).filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Committed hours after amendments, pro-rated to the value executed on an early termination
/// when the contract says so (domain.md §4b): the domain's figure, the penalty's pro-rata.
pub fn effective_committed_hours(contract: &AwardedContract) -> Option<Hours> {
    contract.effective_committed_hours()
}

/// The at-risk flag: before settlement, once at least 25 % of the value is executed, validated
/// hours are below 80 % of the hours that the share of value executed would call for
/// (`validated < committed × executed share × 0.8`). Documented in docs/indicators.md.
pub fn at_risk(contract: &AwardedContract) -> bool {
    if contract.status() == ContractStatus::Settled {
        return false;
    }
    let (Some(committed), amount) = (effective_committed_hours(contract), contract.current_amount_ht()) else {
        return false;
    };
    if committed.is_zero() || amount <= MoneyHt::ZERO {
        return false;
    }
    let Some(executed_share) = contract.executed_value_ht().ratio_to(amount) else {
        return false;
    };
    // A ratio of two amounts and hours: the flag mixes them on purpose, as bare decimals.
    executed_share >= AT_RISK_MIN_EXECUTED_SHARE
        && contract.hours().validated.value()
            < committed.value() * executed_share * (Decimal::ONE - AT_RISK_TOLERATED_LAG)
}

/// Hours as every view writes them, without trailing zeros (`suivi_proto::shown`). Amounts
/// need no such care: their columns carry two decimals.
fn shown_hours(hours: Hours) -> Decimal {
    suivi_proto::shown::hours(hours.value())
}

pub fn contract_row(id: Uuid, tenant: &str, contract: &AwardedContract, version: i64) -> ContractRow {
    let award = contract.award();
    let hours = contract.hours();
    let effective_committed = effective_committed_hours(contract);
    let paid_ttc =
        contract.instalments().iter().filter_map(Instalment::payment).map(|p| p.amount_ttc).sum::<MoneyTtc>()
            + contract.advance_paid().map_or(MoneyTtc::ZERO, |a| a.amount_ttc);
    ContractRow {
        contract_id: id,
        tenant: tenant.to_owned(),
        buyer_siret: contract.buyer_siret().as_str().to_owned(),
        contractor_sirets: contract.contractor_sirets().map(|s| s.as_str().to_owned()).collect(),
        object: award.object.clone(),
        status: contract.status().as_str(),
        notification_date: award.notification_date,
        // The read models' columns are bare `numeric`s: the types end here.
        initial_amount_ht: contract.initial_amount_ht().amount(),
        amount_ht: contract.current_amount_ht().amount(),
        executed_value_ht: contract.executed_value_ht().amount(),
        final_amount_ht: contract.settlement().map(|s| s.final_amount_ht.amount()),
        paid_ttc: paid_ttc.amount(),
        social_considerations: names(&award.social_considerations),
        environmental_considerations: names(&award.environmental_considerations),
        reserved: award.social_considerations.contains(&SocialConsideration::MarcheReserve)
            || award.reserved_basis.is_some(),
        awarded_to_sme: award.contractors.iter().any(|c| matches!(c.size, CompanySize::Tpe | CompanySize::Pme)),
        committed_hours: hours.committed.map(shown_hours),
        effective_committed_hours: effective_committed.map(shown_hours),
        declared_hours: shown_hours(hours.declared),
        validated_hours: shown_hours(hours.validated),
        rejected_hours: shown_hours(hours.rejected),
        pending_hours: shown_hours(hours.pending),
        remaining_hours: hours.remaining.map(shown_hours),
        at_risk: at_risk(contract),
        advance_paid_ttc: contract.advance_paid().map(|a| a.amount_ttc.amount()),
        advance_without_guarantee: contract.advance_paid().map(|a| !a.with_guarantee),
        advance_paid_on: contract.advance_paid().map(|a| a.paid_on),
        advance_outstanding_ttc: contract.advance_outstanding_ttc().amount(),
        terminated_on: contract.termination().map(|t| t.terminated_on),
        settled_on: contract.settlement().map(|s| s.settled_on),
        version,
    }
}

pub fn instalment_row(
    id: Uuid,
    tenant: &str,
    contract: &AwardedContract,
    instalment: &Instalment,
    references: &References,
) -> InstalmentRow {
    let approval = instalment.approval();
    let payment = instalment.payment();
    let due_on = due_date(instalment.received_on(), contract.award().payment_term_days);
    let late =
        payment.map(|p| late_payment_of(instalment.received_on(), contract.award().payment_term_days, p, references));
    let late = late.as_ref();
    // Advance outstanding after this instalment: paid advance minus recoveries up to it.
    let outstanding = approval.map(|_| {
        let recovered: MoneyTtc = contract
            .instalments()
            .iter()
            .take_while(|i| i.number() <= instalment.number())
            .filter_map(Instalment::approval)
            .map(|a| a.advance_recovery_ttc)
            .sum();
        (contract.advance_paid().map_or(MoneyTtc::ZERO, |a| a.amount_ttc) - recovered).max(MoneyTtc::ZERO).amount()
    });
    InstalmentRow {
        contract_id: id,
        number: instalment.number() as i32,
        tenant: tenant.to_owned(),
        received_on: instalment.received_on(),
        cumulative_value_ht: instalment.cumulative_value_ht().amount(),
        gross_ttc: approval.map(|a| a.gross_ttc.amount()),
        advance_recovery_ttc: approval.map(|a| a.advance_recovery_ttc.amount()),
        advance_outstanding_ttc: outstanding,
        other_deductions_ttc: approval.map(|a| a.other_deductions_ttc.amount()),
        net_to_pay_ttc: approval.map(|a| a.net_to_pay_ttc.amount()),
        approved_on: approval.map(|a| a.approved_on),
        due_on,
        paid_on: payment.map(|p| p.paid_on),
        amount_paid_ttc: payment.map(|p| p.amount_ttc.amount()),
        days_to_pay: late.map(|l| l.days_to_pay),
        days_late: late.map(|l| l.days_late),
        ecb_rate: late.and_then(|l| l.ecb_rate),
        interest_ttc: late.and_then(|l| l.interest),
        flat_fee: late.map(|l| l.flat_fee),
        interest_missing: late.and_then(|l| l.missing).map(|missing| (missing.table.as_str(), missing.date)),
    }
}

pub fn line_rows<'a>(id: Uuid, tenant: &str, instalment: &'a Instalment) -> impl Iterator<Item = LineRow> + 'a {
    let tenant = tenant.to_owned();
    instalment.lines().iter().map(move |reviewed| {
        let line = reviewed.line();
        LineRow {
            contract_id: id,
            instalment: instalment.number() as i32,
            line_id: line.line_id as i32,
            tenant: tenant.clone(),
            beneficiary: line.beneficiary.as_str().to_owned(),
            participant: line.beneficiary.participant().map(|code| code.as_str().to_owned()),
            category: name(&line.category),
            modality: name(&line.modality),
            hours: shown_hours(line.hours),
            month: line.period.start.with_day(1).unwrap_or(line.period.start),
            period_start: line.period.start,
            period_end: line.period.end,
            review: reviewed.review().status().as_str(),
        }
    })
}

pub fn penalty_row(id: Uuid, tenant: &str, contract: &AwardedContract, references: &References) -> Option<PenaltyRow> {
    let proposal = penalty_of(contract, references)?;
    let decision = contract.penalty_decision();
    Some(PenaltyRow {
        contract_id: id,
        tenant: tenant.to_owned(),
        proposed_amount_ht: proposal.final_amount_ht.amount(),
        proposal: proposal.proposed,
        decision: decision.map(|decision| decision.kind().as_str()),
        decided_amount_ht: decision.map(|d| d.amount_ht().amount()),
        reason: decision.and_then(PenaltyDecision::reason).map(str::to_owned),
        decided_on: decision.map(|d| d.decided_on()),
        notified_on: contract.penalty_notice().map(|n| n.notified_on),
        notified_amount_ht: contract.penalty_notice().map(|n| n.amount_ht.round_to_cent().amount()),
        observations_until: contract.penalty_notice().map(|n| n.observations_until()),
        observations_received_on: contract.penalty_observations().map(|o| o.received_on),
    })
}
