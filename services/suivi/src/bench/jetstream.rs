//! Relay throughput against raw asynchronous JetStream publishes of the same messages.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use chrono::Utc;
use suivi_proto::{Actor, EventEnvelope, LogPosition, Subjects, TenantId};
use suivi_store::relay::StreamSettings;
use suivi_store::{EventStore, Relay, RelayConfig};
use tokio::sync::watch;
use uuid::Uuid;

use super::{postgres::ScratchDatabase, sample};

const IN_FLIGHT: usize = 1_024;

/// Messages per second published asynchronously with `IN_FLIGHT` acknowledgements pending,
/// each the size of a relayed event and carrying a `Nats-Msg-Id` like the relay's.
pub async fn raw_async_publish(nats: &async_nats::Client, messages: usize) -> anyhow::Result<f64> {
    let subjects = Subjects::new(format!("bench.raw{}", Uuid::new_v4().simple()));
    let js =
        jetstream::ContextBuilder::new().max_ack_inflight(IN_FLIGHT).backpressure_on_inflight(true).build(nats.clone());
    let config = suivi_store::relay::stream::stream_config(&subjects, &StreamSettings::default());
    let name = config.name.clone();
    js.create_stream(config).await?;
    let body = Bytes::from(serde_json::to_vec(&sample_envelope())?);
    let tenant = TenantId::parse("bench")?;
    let started = Instant::now();
    let mut pending = VecDeque::with_capacity(IN_FLIGHT);
    for _ in 0..messages {
        if pending.len() >= IN_FLIGHT {
            if let Some(ack) = pending.pop_front() {
                let _: jetstream::publish::PublishAck = ack.await?;
            }
        }
        let publish = PublishMessage::build().payload(body.clone()).message_id(Uuid::now_v7().to_string());
        let subject = subjects.event(&tenant, "instalment_requested", Uuid::nil());
        pending.push_back(js.send_publish(subject, publish).await?);
    }
    while let Some(ack) = pending.pop_front() {
        ack.await?;
    }
    let rate = messages as f64 / started.elapsed().as_secs_f64();
    js.delete_stream(&name).await?;
    Ok(rate)
}

/// Events per second the relay publishes, from a log already holding `messages` more events.
pub async fn relay_throughput(
    nats: &async_nats::Client,
    scratch: &ScratchDatabase,
    messages: usize,
) -> anyhow::Result<f64> {
    let pool = scratch.pool(4).await?;
    sqlx::query(
        "insert into events (event_id, tenant, stream_id, stream_version, event_type, schema_version,
                             occurred_at, actor_kind, actor_id, correlation_id, payload)
         select gen_random_uuid(), 'bench', md5($3 || (g / 20)::text)::uuid, g % 20 + 1,
                'instalment_requested', 1, now(), 'system', 'bench', gen_random_uuid(), $1::json
         from generate_series(0, $2 - 1) as g",
    )
    .bind(sample::payload().to_string())
    .bind(messages as i64)
    .bind(Uuid::new_v4().to_string())
    .execute(&pool)
    .await?;
    let total: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(&pool).await?;

    let subjects = Subjects::new(format!("bench.relay{}", Uuid::new_v4().simple()));
    let stream_name = subjects.event_stream_name();
    let config = RelayConfig { subjects, ..RelayConfig::default() };
    let relay = Relay::new(EventStore::new(pool), nats.clone(), config);
    let mut progress = relay.progress();
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let done = async {
        loop {
            if progress.borrow().is_some_and(|p| p.last_sequence >= total as u64) {
                break;
            }
            if progress.changed().await.is_err() {
                break;
            }
        }
        let elapsed = started.elapsed();
        let _ = stop.send(true);
        elapsed
    };
    let (_, elapsed) = tokio::join!(relay.run(stopped), tokio::time::timeout(Duration::from_secs(600), done));
    let elapsed = elapsed?;
    jetstream::new(nats.clone()).delete_stream(&stream_name).await?;
    Ok(total as f64 / elapsed.as_secs_f64())
}

fn sample_envelope() -> EventEnvelope {
    let event = sample::event(&sample::payload());
    EventEnvelope {
        event_id: event.event_id,
        stream_id: Uuid::now_v7(),
        stream_version: 7,
        log_position: LogPosition { transaction_id: 123_456, position: 654_321 },
        event_type: event.event_type,
        schema_version: event.schema_version,
        occurred_at: event.occurred_at,
        recorded_at: Utc::now(),
        tenant: TenantId::parse("bench").unwrap_or_else(|_| unreachable!("valid literal")),
        actor: Actor::system("bench"),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        payload: event.payload,
    }
}
