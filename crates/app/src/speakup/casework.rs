//! A caseworker's work on cases: who may read which case, the case list, reading a case
//! and writing to it. Every read and change is audited.

use super::attachment;
use super::report::Report;
use crate::identity::{CurrentSession, Member, Membership, Organisation, record};
use crate::{Context, Error};
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::{InvalidValue, OdsCode, Role};
use dignity_domain::speakup::{CaseStatus, CaseType, Day, EntryKind, GrievanceStage};
use dignity_store::identity;
use dignity_store::speakup::{self, Case, CaseChange, person_holder};
use zeroize::Zeroizing;

/// The organisation a caseworker's page is about.
pub async fn organisation(ctx: &Context, ods: &str) -> Result<Organisation, Error> {
    let code = OdsCode::parse(ods).map_err(|e| Error::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&ctx.db, &code).await?)
}

/// The organisation's guardians, for assigning cases and naming who holds one.
pub async fn guardians(ctx: &Context, org: &Organisation) -> Result<Vec<Member>, Error> {
    Ok(identity::list_members(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|m| m.roles.contains(&Role::Guardian))
        .collect())
}

/// The one rule for who may read a case: someone who holds, in the case's organisation,
/// one of the roles that read its kind (`CaseType::readers`: guardians read every case,
/// employee relations leads grievances only). `roles_there` are the roles they hold in
/// that organisation. The case pages ([`may_read`]), sealing a new case to its readers,
/// offering past cases to colleagues and the operator's recovery all ask this.
pub fn reads(roles_there: &[Role], case_type: CaseType) -> bool {
    case_type.readers().iter().any(|r| roles_there.contains(r))
}

/// Whether someone with these roles in an organisation reads some kind of case there, and
/// so needs a case key and sees how many cases wait for them.
pub fn reads_some_case(roles_there: &[Role]) -> bool {
    CaseType::ALL.iter().any(|t| reads(roles_there, *t))
}

/// The roles someone holds in one organisation.
pub fn roles_in(memberships: &[Membership], organisation_id: i64) -> Vec<Role> {
    memberships
        .iter()
        .filter(|m| {
            m.organisation
                .as_ref()
                .is_some_and(|o| o.id == organisation_id)
        })
        .map(|m| m.role)
        .collect()
}

/// Whether this session's person may read a kind of case in the organisation ([`reads`]).
pub fn may_read(session: &CurrentSession, org: &Organisation, case_type: CaseType) -> bool {
    reads(&roles_in(&session.memberships, org.id), case_type)
}

/// A case someone has been allowed to handle: only [`case_for`] makes one, after
/// [`may_read`], and every use-case that reads, writes or changes a case takes one. So no
/// caller can reach a case's content without the one rule having been asked.
#[derive(Debug, Clone)]
pub struct InHand(Case);

impl InHand {
    /// The case itself, to show. A `Case` cannot be made back into an `InHand`.
    pub fn into_case(self) -> Case {
        self.0
    }
}

impl std::ops::Deref for InHand {
    type Target = Case;
    fn deref(&self) -> &Case {
        &self.0
    }
}

/// A case this person may handle, or `Forbidden`.
pub async fn case_for(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case_id: i64,
) -> Result<InHand, Error> {
    let case = speakup::case_in_organisation(&ctx.db, org.id, case_id).await?;
    if !may_read(session, org, case.case_type) {
        return Err(Error::Forbidden);
    }
    Ok(InHand(case))
}

/// Which of a case's dates have passed, as of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Late {
    /// Still new the day after it was to be acknowledged.
    pub reply: bool,
    /// A grievance at a stage with a time limit, past the stage's date.
    pub stage: bool,
    closed: bool,
}

impl Late {
    pub fn of(case: &Case, today: Day) -> Late {
        Late {
            reply: case.status == CaseStatus::New && today > case.acknowledge_by,
            stage: case.stage.is_some_and(|s| s != GrievanceStage::Outcome)
                && case.stage_due.is_some_and(|due| today > due),
            closed: case.status == CaseStatus::Closed,
        }
    }

    /// Overdue, as the case list filters and the home page counts: open, and late for a
    /// reply or for its grievance stage.
    pub fn counts(self) -> bool {
        !self.closed && (self.reply || self.stage)
    }
}

/// A case as a row of the list.
#[derive(Clone)]
pub struct Listed {
    pub case: Case,
    /// Open, and not acknowledged in time or at a grievance stage past its date
    /// ([`Late::counts`]).
    pub overdue: bool,
    /// The guardian it is assigned to.
    pub assigned: Option<String>,
    /// Closed, and the check that the person suffered no detriment is due.
    pub detriment_due: bool,
    /// Whether the person who spoke up has seen the latest reply.
    pub reporter_read: ReporterRead,
}

/// Whether the person who spoke up has opened their conversation since the latest reply
/// (a message or the outcome), as caseworkers are shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReporterRead {
    /// Nothing has been written to them yet.
    NoReply,
    /// Not read, or read today.
    NotYet,
    Read,
}

impl ReporterRead {
    /// A read shows only from the day after it. The store keeps the day of the first
    /// visit after a reply, never a time; if pages showed it at once, a caseworker
    /// refreshing the list could time an anonymous person's visit to the minute
    /// (docs/threat-model.md).
    pub fn of(case: &Case, today: Day) -> ReporterRead {
        match (case.last_reply_on, case.reporter_read_on) {
            (None, _) => ReporterRead::NoReply,
            (Some(_), Some(read)) if read < today => ReporterRead::Read,
            _ => ReporterRead::NotYet,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReporterRead::NoReply => "No reply yet",
            ReporterRead::NotYet => "Not yet",
            ReporterRead::Read => "Read",
        }
    }
}

/// Which cases a caseworker's list shows. Every part is optional; together they narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: StatusFilter,
    /// Only cases past a date (see [`Listed::overdue`]).
    pub overdue: bool,
    pub case_type: Option<CaseType>,
    /// Only cases assigned to the person looking.
    pub mine: bool,
    /// Cases by their number, or part of it.
    pub number: Option<CaseNumber>,
}

/// A status to filter by: any, any open one, or one in particular.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Any,
    Open,
    Is(CaseStatus),
}

impl StatusFilter {
    /// From the list's form: "", "open" or a status's code.
    pub fn parse(raw: &str) -> Option<StatusFilter> {
        match raw.trim() {
            "" => Some(StatusFilter::Any),
            "open" => Some(StatusFilter::Open),
            code => code.parse().ok().map(StatusFilter::Is),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::Any => "",
            StatusFilter::Open => "open",
            StatusFilter::Is(status) => status.code(),
        }
    }
}

impl Filter {
    /// Whether a row is kept, for the person with this id looking.
    pub fn keeps(&self, row: &Listed, me: i64) -> bool {
        let status = match self.status {
            StatusFilter::Any => true,
            StatusFilter::Open => row.case.status != CaseStatus::Closed,
            StatusFilter::Is(s) => row.case.status == s,
        };
        status
            && (!self.overdue || row.overdue)
            && self.case_type.is_none_or(|t| row.case.case_type == t)
            && (!self.mine || row.case.assigned_to == Some(me))
            && self.number.as_ref().is_none_or(|n| n.matches(row.case.id))
    }

    /// Whether anything narrows the list.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// The fewest digits that find cases by part of their number. A case number has up to 19
/// digits; fewer than this would match too many cases to be a search.
pub const PART_DIGITS: usize = 4;

/// A case number, or part of one, as someone types it ("1234", "Concern 1234", "12 34").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumber {
    digits: String,
}

impl CaseNumber {
    /// The digits typed, as shown back to the person.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// Whether the case with this number is meant: its number, or (with at least
    /// [`PART_DIGITS`] digits typed) any case whose number has them in a row anywhere.
    pub fn matches(&self, id: i64) -> bool {
        let number = id.to_string();
        if self.digits.len() >= PART_DIGITS {
            number.contains(&self.digits)
        } else {
            number == self.digits
        }
    }
}

/// A case number as someone types it: its digits, or nothing when it is not a number
/// (or is longer than any case number).
pub fn case_number(typed: &str) -> Option<CaseNumber> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let rest = typed
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let named = rest.is_empty() || rest == "concern" || rest == "grievance" || rest == "case";
    let fits = !digits.is_empty() && digits.len() <= i64::MAX.to_string().len();
    (named && fits).then_some(CaseNumber { digits })
}

/// How many of the cases this person may read are open, and how many are overdue, for
/// their home page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: usize,
    pub overdue: usize,
}

pub async fn counts(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Counts, Error> {
    let rows = list(ctx, session, org).await?;
    Ok(Counts {
        open: rows
            .iter()
            .filter(|r| r.case.status != CaseStatus::Closed)
            .count(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
    })
}

/// The cases this person may read in the organisation, as of today.
pub async fn list(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Listed>, Error> {
    let today = ctx.clock.today();
    let names = guardians(ctx, org).await?;
    let mut listed = Vec::new();
    for case in speakup::list_cases(&ctx.db, org.id).await? {
        if !may_read(session, org, case.case_type) {
            continue;
        }
        let assigned = case
            .assigned_to
            .and_then(|id| names.iter().find(|m| m.person_id == id))
            .map(|m| m.display_name.clone());
        let overdue = Late::of(&case, today).counts();
        let detriment_due = case.status == CaseStatus::Closed
            && case.detriment_checked_on.is_none()
            && case.detriment_check_due.is_some_and(|d| d <= today);
        listed.push(Listed {
            reporter_read: ReporterRead::of(&case, today),
            case,
            overdue,
            assigned,
            detriment_due,
        });
    }
    Ok(listed)
}

/// Whether Speak Up is turned on for the organisation.
pub async fn is_set_up(ctx: &Context, org: &Organisation) -> Result<bool, Error> {
    Ok(speakup::settings(&ctx.db, org.id).await?.is_some())
}

/// Whether this session holds an unlocked case key on this server.
pub fn is_unlocked(ctx: &Context, session: &CurrentSession) -> bool {
    ctx.keys
        .get(&session.session_digest, ctx.clock.now())
        .is_some()
}

/// What a caseworker gets when they try to open a case.
enum Opened {
    Key(ConcernKey),
    /// Their key is not unlocked in this server: they must give their passphrase.
    Locked,
    /// The case has not been sealed to them yet.
    NotSealed,
}

/// The key to a case for this session's caseworker. It takes an [`InHand`], so a case key
/// is never unsealed for someone [`may_read`] has not let handle the case.
async fn open_case(
    ctx: &Context,
    session: &CurrentSession,
    case: &InHand,
) -> Result<Opened, Error> {
    let Some(key) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(Opened::Locked);
    };
    let holder = person_holder(session.person.id);
    let Some(sealed) = speakup::seal_for(&ctx.db, case.id, &holder).await? else {
        return Ok(Opened::NotSealed);
    };
    Ok(Opened::Key(ConcernKey::unseal(&sealed, &key)?))
}

/// One entry as a caseworker reads it.
pub struct ReadEntry {
    pub id: i64,
    pub kind: EntryKind,
    pub author: Option<String>,
    pub written_on: Day,
    /// The text, or for a file its name; `None` when it failed its integrity check.
    pub text: Option<String>,
}

/// A case as its caseworker reads it.
pub enum Reading {
    Read {
        report: Box<Option<Report>>,
        entries: Vec<ReadEntry>,
    },
    /// Their key is not unlocked on this server: they must give their passphrase.
    Locked,
    /// The case has not been sealed to them yet.
    NotSealed,
}

/// Opens and reads a case, recording the read. Ciphertext that fails its integrity check
/// is a security event and goes in the audit log.
pub async fn read(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
) -> Result<Reading, Error> {
    let key = match open_case(ctx, session, case).await? {
        Opened::Key(key) => key,
        Opened::Locked => return Ok(Reading::Locked),
        Opened::NotSealed => return Ok(Reading::NotSealed),
    };
    speakup::record_read(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
    )
    .await?;
    let (report, entries) = decrypt_all(ctx, &key, case.id).await?;
    if entries.iter().any(|e| e.text.is_none()) || report.is_none() {
        let detail = format!(
            "Case {} holds encrypted data that failed its integrity check",
            case.id
        );
        record(
            ctx,
            &session.person.email,
            Some(&org.ods_code),
            "speakup.tampered",
            &detail,
        )
        .await?;
    }
    Ok(Reading::Read {
        report: Box::new(report),
        entries,
    })
}

async fn decrypt_all(
    ctx: &Context,
    key: &ConcernKey,
    case_id: i64,
) -> Result<(Option<Report>, Vec<ReadEntry>), Error> {
    let mut report = None;
    let mut read = Vec::new();
    for entry in speakup::entries(&ctx.db, case_id).await? {
        let plain = key.decrypt(&entry.ciphertext);
        if let Err(e) = &plain {
            tracing::error!(case = case_id, entry = entry.id, cause = %e, "a case entry failed its integrity check");
        }
        if entry.kind == EntryKind::Report {
            report = plain
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            continue;
        }
        let text = match (entry.kind, plain) {
            // For a file, its name; the file itself is downloaded on its own.
            (EntryKind::Attachment, Ok(bytes)) => attachment::unpack(&bytes).map(|(name, ..)| name),
            (_, Ok(bytes)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            (_, Err(_)) => None,
        };
        read.push(ReadEntry {
            id: entry.id,
            kind: entry.kind,
            author: entry.author_name,
            written_on: entry.written_on,
            text,
        });
    }
    Ok((report, read))
}

/// A file sent with a case, decrypted for its caseworker.
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Zeroizing<Vec<u8>>,
}

/// A file on a case, for download; the download is audited.
pub async fn attachment(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    entry_id: i64,
) -> Result<File, Error> {
    let Opened::Key(key) = open_case(ctx, session, case).await? else {
        return Err(Error::Forbidden);
    };
    let entry = speakup::entries(&ctx.db, case.id)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id && e.kind == EntryKind::Attachment)
        .ok_or_else(|| Error::NotFound("There is no such file on this case.".into()))?;
    let plain = key.decrypt(&entry.ciphertext)?;
    let (name, content_type, bytes) = attachment::unpack(&plain)
        .ok_or_else(|| Error::Internal(format!("attachment {entry_id} has no header")))?;
    let detail = format!("Downloaded {name} from case {}", case.id);
    record(
        ctx,
        &session.person.email,
        Some(&org.ods_code),
        "speakup.attachment_read",
        &detail,
    )
    .await?;
    Ok(File {
        name,
        content_type,
        bytes: Zeroizing::new(bytes.to_vec()),
    })
}

/// The most characters an entry written by a caseworker may hold.
pub const MOST_ENTRY_CHARS: usize = 10_000;

/// What a caseworker wrote, trimmed, if it may be kept: something, and not too long. An
/// empty box is told what each kind of entry needs.
fn entry_text(kind: EntryKind, text: &str) -> Result<&str, Error> {
    let text = text.trim();
    let problem = if text.is_empty() {
        match kind {
            EntryKind::ToReporter => "Write a message",
            EntryKind::Note => "Write a note",
            EntryKind::Referral => "Say who you referred the case to and what happened",
            _ => "Write a short summary of the outcome",
        }
    } else if text.chars().count() > MOST_ENTRY_CHARS {
        "Write 10,000 characters or fewer"
    } else {
        return Ok(text);
    };
    Err(Error::Invalid(InvalidValue::Message(problem)))
}

/// Adds an entry written by a caseworker (a message, note, referral, outcome or
/// detriment check), encrypted to the case and dated by the day. An outcome closes it.
/// An empty or too long text ([`MOST_ENTRY_CHARS`]) is `Error::Invalid`, with words
/// for the person, and changes nothing.
pub async fn write(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    kind: EntryKind,
    text: &str,
) -> Result<(), Error> {
    let text = entry_text(kind, text)?;
    if kind == EntryKind::Closure {
        // Closed first, checked against the case as it is now (in the store's
        // transaction), so of two guardians closing at once only one writes an outcome.
        let closed = change(
            ctx,
            session,
            org,
            case,
            &CaseChange::Status(CaseStatus::Closed),
        )
        .await;
        if let Err(Error::Invalid(_)) = closed {
            return Err(Error::Conflict("This case is already closed.".into()));
        }
        closed?;
    }
    if kind == EntryKind::ToReporter && case.status == CaseStatus::New {
        // A first reply shows the case has been read: the person who spoke up sees that,
        // and the return counts it as acknowledged. Another guardian may have moved it on
        // a moment ago; then there is nothing to do.
        match change(
            ctx,
            session,
            org,
            case,
            &CaseChange::Status(CaseStatus::Acknowledged),
        )
        .await
        {
            Ok(_) | Err(Error::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let ciphertext = encrypt_to(&case.public_key, text.as_bytes())?;
    speakup::add_entry(
        &ctx.db,
        case.id,
        kind,
        Some(session.person.id),
        ctx.clock.today(),
        &ciphertext,
    )
    .await?;
    Ok(())
}

/// Records that a case was referred on: to whom, and what happened. Both are needed.
pub async fn refer(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    to_whom: &str,
    what_happened: &str,
) -> Result<(), Error> {
    let (to_whom, what_happened) = (to_whom.trim(), what_happened.trim());
    let text = if to_whom.is_empty() || what_happened.is_empty() {
        String::new()
    } else {
        format!("Referred to: {to_whom}\n{what_happened}")
    };
    write(ctx, session, org, case, EntryKind::Referral, &text).await
}

/// Notes the check, after a case is closed, that the person who spoke up suffered no
/// detriment for it; an empty note adds no entry. The finding itself is a [`change`].
pub async fn note_detriment_check(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    note: &str,
) -> Result<(), Error> {
    let note = note.trim();
    if !note.is_empty() {
        // Too long is said before anything else, as the form's own problem.
        entry_text(EntryKind::DetrimentCheck, note)?;
    }
    if case.status != CaseStatus::Closed {
        return Err(Error::Conflict(
            "The detriment check is made after a case is closed.".into(),
        ));
    }
    if note.is_empty() {
        return Ok(());
    }
    write(ctx, session, org, case, EntryKind::DetrimentCheck, note).await
}

/// The name of the place a case is about, from the organisation's own list.
pub async fn place_of(
    ctx: &Context,
    org: &Organisation,
    case: &Case,
) -> Result<Option<String>, Error> {
    let Some(id) = case.org_unit_id else {
        return Ok(None);
    };
    Ok(identity::list_org_units(&ctx.db, org.id)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.name))
}

/// Changes a case's status, stage, guardian or record, audited. A change the case's
/// state does not allow, or a professional group not in the installation's list, comes
/// back as `Error::Invalid`, for the page to explain.
pub async fn change(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    change: &CaseChange,
) -> Result<(), Error> {
    if let CaseChange::Record {
        professional_group: Some(group),
        ..
    } = change
        && !ctx.professional_groups.iter().any(|g| g == group)
    {
        return Err(Error::Invalid(InvalidValue::Message(
            "Choose a professional group from the list",
        )));
    }
    speakup::change_case(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        change,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|_| Day::from_unix_seconds(0))
    }

    #[test]
    fn a_read_shows_only_from_the_day_after() {
        let mut case = test_case();
        let today = day("2026-12-04");
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NoReply);
        case.last_reply_on = Some(day("2026-12-01"));
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NotYet);
        // Read today: not shown until tomorrow, so the visit cannot be timed.
        case.reporter_read_on = Some(today);
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NotYet);
        assert_eq!(
            ReporterRead::of(&case, day("2026-12-05")),
            ReporterRead::Read
        );
    }

    #[test]
    fn case_numbers_are_read_as_people_type_them() {
        let digits = |typed: &str| case_number(typed).map(|n| n.digits().to_owned());
        assert_eq!(digits("1234").as_deref(), Some("1234"));
        assert_eq!(digits(" Concern 12 34 ").as_deref(), Some("1234"));
        assert_eq!(digits("grievance 7").as_deref(), Some("7"));
        assert_eq!(digits("12a"), None);
        assert_eq!(digits("'; DROP TABLE cases"), None);
        assert_eq!(digits(""), None);
        assert_eq!(digits("concern"), None);
        assert_eq!(digits("99999999999999999999999"), None);
    }

    #[test]
    fn part_of_a_case_number_finds_it_from_four_digits() {
        let id = 4_611_686_018_427_387_903;
        let finds = |typed: &str| case_number(typed).is_some_and(|n| n.matches(id));
        assert!(finds("4611686018427387903"), "the whole number");
        assert!(finds("7903"), "its last digits");
        assert!(finds("Concern 6018 427"), "digits anywhere, as typed");
        assert!(!finds("7904"));
        assert!(!finds("903"), "three digits must be the whole number");
        assert!(case_number("7").is_some_and(|n| n.matches(7)));
    }

    #[test]
    fn filters_narrow_together() {
        let mut case = test_case();
        case.assigned_to = Some(7);
        let row = Listed {
            case,
            overdue: true,
            assigned: None,
            detriment_due: false,
            reporter_read: ReporterRead::NoReply,
        };
        assert!(Filter::default().keeps(&row, 1));
        let mine = Filter {
            mine: true,
            ..Filter::default()
        };
        assert!(mine.keeps(&row, 7));
        assert!(!mine.keeps(&row, 1));
        let closed = Filter {
            status: StatusFilter::Is(CaseStatus::Closed),
            ..Filter::default()
        };
        assert!(!closed.keeps(&row, 7));
        let open_overdue_concerns = Filter {
            status: StatusFilter::Open,
            overdue: true,
            case_type: Some(CaseType::Concern),
            number: case_number(&row.case.id.to_string()),
            ..Filter::default()
        };
        assert!(open_overdue_concerns.keeps(&row, 1));
        let grievances = Filter {
            case_type: Some(CaseType::Grievance),
            ..Filter::default()
        };
        assert!(!grievances.keeps(&row, 1));
        assert_eq!(StatusFilter::parse("open"), Some(StatusFilter::Open));
        assert_eq!(StatusFilter::parse("lost"), None);
    }

    #[test]
    fn guardians_read_every_case_and_er_leads_only_grievances_in_their_own_organisation() {
        assert!(reads(&[Role::Guardian], CaseType::Concern));
        assert!(reads(&[Role::Guardian], CaseType::Grievance));
        assert!(!reads(&[Role::ErLead], CaseType::Concern));
        assert!(reads(&[Role::ErLead], CaseType::Grievance));
        assert!(!reads(
            &[Role::Executive, Role::OrgAdmin],
            CaseType::Grievance
        ));
        assert!(!reads(&[], CaseType::Grievance));
        // The casework pages' role list is exactly those who read some kind of case.
        for role in Role::ALL {
            assert_eq!(
                reads_some_case(&[*role]),
                dignity_domain::speakup::CASEWORKERS.contains(role),
                "{role:?}"
            );
        }
        let membership = |role, id| Membership {
            role,
            organisation: Some(dignity_store::identity::OrgRef {
                id,
                ods_code: format!("R{id}"),
                name: format!("Trust {id}"),
            }),
            region: None,
        };
        let held = [membership(Role::Guardian, 2), membership(Role::ErLead, 1)];
        assert_eq!(roles_in(&held, 1), [Role::ErLead]);
        assert!(
            !reads(&roles_in(&held, 1), CaseType::Concern),
            "a guardian elsewhere"
        );
    }

    #[test]
    fn a_case_is_late_for_its_reply_or_its_stage_and_overdue_only_while_open() {
        let mut case = test_case();
        let on = |text| Late::of(&case, day(text));
        assert_eq!(on("2026-11-25"), Late::default(), "due that day");
        assert!(on("2026-11-26").reply && on("2026-11-26").counts());
        case.status = CaseStatus::Acknowledged;
        case.stage = Some(GrievanceStage::FormalHearing);
        case.stage_due = Some(day("2026-12-01"));
        let late = Late::of(&case, day("2026-12-02"));
        assert!(!late.reply && late.stage && late.counts());
        case.stage = Some(GrievanceStage::Outcome);
        assert!(
            !Late::of(&case, day("2026-12-02")).counts(),
            "no limit once decided"
        );
        case.stage = Some(GrievanceStage::Appeal);
        case.status = CaseStatus::Closed;
        let closed = Late::of(&case, day("2026-12-02"));
        assert!(
            closed.stage && !closed.counts(),
            "a closed case is not overdue"
        );
    }

    #[test]
    fn a_caseworkers_entry_must_say_something_in_at_most_ten_thousand_characters() {
        let refused = |kind, text: &str| match entry_text(kind, text) {
            Err(Error::Invalid(problem)) => problem.to_string(),
            other => panic!("{:?}", other.map(str::to_owned)),
        };
        assert_eq!(refused(EntryKind::Note, "  \n "), "Write a note");
        assert_eq!(refused(EntryKind::ToReporter, ""), "Write a message");
        assert_eq!(
            refused(EntryKind::Referral, ""),
            "Say who you referred the case to and what happened"
        );
        assert_eq!(
            refused(EntryKind::Closure, ""),
            "Write a short summary of the outcome"
        );
        let most = "é".repeat(MOST_ENTRY_CHARS);
        assert_eq!(
            entry_text(EntryKind::Note, &format!(" {most} ")).ok(),
            Some(most.as_str()),
            "characters are counted, not bytes, after trimming"
        );
        assert_eq!(
            refused(EntryKind::Note, &format!("{most}a")),
            "Write 10,000 characters or fewer"
        );
    }

    fn test_case() -> Case {
        Case {
            id: 42,
            organisation_id: 1,
            case_type: CaseType::Concern,
            identity_level: dignity_domain::speakup::IdentityLevel::Anonymous,
            public_key: String::new(),
            receipt_lookup: String::new(),
            receipt_salt: Vec::new(),
            receipt_verifier: Vec::new(),
            status: CaseStatus::New,
            org_unit_id: None,
            patient_safety: dignity_domain::speakup::PatientSafety::No,
            assigned_to: None,
            received_on: day("2026-11-20"),
            acknowledge_by: day("2026-11-25"),
            acknowledged_on: None,
            closed_on: None,
            elements: Vec::new(),
            professional_group: None,
            feedback: None,
            detriment_check_due: None,
            detriment_checked_on: None,
            detriment_found: None,
            stage: None,
            stage_due: None,
            last_reply_on: None,
            reporter_read_on: None,
        }
    }
}
