//! The in-memory columnar survey aggregation engine: Dignity's performance core.
//!
//! This crate is built with the culture survey work (issue 4). It is in the workspace now
//! so that the layout in docs/architecture.md is the one the code has; it depends on no
//! other crate of ours, by design.
