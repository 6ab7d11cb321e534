//! The JetStream stream that receives the log, and where the relay resumes from.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use suivi_proto::Subjects;

use super::RelayError;

/// How the relay's JetStream stream is configured.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Replicas: 1 on a single server, 3 on a cluster.
    pub replicas: usize,
    /// Window within which JetStream drops a second message with the same `Nats-Msg-Id`.
    /// The relay does not rely on it (see [`super::Relay`]) but it guards any other writer.
    pub duplicate_window: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings { replicas: 1, duplicate_window: Duration::from_secs(120) }
    }
}

/// The stream's configuration: file storage, kept forever, nothing ever deleted or purged.
pub fn stream_config(subjects: &Subjects, settings: &StreamSettings) -> stream::Config {
    stream::Config {
        name: subjects.event_stream_name(),
        description: Some("Suivi event log, in the store's canonical order".to_owned()),
        subjects: vec![subjects.all_events()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        max_age: Duration::ZERO,
        max_messages: -1,
        max_bytes: -1,
        discard: stream::DiscardPolicy::Old,
        deny_delete: true,
        deny_purge: true,
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        allow_direct: true,
        ..Default::default()
    }
}

/// Creates the stream, or brings an existing one to the expected configuration.
pub async fn ensure_stream(
    js: &jetstream::Context,
    subjects: &Subjects,
    settings: &StreamSettings,
) -> Result<stream::Stream, RelayError> {
    let config = stream_config(subjects, settings);
    let name = config.name.clone();
    js.create_or_update_stream(config)
        .await
        .map_err(|e| RelayError::Nats(format!("creating or updating stream {name}: {e}")))?;
    js.get_stream(&name).await.map_err(|e| RelayError::Nats(format!("opening stream {name}: {e}")))
}
