//! The read models, each named once: the projection that writes it records its checkpoint
//! under this name, and the query service waits for that checkpoint (`min_position`) under the
//! same name and over the same aggregate types. A read model renamed in one place only would
//! make read-your-writes wait for a checkpoint nobody writes.

/// A read model: the projection's name (its checkpoint row) and the aggregate types whose
/// events it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadModel {
    pub name: &'static str,
    pub aggregate_types: &'static [&'static str],
}

pub const BUSINESSES: ReadModel = ReadModel {
    name: "businesses",
    aggregate_types: &[events::business::AGGREGATE_TYPE],
};

pub const CUSTOMERS: ReadModel = ReadModel {
    name: "customers",
    aggregate_types: &[events::customer::AGGREGATE_TYPE],
};

pub const SERVICES: ReadModel = ReadModel {
    name: "services",
    aggregate_types: &[events::service::AGGREGATE_TYPE],
};

pub const STAFF: ReadModel = ReadModel {
    name: "staff",
    aggregate_types: &[events::staff::AGGREGATE_TYPE],
};

pub const APPOINTMENTS: ReadModel = ReadModel {
    name: "appointments",
    aggregate_types: &[events::appointment::AGGREGATE_TYPE],
};

pub const RESERVATIONS: ReadModel = ReadModel {
    name: "reservations",
    aggregate_types: &[events::schedule::AGGREGATE_TYPE],
};

/// Per business per local day counts, minutes and takings of appointments: the dashboard's
/// and the reports' figures.
pub const APPOINTMENT_STATS: ReadModel = ReadModel {
    name: "appointment_stats",
    aggregate_types: &[events::appointment::AGGREGATE_TYPE],
};

/// What each customer is to be told about their appointments and when (`notifications`): made
/// by appointment events, placed by the business's reminder policy of the moment.
pub const NOTIFICATIONS: ReadModel = ReadModel {
    name: "notifications",
    aggregate_types: &[events::appointment::AGGREGATE_TYPE],
};
