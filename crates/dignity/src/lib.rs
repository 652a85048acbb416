//! The parts of the `dignity` command that other crates need: its settings, read by the
//! server and checked by the fuzz targets (crates/fuzz).

pub mod config;
pub mod secret_file;
pub mod sign_in_providers;
