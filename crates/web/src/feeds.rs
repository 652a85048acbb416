//! Atom feeds (plans' updates, news): what they share.

/// Unix seconds as the feed's date type.
pub fn time(seconds: i64) -> atom_syndication::FixedDateTime {
    // atom_syndication's dates are chrono's; chrono is here only because it needs it.
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .fixed_offset()
}
