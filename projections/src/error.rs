//! The crate's two error types: what a caller of the runtime or rebuild sees, and what one
//! projection answers when an event does not apply.

use async_nats::jetstream::stream::ConsumerError;

/// Why the projection runtime, a rebuild or a progress check could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("unknown projection {name:?}; known projections: {known}")]
    UnknownProjection { name: String, known: String },
    #[error("a rebuild of {name:?} is running already")]
    RebuildRunning { name: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Nats(#[from] platform::nats::NatsError),
    #[error("cannot create the durable consumer {consumer:?}: {source}")]
    Consumer {
        consumer: String,
        #[source]
        source: ConsumerError,
    },
}

/// Why one event did not apply to one projection. The runtime treats the two kinds differently:
/// a permanent error is recorded as a dead letter and the message terminated; a transient one
/// rolls the batch back so that it is retried.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The payload is not an event this projection knows (bad JSON, unknown variant).
    #[error("the event payload cannot be read: {0}")]
    Payload(#[from] serde_json::Error),
    /// The event is well-formed but makes no sense for the read model (e.g. a malformed id).
    #[error("the event cannot apply: {0}")]
    Invalid(String),
    /// The read model's constraints refuse the event (a data or integrity error): retrying
    /// would fail the same way.
    #[error("the read model refuses the event: {0}")]
    Refused(#[source] sqlx::Error),
    /// The database could not be used right now; the same event may apply later.
    #[error("the database is unavailable: {0}")]
    Transient(#[source] sqlx::Error),
}

impl ApplyError {
    /// Whether retrying can never help.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::Transient(_))
    }
}

impl From<sqlx::Error> for ApplyError {
    /// Data exceptions (SQLSTATE class 22) and integrity violations (class 23) are the event's
    /// fault; anything else (lost connections, deadlocks, a missing table after a bad deploy)
    /// is treated as transient, so the projection stalls visibly instead of skipping events.
    fn from(err: sqlx::Error) -> Self {
        let permanent = err
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code.starts_with("22") || code.starts_with("23"));
        if permanent {
            Self::Refused(err)
        } else {
            Self::Transient(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_transient_and_bad_json_is_permanent() {
        assert!(!ApplyError::from(sqlx::Error::PoolTimedOut).is_permanent());
        let bad = serde_json::from_str::<u8>("nope").expect_err("not a number");
        assert!(ApplyError::from(bad).is_permanent());
        assert!(ApplyError::Invalid("x".into()).is_permanent());
    }
}
