use dignity_domain::identity::InvalidValue;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Something looked up does not exist. The text names it for a person.
    #[error("{0}")]
    NotFound(String),
    /// The change would duplicate something that must be unique. The text says what.
    #[error("{0}")]
    Conflict(String),
    /// A value was refused by a domain rule.
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error("the database URL is not supported: {0}")]
    UnsupportedUrl(String),
    #[error("could not apply database migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database could not be reached: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e),
            other => StoreError::Database(other),
        }
    }
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// True when the error is a unique-constraint violation, on either backend.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                // SQLite primary-key clashes report code 1555, not always the unique kind.
                || db.code().is_some_and(|c| c == "1555" || c == "2067" || c == "23505")
        }
        _ => false,
    }
}

/// Maps a unique violation to a person-readable conflict, anything else to a store error.
pub(crate) fn conflict_or(e: sqlx::Error, message: impl Into<String>) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(message.into())
    } else {
        e.into()
    }
}
