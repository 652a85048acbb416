//! What can go wrong in a use-case. `dignity-web` turns each into an HTTP response in one
//! place (`dignity_web::error`); the command line prints it.

use dignity_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A fault in the database or its data. The store's refusals a person can act on
    /// (not found, conflict, invalid) become the variants below instead.
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Crypto(#[from] dignity_crypto::CryptoError),
    /// Expensive work found no free place in time, or stopped.
    #[error(transparent)]
    Work(#[from] crate::work::WorkError),
    /// The person may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Something the caller asked for is not there.
    #[error("{0}")]
    NotFound(String),
    /// A value was refused by a rule; the text says which, for a person.
    #[error(transparent)]
    Invalid(#[from] dignity_domain::identity::InvalidValue),
    /// The organisation is here, but has not set this up yet (such as Speak Up). Pages say
    /// so plainly and where to go instead, rather than "not found".
    #[error("{organisation} has not set up {service:?}")]
    NotSetUp {
        /// The organisation's name.
        organisation: String,
        service: Service,
    },
    /// The request clashes with something that happened a moment before.
    #[error("{0}")]
    Conflict(String),
    /// A fault in Dignity or its data, not in the request.
    #[error("{0}")]
    Internal(String),
}

/// Something an organisation may not have set up yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Concerns to its Freedom to Speak Up Guardians.
    SpeakUp,
    /// A partnership plan both sides have signed and published.
    PublishedPlan,
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => Error::NotFound(m),
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::Invalid(v) => Error::Invalid(v),
            other => Error::Store(other),
        }
    }
}
