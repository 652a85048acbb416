//! Unlocked case keys, held in memory only, one per signed-in session.
//!
//! A guardian's private key is unwrapped with their passphrase at sign-in and kept here
//! until the session ends. It is never written to disk or logged; age's key type wipes
//! its memory when dropped. A server restart, or a request that reaches another server,
//! finds no key and asks for the passphrase again (the unlock page).

use dignity_crypto::speakup::SecretKey;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct KeyRing {
    keys: Mutex<HashMap<String, (SecretKey, i64)>>,
}

impl KeyRing {
    /// Keeps a key for a session until `expires_at` (Unix seconds).
    pub fn insert(&self, session_digest: &str, key: SecretKey, expires_at: i64, now: i64) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.retain(|_, (_, until)| *until > now);
            keys.insert(session_digest.to_owned(), (key, expires_at));
        }
    }

    pub fn get(&self, session_digest: &str, now: i64) -> Option<SecretKey> {
        let keys = self.keys.lock().ok()?;
        keys.get(session_digest)
            .filter(|(_, until)| *until > now)
            .map(|(key, _)| key.clone())
    }

    pub fn remove(&self, session_digest: &str) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.remove(session_digest);
        }
    }

    /// How many keys are unlocked now.
    pub fn len(&self) -> usize {
        self.keys.lock().map(|k| k.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn sessions(&self) -> Vec<String> {
        self.keys
            .lock()
            .map(|k| k.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing({} unlocked)", self.len())
    }
}
