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
