//! The append-only, hash-chained audit log.

use crate::{Db, StoreError};
use dignity_domain::audit::{AuditFields, ChainBreak, StoredEntry, entry_hash, verify_chain};
use sqlx::AnyConnection;

/// What happened, by whom, in which organisation. Written in the same transaction as the
/// change it records, so there is never a change without its entry, or the reverse.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// Who did it: a person's email, or `cli` for the operator's command line.
    pub actor: &'a str,
    /// The organisation's ODS code, if the action belongs to one.
    pub organisation: Option<&'a str>,
    /// A stable dotted name, such as `role.grant`.
    pub action: &'a str,
    /// Plain words saying what changed. Never case content or a passphrase.
    pub detail: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub organisation: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Appends an entry inside the caller's transaction.
///
/// The single `audit_head` row is updated first: on PostgreSQL that row lock makes
/// concurrent appenders queue; on SQLite the transaction already holds the write lock.
/// Either way the chain stays one line, and the UNIQUE `prev_hash` makes a fork impossible
/// even if that reasoning were wrong.
pub async fn append(
    conn: &mut AnyConnection,
    at: i64,
    entry: &NewEntry<'_>,
) -> Result<i64, StoreError> {
    let (seq, prev_hash): (i64, String) = sqlx::query_as(
        "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let hash = entry_hash(
        &prev_hash,
        &AuditFields {
            seq,
            at,
            actor: entry.actor,
            organisation: entry.organisation,
            action: entry.action,
            detail: entry.detail,
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, organisation, action, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(entry.actor)
    .bind(entry.organisation)
    .bind(entry.action)
    .bind(entry.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Records an entry on its own, for events that change nothing else (a sign-in, say).
pub async fn record(db: &Db, at: i64, entry: &NewEntry<'_>) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let seq = append(&mut tx, at, entry).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The newest entries for one organisation, newest first, before `before_seq` if given.
pub async fn list_for_organisation(
    db: &Db,
    ods_code: &str,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, at, actor, organisation, action, detail FROM audit_log \
         WHERE organisation = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(ods_code)
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// Which of an organisation's entries to list: one kind of action (the part of its name
/// before the dot, such as `role`), between two times (from inclusive, until exclusive).
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub kind: Option<&'a str>,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

impl Filter<'_> {
    /// The LIKE pattern for the kind. `_` in a kind matches itself or any one character,
    /// which can only widen a kind to a name no action has.
    fn pattern(&self) -> String {
        match self.kind {
            Some(kind) => format!("{kind}.%"),
            None => "%".into(),
        }
    }
}

const FILTERED: &str =
    "FROM audit_log WHERE organisation = $1 AND action LIKE $2 AND at >= $3 AND at < $4";

/// How many of an organisation's entries the filter keeps.
pub async fn count_for_organisation(
    db: &Db,
    ods_code: &str,
    filter: &Filter<'_>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) {FILTERED}"))
        .bind(ods_code)
        .bind(filter.pattern())
        .bind(filter.from.unwrap_or(i64::MIN))
        .bind(filter.until.unwrap_or(i64::MAX))
        .fetch_one(db.pool())
        .await?)
}

/// An entry as an administrator reads it: with the name of the person who did it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub entry: Entry,
    /// The actor's name, when the actor is a person's address.
    pub actor_name: Option<String>,
}

impl Listed {
    /// Who did it, by name where known, else as recorded (such as `cli`).
    pub fn who(&self) -> &str {
        self.actor_name.as_deref().unwrap_or(&self.entry.actor)
    }
}

/// One page of an organisation's entries that the filter keeps, newest first, skipping
/// the first `offset`.
pub async fn page_for_organisation(
    db: &Db,
    ods_code: &str,
    filter: &Filter<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Listed>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.seq, a.at, a.actor, a.organisation, a.action, a.detail, \
         p.display_name AS actor_name \
         FROM audit_log a LEFT JOIN people p ON p.email = a.actor \
         WHERE a.organisation = $1 AND a.action LIKE $2 AND a.at >= $3 AND a.at < $4 \
         ORDER BY a.seq DESC LIMIT $5 OFFSET $6",
    )
    .bind(ods_code)
    .bind(filter.pattern())
    .bind(filter.from.unwrap_or(i64::MIN))
    .bind(filter.until.unwrap_or(i64::MAX))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?)
}

/// The kinds of action in an organisation's log (`role`, `plan`, ...), in order.
pub async fn kinds_for_organisation(db: &Db, ods_code: &str) -> Result<Vec<String>, StoreError> {
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log WHERE organisation = $1")
            .bind(ods_code)
            .fetch_all(db.pool())
            .await?;
    let mut kinds: Vec<String> = actions
        .iter()
        .map(|a| a.split('.').next().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { entries: u64, last_hash: String },
    Broken(ChainBreak),
}

/// An entry with the hashes that chain it.
#[derive(sqlx::FromRow)]
struct Chained {
    #[sqlx(flatten)]
    entry: Entry,
    prev_hash: String,
    hash: String,
}

impl From<Chained> for StoredEntry {
    fn from(row: Chained) -> StoredEntry {
        let Entry {
            seq,
            at,
            actor,
            organisation,
            action,
            detail,
        } = row.entry;
        StoredEntry {
            seq,
            at,
            actor,
            organisation,
            action,
            detail,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// Reads the whole log in pages and checks every link, and that the head agrees with the
/// last entry (so truncating the newest entries is found too).
pub async fn verify(db: &Db) -> Result<Verification, StoreError> {
    const PAGE: i64 = 5_000;
    let mut all = Vec::new();
    let mut after = 0i64;
    loop {
        let rows: Vec<Chained> = sqlx::query_as(
            "SELECT seq, at, actor, organisation, action, detail, prev_hash, hash FROM audit_log \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(db.pool())
        .await?;
        let n = rows.len();
        all.extend(rows.into_iter().map(StoredEntry::from));
        match all.last() {
            Some(last) if n as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    Ok(match verify_chain(all) {
        Err(broken) => Verification::Broken(broken),
        Ok((entries, last_hash)) if entries as i64 != head_seq || last_hash != head_hash => {
            Verification::Broken(ChainBreak::Gap {
                expected_seq: head_seq,
                found_seq: entries as i64,
            })
        }
        Ok((entries, last_hash)) => Verification::Intact { entries, last_hash },
    })
}
