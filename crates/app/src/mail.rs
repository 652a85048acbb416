//! The mail outbox. Mail is written in the same transaction as whatever it announces; a
//! worker on every server takes due mail (leased, so two servers never send the same mail
//! at once), hands it to a relay, and deletes it once accepted. A relay that is down only
//! delays it. How mail travels (SMTP) is the caller's: see [`Relay`].

pub use dignity_store::mail::{Attachment, Mail, NewMail};

use crate::{Context, Error};
use dignity_store::mail as store;
use std::future::Future;

/// How long a taken mail is kept from other servers while this one sends it.
const LEASE_SECONDS: i64 = 120;
/// Mails taken per round.
const BATCH: i64 = 200;

/// Where mail is handed on, such as an SMTP relay.
pub trait Relay: Sync {
    /// Sends one mail; `Err` says why it was not accepted, and it is tried again later.
    fn send(&self, mail: &Mail) -> impl Future<Output = Result<(), String>> + Send;
}

/// `text` with every copy of `address` (in any case) replaced, for the log.
fn without_address(text: &str, address: &str) -> String {
    if address.is_empty() {
        return text.to_owned();
    }
    let (lower, wanted) = (text.to_lowercase(), address.to_lowercase());
    // Lower-casing can change byte lengths outside ASCII: then say nothing of the cause.
    if lower.len() != text.len() {
        return "the relay refused it".to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(&wanted) {
        out.push_str(text.get(rest..at).unwrap_or_default());
        out.push_str("[the address]");
        rest = at + wanted.len();
    }
    out.push_str(text.get(rest..).unwrap_or_default());
    out
}

/// Sends what is due at `now` (the worker's clock) through `relay`. Returns (sent,
/// failed).
pub async fn send_due(
    ctx: &Context,
    relay: &impl Relay,
    now: i64,
) -> Result<(usize, usize), Error> {
    let db = &ctx.db;
    let (mut sent, mut failed) = (0, 0);
    for m in store::claim_due(db, now, LEASE_SECONDS, BATCH).await? {
        match relay.send(&m).await {
            Ok(()) => {
                store::sent(db, m.id).await?;
                sent += 1;
            }
            Err(e) => {
                // The address is not logged: it may say who was invited to a survey. Relays
                // quote it in their refusals, so it is taken out of the cause too.
                let cause = without_address(&e, &m.to);
                tracing::warn!(mail = m.id, attempts = m.attempts + 1, %cause, "mail not sent; it will be tried again");
                store::failed(db, &m, now, &e).await?;
                failed += 1;
            }
        }
    }
    if sent > 0 {
        // A sent mail's row is zeroed in the database file when deleted, but older copies
        // of its page (an invitation's address beside its code) stay in SQLite's log until
        // a checkpoint. Best effort: a busy log is emptied next time.
        let _ = db.checkpoint().await;
    }
    Ok((sent, failed))
}

/// How many mails for `purpose` (such as `survey:12`) wait to be sent.
pub async fn waiting(ctx: &Context, purpose: &str) -> Result<u64, Error> {
    Ok(store::waiting(&ctx.db, purpose).await?)
}

#[cfg(test)]
mod tests {
    use super::without_address;

    #[test]
    fn a_refusal_quoting_the_address_is_logged_without_it() {
        let refusal =
            "permanent error (550): 5.1.1 <Secret.Person@example.org>: Recipient address rejected";
        let logged = without_address(refusal, "secret.person@example.org");
        assert!(!logged.to_lowercase().contains("secret.person"), "{logged}");
        assert!(logged.contains("5.1.1 <[the address]>: Recipient address rejected"));
        assert_eq!(without_address("timed out", "a@b.uk"), "timed out");
    }
}
