//! Dignity's web layer: pages, the JSON API, authorisation, CSRF, sessions and security
//! headers, on axum. Each capability has its own module with its own routes; `routes`
//! puts them together with the access each route needs.
// Production code never panics on input; tests may, to fail loudly.

mod access;
mod api;
mod assets;
mod board;
mod board_pack;
mod charts;
mod csrf;
pub(crate) mod date_input;
mod diagnostics;
pub mod er_cases;
pub mod error;
pub mod events;
mod feeds;
mod forms;
mod headers;
mod identity;
mod justculture;
mod leadership;
pub mod library;
pub mod mail;
mod markdown;
mod news;
mod ops;
mod pages;
pub mod plans;
mod routes;
mod scim;
mod session;
mod speakup;
mod state;
pub mod survey;
pub(crate) mod table;
mod telemetry;
#[doc(hidden)]
pub(crate) mod uk_time;
mod voice;
mod workforce;

pub use access::Access;
pub use routes::{RouteSpec, build_app};
pub use state::{AppState, Settings};

/// Seconds since the Unix epoch, UTC, from the system clock: for tests and tools. The
/// server's own code reads the clock in its state (`state.app.clock`), which a test can
/// set and move on.
pub fn now() -> i64 {
    dignity_app::clock::system_now()
}

/// Every parser in this crate that reads text from outside (typed, uploaded or pasted),
/// gathered so the fuzz targets (crates/fuzz) can reach them without the server.
pub mod inputs {
    pub use crate::events::time::parse as event_time;
    pub use crate::markdown::to_html as markdown;
    pub use crate::plans::import::read_actions as plan_actions;
    pub use crate::survey::invite::read_addresses as invitation_addresses;
}
