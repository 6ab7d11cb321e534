//! Where the ledger publisher resumes: the stream's last fact *it published*.
//!
//! As for the relay (`suivi_store::relay::head`), the stream is the cursor, so a message someone
//! else put on a ledger subject must not move it. Only the Suivi service user may publish there
//! (`deploy/nats/`), but a misconfigured server must not make the ledger skip or repeat facts:
//! a message whose `Nats-Msg-Id` is not the id of the event stored at the position its `source`
//! names is reported and walked over.

use async_nats::jetstream::{message::StreamMessage, stream};
use serde::Deserialize;
use suivi_proto::LogPosition;
use suivi_store::EventStore;
use uuid::Uuid;

use crate::FinanceError;

#[derive(Deserialize)]
struct SourceOnly {
    source: Source,
}

#[derive(Deserialize)]
struct Source {
    event_id: Uuid,
    #[serde(flatten)]
    position: LogPosition,
}

/// The stream's last sequence (which the next publish expects, whoever wrote it) and the log
/// position of the event the last genuine fact came from.
pub async fn read_head(stream: &mut stream::Stream, store: &EventStore) -> Result<(u64, LogPosition), FinanceError> {
    let info = stream.info().await.map_err(|e| FinanceError::Nats(format!("reading the ledger's info: {e}")))?;
    let (last_sequence, first_sequence) = (info.state.last_sequence, info.state.first_sequence);
    if info.state.messages == 0 {
        return Ok((last_sequence, LogPosition::START));
    }
    let mut sequence = last_sequence;
    while sequence >= first_sequence && sequence > 0 {
        let message = stream
            .get_raw_message(sequence)
            .await
            .map_err(|e| FinanceError::Nats(format!("reading ledger message {sequence}: {e}")))?;
        match genuine_position(store, &message).await? {
            Ok(position) => return Ok((last_sequence, position)),
            Err(reason) => {
                tracing::error!(sequence, subject = %message.subject, reason, "foreign message in the ledger; ignored");
                metrics::counter!("suivi_ledger_foreign_messages_total").increment(1);
            }
        }
        sequence -= 1;
    }
    Ok((last_sequence, LogPosition::START))
}

async fn genuine_position(
    store: &EventStore,
    message: &StreamMessage,
) -> Result<Result<LogPosition, String>, FinanceError> {
    let Ok(fact) = serde_json::from_slice::<SourceOnly>(&message.payload) else {
        return Ok(Err("its payload is not a ledger fact".to_owned()));
    };
    let msg_id = message.headers.get("Nats-Msg-Id").map(|value| value.as_str().to_owned());
    if msg_id.as_deref() != Some(fact.source.event_id.to_string().as_str()) {
        return Ok(Err(format!("its Nats-Msg-Id {msg_id:?} is not its source event's id")));
    }
    let stored = store.event_id_at(fact.source.position).await.map_err(FinanceError::database)?;
    match stored {
        Some(stored) if stored == fact.source.event_id => Ok(Ok(fact.source.position)),
        _ => Ok(Err(format!("event {} is not stored at {:?}", fact.source.event_id, fact.source.position))),
    }
}
