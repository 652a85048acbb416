//! Attacks on copies of the database taken while a survey runs (issue 13, item 3).
//!
//! The bytes each write puts on disk are searched for what people answered: on SQLite the
//! write-ahead log frames and database pages a write changed, on PostgreSQL the WAL between
//! the write's start and end and the tables' data files. Answers, groupings and comments
//! are distinctive byte strings, so a search finds them wherever they are, and the test
//! checks it does find them in the batch once they are written, so it cannot pass by
//! searching the wrong place.

use super::{TestResult, campaign, flush, sealed};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::survey::Participation;
use dignity_store::{Backend, Db, survey};
use std::collections::{HashMap, HashSet};

/// One person's response, made of strings that occur nowhere else.
struct Person {
    holder: String,
    draft_key: [u8; 32],
    response: survey::NewResponse,
    draft: survey::Draft,
}

fn person(i: usize, participation: Participation) -> Person {
    // Each campaign's people are told apart from the other campaign's.
    let tag = participation.code();
    let (holder, draft_key) = match participation {
        Participation::Tokens => {
            let code = InvitationCode::generate();
            (code.digest(), *code.draft_key())
        }
        // The server's participation digests and draft keys are keyed HMACs; any
        // distinct 32-byte values stand in for them here.
        Participation::OpenLink => {
            let bytes = |label: &str| {
                let text = format!("{label}{i}{}", dignity_crypto::token::random_token());
                let mut out = [0u8; 32];
                for (n, b) in text.bytes().enumerate() {
                    out[n % 32] ^= b.wrapping_mul(31).wrapping_add(n as u8);
                }
                out
            };
            (hex::encode(bytes("person")), bytes("draft"))
        }
    };
    Person {
        holder,
        draft_key,
        response: survey::NewResponse {
            id: dignity_crypto::token::random_token(),
            answers: format!("ANSWERS-{tag}-{i:02}-QZ").into_bytes(),
            groupings: format!("GROUPS-{tag}-{i:02}-JX").into_bytes(),
            comments: vec![(
                "anything_else".into(),
                format!("comment from person {tag} {i:02}: the rota is unfair ZEBRA"),
            )],
        },
        draft: survey::Draft {
            answers: format!("DRAFT-{tag}-{i:02}-KV").into_bytes(),
            groupings: Vec::new(),
            comments: vec![(
                "anything_else".into(),
                format!("half a thought {tag} {i:02} OKAPI"),
            )],
        },
    }
}

/// What is searched for, about each person.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Answers,
    Groupings,
    Comment,
    Draft,
    Holder,
}

/// A string to find: what it is, whose, and its bytes.
type Needle = (Kind, usize, Vec<u8>);

/// Which (kind, person) strings occur in `haystack`. Every string is at least 8 bytes, so
/// one pass looks up each position's first 8 bytes (a plain search per string is too slow
/// over megabytes of files in a debug build).
fn scan(haystack: &[u8], people: &[Person]) -> HashSet<(Kind, usize)> {
    let mut needles: HashMap<[u8; 8], Vec<Needle>> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        let strings = [
            (Kind::Answers, p.response.answers.clone()),
            (Kind::Groupings, p.response.groupings.clone()),
            (Kind::Comment, p.response.comments[0].1.clone().into_bytes()),
            (Kind::Draft, p.draft.answers.clone()),
            (Kind::Draft, p.draft.comments[0].1.clone().into_bytes()),
            (Kind::Holder, p.holder.clone().into_bytes()),
            (Kind::Holder, p.draft_key.to_vec()),
            (Kind::Holder, hex::encode(p.draft_key).into_bytes()),
        ];
        for (kind, bytes) in strings {
            let head: [u8; 8] = bytes[..8].try_into().unwrap();
            needles.entry(head).or_default().push((kind, i, bytes));
        }
    }
    let mut found = HashSet::new();
    for at in 0..haystack.len().saturating_sub(7) {
        let head: [u8; 8] = haystack[at..at + 8].try_into().unwrap();
        if let Some(candidates) = needles.get(&head) {
            for (kind, i, bytes) in candidates {
                if haystack[at..].starts_with(bytes) {
                    found.insert((*kind, *i));
                }
            }
        }
    }
    found
}

fn count(found: &HashSet<(Kind, usize)>, kind: Kind) -> usize {
    found.iter().filter(|(k, _)| *k == kind).count()
}

/// How many people's answers, groupings and comments appear in `bytes`.
fn plain_found(bytes: &[u8], people: &[Person]) -> (usize, usize, usize) {
    let found = scan(bytes, people);
    (
        count(&found, Kind::Answers),
        count(&found, Kind::Groupings),
        count(&found, Kind::Comment),
    )
}

fn draft_found(bytes: &[u8], people: &[Person]) -> usize {
    count(&scan(bytes, people), Kind::Draft)
}

/// How many people's code digest, participant digest or draft key appear in `bytes`.
fn holders_found(bytes: &[u8], people: &[Person]) -> usize {
    count(&scan(bytes, people), Kind::Holder)
}

/// Where the database was before a write.
enum Mark {
    Sqlite { main: Vec<u8>, wal: Vec<u8> },
    Postgres { lsn: i64 },
}

async fn sqlite_files(db: &Db) -> Result<(Vec<u8>, Vec<u8>), Box<dyn std::error::Error>> {
    let path: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(db.pool())
            .await?;
    let main = std::fs::read(&path)?;
    let wal = std::fs::read(format!("{path}-wal")).unwrap_or_default();
    Ok((main, wal))
}

async fn page_size(db: &Db) -> Result<usize, Box<dyn std::error::Error>> {
    let size: i64 = sqlx::query_scalar("SELECT page_size FROM pragma_page_size")
        .fetch_one(db.pool())
        .await?;
    Ok(size as usize)
}

async fn mark(db: &Db) -> Result<Mark, Box<dyn std::error::Error>> {
    Ok(match db.backend() {
        Backend::Sqlite => {
            let (main, wal) = sqlite_files(db).await?;
            Mark::Sqlite { main, wal }
        }
        Backend::Postgres => Mark::Postgres {
            lsn: sqlx::query_scalar("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")
                .fetch_one(db.pool())
                .await?,
        },
    })
}

/// The chunks of `after` (pages, or log frames) that differ from `before` or are new.
fn changed(before: &[u8], after: &[u8], header: usize, chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = header.min(after.len());
    while at < after.len() {
        let end = (at + chunk).min(after.len());
        if before.get(at..end) != Some(&after[at..end]) {
            out.extend_from_slice(&after[at..end]);
        }
        at = end;
    }
    out
}

/// Every byte written to disk since `mark`.
async fn written_since(db: &Db, mark: &Mark) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    match mark {
        Mark::Sqlite { main, wal } => {
            let page = page_size(db).await?;
            let (main_now, wal_now) = sqlite_files(db).await?;
            let mut out = changed(main, &main_now, 0, page);
            out.extend(changed(wal, &wal_now, 32, 24 + page));
            Ok(out)
        }
        Mark::Postgres { lsn } => {
            let end: i64 =
                sqlx::query_scalar("SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint")
                    .fetch_one(db.pool())
                    .await?;
            let segment: i64 = sqlx::query_scalar(
                "SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'",
            )
            .fetch_one(db.pool())
            .await?;
            let mut out = Vec::new();
            let mut at = *lsn;
            while at < end {
                let until = end.min((at / segment + 1) * segment);
                // A position inside the segment names it (one exactly on a boundary names
                // the segment before).
                let file: String = sqlx::query_scalar(
                    "SELECT file_name FROM pg_walfile_name_offset('0/0'::pg_lsn + ($1::bigint)::numeric)",
                )
                .bind(at + 1)
                .fetch_one(db.pool())
                .await?;
                let bytes: Vec<u8> =
                    sqlx::query_scalar("SELECT pg_read_binary_file('pg_wal/' || $1, $2, $3)")
                        .bind(&file)
                        .bind(at % segment)
                        .bind(until - at)
                        .fetch_one(db.pool())
                        .await?;
                out.extend(without_page_headers(&bytes, at, segment));
                at = until;
            }
            Ok(out)
        }
    }
}

/// WAL bytes read from position `start`, without the header at the start of each 8 kB
/// WAL page: a record that runs over a page boundary continues after the header, and a
/// string split by one would not be found.
fn without_page_headers(bytes: &[u8], start: i64, segment: i64) -> Vec<u8> {
    const PAGE: i64 = 8192;
    let mut out = Vec::with_capacity(bytes.len());
    let mut skip = 0;
    for (n, b) in bytes.iter().enumerate() {
        let position = start + n as i64;
        if position % PAGE == 0 {
            // The first page of a segment has the long header (40 bytes), others 24.
            skip = if position % segment == 0 { 40 } else { 24 };
        }
        if skip > 0 {
            skip -= 1;
        } else {
            out.push(*b);
        }
    }
    out
}

const TABLES: [&str; 6] = [
    "survey_pending",
    "survey_drafts",
    "survey_tokens",
    "survey_participants",
    "survey_responses",
    "survey_comments",
];

/// What a copy of the database files holds now: SQLite's file and log; PostgreSQL's data
/// files of the survey tables after a checkpoint has put everything in them.
async fn copy_now(db: &Db) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    match db.backend() {
        Backend::Sqlite => {
            let (mut main, wal) = sqlite_files(db).await?;
            main.extend(wal);
            Ok(main)
        }
        Backend::Postgres => {
            sqlx::query("CHECKPOINT").execute(db.pool()).await?;
            let mut out = Vec::new();
            for table in TABLES {
                let bytes: Vec<u8> = sqlx::query_scalar(
                    "SELECT pg_read_binary_file(pg_relation_filepath($1::text::regclass))",
                )
                .bind(table)
                .fetch_one(db.pool())
                .await?;
                out.extend(bytes);
            }
            Ok(out)
        }
    }
}

/// Checks one write: it may hold plain answers only as a whole batch of at least 11
/// people, and then nothing that says who anyone is.
fn check_write(bytes: &[u8], people: &[Person], what: &str) {
    let (answers, groupings, comments) = plain_found(bytes, people);
    for found in [answers, groupings, comments] {
        assert!(
            found == 0 || found >= 11,
            "{what}: a write holds plain answers of {found} people"
        );
    }
    assert_eq!(
        draft_found(bytes, people),
        0,
        "{what}: a draft in plain text"
    );
    if answers + groupings + comments > 0 {
        assert_eq!(
            holders_found(bytes, people),
            0,
            "{what}: plain answers written beside a code, participant or draft key"
        );
    }
}

async fn submit(db: &Db, campaign: &survey::Campaign, p: &Person) -> TestResult {
    let record = sealed(&p.response);
    let stored = match campaign.participation {
        Participation::Tokens => {
            survey::submit_with_token(db, campaign.id, &p.holder, &record).await?
        }
        Participation::OpenLink => {
            survey::submit_as_person(db, campaign.id, &p.holder, &record).await?
        }
    };
    assert!(stored);
    Ok(())
}

pub(crate) async fn copies_during_a_campaign_link_no_answer_to_anyone(db: Db) -> TestResult {
    if db.backend() == Backend::Postgres {
        let compression: String =
            sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'wal_compression'")
                .fetch_one(db.pool())
                .await?;
        assert_eq!(
            compression, "off",
            "compressed WAL would hide what this test looks for"
        );
    }
    for participation in [Participation::Tokens, Participation::OpenLink] {
        let campaign = campaign(&db, participation).await?;
        let people: Vec<Person> = (0..25).map(|i| person(i, participation)).collect();
        if participation == Participation::Tokens {
            let digests: Vec<String> = people.iter().map(|p| p.holder.clone()).collect();
            survey::add_tokens(&db, "cli", 1, &campaign, "RJ1", &digests).await?;
        }
        let batch = &people[..11];
        for (i, p) in batch.iter().enumerate() {
            // A draft saved between pages, then the response sent, each its own write.
            let before = mark(&db).await?;
            let draft = dignity_crypto::sealed::seal(&p.draft_key, b"draft", &p.draft.to_bytes())?;
            let by_code = campaign.participation == Participation::Tokens;
            assert!(survey::save_draft(&db, campaign.id, &p.holder, &draft, by_code).await?);
            check_write(
                &written_since(&db, &before).await?,
                &people,
                "saving a draft",
            );
            let before = mark(&db).await?;
            submit(&db, &campaign, p).await?;
            let submission = written_since(&db, &before).await?;
            check_write(&submission, &people, "sending");
            assert_eq!(plain_found(&submission, &people), (0, 0, 0), "sending {i}");
            // The server flushes after each submission; short of a batch it writes nothing.
            let before = mark(&db).await?;
            let written = flush(&db, campaign.id, false).await?;
            let flushed = written_since(&db, &before).await?;
            check_write(&flushed, &people, "flushing");
            if i < 10 {
                assert_eq!(written, 0);
                // A copy taken now holds no one's answers.
                let copy = copy_now(&db).await?;
                assert_eq!(plain_found(&copy, &people), (0, 0, 0), "a copy after {i}");
                assert_eq!(draft_found(&copy, &people), 0);
            } else {
                assert_eq!(written, 11);
                // The search does find answers where they are: the batch holds all 11.
                assert_eq!(plain_found(&flushed, &people), (11, 11, 11), "the batch");
            }
        }
        // After the batch and a checkpoint, a copy holds the answers, no drafts, and on
        // SQLite no used code or participant either (zeroed, not left in free space).
        db.checkpoint().await?;
        let copy = copy_now(&db).await?;
        assert_eq!(plain_found(&copy, &people), (11, 11, 11));
        assert_eq!(draft_found(&copy, &people), 0);
        if db.backend() == Backend::Sqlite {
            let used = &people[..11];
            let unused = &people[11..];
            if participation == Participation::Tokens {
                assert_eq!(
                    holders_found(&copy, used),
                    0,
                    "a used code's digest survives in the SQLite files"
                );
                assert_eq!(
                    holders_found(&copy, unused),
                    unused.len(),
                    "unused codes are found, so the search works"
                );
            } else {
                assert_eq!(holders_found(&copy, used), 11, "participants are kept");
            }
        }
    }
    Ok(())
}

/// The transaction numbers PostgreSQL's pages of `table` hold, live rows and deleted ones
/// alike: (the number that wrote each row, the number that deleted it, or 0).
async fn row_versions(db: &Db, table: &str) -> Result<Vec<(i64, i64)>, Box<dyn std::error::Error>> {
    Ok(sqlx::query_as(
        "SELECT h.t_xmin::text::bigint, h.t_xmax::text::bigint \
         FROM generate_series(0, (pg_relation_size($1::text::regclass) / 8192)::int - 1) AS n, \
         LATERAL heap_page_items(get_raw_page($1::text, n)) AS h \
         WHERE h.t_xmin IS NOT NULL",
    )
    .bind(table)
    .fetch_all(db.pool())
    .await?)
}

/// The attack of 2026-12-04 on PostgreSQL's data files: a used code's deleted row carries
/// the number of the transaction that used it, and a waiting record the number of the one
/// that wrote it, the same number. How many used codes pair with a sealed record so.
async fn codes_paired_with_records(db: &Db) -> Result<usize, Box<dyn std::error::Error>> {
    let written: HashSet<i64> = row_versions(db, "survey_pending")
        .await?
        .into_iter()
        .map(|(xmin, _)| xmin)
        .collect();
    Ok(row_versions(db, "survey_tokens")
        .await?
        .into_iter()
        .filter(|(_, xmax)| *xmax != 0 && written.contains(xmax))
        .count())
}

/// How many of `records` (sealed responses as sent) a copy holds, found by a run of 32
/// bytes from the middle of each.
fn records_found(copy: &[u8], records: &[Vec<u8>]) -> usize {
    records
        .iter()
        .filter(|record| {
            let middle = record.len() / 2;
            let needle = &record[middle - 16..middle + 16];
            copy.windows(needle.len()).any(|w| w == needle)
        })
        .count()
}

/// Once a batch is written, a copy of the files (and the installation secret with it) must
/// not pair a used code with its sealed record: SQLite zeroes the deleted records, and on
/// PostgreSQL the server rewrites the table of waiting records after the batch.
pub(crate) async fn sent_records_leave_the_files_after_their_batch(db: Db) -> TestResult {
    let campaign = campaign(&db, Participation::Tokens).await?;
    let people: Vec<Person> = (0..11).map(|i| person(i, Participation::Tokens)).collect();
    let digests: Vec<String> = people.iter().map(|p| p.holder.clone()).collect();
    survey::add_tokens(&db, "cli", 1, &campaign, "RJ1", &digests).await?;
    let mut records = Vec::new();
    for p in &people {
        let draft = dignity_crypto::sealed::seal(&p.draft_key, b"draft", &p.draft.to_bytes())?;
        assert!(survey::save_draft(&db, campaign.id, &p.holder, &draft, true).await?);
        let record = sealed(&p.response);
        assert!(survey::submit_with_token(&db, campaign.id, &p.holder, &record).await?);
        records.push(record);
    }
    // A reader whose transaction began before the batch, as an autovacuum `ANALYZE` can:
    // while it lasts, PostgreSQL keeps the deleted records through a rewrite.
    let mut reader = if db.backend() == Backend::Postgres {
        let mut conn = db.pool().acquire().await?;
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *conn)
            .await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Some(conn)
    } else {
        None
    };
    assert_eq!(flush(&db, campaign.id, false).await?, 11);
    db.checkpoint().await?;
    if let Some(conn) = reader.as_mut() {
        assert!(
            !survey::forget_written_records(&db).await?,
            "a rewrite that kept deleted records says it is done"
        );
        sqlx::query("COMMIT").execute(&mut **conn).await?;
    }
    drop(reader);
    if db.backend() == Backend::Postgres {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pageinspect")
            .execute(db.pool())
            .await?;
        // Without the rewrite the attack works, so the test looks in the right place.
        assert_eq!(
            codes_paired_with_records(&db).await?,
            11,
            "the attack, unfixed"
        );
        assert_eq!(records_found(&copy_now(&db).await?, &records), 11);
    }
    // Other transactions of the database (autovacuum's, say) can still hold the rows for
    // a moment; the server owes a rewrite until one says it is done.
    let mut done = false;
    for _ in 0..10 {
        done = survey::forget_written_records(&db).await?;
        if done {
            break;
        }
    }
    assert!(done, "no rewrite removed the written records");
    db.checkpoint().await?;
    assert_eq!(
        records_found(&copy_now(&db).await?, &records),
        0,
        "a sent record survives its batch in the files"
    );
    if db.backend() == Backend::Postgres {
        assert_eq!(codes_paired_with_records(&db).await?, 0);
    }
    Ok(())
}
