//! Dignity's cryptography: passphrase hashing, random tokens and second-factor codes.
//!
//! Kept small so it can be read and reviewed in one sitting. Every primitive comes from a
//! well-kept crate (argon2, sha2, totp-rs, rand); this crate only chooses parameters and
//! makes the safe use the easy one.
// Production code never panics on input; tests may, to fail loudly.

mod argon_memory;
pub mod passphrase;
pub mod sealed;
pub mod secret;
pub mod speakup;
pub mod survey;
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
    #[error("a key is not valid: {0}")]
    BadKey(String),
    #[error("encryption failed: {0}")]
    Encryption(String),
    /// Ciphertext that is damaged, altered or for another key.
    #[error("encrypted data failed its integrity check: {0}")]
    Tampered(String),
    #[error("the passphrase does not open this key")]
    WrongPassphrase,
    #[error("that is not a receipt code")]
    MalformedReceipt,
    /// A stored record asks for more work than the settings allow, so it was not tried:
    /// a changed record must not be able to make the server spend gigabytes on it.
    #[error(
        "a wrapped key asks for argon2id with {memory_kib} KiB and {passes} passes, more than this server allows ({allowed_kib} KiB, {allowed_passes} passes); if the passphrase cost setting was lowered after keys were made, raise it again"
    )]
    CostOutOfRange {
        memory_kib: u32,
        passes: u32,
        allowed_kib: u32,
        allowed_passes: u32,
    },
}
