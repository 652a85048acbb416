//! Workforce extracts: read a file from payroll (ESR), check every line, and keep it as the
//! organisation's snapshot for its day, replacing an earlier import of the same kind and
//! day. Nothing is stored unless every line is right. A list of staff entering formal
//! processes is kept the same way, as counts ([`import_formal`]).
//!
//! People are kept under a keyed digest of their employee number. The key is derived from
//! the installation secret, which is never in the database, so a copy of the database
//! cannot be matched against a list of employee numbers, while a later extract (and, in
//! time, the employee-relations cases) still finds the same person.

pub mod differences;
pub mod fairness;
pub mod national;
pub mod overview;
pub mod price;
pub mod reports;
pub mod sealed;
pub mod standards;

use crate::Error;
use crate::admin::Operator;
use dignity_crypto::secret::{Digester, InstallationSecret};
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::Day;
use dignity_domain::workforce::{
    self as extract, Applicant, BoardMember, ExtractErrors, FormalEntry, StaffRecord,
    TrainingRecord, Unit,
};
use dignity_engine::disclosure;
use dignity_store::workforce::{
    self as store, BoardSeat, FormalCount, Importer, Recruitment, Rows, SeenRecord, Staff,
    Training, Verdict,
};
use std::collections::BTreeMap;

pub use dignity_store::workforce::{Kind, Snapshot};

/// What the employee-number digest is keyed for: no other digest shares its key.
const PERSON_PURPOSE: &str = "workforce-person";

/// The digester that stands for a person in every workforce table.
pub fn person_digester(secret: &InstallationSecret) -> Digester {
    secret.digester(PERSON_PURPOSE)
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Lines of the file are wrong; each is named with its line and column.
    #[error("{0}")]
    File(ExtractErrors),
    /// A leavers extract with people who have not left.
    #[error(
        "This is not a leavers extract: {0} {verb} no leaving date. Import staff in post with --extract staff",
        verb = if *.0 == 1 { "line has" } else { "lines have" }
    )]
    NotLeavers(usize),
    /// An extract of a year whose figures have settled would replace the one they were
    /// worked out from.
    #[error(
        "The {kind} extract of {as_at} is dated in {year}, whose figures are settled, and would take the place of the one they come from. That would change them, and anyone comparing the pages before and after could learn about the people whose rows changed. If the year's extract is wrong and must be put right, import it with --correct-settled-year. That is written to the audit log."
    )]
    SettledYear {
        kind: &'static str,
        as_at: String,
        year: String,
    },
    /// The first extract of its kind for a settled year whose figures are shown: they
    /// would take it in and move.
    #[error(
        "The {kind} extract of {as_at} would be the first of its kind in {year}, whose figures are settled and shown. They would take it in and change, and anyone comparing the pages before and after could learn about the people counted in it. When you load a settled year for the first time, import its staff-in-post file last. If this file belongs there, import it with --correct-settled-year. That is written to the audit log."
    )]
    AddsToSettledYear {
        kind: &'static str,
        as_at: String,
        year: String,
    },
    /// The first extract of a year whose next year has settled: the next year's two-year
    /// figures (WRES 3 and WDES 3) would take it in and move.
    #[error(
        "The {kind} extract of {as_at} would be the first of {year}. The figures of {next}, which are settled, average two years, so they would take it in and change. Anyone comparing the pages before and after could learn about the people counted in it. When you load several years for the first time, import the oldest first. If {year}'s extract belongs there, import it with --correct-settled-year. That is written to the audit log."
    )]
    FeedsSettledYear {
        kind: &'static str,
        as_at: String,
        year: String,
        next: String,
    },
    /// An extract dated after today: a mistyped year would otherwise become the
    /// organisation's newest figures, and belong to a year not yet begun.
    #[error(
        "{as_at} has not come yet. An extract describes a day that has passed: check the date given with --as-at, written like 2026-03-31."
    )]
    FutureDay { as_at: String },
    #[error(transparent)]
    App(#[from] Error),
}

fn not_after_today(operator: &Operator, as_at: Day) -> Result<(), ImportError> {
    if as_at > operator.clock().today() {
        return Err(ImportError::FutureDay {
            as_at: as_at.long(),
        });
    }
    Ok(())
}

/// What an import stored. The caller knows what it imported, so its words say which
/// extract it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Lines of the file kept: one a person (or a board seat). Where only counts are kept
    /// (shortlisted applicants, staff entering formal processes) it is still the lines
    /// read, so "Kept 412 rows" means 412 applicants, not the groups they were counted in.
    pub rows: usize,
    /// An earlier import of the same extract and day was replaced.
    pub replaced: bool,
    /// A staff-in-post extract kept but not shown, because too few people changed between
    /// it and the extract readers may have seen on this day.
    pub held_beside: Option<Day>,
    /// What the extract's work email addresses did to leavers' access, when it had them.
    pub leavers: crate::identity::leavers::Leavers,
}

/// Reads `bytes` as an extract of `kind` for the organisation `ods` on `as_at`, and keeps
/// it. `progress` is told how many bytes have been read, now and then. Replacing an
/// extract of a settled year is refused ([`ImportError::SettledYear`]).
pub async fn import(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    kind: Kind,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Imported, ImportError> {
    import_as(operator, secret, ods, kind, as_at, bytes, progress, false).await
}

/// [`import`], replacing an extract of a settled year on purpose to put it right: its
/// settled figures then move, and the audit log says so.
pub async fn import_correcting_settled_year(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    kind: Kind,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Imported, ImportError> {
    import_as(operator, secret, ods, kind, as_at, bytes, progress, true).await
}

/// Whether importing `kind` for `as_at` would replace an extract a settled year's figures
/// were worked out from: those figures must never move, or a reader comparing the pages
/// before and after learns about the people whose rows changed (an outside review
/// re-imported a leavers extract and learned a leaver's groups). Staff in post and leavers
/// feed the fairness figures; shortlisting, training and the board feed WRES 2, 4 and 9
/// and WDES 2 and 10, which the published reports and the national view show.
async fn replaces_settled(
    operator: &Operator,
    organisation_id: i64,
    kind: Kind,
    as_at: Day,
) -> Result<Option<SettledBy>, Error> {
    let year = standards::ReportingYear::of(as_at);
    let today = operator.clock().today();
    if !year.settled_by(today) {
        return Ok(None);
    }
    // Any extract of the kind in the year, not only one for the same day: the year's
    // figures use its newest, so a later day would replace it as surely (an outside review
    // got round a same-day rule so).
    // Held ones too: replacing a held extract with one shown would make it the year's.
    let days = store::every_day_of(operator.db(), organisation_id, kind).await?;
    let has = |year: standards::ReportingYear| {
        days.iter()
            .any(|day| standards::ReportingYear::of(*day) == year)
    };
    if has(year) {
        return Ok(Some(SettledBy::Replacing(year)));
    }
    // The year's figures are shown once it has staff in post; shortlisting, training and
    // the board would then add measures to them. (A leavers file that comes late is kept
    // for the workforce page but never counted in the settled year: `Extracts::leavers_in`.)
    if matches!(kind, Kind::Recruitment | Kind::Training | Kind::Board)
        && has_staff_in(operator, organisation_id, year).await?
    {
        return Ok(Some(SettledBy::AddingTo(year)));
    }
    // A year's staff in post is the denominator of the next year's two-year figures.
    let next = year.after();
    Ok((kind == Kind::Staff && next.settled_by(today) && has(next))
        .then_some(SettledBy::FirstBefore(year)))
}

/// Whether `year` has a staff-in-post extract, shown or held: its figures are shown once
/// it has settled.
async fn has_staff_in(
    operator: &Operator,
    organisation_id: i64,
    year: standards::ReportingYear,
) -> Result<bool, Error> {
    Ok(
        store::every_day_of(operator.db(), organisation_id, Kind::Staff)
            .await?
            .into_iter()
            .any(|day| standards::ReportingYear::of(day) == year),
    )
}

/// How an import would move a settled year's figures.
#[derive(Debug, Clone, Copy)]
enum SettledBy {
    /// It replaces an extract of that year.
    Replacing(standards::ReportingYear),
    /// It is the first of its kind in that year, whose figures are shown.
    AddingTo(standards::ReportingYear),
    /// It is the first of this year, which the next year, settled, averages with its own.
    FirstBefore(standards::ReportingYear),
}

impl SettledBy {
    fn refusal(self, kind: &'static str, as_at: Day) -> ImportError {
        match self {
            SettledBy::Replacing(year) => ImportError::SettledYear {
                kind,
                as_at: as_at.long(),
                year: year.label(),
            },
            SettledBy::AddingTo(year) => ImportError::AddsToSettledYear {
                kind,
                as_at: as_at.long(),
                year: year.label(),
            },
            SettledBy::FirstBefore(year) => ImportError::FeedsSettledYear {
                kind,
                as_at: as_at.long(),
                year: year.label(),
                next: year.after().label(),
            },
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn import_as(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    kind: Kind,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
    correct_settled_year: bool,
) -> Result<Imported, ImportError> {
    not_after_today(operator, as_at)?;
    let organisation = operator.organisation(ods).await?;
    let settled_year = replaces_settled(operator, organisation.id, kind, as_at).await?;
    if let Some(settled) = settled_year
        && !correct_settled_year
    {
        return Err(settled.refusal(kind.code(), as_at));
    }
    let digester = person_digester(secret);
    let digest = |number: &str| digester.digest(number.as_bytes());
    // Where the rows kept are groups, how many lines (people) the file had.
    let mut lines_read = None;
    // Leavers' work addresses, where a staff-in-post or leavers extract has them.
    let mut accounts = Vec::new();
    let rows = match kind {
        Kind::Staff | Kind::Leavers => {
            let units: Vec<Unit> = operator
                .units(organisation.id)
                .await?
                .into_iter()
                .map(|u| Unit {
                    id: u.id,
                    code: String::new(),
                    name: u.name,
                })
                .collect();
            let people = extract::parse_staff(bytes, &units, &digest, progress)
                .map_err(ImportError::File)?;
            // Read before anything is kept, so a wrong address stops the import too.
            accounts =
                extract::parse_leaving_accounts(bytes, &mut |_| {}).map_err(ImportError::File)?;
            let leavers = kind == Kind::Leavers;
            if leavers {
                let staying = people.iter().filter(|p| p.leaving.is_none()).count();
                if staying > 0 {
                    return Err(ImportError::NotLeavers(staying));
                }
            }
            // Kept in the order of their digests, not of the file: a report sorted by name
            // would otherwise leave each person's place in the alphabet in the row order
            // (sealed, but the rows are handed to the page in this order).
            let mut people: Vec<Staff> = people.into_iter().map(staff_row).collect();
            people.sort_by(|a, b| a.person.cmp(&b.person));
            Rows::Staff { leavers, people }
        }
        Kind::Recruitment => {
            let applicants =
                extract::parse_recruitment(bytes, progress).map_err(ImportError::File)?;
            lines_read = Some(applicants.len());
            Rows::Recruitment(recruitment_rows(applicants))
        }
        Kind::Training => {
            let mut people: Vec<Training> = extract::parse_training(bytes, &digest, progress)
                .map_err(ImportError::File)?
                .into_iter()
                .map(training_row)
                .collect();
            people.sort_by(|a, b| a.person.cmp(&b.person));
            Rows::Training(people)
        }
        Kind::Board => Rows::Board(board_rows(
            extract::parse_board(bytes, progress).map_err(ImportError::File)?,
        )),
    };
    let key = sealed::SnapshotKey::new(secret);
    let owned = key.seal(organisation.id, as_at, &rows)?;
    let minimum = operator.minimums().workforce();
    let tables = differences::tables_of(&rows);
    let too_close = |day: Day, seen: SeenRecord<'_>| -> Result<Verdict, String> {
        let Some(new) = &tables else {
            return Ok(Verdict::default());
        };
        if kind != Kind::Staff && !same_period(day, as_at) {
            return Ok(Verdict::default());
        }
        let unopenable = |_| {
            format!(
                "the {} extract as at {} does not open with this installation's secret, so \
                 the new one cannot be checked against it. Check that the secret is the one \
                 the installation was set up with",
                kind.words(),
                day.long()
            )
        };
        let seen_snapshot = Snapshot {
            id: 0,
            organisation_id: organisation.id,
            kind,
            as_at: day,
            imported_on: day,
            row_count: 0,
            version: None,
        };
        // Extracts of people are compared person by person, table by table.
        if let Some(bytes) = seen.rows
            && matches!(kind, Kind::Staff | Kind::Leavers | Kind::Training)
        {
            let before = key.open_rows(&seen_snapshot, bytes).map_err(unopenable)?;
            if let Some(verdict) = differences::compare_people(&before, &rows, minimum) {
                // A correction of a settled year is how a second version of a year reaches
                // union partners and the public, so its counts must move by nobody or the
                // minimum too: people renumbered with two details changed count in full
                // person by person, yet moved the tables' counts by one joiner alone (an
                // outside attack, December 2026).
                if verdict.too_close || settled_year.is_none() {
                    return Ok(verdict);
                }
            }
        }
        let before = match (seen.tables, seen.rows) {
            (Some(bytes), _) => key
                .open_tables(organisation.id, kind, day, bytes)
                .map_err(unopenable)?,
            (None, Some(bytes)) => {
                let rows = key.open_rows(&seen_snapshot, bytes).map_err(unopenable)?;
                differences::tables_of(&rows).unwrap_or_default()
            }
            (None, None) => return Ok(Verdict::default()),
        };
        Ok(Verdict {
            too_close: disclosure::first_too_close(&before, new, minimum).is_some(),
            same: before == *new,
        })
    };
    let stored = store::replace(
        operator.db(),
        Importer {
            actor: operator.actor(),
            ods_code: &organisation.ods_code,
            correcting_settled_year: settled_year.is_some(),
        },
        organisation.id,
        as_at,
        operator.clock().now(),
        owned.as_sealed(),
        tables
            .is_some()
            .then_some(&too_close as &store::TooClose<'_>),
    )
    .await
    .map_err(Error::from)?;
    // A replaced snapshot's rows are zeroed in the database file (secure_delete) but would
    // stay readable in SQLite's log until its next checkpoint.
    operator.db().checkpoint().await.map_err(Error::from)?;
    let leavers = crate::identity::leavers::act_on_extract(
        operator.db(),
        operator.clock(),
        operator.actor(),
        &organisation,
        as_at,
        &accounts,
    )
    .await?;
    Ok(Imported {
        rows: lines_read.unwrap_or(rows.len()),
        replaced: stored.replaced,
        held_beside: stored.held_beside,
        leavers,
    })
}

/// Reads `bytes` as a list of the staff who entered a formal process (disciplinary, or
/// capability on grounds of performance) in the period ending on `as_at`, and keeps how
/// many there were by process, ethnicity and disability for the organisation `ods`,
/// replacing counts imported for that day before. No identifier is read; the counts are
/// sealed under a key from `secret`. `progress` is told how many bytes have been read, now
/// and then. Counts for a settled year that already has counts, imported or from cases,
/// are refused ([`ImportError::SettledYear`]).
pub async fn import_formal(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Imported, ImportError> {
    import_formal_as(operator, secret, ods, as_at, bytes, progress, false).await
}

/// [`import_formal`], replacing a settled year's counts on purpose to put them right.
pub async fn import_formal_correcting_settled_year(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Imported, ImportError> {
    import_formal_as(operator, secret, ods, as_at, bytes, progress, true).await
}

/// Whether a settled year's WRES 3 and WDES 3 already have their counts: imported, or
/// from the cases kept in Dignity. New counts would move them, and set beside the page
/// before, show who was added (an outside review read a first imported file against the
/// counts from cases). The first counts of a year move the next year's two-year figures
/// as surely, once that year has settled with counts of its own.
async fn formal_settled(
    operator: &Operator,
    organisation_id: i64,
    as_at: Day,
) -> Result<Option<SettledBy>, Error> {
    let year = standards::ReportingYear::of(as_at);
    let today = operator.clock().today();
    if !year.settled_by(today) {
        return Ok(None);
    }
    let db = operator.db();
    let imported = store::formal_days(db, organisation_id).await?;
    let from_cases = dignity_store::er_cases::formal_entries(db, organisation_id).await?;
    let has_counts = |year: standards::ReportingYear| {
        let from = year.cases_counted_from();
        imported
            .iter()
            .any(|day| standards::ReportingYear::of(*day) == year)
            || from_cases.iter().any(|e| {
                standards::ReportingYear::of(e.entered_on) == year
                    && from.is_some_and(|from| e.recorded_on < from)
            })
    };
    if has_counts(year) {
        return Ok(Some(SettledBy::Replacing(year)));
    }
    if has_staff_in(operator, organisation_id, year).await? {
        return Ok(Some(SettledBy::AddingTo(year)));
    }
    let next = year.after();
    Ok((next.settled_by(today) && has_counts(next)).then_some(SettledBy::FirstBefore(year)))
}

#[allow(clippy::too_many_arguments)]
async fn import_formal_as(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
    correct_settled_year: bool,
) -> Result<Imported, ImportError> {
    not_after_today(operator, as_at)?;
    let organisation = operator.organisation(ods).await?;
    // The file first, so its mistakes are named whatever else is wrong.
    let entries = extract::parse_formal(bytes, progress).map_err(ImportError::File)?;
    let settled = formal_settled(operator, organisation.id, as_at).await?;
    if let Some(settled) = settled
        && !correct_settled_year
    {
        return Err(settled.refusal("formal", as_at));
    }
    let lines_read = entries.len();
    let counts = formal_counts(as_at, entries);
    let key = sealed::SnapshotKey::new(secret);
    let sealed = key.seal_formal(organisation.id, as_at, &counts)?;
    let minimum = operator.minimums().workforce();
    let new = differences::formal_tables(&counts);
    // Every seen record is counts already: WRES 3 and WDES 3 move with them.
    let too_close = |day: Day, seen: SeenRecord<'_>| -> Result<Verdict, String> {
        if !same_period(day, as_at) {
            return Ok(Verdict::default());
        }
        let Some(bytes) = seen.rows.or(seen.tables) else {
            return Ok(Verdict::default());
        };
        let before = key.open_formal(organisation.id, day, bytes).map_err(|_| {
            format!(
                "the counts of staff entering formal processes as at {} do not open with \
                     this installation's secret, so the new ones cannot be checked against them",
                day.long()
            )
        })?;
        let before = differences::formal_tables(&before);
        Ok(Verdict {
            too_close: disclosure::first_too_close(&before, &new, minimum).is_some(),
            same: before == new,
        })
    };
    let stored = store::replace_formal(
        operator.db(),
        Importer {
            actor: operator.actor(),
            ods_code: &organisation.ods_code,
            correcting_settled_year: settled.is_some(),
        },
        organisation.id,
        as_at,
        operator.clock().now(),
        &sealed,
        &too_close,
    )
    .await
    .map_err(Error::from)?;
    // As for snapshots: the replaced counts must not stay readable in SQLite's log.
    operator.db().checkpoint().await.map_err(Error::from)?;
    Ok(Imported {
        rows: lines_read,
        replaced: stored.replaced,
        held_beside: stored.held_beside,
        leavers: Default::default(),
    })
}

/// The organisation's snapshots, newest day first.
pub async fn snapshots(operator: &Operator, ods: &OdsCode) -> Result<Vec<Snapshot>, Error> {
    let organisation = operator.organisation(ods).await?;
    Ok(store::snapshots(operator.db(), organisation.id).await?)
}

/// Whether two extracts of what happened in a period (leavers, shortlisting, training,
/// formal processes) may be of the same period: a later one of a reporting year takes in
/// the earlier and replaces it as the year's figures, so setting the two side by side
/// shows what happened between them. Extracts of different years count different people
/// and events, each year's own. Staff in post is everyone on a day, so every two days
/// are compared.
fn same_period(a: Day, b: Day) -> bool {
    standards::ReportingYear::of(a) == standards::ReportingYear::of(b)
}

fn staff_row(record: StaffRecord) -> Staff {
    Staff {
        person: record.person,
        unit_id: Some(record.unit),
        staff_group: record.staff_group.code().into(),
        pay_grade: record.pay_grade.code().into(),
        clinical: record.clinical == extract::Clinical::Clinical,
        ethnicity: record.ethnicity.code().into(),
        disability: record.disability.code().into(),
        sex: record.sex.code().into(),
        age_band: record.age_band.code().into(),
        // Not kept: no figure uses it, and an exact start date is what picks a new starter
        // out of a copy of the database.
        started_on: None,
        wte: record.wte,
        days_lost: record.days_lost,
        left_on: record.leaving.map(|l| l.date.to_string()),
        leaving_reason: record.leaving.map(|l| l.reason.code().into()),
    }
}

/// Applicants are kept only as counts by group: the indicators need no more, and a row per
/// applicant would keep people who never joined.
fn recruitment_rows(applicants: Vec<Applicant>) -> Vec<Recruitment> {
    let mut counts: BTreeMap<(&'static str, &'static str), (i64, i64)> = BTreeMap::new();
    for a in applicants {
        let entry = counts
            .entry((a.ethnicity.code(), a.disability.code()))
            .or_default();
        entry.0 += 1;
        entry.1 += i64::from(a.appointed);
    }
    counts
        .into_iter()
        .map(
            |((ethnicity, disability), (shortlisted, appointed))| Recruitment {
                ethnicity: ethnicity.into(),
                disability: disability.into(),
                shortlisted,
                appointed,
            },
        )
        .collect()
}

/// Staff entering formal processes are kept only as counts by group: the indicators need no
/// more, and a row per person would keep who was disciplined.
fn formal_counts(as_at: Day, entries: Vec<FormalEntry>) -> Vec<FormalCount> {
    let mut counts: BTreeMap<(&'static str, &'static str, &'static str), i64> = BTreeMap::new();
    for e in entries {
        *counts
            .entry((e.process.code(), e.ethnicity.code(), e.disability.code()))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((process, ethnicity, disability), entered)| FormalCount {
            as_at,
            process: process.into(),
            ethnicity: ethnicity.into(),
            disability: disability.into(),
            entered,
        })
        .collect()
}

fn training_row(record: TrainingRecord) -> Training {
    Training {
        person: record.person,
        ethnicity: record.ethnicity.code().into(),
        accessed: record.accessed,
    }
}

/// Seats are numbered in a random order: a board's members are listed in a known order
/// (the chair first), so the file's order would say whose seat is whose.
fn board_rows(members: Vec<BoardMember>) -> Vec<BoardSeat> {
    let mut shuffled: Vec<(String, BoardMember)> = members
        .into_iter()
        .map(|m| (dignity_crypto::token::random_token(), m))
        .collect();
    shuffled.sort_by(|a, b| a.0.cmp(&b.0));
    shuffled
        .into_iter()
        .map(|(_, m)| m)
        .zip(1..)
        .map(|(m, seat)| BoardSeat {
            seat,
            ethnicity: m.ethnicity.code().into(),
            disability: m.disability.code().into(),
            voting: m.voting,
            executive: m.executive,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::workforce::{Disability, Ethnicity, FormalProcess};

    #[test]
    fn staff_entering_formal_processes_are_counted_by_group() {
        let day = Day::parse("2026-03-31").unwrap();
        let entry = |process, ethnicity, disability| FormalEntry {
            ethnicity,
            disability,
            process,
        };
        let entries = vec![
            entry(
                FormalProcess::Disciplinary,
                Ethnicity::BlackAfrican,
                Disability::No,
            ),
            entry(
                FormalProcess::Capability,
                Ethnicity::WhiteBritish,
                Disability::Yes,
            ),
            entry(
                FormalProcess::Disciplinary,
                Ethnicity::BlackAfrican,
                Disability::No,
            ),
            entry(
                FormalProcess::Disciplinary,
                Ethnicity::WhiteBritish,
                Disability::No,
            ),
        ];
        let counted: Vec<(String, String, String, i64)> = formal_counts(day, entries)
            .into_iter()
            .map(|c| {
                assert_eq!(c.as_at, day);
                (c.process, c.ethnicity, c.disability, c.entered)
            })
            .collect();
        let row = |p: &str, e: &str, d: &str, n| (p.to_owned(), e.to_owned(), d.to_owned(), n);
        assert_eq!(
            counted,
            [
                row("capability", "A", "yes", 1),
                row("disciplinary", "A", "no", 1),
                row("disciplinary", "N", "no", 2),
            ]
        );
    }
}
