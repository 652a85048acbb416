//! Dignity's cryptography: passphrase hashing, random tokens and second-factor codes.
//!
//! Kept small so it can be read and reviewed in one sitting. Every primitive comes from a
//! well-kept crate (argon2, sha2, totp-rs, rand); this crate only chooses parameters and
//! makes the safe use the easy one.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod passphrase;
pub mod token;
pub mod totp;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CryptoError {
    #[error("the stored passphrase hash could not be read: {0}")]
    BadStoredHash(String),
    #[error("passphrase hashing failed: {0}")]
    Hashing(String),
    #[error("the second-factor secret is not valid: {0}")]
    BadTotpSecret(String),
}
