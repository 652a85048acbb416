//! Column types for reading rows with `FromRow`, where a stored value is not yet the domain's.

/// A yes/no stored as INTEGER 0/1 (the `Any` driver cannot read SQLite's BOOLEAN).
/// `#[sqlx(try_from = "Flag")]` on a `bool` field reads it.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct Flag(i64);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0 != 0
    }
}
