//! Sealing what people send and save, and writing waiting responses in batches.
//!
//! Sent responses wait sealed under a key derived from the installation secret (which is
//! never in the database) until a campaign has a batch of the survey minimum of them, or closes;
//! then they are written together, shuffled (`dignity_store::survey::pending`). Drafts are
//! sealed under a key from the secret and the invitation code or the person's digest, and
//! every record of a survey is padded to one length.

use crate::{Context, Error};
use dignity_crypto::sealed;
use dignity_crypto::secret::InstallationSecret;
use dignity_crypto::survey::InvitationCode;
use dignity_domain::speakup::Day;
use dignity_domain::survey::answering::{Answers, MAX_COMMENT};
use dignity_domain::survey::{QuestionKind, Survey};
use dignity_store::survey::{self, Campaign, Draft, NewResponse};
use dignity_store::{Db, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const PENDING: &str = "survey-pending";
const DRAFT: &str = "survey-draft";
const CODE_DRAFT: &str = "survey-draft-code";

fn pending_context(campaign_id: i64) -> Vec<u8> {
    format!("{PENDING}:{campaign_id}").into_bytes()
}

/// How long every sealed response and draft of `definition` is: the longest one could be,
/// so no record's length gives away how much someone wrote (a waiting response's length
/// would otherwise pick out its comment once the batch is written in plain text).
pub fn record_size(definition: &Survey) -> usize {
    let comment_keys: Vec<usize> = definition
        .questions()
        .filter(|q| q.kind == QuestionKind::FreeText)
        .map(|q| q.key.len())
        .collect();
    let empty = Answers::empty(definition);
    survey::longest_record(
        empty.codes.len(),
        2 * empty.groupings.len(),
        &comment_keys,
        MAX_COMMENT,
    )
}

/// A sent response, sealed to wait for its batch, padded to `size` ([`record_size`]).
pub fn seal_response(
    secret: &InstallationSecret,
    campaign_id: i64,
    response: &NewResponse,
    size: usize,
) -> Result<Vec<u8>, Error> {
    let plain = Zeroizing::new(response.to_bytes());
    Ok(sealed::seal_padded(
        &secret.derive(PENDING),
        &pending_context(campaign_id),
        &plain,
        size,
    )?)
}

/// The key an invitation's draft is sealed under: from the code (which only the person
/// holds) and the installation secret, so neither the code (from a mail log, say) nor a
/// copy of the database with its secret opens it without the other.
pub fn code_draft_key(
    secret: &InstallationSecret,
    code: &InvitationCode,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    key_from_digest(&Zeroizing::new(
        secret.keyed_digest(CODE_DRAFT, &code.draft_key()[..]),
    ))
}

fn key_from_digest(digest: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut key = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(digest.as_bytes(), &mut key[..])
        .map_err(|e| Error::Internal(format!("draft key: {e}")))?;
    Ok(key)
}

/// The key an open-link draft is sealed under: from the installation secret and the
/// person's participation digest, so neither a copy of the database nor the secret alone
/// (without the participation key and the person) opens it.
pub fn person_draft_key(
    secret: &InstallationSecret,
    holder: &str,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    key_from_digest(&Zeroizing::new(
        secret.keyed_digest(DRAFT, holder.as_bytes()),
    ))
}

fn draft_context(campaign_id: i64, holder: &str) -> Vec<u8> {
    format!("{DRAFT}:{campaign_id}:{holder}").into_bytes()
}

/// A draft sealed under the person's key, padded to `size` ([`record_size`]).
pub fn seal_draft(
    key: &[u8; 32],
    campaign_id: i64,
    holder: &str,
    draft: &Draft,
    size: usize,
) -> Result<Vec<u8>, Error> {
    let plain = Zeroizing::new(draft.to_bytes());
    Ok(sealed::seal_padded(
        key,
        &draft_context(campaign_id, holder),
        &plain,
        size,
    )?)
}

/// The person's draft as stored, opened with their key. A draft that no longer opens (the
/// installation secret was replaced) is started again rather than stopping the person from
/// answering; saving overwrites it.
pub fn open_draft(
    key: &[u8; 32],
    campaign_id: i64,
    holder: &str,
    stored: &[u8],
) -> Result<Option<Draft>, Error> {
    let Ok(plain) = sealed::open(key, &draft_context(campaign_id, holder), stored) else {
        return Ok(None);
    };
    Ok(Some(Draft::from_bytes(&plain)?))
}

/// What writing waiting responses needs, apart from a whole [`Context`]: the answer
/// writer holds one.
#[derive(Clone)]
pub struct Flusher {
    db: Db,
    key: Zeroizing<[u8; 32]>,
    batch: u64,
    clock: crate::clock::Clock,
    forgetting: Arc<Forgetting>,
}

/// Removing written records from PostgreSQL's files (`survey::forget_written_records`)
/// after batches: soon after each, but at most every [`FORGET_EVERY`], so a busy server
/// does not rewrite the table for every batch; the periodic [`flush_all`] does any owed.
#[derive(Default)]
pub struct Forgetting {
    owed: AtomicBool,
    last: Mutex<Option<Instant>>,
}

/// How often at most a server rewrites the table of waiting responses.
const FORGET_EVERY: Duration = Duration::from_secs(5);

impl Flusher {
    pub fn new(ctx: &Context) -> Flusher {
        Flusher {
            db: ctx.db.clone(),
            key: ctx.secret.derive(PENDING),
            batch: ctx.minimums.survey().people(),
            clock: ctx.clock.clone(),
            forgetting: ctx.answer_writer.forgetting(),
        }
    }

    /// Today, as the writer checks a campaign is still open.
    pub fn today(&self) -> Day {
        self.clock.today()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Opens one waiting record of a campaign.
    fn open(&self, campaign_id: i64, record: &[u8]) -> Result<Vec<u8>, StoreError> {
        sealed::open(&self.key, &pending_context(campaign_id), record)
            .map(|plain| plain.to_vec())
            .map_err(|e| StoreError::Corrupt(format!("a waiting survey response: {e}")))
    }

    /// Writes a campaign's waiting responses if a whole batch waits, or any do and it has
    /// `closed`. Returns how many were written.
    pub async fn flush(&self, campaign_id: i64, closed: bool) -> Result<u64, Error> {
        let written = survey::flush(&self.db, campaign_id, self.batch, closed, |record| {
            self.open(campaign_id, record)
        })
        .await?;
        if written > 0 {
            self.forgetting.owed.store(true, Ordering::Relaxed);
            self.forget_written(false).await;
        }
        Ok(written)
    }

    /// Removes written records from PostgreSQL's files if a batch was written since the
    /// last time, and (unless `now`) the last time was long enough ago. Best effort and
    /// silent: what is owed is done next time.
    pub async fn forget_written(&self, now: bool) {
        if !self.forgetting.owed.load(Ordering::Relaxed) {
            return;
        }
        {
            let Ok(mut last) = self.forgetting.last.lock() else {
                return;
            };
            if !now && last.is_some_and(|at| at.elapsed() < FORGET_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        self.forgetting.owed.store(false, Ordering::Relaxed);
        if !matches!(survey::forget_written_records(&self.db).await, Ok(true)) {
            self.forgetting.owed.store(true, Ordering::Relaxed);
        }
    }
}

/// Writes a campaign's waiting responses if a batch is ready, or any are waiting once it
/// has closed. Returns how many were written.
pub async fn flush(ctx: &Context, campaign: &Campaign, today: Day) -> Result<u64, Error> {
    let written = Flusher::new(ctx)
        .flush(campaign.id, campaign.has_closed(today))
        .await?;
    if written > 0 {
        // Best effort: the next flush or checkpoint tries again.
        let _ = ctx.db.checkpoint().await;
    }
    Ok(written)
}

/// Writes every campaign's waiting responses that are due: whole batches of open
/// campaigns and everything of closed ones. Run now and then by every server, so a closed
/// campaign's last answers are written even if nobody looks at its results.
///
/// Then it forgets what closed campaigns no longer need: drafts never sent and codes
/// never used (`survey::forget_after_close`).
pub async fn flush_all(ctx: &Context, today: Day) -> Result<u64, Error> {
    let mut written = 0;
    for id in survey::pending::campaigns_waiting(&ctx.db).await? {
        let campaign = survey::get_campaign(&ctx.db, id).await?;
        written += flush(ctx, &campaign, today).await?;
    }
    Flusher::new(ctx).forget_written(true).await;
    let (drafts, codes) = survey::forget_after_close(&ctx.db, today).await?;
    if drafts + codes > 0 {
        // Best effort: the next flush or checkpoint tries again.
        let _ = ctx.db.checkpoint().await;
    }
    Ok(written)
}
