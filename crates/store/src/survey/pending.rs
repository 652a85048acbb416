//! Sending a response without linking it to the person who sent it.
//!
//! A sent response is first stored sealed (by the caller, under a key the database does
//! not hold) in `survey_pending`, in the same transaction that uses up the invitation code
//! or records the participant. Only when a campaign has a whole batch waiting (or has
//! closed) are the waiting responses opened, shuffled and written as plain responses and
//! comments, all together and with fresh random keys. So no write that holds plain answers
//! holds fewer than a batch of them, or anything about who sent them; and the campaign's
//! response counter, which every results page reads, only moves by whole batches.
//!
//! Drafts are stored sealed as well; this module only moves the sealed bytes.

use super::{count_responses, insert_comments, insert_response};
use crate::ids::random_key;
use crate::{Backend, Db, StoreError};
use dignity_domain::speakup::Day;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// A finished response, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResponse {
    /// Random, from the caller's secure generator.
    pub id: String,
    pub answers: Vec<u8>,
    pub groupings: Vec<u8>,
    /// Free-text answers (question key, words), stored apart from the response.
    pub comments: Vec<(String, String)>,
}

/// Answers saved between the pages of an unfinished response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub answers: Vec<u8>,
    pub groupings: Vec<u8>,
    pub comments: Vec<(String, String)>,
}

/// What is sealed, for a waiting response and for a draft alike.
#[derive(Serialize, Deserialize)]
struct Payload {
    answers: Vec<u8>,
    groupings: Vec<u8>,
    comments: Vec<(String, String)>,
}

fn encode(answers: &[u8], groupings: &[u8], comments: &[(String, String)]) -> Vec<u8> {
    let payload = Payload {
        answers: answers.to_vec(),
        groupings: groupings.to_vec(),
        comments: comments.to_vec(),
    };
    // Serialising plain vectors and strings cannot fail.
    serde_json::to_vec(&payload).unwrap_or_default()
}

fn decode(bytes: &[u8]) -> Result<Payload, StoreError> {
    serde_json::from_slice(bytes)
        .map_err(|e| StoreError::Corrupt(format!("a sealed survey record: {e}")))
}

/// The longest [`NewResponse::to_bytes`] or [`Draft::to_bytes`] can be for a survey with
/// `codes` answer codes, `grouping_bytes` bytes of groupings, and free-text questions whose
/// keys are `comment_keys` long, each answered in at most `max_chars` characters. Records
/// are sealed padded to this, so their length says nothing about the words in them.
pub fn longest_record(
    codes: usize,
    grouping_bytes: usize,
    comment_keys: &[usize],
    max_chars: usize,
) -> usize {
    // In JSON a byte is at most "255," (4 bytes) and a character at most "\u001f" (6),
    // a control character written out; the rest is brackets, quotes, commas and names.
    const FRAME: usize = 64;
    FRAME
        + 4 * (codes + grouping_bytes)
        + comment_keys
            .iter()
            .map(|key| 6 * (key + max_chars) + 8)
            .sum::<usize>()
}

impl NewResponse {
    /// The bytes to seal while the response waits (its key is not kept: a new one is made
    /// when it is written).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.answers, &self.groupings, &self.comments)
    }
}

impl Draft {
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.answers, &self.groupings, &self.comments)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Draft, StoreError> {
        let p = decode(bytes)?;
        Ok(Draft {
            answers: p.answers,
            groupings: p.groupings,
            comments: p.comments,
        })
    }
}

/// One write of someone answering a survey. Many are written together in one transaction
/// ([`write_together`]), so that one durable commit serves everyone answering at that moment,
/// and no transaction holds one person's act alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerWrite {
    /// Saves (or replaces) the sealed unfinished response of a code or a person, while the
    /// code is unused or the person has not answered (a page saved while the same code is
    /// sent from another page must not leave a draft behind).
    Draft {
        campaign_id: i64,
        holder: String,
        sealed: Vec<u8>,
        by_code: bool,
    },
    /// Uses up an invitation code and stores its sealed response to wait for a batch.
    WithToken {
        campaign_id: i64,
        token: String,
        sealed: Vec<u8>,
    },
    /// Records that a signed-in person took part (as a keyed digest) and stores their
    /// sealed response to wait for a batch.
    AsPerson {
        campaign_id: i64,
        person: String,
        sealed: Vec<u8>,
    },
}

impl AnswerWrite {
    /// The code's or person's digest the write is for.
    fn holder(&self) -> &str {
        match self {
            AnswerWrite::Draft { holder, .. } => holder,
            AnswerWrite::WithToken { token, .. } => token,
            AnswerWrite::AsPerson { person, .. } => person,
        }
    }

    /// The campaign a sent response waits in, for the flush that follows.
    pub fn sends_to(&self) -> Option<i64> {
        match self {
            AnswerWrite::Draft { .. } => None,
            AnswerWrite::WithToken { campaign_id, .. }
            | AnswerWrite::AsPerson { campaign_id, .. } => Some(*campaign_id),
        }
    }
}

/// Writes many answering writes in one transaction: one durable commit for all of them.
/// Each gets its own outcome: false for a send whose code was unknown or used, or whose
/// person had already answered (nothing of that one is written). If the database refuses
/// the transaction, each write is tried again in a transaction of its own, so one bad write
/// cannot fail the others. Plain answers are never written here: whole batches are written
/// by [`flush`], in a transaction that touches no code, participant or draft.
pub async fn write_together(
    db: &Db,
    writes: &[AnswerWrite],
    open_on: Option<Day>,
) -> Vec<Result<bool, StoreError>> {
    match write_in_one(db, writes, open_on).await {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(e) if writes.len() <= 1 => vec![Err(e)],
        Err(_) => {
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in writes {
                outcomes.push(
                    write_in_one(db, std::slice::from_ref(write), open_on)
                        .await
                        .map(only),
                );
            }
            outcomes
        }
    }
}

/// The outcome of a transaction of one write.
fn only(outcomes: Vec<bool>) -> bool {
    outcomes.first().copied().unwrap_or(false)
}

async fn write_in_one(
    db: &Db,
    writes: &[AnswerWrite],
    open_on: Option<Day>,
) -> Result<Vec<bool>, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    let open_on = open_on.map(|d| d.to_string()).unwrap_or_default();
    for write in writes {
        if db.backend() == Backend::Postgres {
            // Two servers writing for one code or person (two tabs) take turns, so each
            // statement below sees what the other committed: a page saved while the same
            // code is sent elsewhere must not leave a draft behind. SQLite's write lock
            // already makes every writer take turns.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(write.holder())
                .execute(&mut *tx)
                .await?;
        }
        outcomes.push(write_one(&mut tx, write, &open_on).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn put_back(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    sealed: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO survey_pending (id, campaign_id, sealed) VALUES ($1, $2, $3)")
        .bind(random_key())
        .bind(campaign_id)
        .bind(sealed)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The condition that the campaign (parameter `campaign`) is still open on the day in
/// parameter `day` (empty: no check). A send that passed the page's check just before the
/// campaign closed must not land after its last answers were written, where it would move
/// results already published.
fn still_open(campaign: &str, day: &str) -> String {
    format!(
        "({day} = '' OR EXISTS (SELECT 1 FROM survey_campaigns c WHERE c.id = {campaign} AND c.closes_on >= {day}))"
    )
}

async fn write_one(
    conn: &mut sqlx::AnyConnection,
    write: &AnswerWrite,
    open_on: &str,
) -> Result<bool, StoreError> {
    match write {
        AnswerWrite::Draft {
            campaign_id,
            holder,
            sealed,
            by_code,
        } => {
            let still_answering = if *by_code {
                "EXISTS (SELECT 1 FROM survey_tokens WHERE token_digest = $1 AND campaign_id = $2)"
            } else {
                "NOT EXISTS (SELECT 1 FROM survey_participants WHERE person_digest = $1 AND campaign_id = $2)"
            };
            let saved = sqlx::query(&format!(
                "INSERT INTO survey_drafts (holder_digest, campaign_id, sealed) \
                 SELECT $1, $2, $3 WHERE {still_answering} AND {} \
                 ON CONFLICT (holder_digest) DO UPDATE SET sealed = excluded.sealed",
                still_open("$2", "$4")
            ))
            .bind(holder)
            .bind(campaign_id)
            .bind(sealed)
            .bind(open_on)
            .execute(&mut *conn)
            .await?;
            Ok(saved.rows_affected() == 1)
        }
        AnswerWrite::WithToken {
            campaign_id,
            token,
            sealed,
        } => {
            let used = sqlx::query(&format!(
                "DELETE FROM survey_tokens WHERE token_digest = $1 AND campaign_id = $2 AND {}",
                still_open("$2", "$3")
            ))
            .bind(token)
            .bind(campaign_id)
            .bind(open_on)
            .execute(&mut *conn)
            .await?;
            if used.rows_affected() != 1 {
                return Ok(false);
            }
            wait(conn, *campaign_id, token, sealed).await?;
            Ok(true)
        }
        AnswerWrite::AsPerson {
            campaign_id,
            person,
            sealed,
        } => {
            let inserted = sqlx::query(&format!(
                "INSERT INTO survey_participants (campaign_id, person_digest) \
                 SELECT $1, $2 WHERE {} \
                 ON CONFLICT (campaign_id, person_digest) DO NOTHING",
                still_open("$1", "$3")
            ))
            .bind(campaign_id)
            .bind(person)
            .bind(open_on)
            .execute(&mut *conn)
            .await?;
            if inserted.rows_affected() != 1 {
                return Ok(false);
            }
            wait(conn, *campaign_id, person, sealed).await?;
            Ok(true)
        }
    }
}

/// Uses up a token and stores its sealed response to wait for a batch, in one transaction.
/// False if the token is unknown or already used (nothing is stored then).
pub async fn submit_with_token(
    db: &Db,
    campaign_id: i64,
    token_digest: &str,
    sealed: &[u8],
) -> Result<bool, StoreError> {
    let write = AnswerWrite::WithToken {
        campaign_id,
        token: token_digest.to_owned(),
        sealed: sealed.to_vec(),
    };
    Ok(only(write_in_one(db, &[write], None).await?))
}

/// Records that a signed-in person took part (as a keyed digest) and stores their sealed
/// response to wait for a batch, in one transaction. False if they have already answered.
pub async fn submit_as_person(
    db: &Db,
    campaign_id: i64,
    person_digest: &str,
    sealed: &[u8],
) -> Result<bool, StoreError> {
    let write = AnswerWrite::AsPerson {
        campaign_id,
        person: person_digest.to_owned(),
        sealed: sealed.to_vec(),
    };
    Ok(only(write_in_one(db, &[write], None).await?))
}

/// Inside a write transaction: the sent response's draft goes, and the response waits
/// sealed under a random key.
async fn wait(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    holder_digest: &str,
    sealed: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM survey_drafts WHERE holder_digest = $1")
        .bind(holder_digest)
        .execute(&mut *conn)
        .await?;
    put_back(conn, campaign_id, sealed).await
}

/// How many sent responses of a campaign wait for a batch.
pub async fn pending_count(db: &Db, campaign_id: i64) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_pending WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_one(db.pool())
        .await?;
    Ok(n.max(0) as u64)
}

/// The campaigns that have sent responses waiting for a batch.
pub async fn campaigns_waiting(db: &Db) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT campaign_id FROM survey_pending ORDER BY campaign_id")
            .fetch_all(db.pool())
            .await?,
    )
}

/// Invitation codes not used yet, as shown to administrators: unused codes plus responses
/// waiting for a batch, so the figure moves only when a batch is written, never with one
/// person's answers.
pub async fn codes_not_used_yet(db: &Db, campaign_id: i64) -> Result<u64, StoreError> {
    Ok(super::unused_tokens(db, campaign_id).await? + pending_count(db, campaign_id).await?)
}

/// Writes a campaign's waiting responses as plain responses, shuffled, if at least `batch`
/// wait (or any do and `closed`). `open` unseals one waiting record. Returns how many were
/// written. Safe with many servers flushing at once: the one whose DELETE takes the rows
/// writes them; one left with fewer than a batch (of an open campaign) puts them back by
/// rolling back.
pub async fn flush(
    db: &Db,
    campaign_id: i64,
    batch: u64,
    closed: bool,
    open: impl Fn(&[u8]) -> Result<Vec<u8>, StoreError>,
) -> Result<u64, StoreError> {
    let waiting = pending_count(db, campaign_id).await?;
    if waiting == 0 || (!closed && waiting < batch) {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let sealed: Vec<Vec<u8>> =
        sqlx::query_scalar("DELETE FROM survey_pending WHERE campaign_id = $1 RETURNING sealed")
            .bind(campaign_id)
            .fetch_all(&mut *tx)
            .await?;
    let taken = sealed.len() as u64;
    if taken == 0 || (!closed && taken < batch) {
        tx.rollback().await?;
        return Ok(0);
    }
    let written = write_batch(&mut tx, campaign_id, &sealed, open).await?;
    tx.commit().await?;
    Ok(written)
}

/// Rewrites PostgreSQL's table of waiting responses so the rows a batch deleted leave its
/// files. PostgreSQL keeps a deleted row in place until its space is reused, with the
/// number of the transaction that wrote it: the same number as the used code's (or new
/// participant's) row, so a copy of the data files and the installation secret together
/// could open each sent record and pair it with its code long after the batch (outside
/// attack, 2026-12-04). The table holds at most a batch or two of live rows, so rewriting
/// it takes milliseconds. SQLite zeroes deleted rows itself (`secure_delete`); nothing to do.
///
/// PostgreSQL keeps a deleted row through the rewrite while any transaction of the same
/// database might still see it, such as an autovacuum `ANALYZE` that began before the
/// batch (CI caught the kept rows, 2026-12-06). So this first waits, up to half a second
/// (the answer writer waits with it, so senders would too),
/// until no transaction of this database holds a snapshot from before the call and no
/// transaction anywhere holds an older number (a snapshot taken later would then reach
/// back to it). Returns whether that wait succeeded, so the rewrite removed every row
/// deleted before the call; if not, the caller owes another.
pub async fn forget_written_records(db: &Db) -> Result<bool, StoreError> {
    if db.backend() != Backend::Postgres {
        return Ok(true);
    }
    let mut conn = db.pool().acquire().await?;
    // Every transaction that deleted a written record is older than this.
    let horizon: String =
        sqlx::query_scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
            .fetch_one(&mut *conn)
            .await?;
    let started = std::time::Instant::now();
    let clear = loop {
        let clear: bool = sqlx::query_scalar(
            "SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::text::xid8 \
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                 AND (age(backend_xmin) > age($1::text::xid8::xid) \
                      OR age(backend_xid) > age($1::text::xid8::xid)))",
        )
        .bind(&horizon)
        .fetch_one(&mut *conn)
        .await?;
        if clear || started.elapsed() > std::time::Duration::from_millis(500) {
            break clear;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    // Never queue behind a long transaction (and make every writer queue behind this):
    // give up and try again next time.
    sqlx::query("SET lock_timeout = '2s'")
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("VACUUM FULL survey_pending")
        .execute(&mut *conn)
        .await;
    let reset = sqlx::query("RESET lock_timeout").execute(&mut *conn).await;
    if reset.is_err() {
        conn.close_on_drop();
    }
    done?;
    reset?;
    Ok(clear)
}

/// Opens waiting records and writes them as plain responses and comments, shuffled, with
/// fresh random keys, and moves the campaign's counter by the whole batch.
async fn write_batch(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    sealed: &[Vec<u8>],
    open: impl Fn(&[u8]) -> Result<Vec<u8>, StoreError>,
) -> Result<u64, StoreError> {
    let mut responses = Vec::with_capacity(sealed.len());
    for record in sealed {
        responses.push(decode(&open(record)?)?);
    }
    let mut rng = rand::rngs::OsRng;
    responses.shuffle(&mut rng);
    // Comments are shuffled on their own, so the order they are written in does not follow
    // the order of the responses either.
    let mut comments: Vec<(String, String)> = responses
        .iter_mut()
        .flat_map(|r| std::mem::take(&mut r.comments))
        .collect();
    comments.shuffle(&mut rng);
    for p in responses {
        let response = NewResponse {
            id: random_key(),
            answers: p.answers,
            groupings: p.groupings,
            comments: Vec::new(),
        };
        insert_response(&mut *conn, campaign_id, &response).await?;
    }
    insert_comments(&mut *conn, campaign_id, &comments).await?;
    count_responses(&mut *conn, campaign_id, sealed.len()).await?;
    Ok(sealed.len() as u64)
}

/// Forgets, for every campaign that closed before `today`, the drafts of people who never
/// sent and the codes never used: nobody can answer any more, and kept, a draft stays
/// readable to whoever holds the secret and the code, and an unused code (with the
/// letters) says who did not answer. Returns how many drafts and codes went.
pub async fn forget_after_close(db: &Db, today: Day) -> Result<(u64, u64), StoreError> {
    let mut tx = db.begin_write().await?;
    let closed = "SELECT id FROM survey_campaigns WHERE closes_on < $1";
    let drafts = sqlx::query(&format!(
        "DELETE FROM survey_drafts WHERE campaign_id IN ({closed})"
    ))
    .bind(today.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let codes = sqlx::query(&format!(
        "DELETE FROM survey_tokens WHERE campaign_id IN ({closed})"
    ))
    .bind(today.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok((drafts, codes))
}

/// Saves (or replaces) the sealed unfinished response of an invitation code (`by_code`)
/// or a person. False, and nothing saved, once the code is used or the person has answered.
pub async fn save_draft(
    db: &Db,
    campaign_id: i64,
    holder_digest: &str,
    sealed: &[u8],
    by_code: bool,
) -> Result<bool, StoreError> {
    let write = AnswerWrite::Draft {
        campaign_id,
        holder: holder_digest.to_owned(),
        sealed: sealed.to_vec(),
        by_code,
    };
    Ok(only(write_in_one(db, &[write], None).await?))
}

/// The sealed unfinished response of an invitation code or a person, if any.
pub async fn get_draft(
    db: &Db,
    campaign_id: i64,
    holder_digest: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT sealed FROM survey_drafts WHERE holder_digest = $1 AND campaign_id = $2",
    )
    .bind(holder_digest)
    .bind(campaign_id)
    .fetch_optional(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_record_bounds_the_worst_answers() {
        let keys = ["anything_else", "b"];
        let longest = longest_record(30, 8, &[keys[0].len(), keys[1].len()], 2_000);
        // Every code at its widest, and words made of the characters JSON writes longest.
        for fill in ['\u{1}', '"', '\u{1F600}', 'é'] {
            let response = NewResponse {
                id: "x".into(),
                answers: vec![255; 30],
                groupings: vec![255; 8],
                comments: keys
                    .iter()
                    .map(|k| ((*k).to_owned(), fill.to_string().repeat(2_000)))
                    .collect(),
            };
            assert!(response.to_bytes().len() <= longest, "{fill:?}");
        }
    }
}
