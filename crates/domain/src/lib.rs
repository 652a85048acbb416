//! Dignity's rules and types. Pure: no I/O, no async, no clocks.
//!
//! Values from outside are parsed here into types that cannot hold a bad value
//! (`OdsCode`, `Email`, `Role`, ...), so the rest of the code never re-checks them.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod audit;
pub mod identity;
