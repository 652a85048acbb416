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

    fn sessions(&self) -> Vec<String> {
        self.keys
            .lock()
            .map(|k| k.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// Drops the keys of sessions that have ended without signing out (idle, too old, or
/// removed on another server). `get` already refuses them, but a key must not stay in
/// memory, where a dump of the process would find it, for longer than its session.
pub async fn forget_ended_sessions(state: &crate::AppState) -> Result<(), crate::error::AppError> {
    let now = state.app.clock.now();
    for session in state.keys.sessions() {
        let live = dignity_store::sessions::find_live(
            &state.db,
            &session,
            now,
            state.settings.session_idle_seconds,
        )
        .await?;
        if live.is_none() {
            state.keys.remove(&session);
        }
    }
    Ok(())
}

/// Runs [`forget_ended_sessions`] every minute, for as long as the server runs.
pub async fn forget_ended_sessions_every_minute(state: crate::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = forget_ended_sessions(&state).await {
            tracing::warn!(cause = %e, "could not check unlocked keys against sessions");
        }
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing({} unlocked)", self.len())
    }
}
