//! Dignity's persistence: one repository module per capability, on SQLite or PostgreSQL.
//!
//! Every query is written once in portable SQL and run through sqlx's `Any` driver
//! (docs/architecture.md says why). Each backend has its own migration folder.
// Production code never panics on input; tests may, to fail loudly.

pub mod audit;
pub mod board;
mod column;
mod db;
pub mod diagnostics;
pub mod er_cases;
mod error;
pub mod events;
pub mod identity;
mod ids;
pub mod justculture;
pub mod leadership;
pub mod library;
pub mod mail;
pub mod news;
pub mod plans;
pub mod price;
pub mod privacy;
pub mod provisioning;
pub mod roles;
pub mod scratch;
pub mod sessions;
pub mod single_sign_on;
pub mod speakup;
pub mod speakup_returns;
pub mod survey;
pub mod throttle;
pub mod transfer;
pub mod voice;
pub mod workforce;

pub use db::{Backend, Db, DbOptions, redact_url};
pub use error::StoreError;
pub use sqlx::AnyConnection;
