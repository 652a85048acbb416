//! Board members' fit and proper person records (migration 0044). Words are ciphertext
//! made by the application; this module stores them and audits every change and read.

pub mod references;
pub mod rounds;

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::leadership::{CheckKind, Seat, SeatKind};
use dignity_domain::speakup::Day;

pub(crate) fn audit_entry<'a>(
    actor: &'a str,
    org: &'a Organisation,
    action: &'a str,
    detail: &'a str,
) -> NewEntry<'a> {
    NewEntry {
        actor,
        organisation: Some(&org.ods_code),
        action,
        detail,
    }
}

pub(crate) fn day(text: &str) -> Result<Day, StoreError> {
    Day::parse(text).map_err(|_| StoreError::Corrupt(format!("day '{text}'")))
}

pub(crate) fn flag(value: i64) -> Result<bool, StoreError> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(StoreError::Corrupt(format!("flag {other}"))),
    }
}

/// A new member's record: its profile encrypted, its key sealed to each holder.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub person_id: i64,
    pub added_on: Day,
    pub public_key: String,
    pub profile: Vec<u8>,
    pub seals: Vec<(String, Vec<u8>)>,
}

/// A stored member. `profile` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub organisation_id: i64,
    pub person_id: i64,
    /// The person's name on their account.
    pub name: String,
    pub public_key: String,
    pub profile: Vec<u8>,
    pub version: i64,
    pub added_on: Day,
    /// The day of their last appraisal, as the company secretary recorded it.
    pub appraised_on: Option<Day>,
}

type MemberRow = (
    i64,
    i64,
    i64,
    String,
    String,
    Vec<u8>,
    i64,
    String,
    Option<String>,
);

const MEMBER_COLUMNS: &str = "b.id, b.organisation_id, b.person_id, p.display_name, b.public_key, \
    b.profile, b.version, b.added_on, b.appraised_on";

fn member_from(row: MemberRow) -> Result<Member, StoreError> {
    let (
        id,
        organisation_id,
        person_id,
        name,
        public_key,
        profile,
        version,
        added_on,
        appraised_on,
    ) = row;
    Ok(Member {
        id,
        organisation_id,
        person_id,
        name,
        public_key,
        profile,
        version,
        added_on: day(&added_on)?,
        appraised_on: appraised_on.as_deref().map(day).transpose()?,
    })
}

/// Adds a member with the seals of their record's key, audited, in one transaction. A
/// person already on this board is a conflict.
pub async fn add_member(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member: &NewMember,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO board_members (organisation_id, person_id, public_key, profile, added_on) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org.id)
    .bind(member.person_id)
    .bind(&member.public_key)
    .bind(&member.profile)
    .bind(member.added_on.to_string())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, "This person is already on the board"))?;
    for (holder, sealed) in &member.seals {
        insert_seal(&mut tx, id, holder, sealed).await?;
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.member_added",
            &format!(
                "Added board member {id} (person {}) with {} sealed copies",
                member.person_id,
                member.seals.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The organisation's board members, by name.
pub async fn members(db: &Db, organisation_id: i64) -> Result<Vec<Member>, StoreError> {
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM board_members b JOIN people p ON p.id = b.person_id \
         WHERE b.organisation_id = $1 ORDER BY p.display_name, b.id"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(member_from).collect()
}

/// `$first, $first+1, ...` for `n` values bound in a list.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A search's words as a LIKE pattern: lower case, with `%`, `_` and `\` taken literally.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in query.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A name, or an organisation's name or code. The organisations are matched on their own
/// (a few hundred rows) rather than once for every member.
const SEARCH_WHERE: &str = "(LOWER(p.display_name) LIKE $2 ESCAPE '\\' \
    OR b.organisation_id IN (SELECT id FROM organisations \
    WHERE LOWER(name) LIKE $2 ESCAPE '\\' OR LOWER(ods_code) = $1))";

/// One page of the national register's members matching `query` (a name, an
/// organisation's name or its code), by name, and how many match in all.
pub async fn search_members(
    db: &Db,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Member>, i64), StoreError> {
    // Spaces typed twice or around the words are not part of any name.
    let wanted = query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let pattern = like_pattern(&wanted);
    // The page's ids, sorting only names and ids; the page's records, with their sealed
    // profiles, are read after. With no words, every member in name order walks the
    // index on people's names (migration 0047) instead of sorting them all.
    let (page, total): (Vec<i64>, i64) = if wanted.is_empty() {
        let ids = sqlx::query_scalar(
            "SELECT b.id FROM people p JOIN board_members b ON b.person_id = p.id \
             ORDER BY p.display_name, p.id, b.id LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM board_members")
            .fetch_one(db.pool())
            .await?;
        (ids, total)
    } else {
        // The window count counts every match in the same pass.
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT b.id, COUNT(*) OVER () FROM board_members b \
             JOIN people p ON p.id = b.person_id WHERE {SEARCH_WHERE} \
             ORDER BY p.display_name, p.id, b.id LIMIT $3 OFFSET $4"
        ))
        .bind(&wanted)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
        let total = match rows.first() {
            Some((_, total)) => *total,
            // A page past the end has no rows to carry the count.
            None => {
                sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM board_members b JOIN people p ON p.id = b.person_id \
                     WHERE {SEARCH_WHERE}"
                ))
                .bind(&wanted)
                .bind(&pattern)
                .fetch_one(db.pool())
                .await?
            }
        };
        (rows.into_iter().map(|(id, _)| id).collect(), total)
    };
    if page.is_empty() {
        return Ok((Vec::new(), total));
    }
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM board_members b JOIN people p ON p.id = b.person_id \
         WHERE b.id IN ({})",
        placeholders(1, page.len())
    );
    let mut found = sqlx::query_as::<_, MemberRow>(&sql);
    for id in &page {
        found = found.bind(id);
    }
    let mut members: Vec<Member> = found
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(member_from)
        .collect::<Result<_, _>>()?;
    // Back in the page's order.
    members.sort_by_key(|m| page.iter().position(|id| *id == m.id));
    Ok((members, total))
}

/// The seats of these members, oldest first.
pub async fn seats_of_members(db: &Db, ids: &[i64]) -> Result<Vec<StoredSeat>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, member_id, kind, title, voting, interim, starts_on, ends_on FROM board_seats \
         WHERE member_id IN ({}) ORDER BY starts_on, id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, SeatRow>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(seat_from)
        .collect()
}

/// The day each check was last made, for these members: (member, check, day).
pub async fn last_checks_of_members(
    db: &Db,
    ids: &[i64],
) -> Result<Vec<(i64, CheckKind, Day)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT member_id, kind, MAX(done_on) FROM board_checks WHERE member_id IN ({}) \
         GROUP BY member_id, kind",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, String, String)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(member, kind, done)| {
            Ok((
                member,
                kind.parse()
                    .map_err(|_| StoreError::Corrupt(format!("check '{kind}'")))?,
                day(&done)?,
            ))
        })
        .collect()
}

/// The day each of these members last made their declaration: (member, day).
pub async fn last_declarations_of_members(
    db: &Db,
    ids: &[i64],
) -> Result<Vec<(i64, Day)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT member_id, MAX(made_on) FROM board_declarations WHERE member_id IN ({}) \
         GROUP BY member_id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(member, made)| Ok((member, day(&made)?)))
        .collect()
}

/// One member of this organisation's board; another organisation's is not found.
pub async fn member_in_organisation(
    db: &Db,
    organisation_id: i64,
    id: i64,
) -> Result<Member, StoreError> {
    let row: Option<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM board_members b JOIN people p ON p.id = b.person_id \
         WHERE b.organisation_id = $1 AND b.id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(member_from)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound("There is no such board member".into()))
}

/// A record on any board, by id: for the reference exchange, which crosses boards.
pub async fn member_by_id(db: &Db, id: i64) -> Result<Option<Member>, StoreError> {
    let row: Option<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM board_members b JOIN people p ON p.id = b.person_id \
         WHERE b.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(member_from).transpose()
}

/// Every board record that is this person's, on any organisation's board.
pub async fn records_of_person(db: &Db, person_id: i64) -> Result<Vec<Member>, StoreError> {
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM board_members b JOIN people p ON p.id = b.person_id \
         WHERE b.person_id = $1 ORDER BY b.id"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(member_from).collect()
}

/// Whether this person has a record on any board: a board member gets a key at sign-in
/// so that they can read their own.
pub async fn is_board_member(db: &Db, person_id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM board_members WHERE person_id = $1 LIMIT 1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// A new sealed profile for a member, replacing the one read at `version`.
#[derive(Debug, Clone)]
pub struct ProfileChange<'a> {
    pub member_id: i64,
    pub version: i64,
    pub profile: &'a [u8],
    /// What changed, in a few words, for the audit log.
    pub what: &'a str,
}

/// Replaces a member's sealed profile if no one changed it since it was read.
pub async fn change_profile(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    change: &ProfileChange<'_>,
) -> Result<(), StoreError> {
    let ProfileChange {
        member_id,
        version,
        profile,
        what,
    } = *change;
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE board_members SET profile = $1, version = version + 1 \
         WHERE id = $2 AND organisation_id = $3 AND version = $4",
    )
    .bind(profile)
    .bind(member_id)
    .bind(org.id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Conflict(
            "Someone else changed this record while you were working on it".into(),
        ));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.profile_changed",
            &format!("Board member {member_id}: {what}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A seat as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSeat {
    pub id: i64,
    pub member_id: i64,
    pub seat: Seat,
}

type SeatRow = (i64, i64, String, String, i64, i64, String, Option<String>);

fn seat_from(row: SeatRow) -> Result<StoredSeat, StoreError> {
    let (id, member_id, kind, title, voting, interim, starts_on, ends_on) = row;
    Ok(StoredSeat {
        id,
        member_id,
        seat: Seat {
            kind: kind
                .parse::<SeatKind>()
                .map_err(|_| StoreError::Corrupt(format!("seat '{kind}'")))?,
            title,
            voting: flag(voting)?,
            interim: flag(interim)?,
            starts_on: day(&starts_on)?,
            ends_on: ends_on.as_deref().map(day).transpose()?,
        },
    })
}

/// The seats held by the members of an organisation's board, oldest first.
pub async fn seats(db: &Db, organisation_id: i64) -> Result<Vec<StoredSeat>, StoreError> {
    let rows: Vec<SeatRow> = sqlx::query_as(
        "SELECT s.id, s.member_id, s.kind, s.title, s.voting, s.interim, s.starts_on, s.ends_on \
         FROM board_seats s JOIN board_members b ON b.id = s.member_id \
         WHERE b.organisation_id = $1 ORDER BY s.starts_on, s.id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(seat_from).collect()
}

/// Records a seat on the board, audited.
pub async fn add_seat(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    seat: &Seat,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO board_seats (member_id, kind, title, voting, interim, starts_on, ends_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(member_id)
    .bind(seat.kind.code())
    .bind(&seat.title)
    .bind(i64::from(seat.voting))
    .bind(i64::from(seat.interim))
    .bind(seat.starts_on.to_string())
    .bind(seat.ends_on.map(|d| d.to_string()))
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.seat_added",
            &format!(
                "Board member {member_id}: {} seat from {}",
                seat.kind.code(),
                seat.starts_on
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a seat on a day, audited. The day must not be before the seat began.
pub async fn end_seat(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    seat_id: i64,
    ends_on: Day,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE board_seats SET ends_on = $1 WHERE id = $2 AND member_id = $3 \
         AND ends_on IS NULL AND starts_on <= $1",
    )
    .bind(ends_on.to_string())
    .bind(seat_id)
    .bind(member_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::NotFound(
            "There is no open seat like that, or it began after that day".into(),
        ));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.seat_ended",
            &format!("Board member {member_id}: seat {seat_id} ends {ends_on}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A check as stored. `finding` is ciphertext: what it found and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheck {
    pub id: i64,
    pub member_id: i64,
    pub kind: CheckKind,
    pub done_on: Day,
    pub finding: Vec<u8>,
    pub recorded_by: i64,
}

type CheckRow = (i64, i64, String, String, Vec<u8>, i64);

fn check_from(row: CheckRow) -> Result<StoredCheck, StoreError> {
    let (id, member_id, kind, done_on, finding, recorded_by) = row;
    Ok(StoredCheck {
        id,
        member_id,
        kind: kind
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("check '{kind}'")))?,
        done_on: day(&done_on)?,
        finding,
        recorded_by,
    })
}

/// A member's checks, newest first.
pub async fn checks(db: &Db, member_id: i64) -> Result<Vec<StoredCheck>, StoreError> {
    let rows: Vec<CheckRow> = sqlx::query_as(
        "SELECT id, member_id, kind, done_on, finding, recorded_by FROM board_checks \
         WHERE member_id = $1 ORDER BY done_on DESC, id DESC",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(check_from).collect()
}

/// The day each check was last made on or before `as_of`, for each member of the board:
/// (member, check, day).
pub async fn last_checks(
    db: &Db,
    organisation_id: i64,
    as_of: Day,
) -> Result<Vec<(i64, CheckKind, Day)>, StoreError> {
    // Days are stored as YYYY-MM-DD, so they compare as text.
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT c.member_id, c.kind, MAX(c.done_on) FROM board_checks c \
         JOIN board_members b ON b.id = c.member_id \
         WHERE b.organisation_id = $1 AND c.done_on <= $2 GROUP BY c.member_id, c.kind",
    )
    .bind(organisation_id)
    .bind(as_of.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(member, kind, done)| {
            Ok((
                member,
                kind.parse()
                    .map_err(|_| StoreError::Corrupt(format!("check '{kind}'")))?,
                day(&done)?,
            ))
        })
        .collect()
}

/// A check as the application hands it over: what it found already sealed.
#[derive(Debug, Clone)]
pub struct NewCheck<'a> {
    pub member_id: i64,
    pub kind: CheckKind,
    pub done_on: Day,
    pub finding: &'a [u8],
    pub recorded_by: i64,
}

/// Records a check, audited. The audit entry names the check and its day, never its finding.
pub async fn add_check(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    check: &NewCheck<'_>,
) -> Result<i64, StoreError> {
    let NewCheck {
        member_id,
        kind,
        done_on,
        finding,
        recorded_by,
    } = *check;
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO board_checks (member_id, kind, done_on, finding, recorded_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(member_id)
    .bind(kind.code())
    .bind(done_on.to_string())
    .bind(finding)
    .bind(recorded_by)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.check_recorded",
            &format!("Board member {member_id}: {} on {done_on}", kind.code()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A declaration as stored. `words` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeclaration {
    pub id: i64,
    pub made_on: Day,
    pub words: Vec<u8>,
}

/// A member's declarations, newest first.
pub async fn declarations(db: &Db, member_id: i64) -> Result<Vec<StoredDeclaration>, StoreError> {
    let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, made_on, words FROM board_declarations WHERE member_id = $1 \
         ORDER BY made_on DESC, id DESC",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, made_on, words)| {
            Ok(StoredDeclaration {
                id,
                made_on: day(&made_on)?,
                words,
            })
        })
        .collect()
}

/// The day each member last made their declaration on or before `as_of`: (member, day).
pub async fn last_declarations(
    db: &Db,
    organisation_id: i64,
    as_of: Day,
) -> Result<Vec<(i64, Day)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.member_id, MAX(d.made_on) FROM board_declarations d \
         JOIN board_members b ON b.id = d.member_id \
         WHERE b.organisation_id = $1 AND d.made_on <= $2 GROUP BY d.member_id",
    )
    .bind(organisation_id)
    .bind(as_of.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(member, made)| Ok((member, day(&made)?)))
        .collect()
}

/// Keeps a member's declaration, audited.
pub async fn add_declaration(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    made_on: Day,
    words: &[u8],
) -> Result<(), StoreError> {
    add_dated_words(
        db,
        actor,
        now,
        org,
        DatedWords::Declaration,
        (member_id, made_on, words),
    )
    .await
}

/// The member's own dated words, each kept in a table of the same shape.
#[derive(Debug, Clone, Copy)]
enum DatedWords {
    Declaration,
    SelfAssessment,
}

/// Keeps a member's declaration or self-assessment (sealed words and their day), audited
/// with the day only.
async fn add_dated_words(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    kind: DatedWords,
    (member_id, made_on, words): (i64, Day, &[u8]),
) -> Result<(), StoreError> {
    let (table, action, detail) = match kind {
        DatedWords::Declaration => (
            "board_declarations",
            "board.declaration_made",
            format!("Board member {member_id} made their declaration on {made_on}"),
        ),
        DatedWords::SelfAssessment => (
            "board_self_assessments",
            "board.self_assessed",
            format!("Board member {member_id} rated themself on {made_on}"),
        ),
    };
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!(
        "INSERT INTO {table} (member_id, made_on, words) VALUES ($1, $2, $3)"
    ))
    .bind(member_id)
    .bind(made_on.to_string())
    .bind(words)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, now, &audit_entry(actor, org, action, &detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// `holder`'s sealed copy of a record's key, if they have one.
pub async fn seal_for(
    db: &Db,
    member_id: i64,
    holder: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT sealed FROM board_member_seals WHERE member_id = $1 AND holder = $2",
    )
    .bind(member_id)
    .bind(holder)
    .fetch_optional(db.pool())
    .await?)
}

/// Who holds a copy of a record's key.
pub async fn seal_holders(db: &Db, member_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT holder FROM board_member_seals WHERE member_id = $1 ORDER BY holder",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?)
}

/// Gives copies of a record's key to those now entitled to it and takes them from those no
/// longer entitled, in one audited transaction.
pub async fn change_seals(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    add: &[(String, Vec<u8>)],
    remove: &[String],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    // Two readers opening a record at once both try the same change: only what this
    // one actually changed is audited (outside attack, 2026-12-06: repeated entries).
    let mut removed = Vec::new();
    for holder in remove {
        let done =
            sqlx::query("DELETE FROM board_member_seals WHERE member_id = $1 AND holder = $2")
                .bind(member_id)
                .bind(holder)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() > 0 {
            removed.push(holder.as_str());
        }
    }
    let mut added = Vec::new();
    for (holder, sealed) in add {
        if insert_seal(&mut tx, member_id, holder, sealed).await? {
            added.push(holder.as_str());
        }
    }
    if added.is_empty() && removed.is_empty() {
        tx.commit().await?;
        return Ok(());
    }
    let names = |list: Vec<&str>| {
        if list.is_empty() {
            "no one".to_owned()
        } else {
            list.join(", ")
        }
    };
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.access_changed",
            &format!(
                "Board member {member_id}: record opened to {}; closed to {}",
                names(added),
                names(removed),
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every copy of a key of this organisation's records: (record, its member, holder).
pub async fn org_seals(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.member_id, b.person_id, s.holder FROM board_member_seals s \
         JOIN board_members b ON b.id = s.member_id WHERE b.organisation_id = $1 \
         ORDER BY s.member_id, s.holder",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// Deletes copies of records' keys, `(record, holder)`, in one audited transaction.
pub async fn drop_seals(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    seals: &[(i64, String)],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for (member_id, holder) in seals {
        sqlx::query("DELETE FROM board_member_seals WHERE member_id = $1 AND holder = $2")
            .bind(member_id)
            .bind(holder)
            .execute(&mut *tx)
            .await?;
    }
    let list: Vec<String> = seals
        .iter()
        .map(|(member, holder)| format!("{holder} from board member {member}"))
        .collect();
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.access_changed",
            &format!(
                "Took copies of record keys from people no longer entitled: {}",
                list.join(", ")
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_seal(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    member_id: i64,
    holder: &str,
    sealed: &[u8],
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO board_member_seals (member_id, holder, sealed) VALUES ($1, $2, $3) \
         ON CONFLICT (member_id, holder) DO NOTHING",
    )
    .bind(member_id)
    .bind(holder)
    .bind(sealed)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes "this person read this member's record" to the audit log.
pub async fn record_read(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
) -> Result<(), StoreError> {
    audit::record(
        db,
        now,
        &audit_entry(
            actor,
            org,
            "board.record_read",
            &format!("Read the record of board member {member_id}"),
        ),
    )
    .await?;
    Ok(())
}

/// A made-up board member with years of history, for `dignity bench leadership`.
#[derive(Debug, Clone)]
pub struct SyntheticMember {
    pub email: String,
    pub name: String,
    pub seats: Vec<Seat>,
    pub checks: Vec<(CheckKind, Day)>,
    pub declarations: Vec<Day>,
}

/// Writes made-up board members straight to the tables, with a signed round for each of
/// `rounds` (opened, signed) in which every member seated that day is found fit. No
/// audit, no sealing (the words are a placeholder): only the benchmark calls this.
/// A signed round for the benchmark: its days and its kept return, as JSON.
#[derive(Debug, Clone)]
pub struct BenchmarkRound {
    pub opened: Day,
    pub signed: Day,
    pub return_rows: String,
}

pub async fn insert_board_for_benchmark(
    db: &Db,
    organisation_id: i64,
    members: &[SyntheticMember],
    rounds: &[BenchmarkRound],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(members.len());
    for member in members {
        let person: i64 = sqlx::query_scalar(
            "INSERT INTO people (email, display_name, passphrase_hash, created_at) \
             VALUES ($1, $2, 'bench: nobody signs in', 0) RETURNING id",
        )
        .bind(&member.email)
        .bind(&member.name)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO board_members (organisation_id, person_id, public_key, profile, added_on) \
             VALUES ($1, $2, 'bench', $3, $4) RETURNING id",
        )
        .bind(organisation_id)
        .bind(person)
        .bind(b"bench".as_slice())
        .bind(
            member
                .seats
                .first()
                .map_or_else(String::new, |s| s.starts_on.to_string()),
        )
        .fetch_one(&mut *tx)
        .await?;
        for seat in &member.seats {
            sqlx::query(
                "INSERT INTO board_seats (member_id, kind, title, voting, interim, starts_on, ends_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(seat.kind.code())
            .bind(&seat.title)
            .bind(i64::from(seat.voting))
            .bind(i64::from(seat.interim))
            .bind(seat.starts_on.to_string())
            .bind(seat.ends_on.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await?;
        }
        for (kind, on) in &member.checks {
            sqlx::query(
                "INSERT INTO board_checks (member_id, kind, done_on, finding, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(kind.code())
            .bind(on.to_string())
            .bind(b"bench".as_slice())
            .bind(person)
            .execute(&mut *tx)
            .await?;
        }
        for on in &member.declarations {
            sqlx::query(
                "INSERT INTO board_declarations (member_id, made_on, words) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(on.to_string())
            .bind(b"bench".as_slice())
            .execute(&mut *tx)
            .await?;
        }
        ids.push((id, person, member));
    }
    for BenchmarkRound {
        opened,
        signed,
        return_rows,
    } in rounds
    {
        let round: i64 = sqlx::query_scalar(
            "INSERT INTO board_rounds (organisation_id, year, opened_on, due_on, opened_by, \
             signed_on, signed_by, published, return_rows) \
             VALUES ($1, $2, $3, $4, $5, $4, $5, '[]', $6) RETURNING id",
        )
        .bind(organisation_id)
        .bind(opened.ymd().0)
        .bind(opened.to_string())
        .bind(signed.to_string())
        .bind(ids.first().map_or(0, |(_, person, _)| *person))
        .bind(return_rows)
        .fetch_one(&mut *tx)
        .await?;
        for (id, person, member) in &ids {
            if member.seats.iter().any(|s| s.held_on(*opened)) {
                sqlx::query(
                    "INSERT INTO board_assessments (round_id, member_id, conclusion, \
                     concluded_on, concluded_by) VALUES ($1, $2, 'fit', $3, $4)",
                )
                .bind(round)
                .bind(id)
                .bind(signed.to_string())
                .bind(person)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Records the day of a member's last appraisal, audited.
pub async fn set_appraisal(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    on: Day,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE board_members SET appraised_on = $1 WHERE id = $2 AND organisation_id = $3",
    )
    .bind(on.to_string())
    .bind(member_id)
    .bind(org.id)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.appraisal_recorded",
            &format!("Board member {member_id}: appraised on {on}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a member's self-assessment (sealed), audited.
pub async fn add_self_assessment(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    member_id: i64,
    made_on: Day,
    words: &[u8],
) -> Result<(), StoreError> {
    add_dated_words(
        db,
        actor,
        now,
        org,
        DatedWords::SelfAssessment,
        (member_id, made_on, words),
    )
    .await
}

/// A member's self-assessments, newest first: (day, sealed words).
pub async fn self_assessments(db: &Db, member_id: i64) -> Result<Vec<(Day, Vec<u8>)>, StoreError> {
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT made_on, words FROM board_self_assessments WHERE member_id = $1 \
         ORDER BY made_on DESC, id DESC",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(on, words)| Ok((day(&on)?, words)))
        .collect()
}
