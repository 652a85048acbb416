//! Workforce snapshots are kept sealed. A staff-in-post snapshot has a row per person: no
//! name or employee number, but unit, band, ethnicity, disability, sex and age band, which
//! is enough for someone who knows a ward to pick out a colleague in a stolen copy of the
//! database. So each snapshot is stored as two sealed records under a key derived from the
//! installation secret (never in the database): its rows, for the workforce page, and the
//! counts the equality standards read, made once at import, so working out the measures
//! opens a few hundred bytes a snapshot instead of reading a row per person.
//!
//! Each record is bound to its organisation, kind and day, so a record copied onto another
//! snapshot fails to open rather than showing another organisation's staff.

use super::differences::Tables;
use crate::Error;
use dignity_crypto::sealed;
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::speakup::Day;
use dignity_store::Db;
use dignity_store::workforce::{
    self as store, FormalCount, Kind, Rows, Sealed, Snapshot, Staff, StaffCount, TrainingCount,
};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// What the snapshot key is derived for: no other record shares its key.
const SNAPSHOT_PURPOSE: &str = "workforce-snapshot";

/// Sealed records are padded so that their size says no more than the row count stored
/// beside them in the clear (an outside review measured group counts and one-member board
/// changes from unpadded sizes). A row of staff in post or leavers, or of training, is at
/// most this long as encoded (tested with the longest code of every list); the rows record
/// is padded to the row count times it.
const STAFF_ROW_BOUND: usize = 640;
const TRAINING_ROW_BOUND: usize = 160;

/// Staff rows are sealed compactly ([`encode_staff_rows`]) whenever they can be: a row is
/// then at most this long, a fifth of its JSON bound, which is most of an import's writing
/// and every workforce page's reading. The longest digest a compact row holds is
/// [`LONGEST_COMPACT_PERSON`] bytes (a digest is 64); rows that do not fit are sealed as
/// JSON, as before.
const STAFF_COMPACT_ROW_BOUND: usize = 1 + LONGEST_COMPACT_PERSON + 1 + 8 + 7 * 2 + 8 + 8 + 10;
const LONGEST_COMPACT_PERSON: usize = 64;
/// The marker, the kind, how many codes and how many rows follow.
const ROWS_HEADER: usize = 1 + 1 + 2 + 4;

/// Shortlisted applicants (by group) and board seats are small: their rows records are
/// padded to this size whatever they hold.
const SMALL_RECORD: usize = 16 * 1024;
/// What a tables record is padded to at least: a small trust's tables fit, so their sizes
/// say nothing; a large trust's grow by whole kilobytes with how many cells its tables
/// have, which says less than the row count kept beside it in the clear.
const TABLES_AT_LEAST: usize = 16 * 1024;

/// A counts record is padded to the most groups its rows could fill (never more groups
/// than rows, nor than every combination of the codes) times this bound on one group as
/// encoded (tested with the longest codes), plus room for every code, so its size says no
/// more than the row count does. An outside check found a fixed 64 KiB too small: larger
/// trusts' records grew with the number of groups that had someone in them.
///
/// Groups are encoded compactly ([`encode_counts`]): as JSON (160 bytes a group at most)
/// the padding made reading every organisation's counts decrypt ten times the bytes.
const GROUP_BOUND: usize = 16;

/// A compact counts record starts with this byte, which no JSON text does: records sealed
/// before as JSON still open.
const COMPACT: u8 = 0;

/// The marker, the kind, and how many codes and groups follow.
const COUNTS_HEADER: usize = 1 + 1 + 2 + 4;

/// Every code a counts record can name (each pay grade, ethnicity and disability answer),
/// each with its length byte: the most room a record's list of codes can take.
fn codes_bound() -> usize {
    use dignity_domain::workforce::{Disability, Ethnicity, PayGrade};
    let codes = PayGrade::ALL
        .iter()
        .map(|c| c.code())
        .chain(Ethnicity::ALL.iter().map(|c| c.code()))
        .chain(Disability::ALL.iter().map(|c| c.code()));
    codes.map(|c| 1 + c.len()).sum()
}

/// Every group a staff-in-post counts record can hold: each pay grade, side, ethnicity and
/// disability answer.
fn most_staff_groups() -> usize {
    use dignity_domain::workforce::{Disability, Ethnicity, PayGrade};
    PayGrade::ALL.len() * 2 * Ethnicity::ALL.len() * Disability::ALL.len()
}

/// Every group a training counts record can hold: each ethnicity, accessed or not.
fn most_training_groups() -> usize {
    dignity_domain::workforce::Ethnicity::ALL.len() * 2
}

/// Every sealed day of formal-process counts is padded to this size, which holds every
/// group there can be (2 processes, every ethnicity code, 3 disability answers) with room
/// to spare, so a record's size does not say how many groups had someone in them.
const FORMAL_RECORD: usize = 32 * 1024;

/// The counts a snapshot's equality measures read, made from its rows at import.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Counts {
    /// Staff in post or leavers, by pay grade, side, ethnicity and disability.
    Staff(Vec<StaffCount>),
    /// Non-mandatory training, by ethnicity and whether it was accessed.
    Training(Vec<TrainingCount>),
    /// Shortlisted applicants and board seats are counts already: their rows are read.
    None,
}

impl Counts {
    /// Counts `rows`, sorted as the measures expect them.
    pub fn of(rows: &Rows) -> Counts {
        match rows {
            Rows::Staff { people, .. } => {
                let mut groups: BTreeMap<(&str, bool, &str, &str), i64> = BTreeMap::new();
                for p in people {
                    *groups
                        .entry((&p.pay_grade, p.clinical, &p.ethnicity, &p.disability))
                        .or_default() += 1;
                }
                Counts::Staff(
                    groups
                        .into_iter()
                        .map(
                            |((pay_grade, clinical, ethnicity, disability), people)| StaffCount {
                                pay_grade: pay_grade.into(),
                                clinical,
                                ethnicity: ethnicity.into(),
                                disability: disability.into(),
                                people,
                            },
                        )
                        .collect(),
                )
            }
            Rows::Training(people) => {
                let mut groups: BTreeMap<(&str, bool), i64> = BTreeMap::new();
                for p in people {
                    *groups.entry((&p.ethnicity, p.accessed)).or_default() += 1;
                }
                Counts::Training(
                    groups
                        .into_iter()
                        .map(|((ethnicity, accessed), people)| TrainingCount {
                            ethnicity: ethnicity.into(),
                            accessed,
                            people,
                        })
                        .collect(),
                )
            }
            Rows::Recruitment(_) | Rows::Board(_) => Counts::None,
        }
    }
}

/// Seals and opens an installation's workforce snapshots.
pub struct SnapshotKey(Zeroizing<[u8; 32]>);

impl SnapshotKey {
    pub fn new(secret: &InstallationSecret) -> SnapshotKey {
        SnapshotKey(secret.derive(SNAPSHOT_PURPOSE))
    }

    /// Seals `rows` and their counts as the snapshot of `organisation_id` for `as_at`.
    pub fn seal(&self, organisation_id: i64, as_at: Day, rows: &Rows) -> Result<Owned, Error> {
        let kind = rows.kind();
        let compact_rows = encode_staff_rows(rows).map(Zeroizing::new);
        let plain_rows = match compact_rows {
            Some(compact) => compact,
            None => Zeroizing::new(encode(rows)?),
        };
        let plain_counts = Zeroizing::new(encode_counts(&Counts::of(rows))?);
        let seal = |part: Part, plain: &[u8], at_least: usize| {
            // A counts record longer than its padding would have a length that depends on
            // its groups: refuse it rather than let it grow (its bound covers every code,
            // so only a code outside the lists could get here).
            if part == Part::Counts && plain.len().saturating_add(4) > at_least {
                return Err(Error::Internal(
                    "a workforce counts record is longer than its padding".into(),
                ));
            }
            sealed::seal_padded(
                &self.0,
                &context(organisation_id, kind, as_at, part),
                plain,
                at_least,
            )
            .map_err(|e| Error::Internal(format!("sealing a workforce snapshot: {e}")))
        };
        let rows_at_least = match rows {
            Rows::Staff { people, .. } if plain_rows.first() == Some(&COMPACT) => people
                .len()
                .saturating_mul(STAFF_COMPACT_ROW_BOUND)
                .saturating_add(ROWS_HEADER + staff_codes_bound()),
            Rows::Staff { people, .. } => people.len().saturating_mul(STAFF_ROW_BOUND),
            Rows::Training(people) => people.len().saturating_mul(TRAINING_ROW_BOUND),
            Rows::Recruitment(_) | Rows::Board(_) => SMALL_RECORD,
        };
        let most_groups = match rows {
            Rows::Staff { people, .. } => people.len().min(most_staff_groups()),
            Rows::Training(people) => people.len().min(most_training_groups()),
            Rows::Recruitment(_) | Rows::Board(_) => 0,
        };
        let counts_at_least = most_groups
            .saturating_mul(GROUP_BOUND)
            .saturating_add(COUNTS_HEADER + codes_bound());
        let tables = match super::differences::tables_of(rows) {
            Some(tables) => Some(self.seal_tables(organisation_id, kind, as_at, &tables)?),
            None => None,
        };
        Ok(Owned {
            kind,
            row_count: rows.len(),
            rows: seal(Part::Rows, &plain_rows, rows_at_least)?,
            counts: seal(Part::Counts, &plain_counts, counts_at_least)?,
            tables,
        })
    }

    /// Seals the counts of the tables a snapshot's figures come from
    /// ([`super::differences`]), padded so their size says little of how many cells
    /// there are.
    pub fn seal_tables(
        &self,
        organisation_id: i64,
        kind: Kind,
        as_at: Day,
        tables: &Tables,
    ) -> Result<Vec<u8>, Error> {
        let plain = Zeroizing::new(encode(tables)?);
        sealed::seal_padded(
            &self.0,
            &context(organisation_id, kind, as_at, Part::Tables),
            &plain,
            TABLES_AT_LEAST,
        )
        .map_err(|e| Error::Internal(format!("sealing a workforce snapshot: {e}")))
    }

    /// Opens what [`SnapshotKey::seal_tables`] sealed.
    pub fn open_tables(
        &self,
        organisation_id: i64,
        kind: Kind,
        as_at: Day,
        bytes: &[u8],
    ) -> Result<Tables, Error> {
        let plain = sealed::open(
            &self.0,
            &context(organisation_id, kind, as_at, Part::Tables),
            bytes,
        )
        .map_err(|e| {
            Error::Internal(format!(
                "the tables of the {} extract as at {as_at} do not open with this installation's secret: {e}",
                kind.words()
            ))
        })?;
        serde_json::from_slice(&plain)
            .map_err(|e| Error::Internal(format!("workforce tables are unreadable: {e}")))
    }

    /// Seals the counts of staff entering formal processes of `organisation_id` for
    /// `as_at`.
    pub fn seal_formal(
        &self,
        organisation_id: i64,
        as_at: Day,
        counts: &[FormalCount],
    ) -> Result<Vec<u8>, Error> {
        let plain = Zeroizing::new(encode(&counts)?);
        sealed::seal_padded(
            &self.0,
            &formal_context(organisation_id, as_at),
            &plain,
            FORMAL_RECORD,
        )
        .map_err(|e| Error::Internal(format!("sealing formal-process counts: {e}")))
    }

    /// Every day of formal-process counts of `organisation_id`, newest day first.
    pub async fn formal(&self, db: &Db, organisation_id: i64) -> Result<Vec<FormalCount>, Error> {
        let mut counts = Vec::new();
        for (day, bytes) in store::formal_sealed(db, organisation_id).await? {
            counts.extend(self.open_formal(organisation_id, day, &bytes)?);
        }
        Ok(counts)
    }

    /// One sealed day of formal-process counts of `organisation_id`.
    pub fn open_formal(
        &self,
        organisation_id: i64,
        day: Day,
        bytes: &[u8],
    ) -> Result<Vec<FormalCount>, Error> {
        let plain = sealed::open(&self.0, &formal_context(organisation_id, day), bytes)
            .map_err(|e| {
                Error::Internal(format!(
                    "formal-process counts of {day} do not open with this installation's secret: {e}"
                ))
            })?;
        serde_json::from_slice(&plain)
            .map_err(|e| Error::Internal(format!("formal-process counts unreadable: {e}")))
    }

    /// The rows of `snapshot`.
    pub async fn rows(&self, db: &Db, snapshot: &Snapshot) -> Result<Rows, Error> {
        let bytes = store::sealed_rows(db, snapshot.id).await?;
        self.open_rows(snapshot, &bytes)
    }

    /// Opens the rows record of `snapshot`.
    pub fn open_rows(&self, snapshot: &Snapshot, bytes: &[u8]) -> Result<Rows, Error> {
        self.open_compact_or_json(snapshot, Part::Rows, bytes, decode_staff_rows)
    }

    /// The counts of `snapshot` made at import.
    pub async fn counts(&self, db: &Db, snapshot: &Snapshot) -> Result<Counts, Error> {
        let bytes = store::sealed_counts(db, snapshot.id).await?;
        self.open_counts(snapshot, &bytes)
    }

    /// Opens a counts record, compact or (sealed before) JSON.
    pub fn open_counts(&self, snapshot: &Snapshot, bytes: &[u8]) -> Result<Counts, Error> {
        self.open_compact_or_json(snapshot, Part::Counts, bytes, decode_counts)
    }

    /// Opens a record sealed compactly (read by `decode`) or, before that, as JSON.
    fn open_compact_or_json<T: serde::de::DeserializeOwned>(
        &self,
        snapshot: &Snapshot,
        part: Part,
        bytes: &[u8],
        decode: fn(&[u8]) -> Option<T>,
    ) -> Result<T, Error> {
        let plain = self.open_plain(snapshot, part, bytes)?;
        let unreadable = |e: String| {
            Error::Internal(format!(
                "workforce snapshot {} is unreadable: {e}",
                snapshot.id
            ))
        };
        match plain.first() {
            Some(&COMPACT) => {
                decode(&plain).ok_or_else(|| unreadable("a bad compact record".into()))
            }
            _ => serde_json::from_slice(&plain).map_err(|e| unreadable(e.to_string())),
        }
    }

    fn open_plain(
        &self,
        snapshot: &Snapshot,
        part: Part,
        bytes: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let context = context(
            snapshot.organisation_id,
            snapshot.kind,
            snapshot.as_at,
            part,
        );
        sealed::open(&self.0, &context, bytes).map_err(|e| {
            Error::Internal(format!(
                "workforce snapshot {} does not open with this installation's secret: {e}",
                snapshot.id
            ))
        })
    }
}

/// A snapshot sealed and ready to store.
pub struct Owned {
    kind: Kind,
    row_count: usize,
    rows: Vec<u8>,
    counts: Vec<u8>,
    tables: Option<Vec<u8>>,
}

impl Owned {
    pub fn as_sealed(&self) -> Sealed<'_> {
        Sealed {
            kind: self.kind,
            row_count: self.row_count,
            rows: &self.rows,
            counts: &self.counts,
            tables: self.tables.as_deref(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Rows,
    Counts,
    Tables,
}

fn context(organisation_id: i64, kind: Kind, as_at: Day, part: Part) -> Vec<u8> {
    let part = match part {
        Part::Rows => "rows",
        Part::Counts => "counts",
        Part::Tables => "tables",
    };
    format!("workforce/{organisation_id}/{}/{as_at}/{part}", kind.code()).into_bytes()
}

fn formal_context(organisation_id: i64, as_at: Day) -> Vec<u8> {
    format!("workforce/{organisation_id}/formal/{as_at}/counts").into_bytes()
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value)
        .map_err(|e| Error::Internal(format!("encoding a workforce snapshot: {e}")))
}

/// Counts as sealed: [`COMPACT`], the kind (0 none, 1 staff, 2 training), the codes the
/// groups name (each once: a length byte and its bytes), the groups, then each group with
/// its codes by their place in that list (two bytes each), a flag byte (clinical, or
/// accessed) and the count in eight bytes, all little-endian.
fn encode_counts(counts: &Counts) -> Result<Vec<u8>, Error> {
    let mut codes: Vec<&str> = Vec::new();
    let mut groups = Vec::new();
    let (kind, count) = match counts {
        Counts::None => (0u8, 0),
        Counts::Staff(staff) => {
            for c in staff {
                groups.extend(place(&mut codes, &c.pay_grade)?);
                groups.push(u8::from(c.clinical));
                groups.extend(place(&mut codes, &c.ethnicity)?);
                groups.extend(place(&mut codes, &c.disability)?);
                groups.extend(c.people.to_le_bytes());
            }
            (1, staff.len())
        }
        Counts::Training(training) => {
            for c in training {
                groups.extend(place(&mut codes, &c.ethnicity)?);
                groups.push(u8::from(c.accessed));
                groups.extend(c.people.to_le_bytes());
            }
            (2, training.len())
        }
    };
    let bad = |what: &str| Error::Internal(format!("encoding workforce counts: {what}"));
    let mut plain = Vec::with_capacity(COUNTS_HEADER + codes_bound() + groups.len());
    plain.extend([COMPACT, kind]);
    write_codes(&mut plain, &codes).ok_or_else(|| bad("too many codes, or one too long"))?;
    plain.extend(
        u32::try_from(count)
            .map_err(|_| bad("too many groups"))?
            .to_le_bytes(),
    );
    plain.extend(groups);
    Ok(plain)
}

/// The place of `code` in `codes`, added at the end if it is new.
fn place<'a>(codes: &mut Vec<&'a str>, code: &'a str) -> Result<[u8; 2], Error> {
    let i = match codes.iter().position(|&c| c == code) {
        Some(i) => i,
        None => {
            codes.push(code);
            codes.len() - 1
        }
    };
    u16::try_from(i)
        .map(u16::to_le_bytes)
        .map_err(|_| Error::Internal("encoding workforce counts: too many codes".into()))
}

/// Every code a staff row can name, each with its length byte: the most room a compact
/// rows record's list of codes can take.
fn staff_codes_bound() -> usize {
    use dignity_domain::workforce::{
        AgeBand, Disability, Ethnicity, LeavingReason, PayGrade, Sex, StaffGroup,
    };
    let codes = StaffGroup::ALL
        .iter()
        .map(|c| c.code())
        .chain(PayGrade::ALL.iter().map(|c| c.code()))
        .chain(Ethnicity::ALL.iter().map(|c| c.code()))
        .chain(Disability::ALL.iter().map(|c| c.code()))
        .chain(Sex::ALL.iter().map(|c| c.code()))
        .chain(AgeBand::ALL.iter().map(|c| c.code()))
        .chain(LeavingReason::ALL.iter().map(|c| c.code()));
    codes.map(|c| 1 + c.len()).sum()
}

/// Where a compact staff row says it has no leaving reason.
const NO_CODE: u16 = u16::MAX;

/// Staff rows as sealed when they can be: [`COMPACT`], the kind (1 staff in post, 2
/// leavers), the codes the rows name (each once: a length byte and its bytes), how many
/// rows, then each row: its digest (a length byte and its bytes), a flag byte (clinical,
/// then which of unit, whole-time equivalent, days lost, leaving day and reason it has),
/// the unit, its codes by their place in that list (two bytes each), both numbers as
/// eight-byte floats and the leaving day as ten letters, all little-endian. Every row is
/// written whole, so all rows are as long as their digests make them.
///
/// Written here rather than with a general serialisation crate: the format is what the
/// padding bound rests on, and [`decode_staff_rows`] must refuse anything it did not write.
///
/// `None` for rows that are not staff, have a start day (only rows sealed from before
/// migration 0023 can), a digest longer than [`LONGEST_COMPACT_PERSON`] or a leaving day
/// that is not ten letters: those are sealed as JSON.
fn encode_staff_rows(rows: &Rows) -> Option<Vec<u8>> {
    let Rows::Staff { leavers, people } = rows else {
        return None;
    };
    let mut codes: Vec<&str> = Vec::new();
    let mut body = Vec::with_capacity(people.len().saturating_mul(STAFF_COMPACT_ROW_BOUND));
    for p in people {
        if p.started_on.is_some() || p.person.len() > LONGEST_COMPACT_PERSON {
            return None;
        }
        let left_on = match &p.left_on {
            Some(day) if day.len() == 10 => Some(day.as_bytes()),
            Some(_) => return None,
            None => None,
        };
        body.push(u8::try_from(p.person.len()).ok()?);
        body.extend(p.person.as_bytes());
        let flags = u8::from(p.clinical)
            | u8::from(p.unit_id.is_some()) << 1
            | u8::from(p.wte.is_some()) << 2
            | u8::from(p.days_lost.is_some()) << 3
            | u8::from(left_on.is_some()) << 4
            | u8::from(p.leaving_reason.is_some()) << 5;
        body.push(flags);
        body.extend(p.unit_id.unwrap_or(0).to_le_bytes());
        for code in [
            &p.staff_group,
            &p.pay_grade,
            &p.ethnicity,
            &p.disability,
            &p.sex,
            &p.age_band,
        ] {
            body.extend(place(&mut codes, code).ok()?);
        }
        match &p.leaving_reason {
            Some(reason) => body.extend(place(&mut codes, reason).ok()?),
            None => body.extend(NO_CODE.to_le_bytes()),
        }
        body.extend(p.wte.unwrap_or(0.0).to_le_bytes());
        body.extend(p.days_lost.unwrap_or(0.0).to_le_bytes());
        body.extend(left_on.unwrap_or(&[0; 10]));
    }
    // A code list as long as the placeholder would read back as a reason.
    if codes.len() >= usize::from(NO_CODE) {
        return None;
    }
    let mut plain = Vec::with_capacity(ROWS_HEADER + staff_codes_bound() + body.len());
    plain.extend([COMPACT, if *leavers { 2 } else { 1 }]);
    write_codes(&mut plain, &codes)?;
    plain.extend(u32::try_from(people.len()).ok()?.to_le_bytes());
    plain.extend(body);
    Some(plain)
}

/// Reads what [`encode_staff_rows`] wrote; `None` if it is not that, or has anything after
/// its last row.
fn decode_staff_rows(plain: &[u8]) -> Option<Rows> {
    let mut rest = plain;
    let [marker, kind]: [u8; 2] = take_bytes(&mut rest, 2)?.try_into().ok()?;
    let leavers = match (marker, kind) {
        (COMPACT, 1) => false,
        (COMPACT, 2) => true,
        _ => return None,
    };
    let codes = read_codes(&mut rest)?;
    let mut take = |n: usize| take_bytes(&mut rest, n);
    let count = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    let code_at = |bytes: &[u8]| -> Option<String> {
        let i = u16::from_le_bytes(bytes.try_into().ok()?);
        codes.get(usize::from(i)).map(|&c| c.to_owned())
    };
    let number = |bytes: &[u8]| -> Option<f64> { Some(f64::from_le_bytes(bytes.try_into().ok()?)) };
    // The smallest row is 50 bytes: a bad count cannot make this allocate much more than
    // the record holds.
    let mut people = Vec::with_capacity(count.min(plain.len() / 50));
    for _ in 0..count {
        let length = usize::from(*take(1)?.first()?);
        if length > LONGEST_COMPACT_PERSON {
            return None;
        }
        let person = std::str::from_utf8(take(length)?).ok()?.to_owned();
        let row = take(STAFF_COMPACT_ROW_BOUND - 1 - LONGEST_COMPACT_PERSON)?;
        let flags = *row.first()?;
        let has = |bit: u8| flags & (1 << bit) != 0;
        if flags >> 6 != 0 {
            return None;
        }
        let unit = i64::from_le_bytes(row.get(1..9)?.try_into().ok()?);
        let left_on = row.get(39..49)?;
        people.push(Staff {
            person,
            unit_id: has(1).then_some(unit),
            staff_group: code_at(row.get(9..11)?)?,
            pay_grade: code_at(row.get(11..13)?)?,
            ethnicity: code_at(row.get(13..15)?)?,
            disability: code_at(row.get(15..17)?)?,
            sex: code_at(row.get(17..19)?)?,
            age_band: code_at(row.get(19..21)?)?,
            leaving_reason: if has(5) {
                Some(code_at(row.get(21..23)?)?)
            } else {
                None
            },
            clinical: has(0),
            started_on: None,
            wte: if has(2) {
                Some(number(row.get(23..31)?)?)
            } else {
                None
            },
            days_lost: if has(3) {
                Some(number(row.get(31..39)?)?)
            } else {
                None
            },
            left_on: if has(4) {
                Some(std::str::from_utf8(left_on).ok()?.to_owned())
            } else {
                None
            },
        });
    }
    if !rest.is_empty() {
        return None;
    }
    Some(Rows::Staff { leavers, people })
}

/// Reads what [`encode_counts`] wrote; `None` if it is not that.
fn decode_counts(plain: &[u8]) -> Option<Counts> {
    let mut rest = plain;
    let [marker, kind]: [u8; 2] = take_bytes(&mut rest, 2)?.try_into().ok()?;
    if marker != COMPACT {
        return None;
    }
    let codes = read_codes(&mut rest)?;
    let mut take = |n: usize| take_bytes(&mut rest, n);
    let groups = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    let take_code = |bytes: &[u8]| -> Option<String> {
        let i = u16::from_le_bytes(bytes.try_into().ok()?);
        codes.get(usize::from(i)).map(|&c| c.to_owned())
    };
    match kind {
        0 => Some(Counts::None),
        1 => {
            // Each group is 15 bytes: a bad count cannot make this allocate much more
            // than the record holds.
            let mut staff = Vec::with_capacity(groups.min(plain.len() / 15));
            for _ in 0..groups {
                let g = take(15)?;
                staff.push(StaffCount {
                    pay_grade: take_code(g.get(0..2)?)?,
                    clinical: *g.get(2)? != 0,
                    ethnicity: take_code(g.get(3..5)?)?,
                    disability: take_code(g.get(5..7)?)?,
                    people: i64::from_le_bytes(g.get(7..15)?.try_into().ok()?),
                });
            }
            Some(Counts::Staff(staff))
        }
        2 => {
            let mut training = Vec::with_capacity(groups.min(plain.len() / 11));
            for _ in 0..groups {
                let g = take(11)?;
                training.push(TrainingCount {
                    ethnicity: take_code(g.get(0..2)?)?,
                    accessed: *g.get(2)? != 0,
                    people: i64::from_le_bytes(g.get(3..11)?.try_into().ok()?),
                });
            }
            Some(Counts::Training(training))
        }
        _ => None,
    }
}

/// The next `n` bytes of `rest`, if there are that many.
/// Writes a compact record's list of codes: how many (two bytes), then each as a length
/// byte and its bytes. `None` if there are too many, or one is too long.
fn write_codes(plain: &mut Vec<u8>, codes: &[&str]) -> Option<()> {
    plain.extend(u16::try_from(codes.len()).ok()?.to_le_bytes());
    for code in codes {
        plain.push(u8::try_from(code.len()).ok()?);
        plain.extend(code.as_bytes());
    }
    Some(())
}

/// Reads what [`write_codes`] wrote from the front of `rest`.
fn read_codes<'a>(rest: &mut &'a [u8]) -> Option<Vec<&'a str>> {
    let count = u16::from_le_bytes(take_bytes(rest, 2)?.try_into().ok()?);
    let mut codes = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let length = usize::from(*take_bytes(rest, 1)?.first()?);
        codes.push(std::str::from_utf8(take_bytes(rest, length)?).ok()?);
    }
    Some(codes)
}

fn take_bytes<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (taken, after) = rest.split_at_checked(n)?;
    *rest = after;
    Some(taken)
}

/// Whether any snapshot imported before snapshots were sealed (migration 0023) still has
/// its rows in the clear.
pub async fn earlier_imports_waiting(db: &Db) -> Result<bool, Error> {
    Ok(!store::unsealed(db).await?.is_empty() || !store::formal_unsealed(db).await?.is_empty())
}

/// Seals every snapshot imported before snapshots were sealed (migration 0023) and deletes
/// its rows in the clear. Returns how many it sealed. Run at start, once the schema is up
/// to date; it does nothing when there are none.
pub async fn seal_earlier_imports(db: &Db, secret: &InstallationSecret) -> Result<usize, Error> {
    let waiting = store::unsealed(db).await?;
    let formal = store::formal_unsealed(db).await?;
    if waiting.is_empty() && formal.is_empty() {
        return Ok(0);
    }
    let key = SnapshotKey::new(secret);
    for snapshot in &waiting {
        let rows = store::plain_rows(db, snapshot).await?;
        let owned = key.seal(snapshot.organisation_id, snapshot.as_at, &rows)?;
        store::seal_in_place(db, snapshot.id, &owned.rows, &owned.counts).await?;
    }
    for &(organisation_id, as_at) in &formal {
        let counts = store::formal_plain(db, organisation_id, as_at).await?;
        let sealed = key.seal_formal(organisation_id, as_at, &counts)?;
        store::seal_formal_in_place(db, organisation_id, as_at, &sealed).await?;
    }
    store::forget_plain_rows(db).await?;
    db.checkpoint().await?;
    Ok(waiting.len() + formal.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_store::workforce::{Staff, Training};

    fn person(digest: &str, grade: &str, ethnicity: &str) -> Staff {
        Staff {
            person: digest.into(),
            unit_id: Some(1),
            staff_group: "nursing".into(),
            pay_grade: grade.into(),
            clinical: true,
            ethnicity: ethnicity.into(),
            disability: "no".into(),
            sex: "female".into(),
            age_band: "31-40".into(),
            started_on: None,
            wte: Some(1.0),
            days_lost: None,
            left_on: None,
            leaving_reason: None,
        }
    }

    #[test]
    fn counts_group_people_as_the_measures_read_them() {
        let rows = Rows::Staff {
            leavers: false,
            people: vec![
                person("b", "band-5", "A"),
                person("a", "band-5", "A"),
                person("c", "band-5", "M"),
                person("d", "band-4", "A"),
            ],
        };
        let Counts::Staff(counts) = Counts::of(&rows) else {
            panic!("staff rows give staff counts");
        };
        let summary: Vec<(&str, &str, i64)> = counts
            .iter()
            .map(|c| (c.pay_grade.as_str(), c.ethnicity.as_str(), c.people))
            .collect();
        assert_eq!(
            summary,
            [("band-4", "A", 1), ("band-5", "A", 2), ("band-5", "M", 1)]
        );
        let training = Rows::Training(vec![
            Training {
                person: "a".into(),
                ethnicity: "A".into(),
                accessed: true,
            },
            Training {
                person: "b".into(),
                ethnicity: "A".into(),
                accessed: true,
            },
        ]);
        assert_eq!(
            Counts::of(&training),
            Counts::Training(vec![TrainingCount {
                ethnicity: "A".into(),
                accessed: true,
                people: 2,
            }])
        );
    }

    fn longest<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> String {
        all.iter()
            .map(|&c| code(c))
            .max_by_key(|c| c.len())
            .unwrap_or_default()
            .to_owned()
    }

    /// The padding hides rows' lengths only if no row can be longer than its bound.
    #[test]
    fn the_longest_rows_there_can_be_fit_their_bounds() {
        use dignity_domain::workforce::{
            AgeBand, Disability, Ethnicity, LeavingReason, PayGrade, Sex, StaffGroup,
        };
        let ethnicity = longest(Ethnicity::ALL, Ethnicity::code);
        let longest_float = -2.225_073_858_507_201_4e-308_f64;
        let staff = Staff {
            person: "f".repeat(64),
            unit_id: Some(i64::MIN),
            staff_group: longest(StaffGroup::ALL, StaffGroup::code),
            pay_grade: longest(PayGrade::ALL, PayGrade::code),
            clinical: false,
            ethnicity: ethnicity.clone(),
            disability: longest(Disability::ALL, Disability::code),
            sex: longest(Sex::ALL, Sex::code),
            age_band: longest(AgeBand::ALL, AgeBand::code),
            started_on: Some("2026-12-31".into()),
            wte: Some(longest_float),
            days_lost: Some(longest_float),
            left_on: Some("2026-12-31".into()),
            leaving_reason: Some(longest(LeavingReason::ALL, LeavingReason::code)),
        };
        let empty = |leavers| Rows::Staff {
            leavers,
            people: Vec::new(),
        };
        let mut rows = empty(true);
        if let Rows::Staff { people, .. } = &mut rows {
            people.push(staff);
        }
        let one =
            encode(&rows).expect("encoded").len() - encode(&empty(true)).expect("encoded").len();
        assert!(one <= STAFF_ROW_BOUND, "a staff row of {one} bytes");
        // Compact, without the start day (which sends rows to JSON): every code of every
        // list, and a row for each with the longest digest, fits the bound and the codes'
        // room.
        if let Rows::Staff { people, .. } = &mut rows {
            for p in people.iter_mut() {
                p.started_on = None;
            }
        }
        let Rows::Staff { people, .. } = &rows else {
            panic!("staff rows");
        };
        let longest_row = people.first().cloned().expect("a row");
        let mut every = Vec::new();
        let lists: [Vec<&str>; 7] = [
            StaffGroup::ALL.iter().map(|c| c.code()).collect(),
            PayGrade::ALL.iter().map(|c| c.code()).collect(),
            Ethnicity::ALL.iter().map(|c| c.code()).collect(),
            Disability::ALL.iter().map(|c| c.code()).collect(),
            Sex::ALL.iter().map(|c| c.code()).collect(),
            AgeBand::ALL.iter().map(|c| c.code()).collect(),
            LeavingReason::ALL.iter().map(|c| c.code()).collect(),
        ];
        let most = lists.iter().map(Vec::len).max().unwrap_or(0);
        for n in 0..most {
            let pick = |list: &Vec<&str>| list[n % list.len()].to_owned();
            every.push(Staff {
                staff_group: pick(&lists[0]),
                pay_grade: pick(&lists[1]),
                ethnicity: pick(&lists[2]),
                disability: pick(&lists[3]),
                sex: pick(&lists[4]),
                age_band: pick(&lists[5]),
                leaving_reason: Some(pick(&lists[6])),
                ..longest_row.clone()
            });
        }
        let every = Rows::Staff {
            leavers: true,
            people: every,
        };
        let compact = encode_staff_rows(&every).expect("compact").len();
        let room = ROWS_HEADER + staff_codes_bound() + most * STAFF_COMPACT_ROW_BOUND;
        assert!(
            compact <= room,
            "{compact} bytes of compact staff rows in {room}"
        );
        let training = Rows::Training(vec![Training {
            person: "f".repeat(64),
            ethnicity,
            accessed: false,
        }]);
        let one = encode(&training).expect("encoded").len()
            - encode(&Rows::Training(Vec::new())).expect("encoded").len();
        assert!(one <= TRAINING_ROW_BOUND, "a training row of {one} bytes");

        // Every code there is, in the most groups there can be, fits the padding.
        let mut every = Vec::new();
        for grade in PayGrade::ALL {
            for clinical in [false, true] {
                for ethnicity in Ethnicity::ALL {
                    for disability in Disability::ALL {
                        every.push(StaffCount {
                            pay_grade: grade.code().into(),
                            clinical,
                            ethnicity: ethnicity.code().into(),
                            disability: disability.code().into(),
                            people: i64::MIN,
                        });
                    }
                }
            }
        }
        assert_eq!(every.len(), most_staff_groups());
        let most = encode_counts(&Counts::Staff(every)).expect("encoded").len();
        let room = most_staff_groups() * GROUP_BOUND + COUNTS_HEADER + codes_bound();
        assert!(most <= room, "{most} bytes of staff counts in {room}");
        let every: Vec<TrainingCount> = Ethnicity::ALL
            .iter()
            .flat_map(|e| {
                [false, true].map(|accessed| TrainingCount {
                    ethnicity: e.code().into(),
                    accessed,
                    people: i64::MIN,
                })
            })
            .collect();
        assert_eq!(every.len(), most_training_groups());
        let most = encode_counts(&Counts::Training(every))
            .expect("encoded")
            .len();
        let room = most_training_groups() * GROUP_BOUND + COUNTS_HEADER + codes_bound();
        assert!(most <= room, "{most} bytes of training counts in {room}");
    }

    /// Staff rows sealed compactly open as they were, whatever each row has or lacks; rows
    /// sealed as JSON before still open; rows the compact form cannot hold are sealed as
    /// JSON; and a compact record cut or lengthened never reads.
    #[test]
    fn staff_rows_open_as_they_were_sealed_compact_or_as_json() {
        let key = SnapshotKey::new(&InstallationSecret::generate());
        let day = Day::parse("2026-03-31").expect("a day");
        let snapshot = |kind| Snapshot {
            id: 1,
            organisation_id: 7,
            kind,
            as_at: day,
            imported_on: day,
            row_count: 3,
            version: None,
        };
        let mut leaver = person(&"e".repeat(64), "band-5", "A");
        leaver.unit_id = None;
        leaver.clinical = false;
        leaver.wte = Some(0.6);
        leaver.days_lost = Some(-0.0);
        leaver.left_on = Some("2026-02-28".into());
        leaver.leaving_reason = Some("retirement".into());
        let mut bare = person("", "band-8a", "99");
        bare.wte = None;
        bare.unit_id = Some(i64::MIN);
        let leavers = Rows::Staff {
            leavers: true,
            people: vec![person("a1b2", "band-5", "A"), leaver, bare],
        };
        let staff = Rows::Staff {
            leavers: false,
            people: vec![person("c3", "band-4", "M")],
        };
        let nobody = Rows::Staff {
            leavers: false,
            people: Vec::new(),
        };
        for (rows, kind) in [
            (&leavers, Kind::Leavers),
            (&staff, Kind::Staff),
            (&nobody, Kind::Staff),
        ] {
            let compact = encode_staff_rows(rows).expect("compact");
            assert_eq!(decode_staff_rows(&compact).as_ref(), Some(rows));
            for cut in 0..compact.len() {
                assert_eq!(decode_staff_rows(&compact[..cut]), None, "cut at {cut}");
            }
            let longer = [&compact[..], &[0]].concat();
            assert_eq!(decode_staff_rows(&longer), None);

            let sealed = key.seal(7, day, rows).expect("sealed");
            assert_eq!(
                &key.open_rows(&snapshot(kind), &sealed.rows).expect("opens"),
                rows
            );
            let as_json = sealed::seal_padded(
                &key.0,
                &context(7, kind, day, Part::Rows),
                &encode(rows).expect("encoded"),
                64 * 1024,
            )
            .expect("sealed");
            assert_eq!(
                &key.open_rows(&snapshot(kind), &as_json).expect("opens"),
                rows
            );
        }

        // A start day (only rows from before sealing have one), a digest too long, or a
        // leaving day of another length: kept whole, as JSON.
        let mut started = person("a", "band-5", "A");
        started.started_on = Some("2001-09-03".into());
        let mut long = person(&"f".repeat(65), "band-5", "A");
        long.left_on = None;
        let mut odd_day = person("b", "band-5", "A");
        odd_day.left_on = Some("2026-2-1".into());
        for one in [started, long, odd_day] {
            let rows = Rows::Staff {
                leavers: false,
                people: vec![one],
            };
            assert_eq!(encode_staff_rows(&rows), None);
            let sealed = key.seal(7, day, &rows).expect("sealed");
            assert_eq!(
                key.open_rows(&snapshot(Kind::Staff), &sealed.rows)
                    .expect("opens"),
                rows
            );
        }
        assert_eq!(encode_staff_rows(&Rows::Training(Vec::new())), None);
    }

    /// Compact counts read back as they were, and counts sealed as JSON before still open.
    #[test]
    fn counts_open_as_they_were_sealed_compact_or_as_json() {
        let staff = Counts::Staff(vec![
            StaffCount {
                pay_grade: "band_5".into(),
                clinical: true,
                ethnicity: "A".into(),
                disability: "no".into(),
                people: 12,
            },
            StaffCount {
                pay_grade: "band_5".into(),
                clinical: false,
                ethnicity: "M".into(),
                disability: "no".into(),
                people: i64::MAX,
            },
            StaffCount {
                pay_grade: "vsm".into(),
                clinical: false,
                ethnicity: "A".into(),
                disability: "yes".into(),
                people: -1,
            },
        ]);
        let training = Counts::Training(vec![
            TrainingCount {
                ethnicity: "A".into(),
                accessed: true,
                people: 3,
            },
            TrainingCount {
                ethnicity: "99".into(),
                accessed: false,
                people: 0,
            },
        ]);
        for counts in [staff, training, Counts::None, Counts::Staff(Vec::new())] {
            let compact = encode_counts(&counts).expect("encoded");
            assert_eq!(decode_counts(&compact), Some(counts.clone()));
            // A record cut anywhere short of its end never reads, as anything.
            for cut in 0..compact.len() {
                assert_eq!(decode_counts(&compact[..cut]), None, "cut at {cut}");
            }

            let key = SnapshotKey::new(&InstallationSecret::generate());
            let day = Day::parse("2026-03-31").expect("a day");
            let snapshot = Snapshot {
                id: 1,
                organisation_id: 7,
                kind: Kind::Staff,
                as_at: day,
                imported_on: day,
                row_count: 1,
                version: None,
            };
            let as_json = sealed::seal_padded(
                &key.0,
                &context(7, Kind::Staff, day, Part::Counts),
                &encode(&counts).expect("encoded"),
                64 * 1024,
            )
            .expect("sealed");
            assert_eq!(key.open_counts(&snapshot, &as_json).expect("opens"), counts);
        }
    }

    /// Two staff-in-post snapshots of the same size seal to the same length, however many
    /// groups their people fall in (all in one group, or spread over many) and whatever
    /// each row has or lacks.
    #[test]
    fn a_counts_record_says_nothing_of_how_many_groups_there_are() {
        let key = SnapshotKey::new(&InstallationSecret::generate());
        let day = Day::parse("2026-03-31").expect("a day");
        let people = |spread: bool| Rows::Staff {
            leavers: false,
            people: (0..3_000)
                .map(|n| {
                    let grade = if spread {
                        format!("band_{}", n % 9)
                    } else {
                        "band_5".into()
                    };
                    let ethnicity = if spread {
                        format!("E{}", n % 17)
                    } else {
                        "A".into()
                    };
                    let mut one = person(&format!("{n:032x}"), &grade, &ethnicity);
                    // Spread over what each row may have or lack too: a row's length
                    // never depends on it.
                    if spread && n % 2 == 0 {
                        one.unit_id = None;
                        one.wte = None;
                        one.days_lost = Some(12.5);
                        one.left_on = Some("2026-01-31".into());
                        one.leaving_reason = Some("retirement".into());
                    }
                    one
                })
                .collect(),
        };
        let one = key.seal(7, day, &people(false)).expect("sealed");
        let many = key.seal(7, day, &people(true)).expect("sealed");
        assert_eq!(one.counts.len(), many.counts.len());
        assert_eq!(one.rows.len(), many.rows.len());
    }

    #[test]
    fn a_sealed_snapshot_opens_only_with_its_own_secret_and_place() {
        let secret = InstallationSecret::generate();
        let key = SnapshotKey::new(&secret);
        let day = Day::parse("2026-03-31").expect("a day");
        let rows = Rows::Staff {
            leavers: false,
            people: vec![person("a1b2", "band-5", "A")],
        };
        let owned = key.seal(7, day, &rows).expect("sealed");
        let snapshot = |organisation_id, kind| Snapshot {
            id: 1,
            organisation_id,
            kind,
            as_at: day,
            imported_on: day,
            row_count: 1,
            version: None,
        };
        let opened = key
            .open_rows(&snapshot(7, Kind::Staff), &owned.rows)
            .expect("opens");
        assert_eq!(opened, rows);
        assert!(
            !owned.rows.windows(4).any(|w| w == b"a1b2"),
            "the digest is not readable in the record"
        );
        let other = SnapshotKey::new(&InstallationSecret::generate());
        assert!(
            other
                .open_rows(&snapshot(7, Kind::Staff), &owned.rows)
                .is_err()
        );
        assert!(
            key.open_rows(&snapshot(8, Kind::Staff), &owned.rows)
                .is_err(),
            "moved to another organisation, it does not open"
        );
        assert!(
            key.open_rows(&snapshot(7, Kind::Leavers), &owned.rows)
                .is_err()
        );
        assert!(
            key.open_counts(&snapshot(7, Kind::Staff), &owned.rows)
                .is_err()
        );
    }
}
