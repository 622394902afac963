//! What every barber role shares.
//!
//! - [`config`]: one typed settings struct, read once from the environment.
//! - [`telemetry`]: tracing set-up (text or JSON).
//! - [`db`]: the Postgres pool and the embedded migrations.
//! - [`nats`]: the NATS connection and the events stream.
//! - [`auth`]: JWTs and the authenticated-user extractor.
//! - [`identity`]: an identity provider's tokens (OIDC, Supabase), mapped to logins by email.
//! - [`signing`]: the secret tokens are signed with: configured, or drawn once per database.
//! - [`rate_limit`]: requests limited per client address (the public booking pages).
//! - [`problem`]: the one API error type, answered as RFC 9457 problem+json.
//! - [`progress`]: whether a read model has reached a position (read-your-writes).
//! - [`json`]: body, query and path extractors whose rejections are problem+json.
//! - [`text`]: no control characters in text from clients.
//! - [`personal_data`]: customers' personal data in events, sealed per customer (crypto-shredding).
//! - [`request`]: the request metadata (correlation id) that becomes event metadata.
//! - [`shutdown`]: one stop signal for every task of a process.
//! - [`http`]: middleware every service uses: request ids, tracing, metrics, health.
//! - [`testing`] (feature `testing`): a database and a stream of one's own for each test.

pub mod auth;
pub mod client;
pub mod clock;
pub mod config;
pub mod db;
pub mod http;
pub mod icalendar;
pub mod identity;
pub mod json;
pub mod nats;
pub mod paging;
pub mod personal_data;
pub mod problem;
pub mod progress;
pub mod rate_limit;
pub mod read_models;
pub mod request;
pub mod rfc3339;
pub mod roles;
pub mod secret_token;
pub mod shutdown;
pub mod signing;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;

pub use config::Config;
pub use problem::ApiError;
