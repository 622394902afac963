//! Which parts of the system a process runs.

/// A process's job. `All` is the default: every role in one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    All,
    Command,
    Query,
    Relay,
    Project,
    /// The notification worker: confirmations, reminders and notices to customers.
    Remind,
}

impl Role {
    /// The database connections a process of this role opens at most, unless
    /// `DATABASE_POOL_SIZE` says otherwise: the HTTP roles serve many requests at once; the
    /// relay holds its lock's session and its listener and reads; the projection workers one
    /// connection per projection; the notification worker its sender, its webhook consumer and
    /// dispatcher; every role one for its health checks.
    pub fn default_pool_size(self) -> u32 {
        match self {
            Self::All => 20,
            Self::Command | Self::Query => 10,
            Self::Relay => 5,
            Self::Project => 10,
            Self::Remind => 5,
        }
    }

    pub fn serves_commands(self) -> bool {
        matches!(self, Self::All | Self::Command)
    }

    pub fn serves_queries(self) -> bool {
        matches!(self, Self::All | Self::Query)
    }

    pub fn relays(self) -> bool {
        matches!(self, Self::All | Self::Relay)
    }

    pub fn projects(self) -> bool {
        matches!(self, Self::All | Self::Project)
    }

    pub fn reminds(self) -> bool {
        matches!(self, Self::All | Self::Remind)
    }
}
