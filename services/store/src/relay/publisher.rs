//! Pipelined publishing of one batch of events.

use std::collections::VecDeque;

use async_nats::jetstream::{self, context::PublishAckFuture, message::PublishMessage};
use bytes::Bytes;
use suivi_proto::Subjects;

use crate::event_store::StoredEvent;

use super::{RelayError, StreamHead};

/// Publishes `batch` (in canonical order, right after `head`) with at most `window`
/// unacknowledged publishes (no more than the context's own in-flight limit), and returns the new head once every message
/// is acknowledged. Any refusal or missing acknowledgement aborts the batch: the caller starts
/// again from the stream's actual head.
pub async fn publish_batch(
    js: &jetstream::Context,
    subjects: &Subjects,
    head: StreamHead,
    batch: &[StoredEvent],
    window: usize,
) -> Result<StreamHead, RelayError> {
    let mut pending: VecDeque<(u64, PublishAckFuture)> = VecDeque::with_capacity(window);
    let mut expected_last = head.last_sequence;
    let mut previous = head.published_id;
    for event in batch {
        if pending.len() >= window {
            if let Some((sequence, ack)) = pending.pop_front() {
                confirm(sequence, ack).await?;
            }
        }
        let body = event.to_wire_json().map_err(|e| RelayError::Nats(format!("encoding event: {e}")))?;
        let mut message = PublishMessage::build()
            .payload(Bytes::from(body))
            .message_id(event.event_id.to_string())
            .expected_last_sequence(expected_last);
        // The sequence alone is not enough: if this message's predecessor were refused and a
        // message from someone else took its sequence, this one would be stored after a gap.
        // Naming the predecessor's id closes that. Not for a run's first message: the stream
        // forgets the last id of a message older than its duplicate window when restarted.
        if let Some(previous) = previous {
            message = message.expected_last_message_id(previous.to_string());
        }
        previous = Some(event.event_id);
        let subject = subjects.event(&event.tenant, &event.event_type, event.stream_id);
        let ack = js
            .send_publish(subject, message)
            .await
            .map_err(|e| RelayError::Nats(format!("publishing event {}: {e}", event.event_id)))?;
        expected_last += 1;
        pending.push_back((expected_last, ack));
    }
    while let Some((sequence, ack)) = pending.pop_front() {
        confirm(sequence, ack).await?;
    }
    let position = batch.last().map_or(head.position, |event| event.log_position);
    Ok(StreamHead { last_sequence: expected_last, position, published_id: previous })
}

async fn confirm(expected_sequence: u64, ack: PublishAckFuture) -> Result<(), RelayError> {
    let ack = ack.await.map_err(|e| RelayError::Nats(format!("publish not acknowledged: {e}")))?;
    if ack.duplicate || ack.sequence != expected_sequence {
        return Err(RelayError::Nats(format!(
            "stream sequence {} (duplicate: {}) where {expected_sequence} was expected",
            ack.sequence, ack.duplicate
        )));
    }
    Ok(())
}
