//! Board members' fit and proper person records (issue 21, docs/leadership.md): who is on
//! the board and in which seat, the checks made on each member and when each lapses,
//! their qualifications and employment history, and their own declarations.
//!
//! The words (what a check found and its evidence, qualifications, jobs, the reasons for
//! gaps, declarations) are encrypted under the record's own key, sealed to the
//! organisation's chairs and company secretaries, to the member, and to the recovery key.
//! Writing needs only the record's public key; reading needs an unlocked key, and is
//! audited. Seats and the days checks were made stay plain: the registers and the yearly
//! round are built from them.

pub mod references;
pub mod regions;
pub mod registers;
pub mod rounds;

use crate::er_cases::padded;
use crate::error::Service;
use crate::identity::{CurrentSession, Organisation};
use crate::justculture::Problem;
use crate::{Context, Db, Error};
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::{Email, Role};
use dignity_domain::leadership::{
    self as domain, CheckKind, CheckResult, CheckStanding, Gap, Job, Seat, SeatKind,
};
use dignity_domain::speakup::Day;
use dignity_store::identity as identity_store;
use dignity_store::leadership::{self as store, Member, NewMember, StoredSeat};
use dignity_store::speakup::{self as speakup_store, RECOVERY_HOLDER, person_holder};
use serde::{Deserialize, Serialize};

/// Why no record can be made yet.
pub const NO_RECOVERY_KEY: &str = "Board records need your organisation's recovery key, which is made when Speak Up is set up. Ask your platform administrator to set it up first";

/// Who keeps the records: records seats and checks, adds members.
pub const KEEPERS: &[Role] = &[Role::CompanySecretary];

/// Who reads every record of the board.
pub const READERS: &[Role] = &[Role::Chair, Role::CompanySecretary];

/// Who sees the board's list and its yearly rounds (nothing sealed): its readers, and the
/// senior independent director, who concludes about the chair.
pub const VIEWERS: &[Role] = &[
    Role::Chair,
    Role::CompanySecretary,
    Role::SeniorIndependentDirector,
];

/// The longest free text, in characters.
const TEXT_LIMIT: usize = 4_000;

pub(crate) fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Why a change to a record was not kept.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("Some answers need changing")]
    Form(Vec<Problem>),
    #[error(
        "Your key is locked on this server, so the record cannot be opened. Sign out and sign in again"
    )]
    Locked,
    #[error(
        "You cannot open this record yet. Ask the chair or another company secretary to open it once, which gives you access"
    )]
    NotSealed,
    #[error(transparent)]
    App(#[from] Error),
}

impl From<dignity_store::StoreError> for RecordError {
    fn from(e: dignity_store::StoreError) -> Self {
        RecordError::App(e.into())
    }
}

pub fn may_keep(session: &CurrentSession, org: &Organisation) -> bool {
    session.has_org_role(&org.ods_code, KEEPERS)
}

pub fn may_read(session: &CurrentSession, org: &Organisation) -> bool {
    session.has_org_role(&org.ods_code, READERS)
}

/// A member's qualifications and history, sealed as one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub qualifications: String,
    /// Professional registration: the register and number, or why there is none.
    pub registration: String,
    pub jobs: Vec<Job>,
    pub gap_reasons: Vec<GapReason>,
}

/// Why there was a gap between jobs, as the company secretary recorded it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GapReason {
    pub from: Day,
    pub to: Day,
    pub reason: String,
}

impl Profile {
    /// The gaps that need a reason, each with the reason given, if any.
    pub fn gaps(&self) -> Vec<(Gap, Option<&str>)> {
        domain::gaps(&self.jobs)
            .into_iter()
            .map(|gap| {
                let reason = self
                    .gap_reasons
                    .iter()
                    .find(|r| r.from == gap.from && r.to == gap.to)
                    .map(|r| r.reason.as_str());
                (gap, reason)
            })
            .collect()
    }
}

/// What a check found, sealed as one: the result is a finding too.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Finding {
    pub result: CheckResult,
    pub evidence: String,
}

/// A member's own declaration, sealed as one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Declaration {
    /// "I am of good character and meet every part of the test."
    pub good_character: bool,
    /// "I have not been responsible for, or party to, serious misconduct or mismanagement."
    pub no_serious_misconduct: bool,
    /// What they need to tell, when they cannot say yes to both.
    pub details: String,
}

impl Declaration {
    pub fn is_clear(&self) -> bool {
        self.good_character && self.no_serious_misconduct
    }
}

pub(crate) fn seal_json<T: Serialize>(public_key: &str, value: &T) -> Result<Vec<u8>, Error> {
    let plain = padded(serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))?);
    Ok(encrypt_to(public_key, &plain)?)
}

pub(crate) fn open_json<T: for<'de> Deserialize<'de>>(
    key: &ConcernKey,
    cipher: &[u8],
) -> Result<T, Error> {
    let plain = key.decrypt(cipher)?;
    // The padding after the JSON is spaces, which JSON allows.
    serde_json::from_slice(&plain).map_err(|e| Error::Internal(format!("board record: {e}")))
}

/// The people entitled to a copy of this member's record key: the organisation's chairs
/// and company secretaries with a key, and the member if they have one.
async fn entitled(
    db: &Db,
    org: &Organisation,
    member_person: i64,
) -> Result<Vec<(i64, String)>, Error> {
    let mut found: Vec<(i64, String)> = speakup_store::key_holders(db, org.id)
        .await?
        .into_iter()
        .filter(|h| h.roles.iter().any(|r| READERS.contains(r)) || h.person_id == member_person)
        .map(|h| (h.person_id, h.public_key))
        .collect();
    if !found.iter().any(|(p, _)| *p == member_person)
        && let Some(own) = speakup_store::caseworker_key(db, member_person).await?
    {
        found.push((member_person, own.public_key));
    }
    Ok(found)
}

/// Adds a person of the organisation to its board, with an empty record sealed to those
/// entitled to read it.
pub async fn add_member(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    email: &str,
) -> Result<i64, RecordError> {
    if !may_keep(session, org) {
        return Err(Error::Forbidden.into());
    }
    let email = Email::parse(email)
        .map_err(|e| RecordError::Form(vec![problem("email", e.to_string())]))?;
    let not_here = || {
        RecordError::Form(vec![problem(
            "email",
            format!(
                "No one with that email address is in {}. Ask your organisation administrator to add them first",
                org.name
            ),
        )])
    };
    let Some(person) = identity_store::find_person_by_email(&ctx.db, &email).await? else {
        return Err(not_here());
    };
    let in_org = identity_store::memberships(&ctx.db, person.id)
        .await?
        .iter()
        .any(|m| m.organisation.as_ref().is_some_and(|o| o.id == org.id));
    if !in_org {
        return Err(not_here());
    }
    if person.id == session.person.id {
        return Err(RecordError::Form(vec![problem(
            "email",
            "You cannot add yourself: ask another company secretary, so no one keeps their own record",
        )]));
    }
    let member = match new_record(&ctx.db, org, person.id, ctx.clock.today()).await {
        Ok(member) => member,
        Err(Error::NotSetUp { .. }) => {
            return Err(RecordError::Form(vec![problem("email", NO_RECOVERY_KEY)]));
        }
        Err(e) => return Err(e.into()),
    };
    match store::add_member(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &member,
    )
    .await
    {
        Ok(id) => Ok(id),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("email", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// An empty record for a person, its key sealed to the recovery key and to everyone
/// entitled to read it who has a key.
pub(crate) async fn new_record(
    db: &Db,
    org: &Organisation,
    person_id: i64,
    added_on: Day,
) -> Result<NewMember, Error> {
    let Some(settings) = speakup_store::settings(db, org.id).await? else {
        return Err(Error::NotSetUp {
            organisation: org.name.clone(),
            service: Service::SpeakUp,
        });
    };
    let key = ConcernKey::generate();
    let mut seals = vec![(
        RECOVERY_HOLDER.to_owned(),
        key.seal_to(&settings.recovery_public_key)?,
    )];
    for (holder, public) in entitled(db, org, person_id).await? {
        seals.push((person_holder(holder), key.seal_to(&public)?));
    }
    Ok(NewMember {
        person_id,
        added_on,
        public_key: key.public_key(),
        profile: seal_json(&key.public_key(), &Profile::default())?,
        seals,
    })
}

/// Whether the organisation can keep board records: they need its recovery key.
pub async fn ready(ctx: &Context, org: &Organisation) -> Result<bool, Error> {
    Ok(speakup_store::settings(&ctx.db, org.id).await?.is_some())
}

/// A record this person may see. Only [`record_for`] makes one.
#[derive(Debug, Clone)]
pub struct RecordInHand {
    member: Member,
    /// Whether the one holding it is the member themself (and not a reader of the board).
    pub own: bool,
}

impl std::ops::Deref for RecordInHand {
    type Target = Member;
    fn deref(&self) -> &Member {
        &self.member
    }
}

/// A board member's record, for the board's chairs and company secretaries, or for the
/// member. Anyone else is refused alike for a record that is not theirs and one that does
/// not exist, so they cannot learn which numbers are records.
pub async fn record_for(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    id: i64,
) -> Result<RecordInHand, Error> {
    let reader = may_read(session, org);
    match store::member_in_organisation(&ctx.db, org.id, id).await {
        // A chair or company secretary on their own board is a member of their own
        // record: they read it and declare, but never keep it (outside attack, 2026-12-06:
        // a company secretary could record a clean check on themselves).
        Ok(member) if member.person_id == session.person.id => {
            Ok(RecordInHand { member, own: true })
        }
        Ok(member) if reader => Ok(RecordInHand { member, own: false }),
        Err(dignity_store::StoreError::NotFound(why)) if reader => Err(Error::NotFound(why)),
        Ok(_) | Err(dignity_store::StoreError::NotFound(_)) => Err(Error::Forbidden),
        Err(e) => Err(e.into()),
    }
}

/// One member on the board's list: their seats and where each check stands today.
#[derive(Debug, Clone)]
pub struct Listed {
    pub member: Member,
    pub seats: Vec<StoredSeat>,
    pub checks: Vec<(CheckKind, CheckStanding)>,
    /// When the member last made their declaration; it is due again a year later.
    pub declared_on: Option<Day>,
}

impl Listed {
    /// Checks that are missing or lapsed, and the declaration if it is not current.
    pub fn due(&self, today: Day) -> usize {
        self.checks.iter().filter(|(_, s)| !s.is_current()).count()
            + usize::from(!declaration_current(self.declared_on, today))
    }

    /// Whether every check is current and the declaration made this year.
    pub fn everything_current(&self, today: Day) -> bool {
        self.due(today) == 0
    }

    /// Whether the member holds a seat on `day`.
    pub fn sits_on(&self, day: Day) -> bool {
        self.seats.iter().any(|s| s.seat.held_on(day))
    }
}

/// A declaration is made again every year.
pub fn declaration_current(declared_on: Option<Day>, today: Day) -> bool {
    declared_on.is_some_and(|d| today.days_since(d) < 365)
}

/// The board, each member with their seats and the standing of every check, for its
/// chairs and company secretaries. Nothing here is sealed, so reading it is not audited.
pub async fn board(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Listed>, Error> {
    if !session.has_org_role(&org.ods_code, VIEWERS) {
        return Err(Error::Forbidden);
    }
    drop_lapsed_seals(ctx, session, org).await?;
    listed(ctx, org).await
}

/// Takes copies of record keys from people who are no longer a chair or company secretary
/// here (or whose account is disabled): taking a copy needs no key, so it happens the
/// next time anyone entitled opens the board, for every record at once (outside attack,
/// 2026-12-06: a former company secretary kept copies of records no one had opened since).
async fn drop_lapsed_seals(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<(), Error> {
    let readers: Vec<String> = speakup_store::key_holders(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|h| h.roles.iter().any(|r| READERS.contains(r)))
        .map(|h| person_holder(h.person_id))
        .collect();
    let lapsed: Vec<(i64, String)> = store::org_seals(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|(_, member_person, holder)| {
            holder != RECOVERY_HOLDER
                && *holder != person_holder(*member_person)
                && !readers.contains(holder)
        })
        .map(|(member_id, _, holder)| (member_id, holder))
        .collect();
    if lapsed.is_empty() {
        return Ok(());
    }
    store::drop_seals(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &lapsed,
    )
    .await?;
    Ok(())
}

/// Every member of the board with their seats and where each check stands today.
pub(crate) async fn listed(ctx: &Context, org: &Organisation) -> Result<Vec<Listed>, Error> {
    listed_on(&ctx.db, org, ctx.clock.today()).await
}

/// The board as it stands on `today`.
pub(crate) async fn listed_on(
    db: &Db,
    org: &Organisation,
    today: Day,
) -> Result<Vec<Listed>, Error> {
    let members = store::members(db, org.id).await?;
    let seats = store::seats(db, org.id).await?;
    let last = store::last_checks(db, org.id, today).await?;
    let declared = store::last_declarations(db, org.id, today).await?;
    Ok(members
        .into_iter()
        .map(|member| {
            let checks = CheckKind::ALL
                .iter()
                .map(|kind| {
                    let done = last
                        .iter()
                        .find(|(m, k, _)| *m == member.id && k == kind)
                        .map(|(_, _, d)| *d);
                    (*kind, domain::standing(*kind, done, today))
                })
                .collect();
            Listed {
                seats: seats
                    .iter()
                    .filter(|s| s.member_id == member.id)
                    .cloned()
                    .collect(),
                declared_on: declared
                    .iter()
                    .find(|(m, _)| *m == member.id)
                    .map(|(_, d)| *d),
                checks,
                member,
            }
        })
        .collect())
}

/// One member's seats and where each check stands today, for their record's page.
pub async fn summary(
    ctx: &Context,
    org: &Organisation,
    record: &RecordInHand,
) -> Result<Listed, Error> {
    let today = ctx.clock.today();
    let seats = store::seats(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|s| s.member_id == record.id)
        .collect();
    let last = store::last_checks(&ctx.db, org.id, today).await?;
    let checks = CheckKind::ALL
        .iter()
        .map(|kind| {
            let done = last
                .iter()
                .find(|(m, k, _)| *m == record.id && k == kind)
                .map(|(_, _, d)| *d);
            (*kind, domain::standing(*kind, done, today))
        })
        .collect();
    let declared_on = store::last_declarations(&ctx.db, org.id, today)
        .await?
        .into_iter()
        .find(|(m, _)| *m == record.id)
        .map(|(_, d)| d);
    Ok(Listed {
        member: record.member.clone(),
        seats,
        checks,
        declared_on,
    })
}

/// A check with what it found, opened.
#[derive(Debug, Clone)]
pub struct OpenedCheck {
    pub kind: CheckKind,
    pub done_on: Day,
    pub finding: Finding,
    pub recorded_by: i64,
}

/// A record, opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub profile: Profile,
    pub checks: Vec<OpenedCheck>,
    pub declarations: Vec<(Day, Declaration)>,
    pub self_assessments: Vec<(Day, SelfAssessment)>,
}

/// What reading a record gave.
#[derive(Debug, Clone)]
pub enum Reading {
    /// Their key is not unlocked on this server (signed in elsewhere, or it was restarted).
    Locked,
    /// The record was never sealed to them.
    NotSealed,
    Read(Box<Opened>),
}

/// The record's key, as the signed-in person's unlocked key opens it.
pub(crate) async fn record_key(
    ctx: &Context,
    session: &CurrentSession,
    member_id: i64,
) -> Result<Result<ConcernKey, RecordError>, Error> {
    let Some(secret) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(Err(RecordError::Locked));
    };
    let Some(sealed) =
        store::seal_for(&ctx.db, member_id, &person_holder(session.person.id)).await?
    else {
        return Ok(Err(RecordError::NotSealed));
    };
    Ok(Ok(ConcernKey::unseal(&sealed, &secret)?))
}

/// Gives a copy of the record's key to each chair, company secretary and the member who
/// has a key but no copy, and takes copies from people no longer entitled. Runs when a
/// reader opens the record, since only someone holding the key can make copies.
async fn keep_seals_in_step(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    key: &ConcernKey,
) -> Result<(), Error> {
    let entitled = entitled(&ctx.db, org, record.person_id).await?;
    let held = store::seal_holders(&ctx.db, record.id).await?;
    let mut add = Vec::new();
    for (person_id, public) in &entitled {
        let holder = person_holder(*person_id);
        if !held.contains(&holder) {
            add.push((holder, key.seal_to(public)?));
        }
    }
    let remove: Vec<String> = held
        .into_iter()
        .filter(|h| h != RECOVERY_HOLDER && !entitled.iter().any(|(p, _)| person_holder(*p) == *h))
        .collect();
    if add.is_empty() && remove.is_empty() {
        return Ok(());
    }
    store::change_seals(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
        &add,
        &remove,
    )
    .await?;
    Ok(())
}

/// Opens a record, audited.
pub async fn read(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
) -> Result<Reading, Error> {
    let key = match record_key(ctx, session, record.id).await? {
        Ok(key) => key,
        Err(RecordError::Locked) => return Ok(Reading::Locked),
        Err(_) => return Ok(Reading::NotSealed),
    };
    if !record.own {
        keep_seals_in_step(ctx, session, org, record, &key).await?;
    }
    store::record_read(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
    )
    .await?;
    let profile: Profile = open_json(&key, &record.profile)?;
    let mut checks = Vec::new();
    for check in store::checks(&ctx.db, record.id).await? {
        checks.push(OpenedCheck {
            kind: check.kind,
            done_on: check.done_on,
            finding: open_json(&key, &check.finding)?,
            recorded_by: check.recorded_by,
        });
    }
    let mut declarations = Vec::new();
    for declaration in store::declarations(&ctx.db, record.id).await? {
        declarations.push((declaration.made_on, open_json(&key, &declaration.words)?));
    }
    let mut self_assessments = Vec::new();
    for (on, words) in store::self_assessments(&ctx.db, record.id).await? {
        self_assessments.push((on, open_json(&key, &words)?));
    }
    Ok(Reading::Read(Box::new(Opened {
        profile,
        checks,
        declarations,
        self_assessments,
    })))
}

/// The other boards this member sits on or sat on, by organisation name: shown on the
/// record, and allowed.
pub async fn other_boards(ctx: &Context, record: &RecordInHand) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for other in store::records_of_person(&ctx.db, record.person_id).await? {
        if other.organisation_id != record.organisation_id
            && let Some(org) =
                identity_store::organisation_by_id(&ctx.db, other.organisation_id).await?
        {
            names.push(org.name);
        }
    }
    Ok(names)
}

pub(crate) fn text(
    problems: &mut Vec<Problem>,
    field: &str,
    value: &str,
    missing: Option<&str>,
) -> String {
    let value = value.trim();
    // Words with no letter or number in them (a zero-width space) are no answer.
    if !value.chars().any(char::is_alphanumeric) {
        if let Some(message) = missing {
            problems.push(problem(field, message));
        }
        return String::new();
    }
    if value.chars().count() > TEXT_LIMIT {
        problems.push(problem(
            field,
            format!("Keep this to {TEXT_LIMIT} characters or fewer"),
        ));
    }
    // Marks that turn text round or hide letters would let a record, a return or a
    // register line read differently from what was typed (staff voice refuses them too);
    // a pile of accents on one letter draws over the lines around it (outside attack,
    // 2026-12-06: 3,000 on one letter).
    if domain::piles_marks(value) {
        problems.push(problem(
            field,
            "Take out the accents piled on one letter: no letter needs more than 4",
        ));
    }
    if value.chars().any(|c| {
        dignity_domain::diagnostics::is_hidden_mark(c)
            || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    }) {
        problems.push(problem(
            field,
            "Take out the hidden characters, such as marks that change the direction of text",
        ));
    }
    value.to_owned()
}

/// A one-line answer (a job, an employer): as [`text`], and no line breaks or tabs,
/// which would break the register's lines and the return's rows (outside attack,
/// 2026-12-06: a seat title with a made-up second line).
pub(crate) fn line(
    problems: &mut Vec<Problem>,
    field: &str,
    value: &str,
    missing: Option<&str>,
) -> String {
    let value = text(problems, field, value, missing);
    if value.contains(['\n', '\r', '\t']) {
        problems.push(problem(field, "Keep this to one line"));
    }
    value
}

pub(crate) fn day_field(name: &str) -> String {
    format!("{name}-day")
}

/// What a company secretary sent to record a seat. Dates are read by the page first.
#[derive(Debug, Clone, Default)]
pub struct SeatForm {
    pub kind: String,
    pub title: String,
    pub voting: bool,
    pub interim: bool,
    pub starts_on: Option<Day>,
    pub ends_on: Option<Day>,
}

/// The seat a form describes, or every problem with it at once. The page also calls this
/// when its own date boxes were wrong, so that every problem is named together.
pub fn seat_from(form: &SeatForm, today: Day) -> Result<Seat, Vec<Problem>> {
    let mut problems = Vec::new();
    let kind = form.kind.parse::<SeatKind>().ok();
    if kind.is_none() {
        problems.push(problem(
            "kind",
            "Choose whether this is an executive or non-executive seat",
        ));
    }
    let title = line(
        &mut problems,
        "title",
        &form.title,
        Some("Enter the job, like Chief nurse or Non-executive director"),
    );
    if title.chars().count() > 200 {
        problems.push(problem("title", "Keep the job to 200 characters or fewer"));
    }
    if form.starts_on.is_none() {
        problems.push(problem(
            &day_field("starts_on"),
            "Enter the day the seat began",
        ));
    }
    if let Some(starts) = form.starts_on
        && let Err(refused) = domain::check_seat(starts, form.ends_on, today)
    {
        let field = match refused {
            domain::SeatRefused::EndsBeforeStart | domain::SeatRefused::EndsTooFarAhead => {
                day_field("ends_on")
            }
            domain::SeatRefused::StartsTooFarAhead | domain::SeatRefused::StartsBeforeTheNhs => {
                day_field("starts_on")
            }
        };
        problems.push(problem(&field, refused.to_string()));
    }
    let (Some(kind), Some(starts_on), true) = (kind, form.starts_on, problems.is_empty()) else {
        return Err(problems);
    };
    Ok(Seat {
        kind,
        title,
        voting: form.voting,
        interim: form.interim,
        starts_on,
        ends_on: form.ends_on,
    })
}

pub async fn add_seat(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    form: &SeatForm,
) -> Result<i64, RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let seat = seat_from(form, ctx.clock.today()).map_err(RecordError::Form)?;
    Ok(store::add_seat(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
        &seat,
    )
    .await?)
}

/// Ends a seat that is still open.
pub async fn end_seat(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    seat_id: i64,
    ends_on: Option<Day>,
) -> Result<(), RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let Some(ends_on) = ends_on else {
        return Err(RecordError::Form(vec![problem(
            &day_field("ends_on"),
            "Enter the day the seat ended",
        )]));
    };
    match store::end_seat(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
        seat_id,
        ends_on,
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::NotFound(why)) => {
            Err(RecordError::Form(vec![problem(&day_field("ends_on"), why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a company secretary sent to record a check.
#[derive(Debug, Clone, Default)]
pub struct CheckForm {
    pub kind: String,
    pub done_on: Option<Day>,
    pub result: String,
    pub evidence: String,
}

/// Records a check: its kind, its day, what it found and the evidence. Needs only the
/// record's public key, so a company secretary whose key is locked can still record one.
pub async fn record_check(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    form: &CheckForm,
) -> Result<i64, RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let kind = form.kind.parse::<CheckKind>().ok();
    if kind.is_none() {
        problems.push(problem("kind", "Choose which check this is"));
    }
    let result = form.result.parse::<CheckResult>().ok();
    if result.is_none() {
        problems.push(problem("result", "Choose what the check found"));
    }
    match form.done_on {
        None => problems.push(problem(
            &day_field("done_on"),
            "Enter the day the check was made",
        )),
        Some(on) if on > ctx.clock.today() => problems.push(problem(
            &day_field("done_on"),
            "The day the check was made cannot be in the future",
        )),
        Some(_) => {}
    }
    let missing = match result {
        Some(CheckResult::Concern) => "Say what the check found and what was seen",
        Some(CheckResult::NotApplicable) => "Say why this check does not apply",
        _ => "Enter the evidence: what was seen and where",
    };
    let evidence = text(&mut problems, "evidence", &form.evidence, Some(missing));
    let (Some(kind), Some(result), Some(done_on), true) =
        (kind, result, form.done_on, problems.is_empty())
    else {
        return Err(RecordError::Form(problems));
    };
    let finding = seal_json(&record.public_key, &Finding { result, evidence })?;
    Ok(store::add_check(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &store::NewCheck {
            member_id: record.id,
            kind,
            done_on,
            finding: &finding,
            recorded_by: session.person.id,
        },
    )
    .await?)
}

/// Opens the profile, changes it, checks it and seals it again, refusing if someone else
/// changed it meanwhile.
async fn change_profile(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    (what, field): (&str, &str),
    change: impl FnOnce(&mut Profile) -> Vec<Problem>,
) -> Result<(), RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let key = record_key(ctx, session, record.id).await??;
    let mut profile: Profile = open_json(&key, &record.profile)?;
    let problems = change(&mut profile);
    if !problems.is_empty() {
        return Err(RecordError::Form(problems));
    }
    let sealed = seal_json(&record.public_key, &profile)?;
    match store::change_profile(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &store::ProfileChange {
            member_id: record.id,
            version: record.version,
            profile: &sealed,
            what,
        },
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => Err(RecordError::Form(vec![problem(
            field,
            format!("{why}. Check the record as it is now and send again"),
        )])),
        Err(e) => Err(e.into()),
    }
}

/// Sets the member's qualifications and professional registration.
pub async fn set_qualifications(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    qualifications: &str,
    registration: &str,
) -> Result<(), RecordError> {
    let mut problems = Vec::new();
    let qualifications = text(
        &mut problems,
        "qualifications",
        qualifications,
        Some("Enter their qualifications, or write none"),
    );
    let registration = text(
        &mut problems,
        "registration",
        registration,
        Some("Enter their professional registration, or write not registered"),
    );
    if !problems.is_empty() {
        return Err(RecordError::Form(problems));
    }
    change_profile(
        ctx,
        session,
        org,
        record,
        ("qualifications changed", "qualifications"),
        |p| {
            p.qualifications = qualifications;
            p.registration = registration;
            Vec::new()
        },
    )
    .await
}

/// What a company secretary sent to add a job to the employment history.
#[derive(Debug, Clone, Default)]
pub struct JobForm {
    pub employer: String,
    pub role: String,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

/// The job a form describes, or every problem with it at once.
pub fn job_from(form: &JobForm, today: Day) -> Result<Job, Vec<Problem>> {
    let mut problems = Vec::new();
    let employer = line(
        &mut problems,
        "employer",
        &form.employer,
        Some("Enter the employer"),
    );
    let role = line(
        &mut problems,
        "role",
        &form.role,
        Some("Enter the job they did"),
    );
    match form.from {
        None => problems.push(problem(&day_field("from"), "Enter the day the job began")),
        Some(from) => {
            if let Err(refused) = domain::check_job(from, form.to, today) {
                let field = match refused {
                    domain::JobRefused::EndsBeforeStart | domain::JobRefused::EndsTooFarAhead => {
                        day_field("to")
                    }
                    domain::JobRefused::StartsInFuture => day_field("from"),
                };
                problems.push(problem(&field, refused.to_string()));
            }
        }
    }
    match (form.from, problems.is_empty()) {
        (Some(from), true) => Ok(Job {
            employer,
            role,
            from,
            to: form.to,
        }),
        _ => Err(problems),
    }
}

pub async fn add_job(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    form: &JobForm,
) -> Result<(), RecordError> {
    let job = job_from(form, ctx.clock.today()).map_err(RecordError::Form)?;
    change_profile(ctx, session, org, record, ("job added", "employer"), |p| {
        p.jobs.push(job);
        p.jobs.sort_by_key(|j| j.from);
        Vec::new()
    })
    .await
}

/// Records why there was a gap between jobs. The gap is named by its two days, so a
/// reason stays with its gap when more jobs are added.
pub async fn explain_gap(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    from: Option<Day>,
    to: Option<Day>,
    reason: &str,
) -> Result<(), RecordError> {
    let mut problems = Vec::new();
    let reason = text(
        &mut problems,
        "reason",
        reason,
        Some("Say why there was a gap"),
    );
    if !problems.is_empty() {
        return Err(RecordError::Form(problems));
    }
    change_profile(
        ctx,
        session,
        org,
        record,
        ("gap explained", "reason"),
        |p| {
            let gap = domain::gaps(&p.jobs)
                .into_iter()
                .find(|g| Some(g.from) == from && Some(g.to) == to);
            let Some(gap) = gap else {
                return vec![problem(
                    "reason",
                    "That gap is no longer in the history. Check the record as it is now",
                )];
            };
            p.gap_reasons
                .retain(|r| !(r.from == gap.from && r.to == gap.to));
            p.gap_reasons.push(GapReason {
                from: gap.from,
                to: gap.to,
                reason,
            });
            Vec::new()
        },
    )
    .await
}

/// What a member sent as their declaration.
#[derive(Debug, Clone, Default)]
pub struct DeclarationForm {
    pub good_character: String,
    pub no_serious_misconduct: String,
    pub details: String,
}

fn yes_no(problems: &mut Vec<Problem>, field: &str, raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            problems.push(problem(field, "Choose yes or no"));
            None
        }
    }
}

/// The member makes their declaration. Only the member can; it needs only the record's
/// public key, so it works whether or not their own key is unlocked.
pub async fn declare(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    form: &DeclarationForm,
) -> Result<(), RecordError> {
    if !record.own {
        return Err(Error::Forbidden.into());
    }
    still_sits(ctx, org, record, "good_character").await?;
    let mut problems = Vec::new();
    let good = yes_no(&mut problems, "good_character", &form.good_character);
    let clean = yes_no(
        &mut problems,
        "no_serious_misconduct",
        &form.no_serious_misconduct,
    );
    let needs_details = good == Some(false) || clean == Some(false);
    let details = text(
        &mut problems,
        "details",
        &form.details,
        needs_details.then_some("Tell us what happened, so the chair can consider it"),
    );
    let (Some(good_character), Some(no_serious_misconduct), true) =
        (good, clean, problems.is_empty())
    else {
        return Err(RecordError::Form(problems));
    };
    let words = seal_json(
        &record.public_key,
        &Declaration {
            good_character,
            no_serious_misconduct,
            details,
        },
    )?;
    store::add_declaration(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
        ctx.clock.today(),
        &words,
    )
    .await?;
    Ok(())
}

/// The records that are this person's own, with their organisations.
pub async fn own_records(
    ctx: &Context,
    session: &CurrentSession,
) -> Result<Vec<(Organisation, RecordInHand)>, Error> {
    let mut found = Vec::new();
    for member in store::records_of_person(&ctx.db, session.person.id).await? {
        if let Some(org) =
            identity_store::organisation_by_id(&ctx.db, member.organisation_id).await?
        {
            found.push((org, RecordInHand { member, own: true }));
        }
    }
    Ok(found)
}

/// Whether this person is on any board, so they get a key at sign-in to read their record.
pub(crate) async fn is_board_member(ctx: &Context, person_id: i64) -> Result<bool, Error> {
    Ok(store::is_board_member(&ctx.db, person_id).await?)
}

/// Gives a chair, company secretary or member copies of the records they are entitled
/// to and cannot open, opening each with the organisation's recovery key, audited
/// (`dignity admin board-recover`). For a board whose every reader has changed since a
/// record was last opened, this is the only way back in. Returns how many records they
/// gained.
pub async fn recover(
    operator: &crate::admin::Operator,
    org: &Organisation,
    person: &crate::identity::Person,
    recovery: &dignity_crypto::speakup::SecretKey,
) -> Result<usize, Error> {
    let db = operator.db();
    let Some(settings) = speakup_store::settings(db, org.id).await? else {
        return Err(Error::NotFound(format!(
            "{} has no recovery key: Speak Up is not set up",
            org.name
        )));
    };
    if settings.recovery_public_key != dignity_crypto::speakup::public_key(recovery) {
        return Err(Error::Conflict(format!(
            "that is not {}'s recovery key",
            org.name
        )));
    }
    let Some(own_key) = speakup_store::caseworker_key(db, person.id).await? else {
        return Err(Error::NotFound(format!(
            "{} has no key yet: they must sign in once first",
            person.email
        )));
    };
    let reader = identity_store::memberships(db, person.id)
        .await?
        .iter()
        .any(|m| {
            m.organisation.as_ref().is_some_and(|o| o.id == org.id) && READERS.contains(&m.role)
        });
    let holder = person_holder(person.id);
    let mut gained = 0;
    for member in store::members(db, org.id).await? {
        if !reader && member.person_id != person.id {
            continue;
        }
        if store::seal_for(db, member.id, &holder).await?.is_some() {
            continue;
        }
        let Some(sealed) = store::seal_for(db, member.id, RECOVERY_HOLDER).await? else {
            continue;
        };
        let key = ConcernKey::unseal(&sealed, recovery)?;
        store::change_seals(
            db,
            operator.actor(),
            operator.clock().now(),
            org,
            member.id,
            &[(holder.clone(), key.seal_to(&own_key.public_key)?)],
            &[],
        )
        .await?;
        gained += 1;
    }
    if gained == 0 && !reader && !store::is_board_member(db, person.id).await? {
        return Err(Error::Conflict(format!(
            "{} is not a chair, company secretary or board member of {}",
            person.email, org.name
        )));
    }
    Ok(gained)
}

/// A member's rating of themself in each of the six areas, and what they want to develop,
/// sealed as one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SelfAssessment {
    pub ratings: Vec<(
        dignity_domain::leadership::Competency,
        dignity_domain::leadership::SelfRating,
    )>,
    pub to_develop: String,
}

/// The field a rating is sent in.
pub fn rating_field(area: dignity_domain::leadership::Competency) -> String {
    format!("rating-{}", area.code())
}

/// The member rates themself in every area. Only the member can; like a declaration it
/// needs only the record's public key. `ratings` are (field, value) as sent.
pub async fn self_assess(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    ratings: &[(String, String)],
    to_develop: &str,
) -> Result<(), RecordError> {
    use dignity_domain::leadership::{Competency, SelfRating};
    if !record.own {
        return Err(Error::Forbidden.into());
    }
    still_sits(ctx, org, record, "to_develop").await?;
    let mut problems = Vec::new();
    let mut chosen = Vec::new();
    for area in Competency::ALL {
        let field = rating_field(*area);
        match ratings
            .iter()
            .find(|(k, _)| *k == field)
            .and_then(|(_, v)| v.parse::<SelfRating>().ok())
        {
            Some(rating) => chosen.push((*area, rating)),
            None => problems.push(problem(
                &field,
                format!("Choose how you rate yourself on: {}", area.label()),
            )),
        }
    }
    let to_develop = text(&mut problems, "to_develop", to_develop, None);
    if !problems.is_empty() {
        return Err(RecordError::Form(problems));
    }
    let words = seal_json(
        &record.public_key,
        &SelfAssessment {
            ratings: chosen,
            to_develop,
        },
    )?;
    store::add_self_assessment(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        record.id,
        ctx.clock.today(),
        &words,
    )
    .await?;
    Ok(())
}

/// Refuses a member's own words on the record of a board they have left: a board they no
/// longer sit on has nothing to ask of them (outside attack, 2026-12-06: declarations
/// added after leaving). Someone with no seat recorded yet is still joining.
async fn still_sits(
    ctx: &Context,
    org: &Organisation,
    record: &RecordInHand,
    field: &str,
) -> Result<(), RecordError> {
    let today = ctx.clock.today();
    let seats: Vec<_> = store::seats(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|s| s.member_id == record.id)
        .collect();
    if !seats.is_empty()
        && seats
            .iter()
            .all(|s| s.seat.ends_on.is_some_and(|end| end < today))
    {
        return Err(RecordError::Form(vec![problem(
            field,
            format!(
                "You have left the board of {}, so there is nothing more to give it",
                org.name
            ),
        )]));
    }
    Ok(())
}

/// The company secretary records the day of the member's last appraisal.
pub async fn record_appraisal(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    on: Option<Day>,
) -> Result<(), RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    match on {
        None => Err(RecordError::Form(vec![problem(
            &day_field("appraised_on"),
            "Enter the day of their appraisal",
        )])),
        Some(on) if on > ctx.clock.today() => Err(RecordError::Form(vec![problem(
            &day_field("appraised_on"),
            "The day of their appraisal cannot be in the future",
        )])),
        // The appraisal is of their work on the board: not before their first seat, and
        // not older than the one recorded (outside attack, 2026-12-06: a typing mistake
        // of 1900, or an old date, replaced the newest).
        Some(on)
            if first_seat(ctx, org, record)
                .await?
                .is_some_and(|first| on < first) =>
        {
            Err(RecordError::Form(vec![problem(
                &day_field("appraised_on"),
                "The day of their appraisal must be on or after the day their first seat began",
            )]))
        }
        Some(on) if record.appraised_on.is_some_and(|last| on < last) => {
            Err(RecordError::Form(vec![problem(
                &day_field("appraised_on"),
                format!(
                    "Their last appraisal is recorded as {}. Enter a later one",
                    record.appraised_on.map(Day::long).unwrap_or_default()
                ),
            )]))
        }
        Some(on) => Ok(store::set_appraisal(
            &ctx.db,
            &session.person.email,
            ctx.clock.now(),
            org,
            record.id,
            on,
        )
        .await?),
    }
}

/// The day a member's first seat began, if they have one.
async fn first_seat(
    ctx: &Context,
    org: &Organisation,
    record: &RecordInHand,
) -> Result<Option<Day>, Error> {
    Ok(store::seats(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|s| s.member_id == record.id)
        .map(|s| s.seat.starts_on)
        .min())
}
