//! Integration tests of the projection runtime, rebuild and read-your-writes, against real
//! Postgres and NATS. Each test has its own database and stream ([`platform::testing::TestEnv`]);
//! events are written to the store with SQL and published by the test itself (not the relay).

mod helpers;
mod progress;
mod rebuild;
mod runtime;
