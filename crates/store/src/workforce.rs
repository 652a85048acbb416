//! Workforce snapshots: an organisation's staff in post, leavers, shortlisted applicants,
//! non-mandatory training and board membership, each as imported for one day. Importing
//! the same kind and day again replaces the snapshot, in one transaction with its audit
//! entry, so a snapshot is never half replaced. Counts of staff entering formal processes
//! are kept beside the snapshots ([`replace_formal`]).
//!
//! No names and no employee numbers reach this module: a person is the keyed digest the
//! caller made (`dignity_crypto`), and every code is the stable code of
//! `dignity_domain::workforce`. A snapshot's rows reach it only sealed by the caller
//! (`dignity_app::workforce::sealed`): the types below are what the caller seals.

use crate::audit::{self, NewEntry};
use crate::column::Flag;
use crate::{Backend, Db, StoreError};
use dignity_domain::speakup::Day;

mod formal;
pub mod reports;
pub use formal::{
    FormalCount, every_formal_sealed, formal_days, formal_plain, formal_sealed, formal_unsealed,
    formal_versions, replace_formal, seal_formal_in_place,
};

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Staff,
    Leavers,
    Recruitment,
    Training,
    Board,
}

impl Held {
    /// What the held extract holds, in the words the pages use.
    pub fn words(&self) -> &'static str {
        self.kind
            .map_or("staff entering formal processes", Kind::words)
    }
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Staff,
        Kind::Leavers,
        Kind::Recruitment,
        Kind::Training,
        Kind::Board,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Staff => "staff",
            Kind::Leavers => "leavers",
            Kind::Recruitment => "recruitment",
            Kind::Training => "training",
            Kind::Board => "board",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The words the audit log and the pages use.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Staff => "staff in post",
            Kind::Leavers => "leavers",
            Kind::Recruitment => "shortlisted applicants",
            Kind::Training => "non-mandatory training",
            Kind::Board => "board membership",
        }
    }
}

impl TryFrom<String> for Kind {
    type Error = StoreError;
    fn try_from(code: String) -> Result<Kind, StoreError> {
        Kind::from_code(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown workforce snapshot kind {code}")))
    }
}

/// One stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Snapshot {
    pub id: i64,
    pub organisation_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub as_at: Day,
    #[sqlx(try_from = "String")]
    pub imported_on: Day,
    pub row_count: i64,
    /// Random, and new whenever the sealed record is written: what it holds may have
    /// changed only if this has.
    pub version: Option<String>,
}

/// One member of staff in post, or one leaver.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Staff {
    /// The keyed digest of their employee number.
    pub person: String,
    pub unit_id: Option<i64>,
    pub staff_group: String,
    pub pay_grade: String,
    #[sqlx(try_from = "Flag")]
    pub clinical: bool,
    pub ethnicity: String,
    pub disability: String,
    pub sex: String,
    pub age_band: String,
    pub started_on: Option<String>,
    /// Whole-time equivalent of the contract.
    pub wte: Option<f64>,
    /// Full-time-equivalent days lost to sickness absence in the extract's period.
    pub days_lost: Option<f64>,
    pub left_on: Option<String>,
    pub leaving_reason: Option<String>,
}

/// Shortlisted applicants of one ethnicity and disability, and how many were appointed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Recruitment {
    pub ethnicity: String,
    pub disability: String,
    pub shortlisted: i64,
    pub appointed: i64,
}

/// Whether one member of staff accessed non-mandatory training or development.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Training {
    pub person: String,
    pub ethnicity: String,
    #[sqlx(try_from = "Flag")]
    pub accessed: bool,
}

/// One seat on the board.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct BoardSeat {
    pub seat: i64,
    pub ethnicity: String,
    pub disability: String,
    #[sqlx(try_from = "Flag")]
    pub voting: bool,
    #[sqlx(try_from = "Flag")]
    pub executive: bool,
}

/// The rows of one snapshot, of the kind they are.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Rows {
    /// Staff in post, or leavers (`leavers` true).
    Staff {
        leavers: bool,
        people: Vec<Staff>,
    },
    Recruitment(Vec<Recruitment>),
    Training(Vec<Training>),
    Board(Vec<BoardSeat>),
}

impl Rows {
    pub fn kind(&self) -> Kind {
        match self {
            Rows::Staff { leavers: false, .. } => Kind::Staff,
            Rows::Staff { leavers: true, .. } => Kind::Leavers,
            Rows::Recruitment(_) => Kind::Recruitment,
            Rows::Training(_) => Kind::Training,
            Rows::Board(_) => Kind::Board,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Staff { people, .. } => people.len(),
            Rows::Recruitment(rows) => rows.len(),
            Rows::Training(rows) => rows.len(),
            Rows::Board(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An extract readers may have seen, as kept: the sealed counts of the tables its figures
/// come from (none for an extract imported before those were kept), and its sealed rows.
#[derive(Debug, Clone, Copy)]
pub struct SeenRecord<'a> {
    pub tables: Option<&'a [u8]>,
    pub rows: Option<&'a [u8]>,
}

/// What comparing a new extract with one readers may have seen found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Showing both would point at the few people who changed.
    pub too_close: bool,
    /// Every table is the same: nothing to remember the seen one for.
    pub same: bool,
}

/// Compares a new extract with one of its kind readers may have seen, given the seen
/// one's day and record. [`replace`] asks it of each seen extract.
pub type TooClose<'a> = dyn Fn(Day, SeenRecord<'_>) -> Result<Verdict, String> + Send + Sync + 'a;

/// An extract kept but not shown ([`TooClose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// `None` for counts of staff entering formal processes, which are not a snapshot.
    pub kind: Option<Kind>,
    pub as_at: Day,
    /// The day of the seen extract it is too close to.
    pub beside: Day,
}

/// What a replacing import found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// The new snapshot; `None` for counts of staff entering formal processes, which are
    /// not a snapshot.
    pub snapshot_id: Option<i64>,
    /// True when a snapshot of the same kind and day was there before and is now gone.
    pub replaced: bool,
    /// The day of a seen extract the new one is too close to, when it is held.
    pub held_beside: Option<Day>,
}

/// Who imports, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Importer<'a> {
    /// A person's email, or `cli` for the command line.
    pub actor: &'a str,
    pub ods_code: &'a str,
    /// Putting right an extract of a year whose figures have settled, on purpose: the
    /// replacement keeps the day the one it replaces was imported (so it counts where that
    /// one did), and the audit log names the correction.
    pub correcting_settled_year: bool,
}

/// A snapshot as the caller sealed it: its rows, the counts the equality standards read,
/// and the counts of the tables its figures come from ([`TooClose`]).
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    pub kind: Kind,
    pub row_count: usize,
    pub rows: &'a [u8],
    pub counts: &'a [u8],
    pub tables: Option<&'a [u8]>,
}

/// The tables that held a snapshot's rows in the clear before they were sealed
/// (migration 0023), children first, each with the column that names its snapshot.
const ROW_TABLES: [&str; 4] = [
    "workforce_staff",
    "workforce_recruitment",
    "workforce_training",
    "workforce_board",
];

/// Stores `sealed` as the organisation's snapshot for `as_at`, replacing one of the same
/// kind and day, and audits it, all in one transaction.
///
/// With `too_close`, the new extract is first compared with every extract of its kind
/// readers may have seen: the shown ones, the one it replaces if shown, and the shown ones
/// replaced before (table `workforce_remembered`). It is held, kept but not shown, beside
/// the first it is too close to. A shown extract it replaces is remembered (its tables
/// only) unless its tables are the same as the new one's. Every seen extract is compared
/// before the transaction, so the write lock is not held meanwhile; inside it (the
/// organisation locked on PostgreSQL) only those seen since are, so two imports at once
/// cannot each pass beside the other.
pub async fn replace(
    db: &Db,
    importer: Importer<'_>,
    organisation_id: i64,
    as_at: Day,
    now: i64,
    sealed: Sealed<'_>,
    too_close: Option<&TooClose<'_>>,
) -> Result<Stored, StoreError> {
    let kind = sealed.kind;
    let mut checked = Checked::new(as_at);
    if let Some(too_close) = too_close {
        let mut conn = db.pool().acquire().await?;
        check_seen(&mut conn, organisation_id, kind, too_close, &mut checked).await?;
    }
    let mut tx = db.begin_write().await?;
    if too_close.is_some() {
        sqlx::query(&format!(
            "SELECT id FROM organisations WHERE id = $1{}",
            db.lock_rows()
        ))
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
    }
    let found: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, imported_on, held_beside FROM workforce_snapshots \
         WHERE organisation_id = $1 AND kind = $2 AND as_at = $3",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .bind(as_at.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let old = found.as_ref().map(|(id, _, _)| *id);
    let old_was_shown = found.as_ref().is_some_and(|(_, _, held)| held.is_none());
    let imported_on = match &found {
        Some((_, day, _)) if importer.correcting_settled_year => day.clone(),
        _ => Day::from_unix_seconds(now).to_string(),
    };
    if let Some(too_close) = too_close {
        check_seen(&mut tx, organisation_id, kind, too_close, &mut checked).await?;
    }
    let held_beside = checked.too_close;
    refuse_a_held_correction(&importer, held_beside)?;
    if let Some(old) = old {
        if too_close.is_some() && old_was_shown && !checked.same_as.contains(&old) {
            sqlx::query(
                "INSERT INTO workforce_remembered \
                 (version, organisation_id, kind, as_at, sealed_tables, sealed_rows) \
                 SELECT $1, organisation_id, kind, as_at, sealed_tables, sealed \
                 FROM workforce_snapshots WHERE id = $2 AND sealed IS NOT NULL",
            )
            .bind(crate::ids::random_key())
            .bind(old)
            .execute(&mut *tx)
            .await?;
        }
        for table in ROW_TABLES {
            sqlx::query(&format!("DELETE FROM {table} WHERE snapshot_id = $1"))
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM workforce_snapshots WHERE id = $1")
            .bind(old)
            .execute(&mut *tx)
            .await?;
    }
    let row_count = i64::try_from(sealed.row_count).unwrap_or(i64::MAX);
    let snapshot_id: i64 = sqlx::query_scalar(
        "INSERT INTO workforce_snapshots \
         (organisation_id, kind, as_at, imported_on, row_count, sealed, sealed_counts, version, \
          held_beside, sealed_tables) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .bind(as_at.to_string())
    .bind(imported_on)
    .bind(row_count)
    .bind(sealed.rows)
    .bind(sealed.counts)
    .bind(crate::ids::random_key())
    .bind(held_beside.map(|d| d.to_string()))
    .bind(sealed.tables)
    .fetch_one(&mut *tx)
    .await?;
    // A held extract's row count is left out: set beside the last one's, it would say how
    // many joined or left, which is what holding it keeps back.
    // Shortlisted applicants are kept as counts by group, so their rows are groups, not
    // people (an outside review read "26 rows" for a file of 200 applicants).
    let (one, many) = match kind {
        Kind::Recruitment => ("group", "groups"),
        _ => ("row", "rows"),
    };
    let rows = match held_beside {
        Some(_) => String::new(),
        None => format!(
            "{} {} of ",
            sealed.row_count,
            if sealed.row_count == 1 { one } else { many }
        ),
    };
    let detail = format!(
        "Imported {rows}{} as at {}{}{}",
        kind.words(),
        as_at.long(),
        if old.is_some() {
            ", replacing the earlier import for that day"
        } else {
            ""
        },
        match held_beside {
            Some(beside) => format!(
                "; held, not shown: its figures moved by too few people from the extract as at {}",
                beside.long()
            ),
            None => String::new(),
        }
    );
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: importer.actor,
            organisation: Some(importer.ods_code),
            action: if importer.correcting_settled_year {
                "workforce.settled_year_corrected"
            } else {
                "workforce.import"
            },
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Stored {
        snapshot_id: Some(snapshot_id),
        replaced: old.is_some(),
        held_beside,
    })
}

/// A correction of a settled year that would be held is not kept: held, it would take the
/// year's figures away from every page and the national view, and the year would read as
/// if nothing had been imported (an outside review). Nothing is written before this, so the
/// transaction is dropped whole.
pub(super) fn refuse_a_held_correction(
    importer: &Importer<'_>,
    held_beside: Option<Day>,
) -> Result<(), StoreError> {
    match held_beside {
        Some(beside) if importer.correcting_settled_year => Err(StoreError::Conflict(format!(
            "This correction moves a table by too few people from the file as at {} that \
             readers have seen. It would have to be held, and the year's figures would \
             disappear from every page. Nothing was stored. A settled year can be put right \
             only by a file that moves each table by nobody or by at least the minimum \
             group size (docs/workforce.md).",
            beside.long()
        ))),
        _ => Ok(()),
    }
}

/// What comparing with the extracts readers may have seen has found so far.
#[derive(Debug, Default)]
pub(super) struct Checked {
    /// Seen extracts compared already: shown ones by id and version, remembered ones by
    /// version.
    pub(super) done: std::collections::HashSet<String>,
    /// The day of the seen extract the new one is too close to, nearest its day.
    pub(super) too_close: Option<Day>,
    /// Shown extracts whose tables are the same as the new one's.
    pub(super) same_as: Vec<i64>,
    /// The new extract's day.
    pub(super) day: Option<Day>,
}

impl Checked {
    pub(super) fn new(day: Day) -> Checked {
        Checked {
            day: Some(day),
            ..Checked::default()
        }
    }

    /// Notes a seen extract the new one is too close to. The page names the one nearest
    /// its day (the later of two as near), the one a reader would set beside it.
    pub(super) fn found_too_close(&mut self, seen: Day) {
        let distance = |d: Day| self.day.map_or(0, |day| day.days_since(d).abs());
        let nearer = match self.too_close {
            None => true,
            Some(kept) => {
                distance(seen) < distance(kept) || (distance(seen) == distance(kept) && seen > kept)
            }
        };
        if nearer {
            self.too_close = Some(seen);
        }
    }
}

/// Compares the new extract with every extract of `kind` readers may have seen that
/// `checked` has not compared yet, one at a time, so an organisation's years of extracts
/// are never all in memory at once.
async fn check_seen(
    conn: &mut sqlx::AnyConnection,
    organisation_id: i64,
    kind: Kind,
    too_close: &TooClose<'_>,
    checked: &mut Checked,
) -> Result<(), StoreError> {
    let shown: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, as_at, version FROM workforce_snapshots WHERE organisation_id = $1 \
         AND kind = $2 AND held_beside IS NULL AND sealed IS NOT NULL ORDER BY as_at, id",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .fetch_all(&mut *conn)
    .await?;
    let remembered: Vec<(String, String)> = sqlx::query_as(
        "SELECT version, as_at FROM workforce_remembered WHERE organisation_id = $1 \
         AND kind = $2 ORDER BY as_at, version",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .fetch_all(&mut *conn)
    .await?;
    for (id, day, version) in shown {
        let key = format!("shown {id} {}", version.unwrap_or_default());
        if !checked.done.insert(key) {
            continue;
        }
        let (tables, rows): (Option<Vec<u8>>, Option<Vec<u8>>) =
            sqlx::query_as("SELECT sealed_tables, sealed FROM workforce_snapshots WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        let day = Day::try_from(day)?;
        let verdict = ask(too_close, day, tables, rows)?;
        if verdict.same {
            checked.same_as.push(id);
        }
        if verdict.too_close {
            checked.found_too_close(day);
        }
    }
    check_remembered(conn, remembered, too_close, checked).await
}

/// [`check_seen`] for the remembered extracts listed (version and day).
pub(super) async fn check_remembered(
    conn: &mut sqlx::AnyConnection,
    remembered: Vec<(String, String)>,
    too_close: &TooClose<'_>,
    checked: &mut Checked,
) -> Result<(), StoreError> {
    for (version, day) in remembered {
        if !checked.done.insert(format!("remembered {version}")) {
            continue;
        }
        let (tables, rows): (Option<Vec<u8>>, Option<Vec<u8>>) = sqlx::query_as(
            "SELECT sealed_tables, sealed_rows FROM workforce_remembered WHERE version = $1",
        )
        .bind(&version)
        .fetch_one(&mut *conn)
        .await?;
        let day = Day::try_from(day)?;
        if ask(too_close, day, tables, rows)?.too_close {
            checked.found_too_close(day);
        }
    }
    Ok(())
}

pub(super) fn ask(
    too_close: &TooClose<'_>,
    day: Day,
    tables: Option<Vec<u8>>,
    rows: Option<Vec<u8>>,
) -> Result<Verdict, StoreError> {
    if tables.is_none() && rows.is_none() {
        return Ok(Verdict::default());
    }
    let record = SeenRecord {
        tables: tables.as_deref(),
        rows: rows.as_deref(),
    };
    too_close(day, record).map_err(StoreError::Corrupt)
}

/// The organisation's extracts kept but not shown, newest first.
pub async fn held(db: &Db, organisation_id: i64) -> Result<Vec<Held>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, as_at, held_beside FROM workforce_snapshots \
         WHERE organisation_id = $1 AND held_beside IS NOT NULL ORDER BY as_at DESC, kind",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let formal: Vec<(String, String)> = sqlx::query_as(
        "SELECT as_at, held_beside FROM workforce_formal_sealed \
         WHERE organisation_id = $1 AND held_beside IS NOT NULL ORDER BY as_at DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut held = rows
        .into_iter()
        .map(|(kind, as_at, beside)| {
            Ok(Held {
                kind: Some(Kind::try_from(kind)?),
                as_at: Day::try_from(as_at)?,
                beside: Day::try_from(beside)?,
            })
        })
        .chain(formal.into_iter().map(|(as_at, beside)| {
            Ok(Held {
                kind: None,
                as_at: Day::try_from(as_at)?,
                beside: Day::try_from(beside)?,
            })
        }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    held.sort_by_key(|h| std::cmp::Reverse(h.as_at));
    Ok(held)
}

/// Every day the organisation has an extract of `kind` for, shown or held.
pub async fn every_day_of(
    db: &Db,
    organisation_id: i64,
    kind: Kind,
) -> Result<Vec<Day>, StoreError> {
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT as_at FROM workforce_snapshots WHERE organisation_id = $1 AND kind = $2",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .fetch_all(db.pool())
    .await?;
    days.into_iter()
        .map(|d| Day::try_from(d).map_err(StoreError::from))
        .collect()
}

/// The organisation's snapshots shown to readers (not [`held`]), newest day first, then by
/// kind. Every page and figure reads these alone.
pub async fn snapshots(db: &Db, organisation_id: i64) -> Result<Vec<Snapshot>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, organisation_id, kind, as_at, imported_on, row_count, version \
         FROM workforce_snapshots WHERE organisation_id = $1 AND held_beside IS NULL \
         ORDER BY as_at DESC, kind",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// Every organisation's snapshots, by organisation, then as [`snapshots`] orders them: the
/// national view reads them all at once rather than a query an organisation.
pub async fn every_snapshot(db: &Db) -> Result<Vec<Snapshot>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, organisation_id, kind, as_at, imported_on, row_count, version \
         FROM workforce_snapshots WHERE held_beside IS NULL \
         ORDER BY organisation_id, as_at DESC, kind",
    )
    .fetch_all(db.pool())
    .await?)
}

/// The sealed counts of the snapshots `ids`, by snapshot; a snapshot not yet sealed is
/// left out.
pub async fn sealed_counts_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    sealed_parts_of(db, ids, "sealed_counts").await
}

/// The sealed rows of the snapshots `ids`, by snapshot; a snapshot not yet sealed is left
/// out.
pub async fn sealed_rows_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    sealed_parts_of(db, ids, "sealed").await
}

async fn sealed_parts_of(
    db: &Db,
    ids: &[i64],
    column: &str,
) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    let mut parts = Vec::with_capacity(ids.len());
    // A few hundred a statement keeps under every backend's limit on parameters.
    for chunk in ids.chunks(500) {
        let places: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, {column} FROM workforce_snapshots WHERE {column} IS NOT NULL AND id IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(&sql);
        for &id in chunk {
            query = query.bind(id);
        }
        parts.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(parts)
}

/// The rows of a snapshot imported before snapshots were sealed (migration 0023), for
/// sealing them.
pub async fn plain_rows(db: &Db, snapshot: &Snapshot) -> Result<Rows, StoreError> {
    let pool = db.pool();
    Ok(match snapshot.kind {
        Kind::Staff | Kind::Leavers => Rows::Staff {
            leavers: snapshot.kind == Kind::Leavers,
            people: sqlx::query_as(
                "SELECT person, unit_id, staff_group, pay_grade, clinical, ethnicity, \
                 disability, sex, age_band, started_on, wte, days_lost, left_on, leaving_reason \
                 FROM workforce_staff WHERE snapshot_id = $1 ORDER BY person",
            )
            .bind(snapshot.id)
            .fetch_all(pool)
            .await?,
        },
        Kind::Recruitment => Rows::Recruitment(
            sqlx::query_as(
                "SELECT ethnicity, disability, shortlisted, appointed \
                 FROM workforce_recruitment WHERE snapshot_id = $1 ORDER BY ethnicity, disability",
            )
            .bind(snapshot.id)
            .fetch_all(pool)
            .await?,
        ),
        Kind::Training => Rows::Training(
            sqlx::query_as(
                "SELECT person, ethnicity, accessed \
                 FROM workforce_training WHERE snapshot_id = $1 ORDER BY person",
            )
            .bind(snapshot.id)
            .fetch_all(pool)
            .await?,
        ),
        Kind::Board => Rows::Board(
            sqlx::query_as(
                "SELECT seat, ethnicity, disability, voting, executive \
                 FROM workforce_board WHERE snapshot_id = $1 ORDER BY seat",
            )
            .bind(snapshot.id)
            .fetch_all(pool)
            .await?,
        ),
    })
}

/// How many staff in post of one snapshot share a pay grade, side, ethnicity and
/// disability: what the equality standards count, without reading every person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StaffCount {
    pub pay_grade: String,
    pub clinical: bool,
    pub ethnicity: String,
    pub disability: String,
    pub people: i64,
}

/// How many staff of one ethnicity did or did not take up non-mandatory training.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrainingCount {
    pub ethnicity: String,
    pub accessed: bool,
    pub people: i64,
}

/// The sealed rows of one snapshot, as [`replace`] stored them.
pub async fn sealed_rows(db: &Db, snapshot_id: i64) -> Result<Vec<u8>, StoreError> {
    sealed_part(db, snapshot_id, "sealed").await
}

/// The sealed counts of one snapshot, as [`replace`] stored them.
pub async fn sealed_counts(db: &Db, snapshot_id: i64) -> Result<Vec<u8>, StoreError> {
    sealed_part(db, snapshot_id, "sealed_counts").await
}

async fn sealed_part(db: &Db, snapshot_id: i64, column: &str) -> Result<Vec<u8>, StoreError> {
    let part: Option<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
        "SELECT {column} FROM workforce_snapshots WHERE id = $1"
    ))
    .bind(snapshot_id)
    .fetch_optional(db.pool())
    .await?;
    match part {
        Some(Some(bytes)) => Ok(bytes),
        Some(None) => Err(StoreError::Corrupt(format!(
            "workforce snapshot {snapshot_id} is not sealed yet"
        ))),
        None => Err(StoreError::NotFound(format!(
            "workforce snapshot {snapshot_id}"
        ))),
    }
}

/// Snapshots imported before snapshots were sealed (migration 0023), whose rows are still
/// in the clear.
pub async fn unsealed(db: &Db) -> Result<Vec<Snapshot>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, organisation_id, kind, as_at, imported_on, row_count, version \
         FROM workforce_snapshots WHERE sealed IS NULL ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?)
}

/// Keeps `sealed` for a snapshot imported before snapshots were sealed and deletes its
/// rows in the clear, in one transaction.
pub async fn seal_in_place(
    db: &Db,
    snapshot_id: i64,
    rows: &[u8],
    counts: &[u8],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for table in ROW_TABLES {
        sqlx::query(&format!("DELETE FROM {table} WHERE snapshot_id = $1"))
            .bind(snapshot_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE workforce_snapshots SET sealed = $1, sealed_counts = $2, version = $3 \
         WHERE id = $4",
    )
    .bind(rows)
    .bind(counts)
    .bind(crate::ids::random_key())
    .bind(snapshot_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// After [`seal_in_place`]: rewrites the tables that held rows in the clear, so the deleted
/// rows leave PostgreSQL's files too (SQLite zeroes deleted rows as it goes, and the caller
/// empties its log).
pub async fn forget_plain_rows(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        for table in ROW_TABLES.iter().chain(&["workforce_formal"]) {
            sqlx::query(&format!("VACUUM FULL {table}"))
                .execute(db.pool())
                .await?;
        }
    }
    Ok(())
}
