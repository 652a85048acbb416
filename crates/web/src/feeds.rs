//! Atom feeds (plans' updates, news): what they share.

/// Unix seconds as the feed's date type.
pub fn time(seconds: i64) -> atom_syndication::FixedDateTime {
    use atom_syndication::FixedDateTime;
    let text = time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    FixedDateTime::parse_from_rfc3339(&text).unwrap_or_default()
}
