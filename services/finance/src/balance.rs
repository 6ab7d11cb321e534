//! The `balance` query, served with the NATS service protocol (`$SRV.PING`, `$SRV.INFO`,
//! `$SRV.STATS` answer for it): a request `{"contract_id": "…"}` on
//! `<prefix>.<tenant>.query.balance` gets the contract's [`ContractBalance`].
//!
//! The tenant is the subject's: finance's credentials let it publish only on its own tenant's
//! subjects, so it cannot ask about another tenant's contract (which is "not found" anyway).

use std::sync::Arc;

use async_nats::service::{self, ServiceExt as _};
use futures::StreamExt as _;
use rust_decimal::Decimal;
use suivi_application::{Application, ApplicationError, Principal, Role};
use suivi_domain::final_balance::final_balance;
use suivi_domain::late_payment::{late_payment, LateInterest, LatePaymentInput};
use suivi_domain::{AwardedContract, References};
use suivi_proto::ledger::{BalanceRequest, ContractBalance};
use suivi_proto::{Subjects, TenantId};
use tokio::sync::watch;
use uuid::Uuid;

use crate::inbound::FINANCE_ACTOR;
use crate::FinanceError;

/// The service's name in `$SRV.INFO` and the subjects `$SRV.*.suivi-finance`.
pub const SERVICE_NAME: &str = "suivi-finance";

pub struct BalanceService {
    app: Arc<Application>,
    client: async_nats::Client,
    subjects: Subjects,
}

impl BalanceService {
    pub fn new(app: Arc<Application>, client: async_nats::Client, subjects: Subjects) -> Self {
        BalanceService { app, client, subjects }
    }

    /// Answers until `shutdown` turns true.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), FinanceError> {
        let service = self
            .client
            .service_builder()
            .description("Suivi's answers to finance: a contract's balance")
            .start(SERVICE_NAME, env!("CARGO_PKG_VERSION"))
            .await
            .map_err(|e| FinanceError::Nats(format!("starting the NATS service: {e}")))?;
        let mut endpoint = service
            .endpoint_builder()
            .name("balance")
            .add(self.subjects.all_queries("balance"))
            .await
            .map_err(|e| FinanceError::Nats(format!("adding the balance endpoint: {e}")))?;
        loop {
            tokio::select! {
                request = endpoint.next() => match request {
                    Some(request) => self.answer(request).await,
                    None => return Err(FinanceError::Nats("the balance endpoint closed".to_owned())),
                },
                _ = shutdown.changed() => break,
            }
        }
        let _ = endpoint.stop().await;
        let _ = service.stop().await;
        Ok(())
    }

    async fn answer(&self, request: service::Request) {
        let answer = self.balance(&request.message).await;
        let response = match answer.and_then(|balance| {
            serde_json::to_vec(&balance).map_err(|e| service_error(500, &format!("encoding the balance: {e}")))
        }) {
            Ok(body) => request.respond(Ok(body.into())).await,
            Err(error) => request.respond(Err(error)).await,
        };
        if let Err(error) = response {
            tracing::debug!(%error, "a balance answer could not be sent");
        }
    }

    async fn balance(&self, message: &async_nats::Message) -> Result<ContractBalance, service::error::Error> {
        let tenant = self.tenant_of(message.subject.as_str())?;
        let request: BalanceRequest = serde_json::from_slice(&message.payload)
            .map_err(|e| service_error(400, &format!("expected {{\"contract_id\": \"<uuid>\"}}: {e}")))?;
        let principal = Principal::new(FINANCE_ACTOR, Role::Finance, tenant.clone(), None);
        let loaded = self.app.load_contract(&principal, request.contract_id).await.map_err(|error| match error {
            ApplicationError::NotFound { .. } => {
                service_error(404, &format!("tenant {tenant} has no contract {}", request.contract_id))
            }
            ApplicationError::Unavailable(_) => service_error(503, "the database is unavailable; try again"),
            other => service_error(500, &other.to_string()),
        })?;
        let Some(contract) = loaded.contract.awarded() else {
            return Err(service_error(404, &format!("tenant {tenant} has no contract {}", request.contract_id)));
        };
        let references = self.app.references().await.map_err(|_| service_error(503, "reference rates unavailable"))?;
        Ok(balance_of(request.contract_id, contract, &references))
    }

    fn tenant_of(&self, subject: &str) -> Result<TenantId, service::error::Error> {
        let tenant = subject
            .strip_prefix(self.subjects.prefix())
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split('.').next())
            .unwrap_or("");
        TenantId::parse(tenant).map_err(|_| service_error(400, &format!("{tenant:?} is not a tenant id")))
    }
}

fn service_error(status: usize, description: &str) -> service::error::Error {
    service::error::Error { status: description.to_owned(), code: status }
}

/// The balance of `contract` as it stands.
pub fn balance_of(contract_id: Uuid, contract: &AwardedContract, references: &References) -> ContractBalance {
    let mut balance = ContractBalance {
        contract_id,
        status: contract.status().as_str().to_owned(),
        approved_gross_ttc: Decimal::ZERO,
        approved_net_ttc: Decimal::ZERO,
        instalments_paid_ttc: Decimal::ZERO,
        approved_unpaid_ttc: Decimal::ZERO,
        unpaid_instalments: Vec::new(),
        advance_paid_ttc: contract.advance_paid().map(|paid| paid.amount_ttc.amount()),
        advance_outstanding_ttc: contract.advance_outstanding_ttc().amount(),
        late_payment_owed_ttc: Decimal::ZERO,
        late_interest_missing: Vec::new(),
        penalty_deduction: contract.penalty_decision().map(|decision| decision.amount_ht().round_to_cent().amount()),
        final_balance_ttc: contract
            .settlement()
            .and_then(|_| final_balance(contract))
            .map(|balance| balance.balance_ttc.amount()),
    };
    for instalment in contract.instalments() {
        let Some(approval) = instalment.approval() else { continue };
        balance.approved_gross_ttc += approval.gross_ttc.amount();
        balance.approved_net_ttc += approval.net_to_pay_ttc.amount();
        let Some(payment) = instalment.payment() else {
            balance.approved_unpaid_ttc += approval.net_to_pay_ttc.amount();
            balance.unpaid_instalments.push(instalment.number());
            continue;
        };
        balance.instalments_paid_ttc += payment.amount_ttc.amount();
        let input = LatePaymentInput {
            received_on: instalment.received_on(),
            payment_term_days: contract.award().payment_term_days,
            paid_on: payment.paid_on,
            amount_paid_ttc: payment.amount_ttc,
        };
        let late = late_payment(&input, &references.ecb);
        if late.days_late <= 0 {
            continue;
        }
        balance.late_payment_owed_ttc += late.flat_fee;
        match late.interest {
            LateInterest::Computed { amount, .. } => balance.late_payment_owed_ttc += amount,
            LateInterest::Unavailable(_) => balance.late_interest_missing.push(instalment.number()),
            LateInterest::NotDue => {}
        }
    }
    balance
}
