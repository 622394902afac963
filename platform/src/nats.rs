//! The NATS connection and the JetStream stream that carries every event of a deployment.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    #[error("cannot connect to NATS: {0}")]
    Connect(#[from] async_nats::ConnectError),
    #[error("cannot create or update the events stream: {0}")]
    Stream(#[from] jetstream::context::CreateStreamError),
    #[error("cannot read the events stream: {0}")]
    GetStream(#[from] jetstream::context::GetStreamError),
}

/// Connects to NATS; the client reconnects by itself after a drop.
pub async fn connect(url: &str) -> Result<async_nats::Client, NatsError> {
    let client = async_nats::ConnectOptions::new()
        .name("barber")
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    Ok(client)
}

/// The stream's settings. Events are kept (the store is the source of truth, but replaying from
/// NATS should not need it for recent history); the duplicate window lets a relay that crashed
/// between publish and checkpoint re-publish without the consumers seeing a duplicate.
pub fn stream_config(config: &Config) -> stream::Config {
    stream::Config {
        name: config.events_stream.clone(),
        subjects: vec![events::subjects::all_events(&config.nats_prefix)],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_secs(24 * 60 * 60),
        max_age: Duration::from_secs(30 * 24 * 60 * 60),
        num_replicas: config.events_stream_replicas,
        ..Default::default()
    }
}

/// Creates the events stream, or brings an existing one to the current settings.
pub async fn ensure_stream(
    js: &jetstream::Context,
    config: &Config,
) -> Result<stream::Stream, NatsError> {
    js.create_or_update_stream(stream_config(config)).await?;
    Ok(js.get_stream(&config.events_stream).await?)
}
