//! The parts of the `dignity` command that other crates need: its settings, read by the
//! server and checked by the fuzz targets (crates/fuzz).
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod config;
pub mod secret_file;
