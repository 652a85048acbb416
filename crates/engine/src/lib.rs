//! The in-memory columnar survey aggregation engine: Dignity's performance core.
//!
//! Why our own code and not a database or a dataframe library: every answer is one byte and
//! every grouping value one small integer, so an indicator over a million respondents is a
//! pass over a megabyte-sized column; filters are bitmaps; the work splits across cores with
//! no allocation per row. Suppression and statistics are built in, so nothing leaves the
//! engine unchecked. `dignity bench survey` measures it against DuckDB and Polars.
//!
//! The crate depends on nothing of ours and nothing outside the standard library.

pub mod aggregate;
pub mod benchmark;
pub mod bitmap;
pub mod columns;
pub mod correlation;
pub mod disclosure;
pub mod equality;
pub mod fairness;
pub mod price;
pub mod rng;
pub mod stats;
pub mod synth;
pub mod workforce;

pub use aggregate::{Histogram, Report};
pub use bitmap::Bitmap;
pub use columns::{Columns, DimMeta, ItemMeta};
