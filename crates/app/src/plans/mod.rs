//! Action plans use-cases.
