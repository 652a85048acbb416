//! The just culture decision guide (issue 18): a manager's walk through five questions
//! before taking an incident about a member of staff further, their decision, and the
//! independent check a formal process needs (docs/just-culture.md).
//!
//! Everything written in words about the person is encrypted under the record's own key,
//! sealed to the organisation's employee relations leads and its recovery key, as Speak Up
//! cases are. The manager who wrote it sees what they decided and where the check stands,
//! not the words again: they hold no case key, and the words are about someone else.

use crate::error::Service;
use crate::identity::{CurrentSession, OrgUnit, Organisation};
use crate::speakup::casework::roles_in;
use crate::workforce::person_digester;
use crate::{Clock, Context, Db, Error};
use dignity_crypto::secret::{Digester, InstallationSecret};
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::Role;
use dignity_domain::justculture::{
    self, Answers, CheckRefused, CheckState, Question, REASON_LIMIT, Route,
};
use dignity_domain::speakup::Day;
use dignity_domain::workforce::employee_number;
use dignity_store::justculture::{self as store, Check, Guide, NewGuide};
use dignity_store::speakup::{self as speakup_store, RECOVERY_HOLDER, person_holder};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Who may use the guide: anyone who may manage staff in the organisation.
pub const MANAGERS: &[Role] = &[Role::Staff, Role::ErLead, Role::Executive, Role::OrgAdmin];
/// Who reads every record's words and makes the independent check.
pub const CHECKERS: &[Role] = &[Role::ErLead];

/// The longest description of what happened, in characters.
pub const INCIDENT_LIMIT: usize = 5_000;
/// The longest name, in characters.
pub const NAME_LIMIT: usize = 200;

/// The digest that stands for a person on a record: the workforce extracts' digest of their
/// employee number, digested again with the organisation, so that records about one person
/// link within an organisation (for its fairness figures, which apply the same step to
/// the extracts' digests) but a copy of the database cannot link them across trusts.
pub fn person_in_organisation(secret: &InstallationSecret, org_id: i64, number: &str) -> String {
    let workforce = person_digester(secret).digest(number.as_bytes());
    in_organisation(&organisation_digester(secret), org_id, &workforce)
}

/// The key that turns a workforce extract's digest into an organisation's.
pub(crate) fn organisation_digester(secret: &InstallationSecret) -> Digester {
    secret.digester(PERSON_PURPOSE)
}

/// The digest a record keeps for the person a workforce extract keeps as `workforce`.
pub(crate) fn in_organisation(digester: &Digester, org_id: i64, workforce: &str) -> String {
    digester.digest(format!("{org_id}:{workforce}").as_bytes())
}

const PERSON_PURPOSE: &str = "justculture-person";

/// Words are padded to a multiple of this many bytes before they are encrypted, so a
/// record's length says only roughly how much was written.
const PAD_TO: usize = 4_096;

/// `plain` with spaces after it up to the next multiple of [`PAD_TO`]. JSON and the
/// check's reason (trimmed when read) both ignore trailing spaces.
fn padded(mut plain: Vec<u8>) -> Zeroizing<Vec<u8>> {
    let target = plain.len().div_ceil(PAD_TO).max(1) * PAD_TO;
    plain.resize(target, b' ');
    Zeroizing::new(plain)
}

/// What the manager sent, as typed. Parsing and checking are [`check`]'s.
#[derive(Debug, Clone, Default)]
pub struct GuideForm {
    pub person_name: String,
    pub employee_number: String,
    /// An org unit's id, as typed; blank for none.
    pub unit: String,
    pub incident: String,
    /// Each question's "yes" or "no", in [`Question::ALL`] order; blank if not answered.
    pub answers: [String; 5],
    pub reasons: [String; 5],
    /// The route's code; blank if not chosen yet.
    pub decided: String,
    pub decision_reason: String,
}

/// A problem with one field of the form, named by the field's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// The field ids of a question's answer and reason.
pub fn answer_field(question: Question) -> String {
    format!("q-{}", question.code())
}
pub fn reason_field(question: Question) -> String {
    format!("reason-{}", question.code())
}

/// The answers the form holds, and the route they lead to, or every problem on the way.
/// Questions after the one that settles the route are not needed (the page hides them).
pub fn recommend(form: &GuideForm) -> Result<(Answers, Route), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut answers = [None; 5];
    for ((slot, raw), question) in answers.iter_mut().zip(&form.answers).zip(Question::ALL) {
        if !raw.trim().is_empty() {
            match justculture::yes_no(raw) {
                Ok(answer) => *slot = Some(answer),
                Err(_) => problems.push(problem(answer_field(*question), "Choose yes or no")),
            }
        }
    }
    let answers = Answers(answers);
    for (index, question) in Question::ALL.iter().enumerate() {
        if !answers.asked().contains(question) {
            continue;
        }
        if answers.get(*question).is_none()
            && !problems.iter().any(|p| p.field == answer_field(*question))
        {
            problems.push(problem(
                answer_field(*question),
                format!("Answer the question: {}", question.label()),
            ));
        }
        let reason = form.reasons.get(index).map_or("", |r| r.trim());
        if reason.is_empty() {
            problems.push(problem(
                reason_field(*question),
                "Give a short reason for your answer",
            ));
        } else if reason.chars().count() > REASON_LIMIT {
            problems.push(problem(
                reason_field(*question),
                format!("Keep the reason to {REASON_LIMIT} characters or fewer"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    match answers.recommend() {
        Ok(route) => Ok((answers.trimmed(), route)),
        Err(question) => Err(vec![problem(
            answer_field(question),
            format!("Answer the question: {}", question.label()),
        )]),
    }
}

/// The words of a record, sealed as one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Words {
    pub person_name: String,
    pub incident: String,
    /// A reason for each question asked, in order; blank for one not asked.
    pub reasons: Vec<String>,
    /// Why the manager chose differently from the guide; blank when they did not.
    pub decision_reason: String,
}

/// A record checked and ready to store.
struct Checked {
    words: Words,
    person_digest: Option<String>,
    unit: Option<i64>,
    answers: Answers,
    recommended: Route,
    decided: Route,
}

/// Checks the whole form: the person, what happened, the answers, and the decision.
fn check(
    secret: &InstallationSecret,
    org_id: i64,
    units: &[OrgUnit],
    form: &GuideForm,
) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    let name = form.person_name.trim();
    if name.is_empty() {
        problems.push(problem(
            "person_name",
            "Enter the name of the person this is about",
        ));
    } else if name.chars().count() > NAME_LIMIT {
        problems.push(problem(
            "person_name",
            format!("Keep the name to {NAME_LIMIT} characters or fewer"),
        ));
    }
    let person_digest = match form.employee_number.trim() {
        "" => None,
        typed => match employee_number(typed) {
            Ok(number) => Some(person_in_organisation(secret, org_id, number)),
            Err(why) => {
                problems.push(problem(
                    "employee_number",
                    format!("Check the employee number: {why}"),
                ));
                None
            }
        },
    };
    let unit = match form.unit.trim() {
        "" => None,
        typed => {
            match typed
                .parse::<i64>()
                .ok()
                .filter(|id| units.iter().any(|u| u.id == *id))
            {
                Some(id) => Some(id),
                None => {
                    problems.push(problem("unit", "Choose a team or department from the list"));
                    None
                }
            }
        }
    };
    let incident = form.incident.trim();
    if incident.is_empty() {
        problems.push(problem("incident", "Say briefly what happened"));
    } else if incident.chars().count() > INCIDENT_LIMIT {
        problems.push(problem(
            "incident",
            format!("Keep this to {INCIDENT_LIMIT} characters or fewer"),
        ));
    }
    let walked = recommend(form);
    if let Err(found) = &walked {
        problems.extend(found.iter().cloned());
    }
    let decided = match form.decided.trim() {
        "" => {
            problems.push(problem("decided", "Choose what you will do"));
            None
        }
        code => match code.parse::<Route>() {
            Ok(route) => Some(route),
            Err(_) => {
                problems.push(problem("decided", "Choose what you will do"));
                None
            }
        },
    };
    let decision_reason = form.decision_reason.trim();
    if let (Ok((_, recommended)), Some(decided)) = (&walked, decided)
        && *recommended != decided
        && decision_reason.is_empty()
    {
        problems.push(problem(
            "decision_reason",
            "Say why you chose differently from the guide",
        ));
    }
    if decision_reason.chars().count() > REASON_LIMIT {
        problems.push(problem(
            "decision_reason",
            format!("Keep the reason to {REASON_LIMIT} characters or fewer"),
        ));
    }
    match (walked, decided) {
        (Ok((answers, recommended)), Some(decided)) if problems.is_empty() => {
            let asked = answers.asked();
            let reasons = Question::ALL
                .iter()
                .zip(&form.reasons)
                .map(|(q, r)| {
                    if asked.contains(q) {
                        r.trim().to_owned()
                    } else {
                        String::new()
                    }
                })
                .collect();
            Ok(Checked {
                words: Words {
                    person_name: name.to_owned(),
                    incident: incident.to_owned(),
                    reasons,
                    decision_reason: decision_reason.to_owned(),
                },
                person_digest,
                unit,
                answers,
                recommended,
                decided,
            })
        }
        _ => Err(problems),
    }
}

/// Why a record was not kept.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("Some answers need changing")]
    Form(Vec<Problem>),
    #[error(transparent)]
    App(#[from] Error),
}

fn holds_any(session: &CurrentSession, org: &Organisation, roles: &[Role]) -> bool {
    roles_in(&session.memberships, org.id)
        .iter()
        .any(|r| roles.contains(r))
}

/// Whether the organisation can keep records: it needs its recovery key (set up with
/// Speak Up), so that a record outlives every employee relations lead.
pub async fn is_ready(ctx: &Context, org: &Organisation) -> Result<bool, Error> {
    Ok(speakup_store::settings(&ctx.db, org.id).await?.is_some())
}

/// Whether this person may use the guide in the organisation.
pub fn may_use_guide(session: &CurrentSession, org: &Organisation) -> bool {
    holds_any(session, org, MANAGERS)
}

/// Whether this person reads every record's words and makes checks there.
pub fn is_checker(session: &CurrentSession, org: &Organisation) -> bool {
    holds_any(session, org, CHECKERS)
}

/// Keeps a manager's record: words encrypted under a new key, the key sealed to each
/// employee relations lead holding a case key and to the recovery key. The organisation
/// must have set up its recovery key (with Speak Up), or nobody could ever recover it.
pub async fn record_guide(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    form: &GuideForm,
) -> Result<i64, RecordError> {
    if !may_use_guide(session, org) {
        return Err(Error::Forbidden.into());
    }
    let manager = Manager {
        id: session.person.id,
        email: &session.person.email,
    };
    keep_guide(&ctx.db, &ctx.secret, &ctx.clock, manager, org, form).await
}

/// Who is recording a record: their id, and the name the audit log gives them.
pub struct Manager<'a> {
    pub id: i64,
    pub email: &'a str,
}

/// Checks and keeps a record for a manager already allowed to use the guide (the demo's
/// seeding calls this too).
pub(crate) async fn keep_guide(
    db: &Db,
    secret: &InstallationSecret,
    clock: &Clock,
    manager: Manager<'_>,
    org: &Organisation,
    form: &GuideForm,
) -> Result<i64, RecordError> {
    let Some(settings) = speakup_store::settings(db, org.id)
        .await
        .map_err(Error::from)?
    else {
        return Err(Error::NotSetUp {
            organisation: org.name.clone(),
            service: Service::SpeakUp,
        }
        .into());
    };
    let units = dignity_store::identity::list_org_units(db, org.id)
        .await
        .map_err(Error::from)?;
    let checked = check(secret, org.id, &units, form).map_err(RecordError::Form)?;
    let readers: Vec<(i64, String)> = speakup_store::key_holders(db, org.id)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|h| h.roles.iter().any(|r| CHECKERS.contains(r)))
        .map(|h| (h.person_id, h.public_key))
        .collect();
    let plain =
        padded(serde_json::to_vec(&checked.words).map_err(|e| Error::Internal(e.to_string()))?);
    let key = ConcernKey::generate();
    let mut seals = vec![(
        RECOVERY_HOLDER.to_owned(),
        key.seal_to(&settings.recovery_public_key)
            .map_err(Error::from)?,
    )];
    for (person_id, public) in &readers {
        seals.push((
            person_holder(*person_id),
            key.seal_to(public).map_err(Error::from)?,
        ));
    }
    let record = key.encrypt(&plain).map_err(Error::from)?;
    let guide = NewGuide {
        organisation_id: org.id,
        org_unit_id: checked.unit,
        manager_id: manager.id,
        person_digest: checked.person_digest,
        started_on: clock.today(),
        answers: checked.answers,
        recommended: checked.recommended,
        decided: checked.decided,
        public_key: key.public_key(),
        record,
        seals,
    };
    Ok(
        store::create_guide(db, manager.email, clock.now(), org, &guide)
            .await
            .map_err(Error::from)?,
    )
}

/// A record this person may see: its manager, or an employee relations lead of the
/// organisation. Only [`guide_for`] makes one.
#[derive(Debug, Clone)]
pub struct GuideInHand(Guide);

impl std::ops::Deref for GuideInHand {
    type Target = Guide;
    fn deref(&self) -> &Guide {
        &self.0
    }
}

pub async fn guide_for(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    id: i64,
) -> Result<GuideInHand, Error> {
    let guide = store::guide_in_organisation(&ctx.db, org.id, id).await?;
    let own = guide.manager_id == session.person.id && may_use_guide(session, org);
    if !(own || is_checker(session, org)) {
        return Err(Error::Forbidden);
    }
    Ok(GuideInHand(guide))
}

/// A record in a list, with the name of its team.
pub struct Listed {
    pub guide: Guide,
    pub unit: Option<String>,
}

/// The records this person sees: every one for an employee relations lead, waiting ones
/// first; a manager's own otherwise.
pub async fn list(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Listed>, Error> {
    let manager = if is_checker(session, org) {
        None
    } else if may_use_guide(session, org) {
        Some(session.person.id)
    } else {
        return Err(Error::Forbidden);
    };
    let units = crate::identity::organisations::units(ctx, org).await?;
    let mut guides = store::list_guides(&ctx.db, org.id, manager).await?;
    guides.sort_by_key(|g| g.check_state != CheckState::Waiting);
    Ok(guides
        .into_iter()
        .map(|guide| Listed {
            unit: guide
                .org_unit_id
                .and_then(|id| units.iter().find(|u| u.id == id))
                .map(|u| u.name.clone()),
            guide,
        })
        .collect())
}

/// A record's words as a reviewer reads them.
pub enum Reading {
    Read {
        words: Words,
        /// The reviewer's reason, once checked.
        check_reason: Option<String>,
    },
    /// Not an employee relations lead: the words are not theirs to read.
    NotTheirs,
    /// Their key is not unlocked on this server: they must give their passphrase.
    Locked,
    /// The record was kept before they had a case key.
    NotSealed,
}

async fn record_key(
    ctx: &Context,
    session: &CurrentSession,
    guide: &GuideInHand,
) -> Result<Result<ConcernKey, Reading>, Error> {
    let Some(secret) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(Err(Reading::Locked));
    };
    let holder = person_holder(session.person.id);
    let Some(sealed) = store::seal_for(&ctx.db, guide.id, &holder).await? else {
        return Ok(Err(Reading::NotSealed));
    };
    Ok(Ok(ConcernKey::unseal(&sealed, &secret)?))
}

/// Opens a record's words for an employee relations lead, audited.
pub async fn read(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    guide: &GuideInHand,
) -> Result<Reading, Error> {
    if !is_checker(session, org) {
        return Ok(Reading::NotTheirs);
    }
    let key = match record_key(ctx, session, guide).await? {
        Ok(key) => key,
        Err(reading) => return Ok(reading),
    };
    store::record_read(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        guide.id,
    )
    .await?;
    let plain = key.decrypt(&guide.record)?;
    let words: Words = serde_json::from_slice(&plain)
        .map_err(|e| Error::Internal(format!("record words: {e}")))?;
    let check_reason = match &guide.check_reason {
        Some(cipher) => {
            let plain = key.decrypt(cipher)?;
            Some(String::from_utf8_lossy(&plain).trim_end().to_owned())
        }
        None => None,
    };
    Ok(Reading::Read {
        words,
        check_reason,
    })
}

/// Why a check was not kept.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Refused(#[from] CheckRefused),
    #[error("Choose whether you agree")]
    NoChoice,
    #[error(
        "You cannot check a record you cannot read. Ask another employee relations lead to share it with you first"
    )]
    NotShared,
    #[error(transparent)]
    App(#[from] Error),
}

/// An employee relations lead's independent check of a formal decision. The reason is
/// encrypted to the record's public key, so it is sealed as the record is.
pub async fn record_check(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    guide: &GuideInHand,
    agreed: Option<bool>,
    reason: &str,
) -> Result<(), CheckError> {
    if !is_checker(session, org) {
        return Err(Error::Forbidden.into());
    }
    justculture::may_check(
        guide.check_state,
        guide.manager_id,
        session.person.id,
        reason,
    )?;
    let agreed = agreed.ok_or(CheckError::NoChoice)?;
    // Only someone the record is sealed to can have read it: an agreement from anyone
    // else would pass the gate with nobody having looked.
    if store::seal_for(&ctx.db, guide.id, &person_holder(session.person.id))
        .await
        .map_err(Error::from)?
        .is_none()
    {
        return Err(CheckError::NotShared);
    }
    let reason = padded(reason.trim().as_bytes().to_vec());
    let reason = encrypt_to(&guide.public_key, &reason).map_err(Error::from)?;
    let check = Check {
        reviewer_id: session.person.id,
        agreed,
        on: ctx.clock.today(),
        reason,
    };
    store::record_check(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        guide.id,
        &check,
    )
    .await
    .map_err(Error::from)?;
    Ok(())
}

/// How many records wait for an independent check, for an employee relations lead's home
/// page; `None` for anyone else.
pub async fn checks_waiting(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Option<i64>, Error> {
    if !is_checker(session, org) {
        return Ok(None);
    }
    Ok(Some(store::count_waiting(&ctx.db, org.id).await?))
}

/// A colleague, holding a case key, who cannot read past records or employee relations
/// cases this lead can.
pub struct Colleague {
    pub person_id: i64,
    public_key: String,
    guides: Vec<i64>,
    cases: Vec<i64>,
}

impl Colleague {
    pub fn records(&self) -> usize {
        self.guides.len()
    }
    pub fn cases(&self) -> usize {
        self.cases.len()
    }
}

/// Employee relations leads of the organisation who got their case key after some records
/// were kept, with the records this lead can share with them. Reading this changes nothing.
pub async fn colleagues_waiting(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Colleague>, Error> {
    if !is_checker(session, org) {
        return Ok(Vec::new());
    }
    let mine = person_holder(session.person.id);
    let mut waiting = Vec::new();
    for holder in speakup_store::key_holders(&ctx.db, org.id).await? {
        if holder.person_id == session.person.id
            || !holder.roles.iter().any(|r| CHECKERS.contains(r))
        {
            continue;
        }
        let theirs = person_holder(holder.person_id);
        let guides = store::guides_to_share(&ctx.db, org.id, &mine, &theirs).await?;
        let cases =
            dignity_store::er_cases::cases_to_share(&ctx.db, org.id, &mine, &theirs).await?;
        if !guides.is_empty() || !cases.is_empty() {
            waiting.push(Colleague {
                person_id: holder.person_id,
                public_key: holder.public_key,
                guides,
                cases,
            });
        }
    }
    Ok(waiting)
}

/// Seals every record this lead can open to each colleague waiting for it, when the lead
/// presses the button on the list, audited. Returns how many colleagues were given access;
/// `None` when this lead's key is locked on this server.
pub async fn share_with_colleagues(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Option<usize>, Error> {
    if !is_checker(session, org) {
        return Err(Error::Forbidden);
    }
    let Some(my_key) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(None);
    };
    let mine = person_holder(session.person.id);
    let waiting = colleagues_waiting(ctx, session, org).await?;
    let mut seals = Vec::new();
    let mut case_seals = Vec::new();
    let mut given = Vec::new();
    let mut given_cases = Vec::new();
    for colleague in &waiting {
        for case_id in &colleague.cases {
            let Some(sealed) = dignity_store::er_cases::seal_for(&ctx.db, *case_id, &mine).await?
            else {
                continue;
            };
            let key = ConcernKey::unseal(&sealed, &my_key)?;
            case_seals.push((
                *case_id,
                person_holder(colleague.person_id),
                key.seal_to(&colleague.public_key)?,
            ));
        }
        if !colleague.cases.is_empty() {
            given_cases.push(format!(
                "person {} {} cases",
                colleague.person_id,
                colleague.cases.len()
            ));
        }
        for guide_id in &colleague.guides {
            let Some(sealed) = store::seal_for(&ctx.db, *guide_id, &mine).await? else {
                continue;
            };
            let key = ConcernKey::unseal(&sealed, &my_key)?;
            seals.push((
                *guide_id,
                person_holder(colleague.person_id),
                key.seal_to(&colleague.public_key)?,
            ));
        }
        if !colleague.guides.is_empty() {
            given.push(format!(
                "person {} {} records",
                colleague.person_id,
                colleague.guides.len()
            ));
        }
    }
    if !seals.is_empty() {
        let detail = format!("Shared past decision guide records: {}", given.join(", "));
        store::add_seals(
            &ctx.db,
            &session.person.email,
            ctx.clock.now(),
            org,
            &seals,
            &detail,
        )
        .await?;
    }
    if !case_seals.is_empty() {
        let detail = format!(
            "Shared employee relations cases: {}",
            given_cases.join(", ")
        );
        dignity_store::er_cases::add_seals(
            &ctx.db,
            &session.person.email,
            ctx.clock.now(),
            org,
            &case_seals,
            &detail,
        )
        .await?;
    }
    Ok(Some(waiting.len()))
}

/// The people named on records (managers and reviewers), by id, for showing names.
pub async fn names(ctx: &Context, org: &Organisation) -> Result<Vec<(i64, String)>, Error> {
    Ok(dignity_store::identity::list_members(&ctx.db, org.id)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.display_name))
        .collect())
}

/// How long a record has waited for its check, in days, for the list.
pub fn waiting_days(guide: &Guide, today: Day) -> Option<i64> {
    (guide.check_state == CheckState::Waiting).then(|| today.days_since(guide.started_on))
}
