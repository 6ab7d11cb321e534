//! The JetStream streams and consumers of the finance integration.
//!
//! | stream | subjects | kept |
//! |---|---|---|
//! | `<PREFIX>_FINANCE_IN` | `<prefix>.*.fin.*` | until Suivi took the message (work queue) |
//! | `<PREFIX>_FINANCE_DEAD` | `<prefix>.*.fin.rejected.>` | for ever: the rejections, for finance to read and fix |
//! | `<PREFIX>_LEDGER` | `<prefix>.*.ledger.>` | for ever, nothing deleted: finance's history |
//!
//! Each tenant's finance reads the ledger and its rejections through durable consumers named
//! `finance-<tenant>` that Suivi creates (finance's credentials may not create consumers, or it
//! could read another tenant's subjects): a finance system that was down for a day resumes where
//! its consumer stands.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use suivi_proto::{Subjects, TenantId};

use crate::FinanceError;

/// The durable consumer through which Suivi takes finance's messages.
pub const INBOUND_CONSUMER: &str = "suivi-finance-inbound";

/// How the finance streams are kept.
#[derive(Debug, Clone, Copy)]
pub struct StreamSettings {
    /// Copies of each stream in a cluster (1 on a single server, 3 in the shipped cluster).
    pub replicas: usize,
    /// How long JetStream drops a second message with the same `Nats-Msg-Id` (two minutes by
    /// default). Beyond it, the idempotency keys kept with the events answer a resent message
    /// (see `crate::inbound`).
    pub duplicate_window: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings { replicas: 1, duplicate_window: Duration::from_secs(120) }
    }
}

fn base(name: String, description: &str, subjects: String, settings: StreamSettings) -> stream::Config {
    stream::Config {
        name,
        description: Some(description.to_owned()),
        subjects: vec![subjects],
        storage: stream::StorageType::File,
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        ..Default::default()
    }
}

/// Creates or updates `config`'s stream and opens it.
async fn ensure(js: &jetstream::Context, config: stream::Config) -> Result<stream::Stream, FinanceError> {
    let name = config.name.clone();
    js.create_or_update_stream(config)
        .await
        .map_err(|e| FinanceError::Nats(format!("creating or updating stream {name}: {e}")))?;
    js.get_stream(&name).await.map_err(|e| FinanceError::Nats(format!("opening stream {name}: {e}")))
}

pub async fn ensure_inbound(
    js: &jetstream::Context,
    subjects: &Subjects,
    settings: StreamSettings,
) -> Result<stream::Stream, FinanceError> {
    let mut config = base(
        subjects.finance_inbound_stream_name(),
        "Messages finance sends to Suivi, until Suivi took them",
        subjects.all_finance_inbound(),
        settings,
    );
    config.retention = stream::RetentionPolicy::WorkQueue;
    ensure(js, config).await
}

pub async fn ensure_dead_letters(
    js: &jetstream::Context,
    subjects: &Subjects,
    settings: StreamSettings,
) -> Result<stream::Stream, FinanceError> {
    let config = base(
        subjects.finance_dead_letter_stream_name(),
        "Finance messages Suivi did not take, with the reason",
        subjects.all_finance_rejected(),
        settings,
    );
    ensure(js, config).await
}

pub async fn ensure_ledger(
    js: &jetstream::Context,
    subjects: &Subjects,
    settings: StreamSettings,
) -> Result<stream::Stream, FinanceError> {
    let mut config = base(
        subjects.ledger_stream_name(),
        "The facts finance acts on, every figure computed, in the log's order",
        subjects.all_ledger(),
        settings,
    );
    config.deny_delete = true;
    config.deny_purge = true;
    config.allow_direct = true;
    ensure(js, config).await
}

/// Suivi's own consumer of the inbound stream: one message at a time in flight per Suivi
/// process, redelivered when not acknowledged within `ack_wait` (a process that died).
pub async fn inbound_consumer(
    stream: &stream::Stream,
) -> Result<consumer::Consumer<consumer::pull::Config>, FinanceError> {
    stream
        .get_or_create_consumer(
            INBOUND_CONSUMER,
            consumer::pull::Config {
                durable_name: Some(INBOUND_CONSUMER.to_owned()),
                description: Some("Suivi takes finance's messages".to_owned()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| FinanceError::Nats(format!("creating consumer {INBOUND_CONSUMER}: {e}")))
}

/// The consumer `finance-<tenant>` of `stream`, filtered to `filter`, created when missing.
pub async fn ensure_tenant_consumer(stream: &stream::Stream, name: &str, filter: String) -> Result<(), FinanceError> {
    let config = consumer::pull::Config {
        durable_name: Some(name.to_owned()),
        description: Some("A tenant's finance reads its own subjects".to_owned()),
        filter_subject: filter,
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: Duration::from_secs(60),
        deliver_policy: consumer::DeliverPolicy::All,
        ..Default::default()
    };
    stream
        .get_or_create_consumer(name, config)
        .await
        .map(|_| ())
        .map_err(|e| FinanceError::Nats(format!("creating consumer {name}: {e}")))
}

/// Every tenant's consumers of the ledger and of its rejections.
pub async fn ensure_tenant_consumers(
    ledger: &stream::Stream,
    dead_letters: &stream::Stream,
    subjects: &Subjects,
    tenants: &[TenantId],
) -> Result<(), FinanceError> {
    for tenant in tenants {
        let name = subjects.finance_consumer(tenant);
        ensure_tenant_consumer(ledger, &name, subjects.tenant_ledger(tenant)).await?;
        ensure_tenant_consumer(dead_letters, &name, subjects.tenant_finance_rejected(tenant)).await?;
    }
    Ok(())
}
