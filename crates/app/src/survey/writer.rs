//! One writer for everyone answering surveys at once: group commit.
//!
//! Every saved page and every sent response is a durable write. Written one transaction
//! each, 64 people answering made 64 writers queue for SQLite's one write lock, most of the
//! time asleep in its busy handler, with a disk flush each. Here each server has one task
//! that takes every write waiting at that moment and makes them one transaction: one disk
//! flush for all, and each person is told their answers are saved only after it.
//!
//! Writing several people's acts in one transaction is also what the anonymity rules want:
//! no transaction (which SQLite's log and PostgreSQL's row versions keep together) holds
//! one person's act alone when others are answering. After each transaction, before anyone
//! is told, the task writes any campaign's whole batch of waiting responses (in a
//! transaction of its own, as before) and empties SQLite's log. It never logs anything: a
//! log line would date someone's act.

use super::pending::{Flusher, Forgetting};
use crate::{Context, Error};
use dignity_store::survey::{self, AnswerWrite};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Writes taken into one transaction at most: enough for every client a server serves at
/// once, few enough that one transaction stays short.
const MOST_AT_ONCE: usize = 256;
/// Writes waiting beyond this make the next person wait for room, rather than memory grow.
const QUEUE: usize = 4_096;

struct Job {
    write: AnswerWrite,
    reply: oneshot::Sender<Result<bool, Error>>,
}

/// The queue to this server's answer-writing task, started on first use (it must start
/// inside the runtime that serves the requests).
#[derive(Default)]
pub struct AnswerWriter {
    queue: OnceLock<mpsc::Sender<Job>>,
    counts: Arc<Counts>,
    forgetting: Arc<Forgetting>,
}

/// How many writes this server's writer has made, in how many transactions, and where its
/// time went (for `dignity bench survey-answers`).
#[derive(Default)]
struct Counts {
    writes: AtomicU64,
    transactions: AtomicU64,
    writing_micros: AtomicU64,
    batches_micros: AtomicU64,
    checkpoint_micros: AtomicU64,
}

/// What [`AnswerWriter::counts`] reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriterCounts {
    pub writes: u64,
    pub transactions: u64,
    /// Time spent in the transactions of saved pages and sent answers...
    pub writing: Duration,
    /// ...writing whole batches...
    pub batches: Duration,
    /// ...and emptying SQLite's log.
    pub checkpoints: Duration,
}

impl AnswerWriter {
    /// Writes `write` together with whatever else is waiting, and returns its outcome once
    /// the transaction holding it is durable (false: a send whose code was used, or whose
    /// person had answered). If the task has gone (its runtime ended), writes on its own.
    pub async fn write(&self, ctx: &Context, write: AnswerWrite) -> Result<bool, Error> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(run(Flusher::new(ctx), receiver, self.counts.clone()));
            sender
        });
        let (reply, outcome) = oneshot::channel();
        let job = Job { write, reply };
        match queue.send(job).await {
            Ok(()) => match outcome.await {
                Ok(result) => result,
                Err(_) => Err(Error::Internal(
                    "the survey writer stopped before it answered".into(),
                )),
            },
            Err(mpsc::error::SendError(job)) => alone(&Flusher::new(ctx), job.write).await,
        }
    }

    /// This server's record of when written batches last left PostgreSQL's files.
    pub fn forgetting(&self) -> Arc<Forgetting> {
        self.forgetting.clone()
    }

    /// How many writes the writer has made, in how many transactions, and where its time
    /// went.
    pub fn counts(&self) -> WriterCounts {
        let c = &self.counts;
        let micros = |a: &AtomicU64| Duration::from_micros(a.load(Ordering::Relaxed));
        WriterCounts {
            writes: c.writes.load(Ordering::Relaxed),
            transactions: c.transactions.load(Ordering::Relaxed),
            writing: micros(&c.writing_micros),
            batches: micros(&c.batches_micros),
            checkpoints: micros(&c.checkpoint_micros),
        }
    }
}

async fn alone(flusher: &Flusher, write: AnswerWrite) -> Result<bool, Error> {
    let campaign = write.sends_to();
    let outcome = survey::write_together(
        flusher.db(),
        std::slice::from_ref(&write),
        Some(flusher.today()),
    )
    .await
    .pop()
    .unwrap_or(Ok(false))?;
    if let (true, Some(campaign)) = (outcome, campaign) {
        let _ = flusher.flush(campaign, false).await;
    }
    tidy(flusher).await;
    Ok(outcome)
}

async fn run(flusher: Flusher, mut receiver: mpsc::Receiver<Job>, counts: Arc<Counts>) {
    let mut writes = Vec::with_capacity(MOST_AT_ONCE);
    let mut replies = Vec::with_capacity(MOST_AT_ONCE);
    let mut sent_to = BTreeSet::new();
    while let Some(first) = receiver.recv().await {
        writes.push(first.write);
        replies.push(first.reply);
        while writes.len() < MOST_AT_ONCE {
            let Ok(job) = receiver.try_recv() else { break };
            writes.push(job.write);
            replies.push(job.reply);
        }
        let started = Instant::now();
        // Today as the transaction starts: a campaign that has closed since the page was
        // checked takes nothing more.
        let outcomes = survey::write_together(flusher.db(), &writes, Some(flusher.today())).await;
        let written = Instant::now();
        for (write, outcome) in writes.iter().zip(&outcomes) {
            if let (Ok(true), Some(campaign)) = (outcome, write.sends_to()) {
                sent_to.insert(campaign);
            }
        }
        // A campaign whose waiting responses now make a whole batch has it written in a
        // transaction of its own (which touches no code, participant or draft), before the
        // senders are told, so results and counts are whole when they look. Best effort
        // and silent: the periodic flush of every server tries again, and logs.
        for campaign in std::mem::take(&mut sent_to) {
            let _ = flusher.flush(campaign, false).await;
        }
        // A batch written earlier, whose records were not yet removed from PostgreSQL's
        // files because the last removal was too recent, has them removed now.
        flusher.forget_written(false).await;
        let batched = Instant::now();
        // Older copies of the pages just written (a used code's row, a replaced draft)
        // would otherwise stay readable in SQLite's log.
        tidy(&flusher).await;
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        counts
            .writing_micros
            .fetch_add(micros(written - started), Ordering::Relaxed);
        counts
            .batches_micros
            .fetch_add(micros(batched - written), Ordering::Relaxed);
        counts
            .checkpoint_micros
            .fetch_add(micros(batched.elapsed()), Ordering::Relaxed);
        counts
            .writes
            .fetch_add(writes.len() as u64, Ordering::Relaxed);
        counts.transactions.fetch_add(1, Ordering::Relaxed);
        writes.clear();
        for (reply, outcome) in replies.drain(..).zip(outcomes) {
            // The person may have gone (closed the page): nothing to tell them.
            let _ = reply.send(outcome.map_err(Error::from));
        }
    }
}

/// Empties SQLite's log. Best effort and silent: the next time tries again.
async fn tidy(flusher: &Flusher) {
    let _ = flusher.db().checkpoint().await;
}
