//! What can go wrong in a use-case. `dignity-web` turns each into an HTTP response in one
//! place (`dignity_web::error`); the command line prints it.

use dignity_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
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
    /// The request clashes with something that happened a moment before.
    #[error("{0}")]
    Conflict(String),
    /// A fault in Dignity or its data, not in the request.
    #[error("{0}")]
    Internal(String),
}
