//! Where the relay resumes: the stream's last message *the relay wrote*.
//!
//! The stream is the relay's cursor, so a message someone else published on an event subject
//! (garbage, a forged envelope claiming a far position, a real event's id with the wrong
//! position) must not move it: resuming after a forged high position would skip events, after a
//! low one would publish them twice. The stream denies deletes, so such a message stays; the
//! relay walks back over it to the last genuine message, reports it, and resumes after that.

use std::collections::BTreeSet;
use std::sync::Mutex;

use async_nats::jetstream::{message::StreamMessage, stream};
use serde::Deserialize;
use suivi_proto::LogPosition;
use uuid::Uuid;

use crate::event_store::{EventStore, ReadError};

use super::RelayError;

/// The position of the stream's last genuine message, and the stream's last sequence (which
/// may be a foreign message's: the next publish must expect that one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamHead {
    pub last_sequence: u64,
    pub position: LogPosition,
    /// The id of the last message when this run of the relay published it (see
    /// [`super::publish_batch`]); `None` as read from the stream.
    pub published_id: Option<Uuid>,
}

#[derive(Deserialize)]
struct PositionOnly {
    transaction_id: u64,
    position: i64,
}

/// Foreign messages already reported, so that a relay starting again (after every failure)
/// does not count the same message twice.
#[derive(Debug, Default)]
pub struct ForeignMessages {
    reported: Mutex<BTreeSet<u64>>,
}

impl ForeignMessages {
    fn report(&self, stream_name: &str, sequence: u64, subject: &str, reason: &str) {
        let first_time = self.reported.lock().map(|mut seen| seen.insert(sequence)).unwrap_or(true);
        if first_time {
            tracing::error!(
                stream = stream_name,
                sequence,
                subject,
                reason,
                "foreign message in the event stream; ignored"
            );
            metrics::counter!("suivi_relay_foreign_messages_total", "stream" => stream_name.to_owned()).increment(1);
        }
    }
}

/// Reads the stream's head, walking back over foreign messages to the last genuine one.
pub async fn read_head(
    stream: &mut stream::Stream,
    store: &EventStore,
    foreign: &ForeignMessages,
) -> Result<StreamHead, RelayError> {
    let info = stream.info().await.map_err(|e| RelayError::Nats(format!("reading stream info: {e}")))?;
    let (last_sequence, first_sequence) = (info.state.last_sequence, info.state.first_sequence);
    let name = info.config.name.clone();
    if info.state.messages == 0 {
        return Ok(StreamHead { last_sequence, position: LogPosition::START, published_id: None });
    }
    let mut sequence = last_sequence;
    while sequence >= first_sequence && sequence > 0 {
        let message = stream
            .get_raw_message(sequence)
            .await
            .map_err(|e| RelayError::Nats(format!("reading message {sequence}: {e}")))?;
        match genuine_position(store, &message).await? {
            Ok(position) => return Ok(StreamHead { last_sequence, position, published_id: None }),
            Err(reason) => foreign.report(&name, sequence, message.subject.as_str(), &reason),
        }
        sequence -= 1;
    }
    // Nothing the relay wrote: everything is still to publish.
    Ok(StreamHead { last_sequence, position: LogPosition::START, published_id: None })
}

/// The log position of a message the relay wrote, or why it is not one: its `Nats-Msg-Id`
/// must be the id of the event stored at the position its envelope names.
async fn genuine_position(
    store: &EventStore,
    message: &StreamMessage,
) -> Result<Result<LogPosition, String>, RelayError> {
    let Some(claimed) = claimed_position(message) else {
        return Ok(Err("its payload is not an event envelope".to_owned()));
    };
    let msg_id = message.headers.get("Nats-Msg-Id").map(|value| value.as_str().to_owned());
    let Some(msg_id) = msg_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()) else {
        return Ok(Err(format!("its Nats-Msg-Id {msg_id:?} is not an event id")));
    };
    match store.event_id_at(claimed).await.map_err(ReadError::from)? {
        Some(stored) if stored == msg_id => Ok(Ok(claimed)),
        Some(stored) => Ok(Err(format!("event {msg_id} claims position {claimed:?}, where event {stored} is stored"))),
        None => Ok(Err(format!("event {msg_id} claims position {claimed:?}, where no event is stored"))),
    }
}

fn claimed_position(message: &StreamMessage) -> Option<LogPosition> {
    let head: PositionOnly = serde_json::from_slice(&message.payload).ok()?;
    Some(LogPosition { transaction_id: head.transaction_id, position: head.position })
}
