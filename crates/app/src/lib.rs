//! Dignity's use-cases, one module per capability: what a page, the JSON API and the
//! command line ask for, as functions on a [`Context`]. Nothing here knows about HTTP or
//! templates; `dignity-web` parses a request, calls a function here and renders what it
//! returns, and the command line calls the same functions.
//!
//! Layers (checked by `crates/dignity/tests/layers.rs`): the binary, then `dignity-web`,
//! then this crate, then `dignity-store`, then `dignity-domain`; `dignity-crypto`,
//! `dignity-engine` and `dignity-search` at the bottom.

pub mod admin;
pub mod assure;
pub mod clock;
pub mod context;
pub mod data;
pub mod demo;
pub mod error;
pub mod events;
pub mod identity;
pub mod library;
pub mod mail;
pub mod news;
pub mod once;
pub mod plans;
pub mod speakup;
pub mod survey;
pub mod table;
pub mod testing;
pub mod work;
pub mod workforce;

pub use clock::Clock;
pub use context::{Context, Settings};
pub use dignity_store::{Db, StoreError};
pub use error::Error;

/// Fixtures shared by the crate's unit tests.
#[cfg(test)]
pub(crate) mod test_fixtures {
    use dignity_domain::identity::{OrgType, Region};
    use dignity_store::identity::Organisation;

    /// An acute trust in London, not stored anywhere.
    pub(crate) fn organisation(id: i64, ods: &str) -> Organisation {
        Organisation {
            id,
            ods_code: ods.into(),
            name: format!("Trust {ods}"),
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: "Acute".into(),
        }
    }
}
