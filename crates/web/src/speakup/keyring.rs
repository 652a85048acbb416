//! Unlocked case keys, held in memory only, one per signed-in session.
//!
//! A guardian's private key is unwrapped with their passphrase at sign-in and kept here
//! until the session ends. It is never written to disk or logged; age's key type wipes
//! its memory when dropped. A server restart, or a request that reaches another server,
//! finds no key and asks for the passphrase again (`/account/unlock`).

use dignity_crypto::speakup::SecretKey;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct KeyRing {
    keys: Mutex<HashMap<String, (SecretKey, i64)>>,
}

impl KeyRing {
    /// Keeps a key for a session until `expires_at` (Unix seconds).
    pub fn insert(&self, session_digest: &str, key: SecretKey, expires_at: i64) {
        if let Ok(mut keys) = self.keys.lock() {
            let now = crate::now();
            keys.retain(|_, (_, until)| *until > now);
            keys.insert(session_digest.to_owned(), (key, expires_at));
        }
    }

    pub fn get(&self, session_digest: &str) -> Option<SecretKey> {
        let keys = self.keys.lock().ok()?;
        keys.get(session_digest)
            .filter(|(_, until)| *until > crate::now())
            .map(|(key, _)| key.clone())
    }

    pub fn remove(&self, session_digest: &str) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.remove(session_digest);
        }
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.keys.lock().map(|k| k.len()).unwrap_or(0);
        write!(f, "KeyRing({count} unlocked)")
    }
}
