//! The barber binary as a library, so tests start the real thing in-process.
//!
//! - [`app`]: `Application::build(config, role)`: the pool, migrations, NATS, the HTTP router
//!   (command and query APIs, health, metrics, OpenAPI) and the background roles.
//! - [`role`]: which parts of the system a process runs.
//! - [`openapi`]: the merged OpenAPI document and its docs page.
//! - [`seed`]: the demo business `make run` logs in to.
//! - [`audit`]: `barber audit export`, a business's history as JSON lines.
//! - [`bench`]: the load generator behind `make bench` (`barber bench`).
//! - [`progress_bar`]: the line `barber rebuild` redraws as it replays.
//! - [`web`]: the web app's files, at every path outside `/api`.

pub mod app;
pub mod audit;
pub mod bench;
pub mod cli;
pub mod directory;
pub mod openapi;
pub mod permissions;
pub mod progress_bar;
pub mod role;
pub mod seed;
pub mod tenant;
pub mod web;

pub use app::Application;
pub use role::Role;
