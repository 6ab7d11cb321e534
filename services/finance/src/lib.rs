//! Finance over NATS (see `proto/asyncapi.yaml`): the messages finance reports (payments), the
//! ledger of facts finance acts on, and the balance query. Commands go through the same
//! [`Application`] as HTTP requests, so a payment reported over NATS is checked and recorded
//! exactly as one sent to the API.

pub mod balance;
pub mod inbound;
pub mod ledger;
pub mod schemas;
pub mod streams;

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use suivi_application::Application;
use suivi_proto::Subjects;
use tokio::sync::watch;

pub use balance::BalanceService;
pub use inbound::Inbound;
pub use ledger::Ledger;
pub use streams::StreamSettings;

#[derive(Debug, thiserror::Error)]
pub enum FinanceError {
    #[error("NATS: {0}")]
    Nats(String),
    #[error("database: {0}")]
    Database(String),
}

impl FinanceError {
    pub fn database(error: impl Display) -> Self {
        FinanceError::Database(error.to_string())
    }
}

/// Where the finance integration runs: the subjects' prefix and how its streams are kept.
#[derive(Debug, Clone)]
pub struct FinanceConfig {
    pub subjects: Subjects,
    pub streams: StreamSettings,
}

/// The three parts of the integration, run together.
pub struct Finance {
    inbound: Inbound,
    ledger: Ledger,
    balance: BalanceService,
}

impl Finance {
    pub fn new(app: Arc<Application>, client: async_nats::Client, config: FinanceConfig) -> Self {
        let js = async_nats::jetstream::new(client.clone());
        let FinanceConfig { subjects, streams } = config;
        Finance {
            inbound: Inbound::new(app.clone(), js.clone(), subjects.clone(), streams),
            ledger: Ledger::new(app.clone(), js, subjects.clone(), streams),
            balance: BalanceService::new(app, client, subjects),
        }
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Runs until `shutdown` turns true, each part started again after a failure.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) {
        let balance =
            restarting("balance service", Duration::from_secs(1), shutdown.clone(), |stop| self.balance.run(stop));
        tokio::join!(self.inbound.run(shutdown.clone()), self.ledger.run(shutdown.clone()), balance);
    }
}

/// Runs `attempt` until `shutdown` turns true, starting it again `pause` after it fails or ends
/// (a lost connection, the database gone): each part of the integration resumes on its own.
async fn restarting<F, Fut>(what: &str, pause: Duration, mut shutdown: watch::Receiver<bool>, attempt: F)
where
    F: Fn(watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = Result<(), FinanceError>>,
{
    while !*shutdown.borrow() {
        tokio::select! {
            outcome = attempt(shutdown.clone()) => {
                if let Err(error) = outcome {
                    tracing::warn!(%error, "{what} interrupted; starting again");
                }
            }
            _ = shutdown.changed() => break,
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => break,
        }
    }
}
