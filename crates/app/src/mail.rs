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
                // The address is not logged: it may say who was invited to a survey.
                tracing::warn!(mail = m.id, attempts = m.attempts + 1, cause = %e, "mail not sent; it will be tried again");
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
