//! Employee relations cases (issue 18): opening a case, moving it through its stages,
//! its file of notes, findings and letters, and suspensions with their reviews
//! (docs/just-culture.md).
//!
//! The words (the person's name, the allegations, notes, who represents them, why they
//! are suspended) are encrypted under the case's own key, sealed to the organisation's
//! employee relations leads and its recovery key, as decision guide records are. Writing
//! needs only the case's public key; reading needs a lead's unlocked key, and is audited.
//! The plain parts (type, stages and their days, outcome, the person's digest) are what
//! the fairness figures count.

use crate::error::Service;
use crate::identity::{CurrentSession, Organisation};
use crate::justculture::{CHECKERS, is_checker, person_in_organisation};
use crate::{Clock, Context, Db, Error};
use dignity_crypto::secret::InstallationSecret;
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::er_cases::{
    self as domain, AppealOutcome, CaseType, EntryKind, Move, MoveRefused, Outcome, Stage,
    StageTargets, SuspensionKind, SuspensionRefused, TEXT_LIMIT, Timescales,
};
use dignity_domain::identity::Role;
use dignity_domain::justculture::{CheckState, formal_may_start};
use dignity_domain::speakup::Day;
use dignity_domain::workforce::employee_number;
use dignity_store::er_cases::{
    self as store, DetailsChange, ErCase, NewCase, NewReview, NewSuspension, StageMove,
};
use dignity_store::mail::NewMail;
use dignity_store::speakup::{self as speakup_store, RECOVERY_HOLDER, person_holder};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use dignity_store::er_cases::{Entry, Filter, Listed, Order, Review, ReviewDue, Suspension};
pub use dignity_store::justculture::Guide;

/// Who works on cases: the organisation's employee relations leads.
pub const LEADS: &[Role] = CHECKERS;

/// Investigating officers (often managers from elsewhere in the organisation): each reads
/// only the cases they are the investigator of, while they are, and adds notes and
/// findings to them.
pub const INVESTIGATORS: &[Role] = &[Role::Investigator];

/// Who reaches the case pages at all; each case then decides ([`case_for`]).
pub const CASE_READERS: &[Role] = &[Role::ErLead, Role::Investigator];

/// The longest name, in characters.
const NAME_LIMIT: usize = 200;

/// Words are padded to a multiple of this many bytes before they are encrypted, so an
/// entry's length says only roughly how much was written.
const PAD_TO: usize = 4_096;

pub(crate) fn padded(mut plain: Vec<u8>) -> Zeroizing<Vec<u8>> {
    let target = plain.len().div_ceil(PAD_TO).max(1) * PAD_TO;
    plain.resize(target, b' ');
    Zeroizing::new(plain)
}

/// A problem with one field of a form, named by the field's id.
pub use crate::justculture::Problem;

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The words of a case's header, sealed as one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Details {
    pub person_name: String,
    /// A union or workplace representative, if one is named.
    pub representative: String,
    /// An independent observer (for example a cultural ambassador), if one is named.
    pub observer: String,
    /// The investigation's terms of reference.
    pub terms_of_reference: String,
}

/// Why a case change was not kept.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("Some answers need changing")]
    Form(Vec<Problem>),
    #[error(
        "Someone else changed this case while you were working on it. Nothing you typed is lost: check the case as it is now and send again"
    )]
    Changed,
    #[error(
        "You cannot change a case you cannot read. Ask another employee relations lead to share it with you first"
    )]
    NotShared,
    #[error(transparent)]
    App(#[from] Error),
}

impl From<dignity_store::StoreError> for CaseError {
    fn from(e: dignity_store::StoreError) -> Self {
        CaseError::App(e.into())
    }
}

fn holds_lead(session: &CurrentSession, org: &Organisation) -> bool {
    is_checker(session, org)
}

/// A lead may change a case only if it is sealed to them, so they can have read it: a
/// change from anyone else would overwrite words they never saw.
async fn may_change(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &ErCase,
) -> Result<(), CaseError> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden.into());
    }
    if store::seal_for(&ctx.db, case.id, &person_holder(session.person.id))
        .await?
        .is_none()
    {
        return Err(CaseError::NotShared);
    }
    Ok(())
}

/// Whether this person works on the organisation's cases.
pub fn may_work_cases(session: &CurrentSession, org: &Organisation) -> bool {
    holds_lead(session, org)
}

fn text(
    problems: &mut Vec<Problem>,
    field: &str,
    value: &str,
    limit: usize,
    missing: Option<&str>,
) -> String {
    let value = value.trim();
    if domain::is_blank(value) {
        if let Some(message) = missing {
            problems.push(problem(field, message));
        }
        return String::new();
    }
    if value.chars().count() > limit {
        problems.push(problem(
            field,
            format!("Keep this to {limit} characters or fewer"),
        ));
    }
    value.to_owned()
}

fn choice<T: std::str::FromStr>(
    problems: &mut Vec<Problem>,
    field: &str,
    raw: &str,
    missing: &str,
) -> Option<T> {
    match raw.trim() {
        "" => {
            problems.push(problem(field, missing));
            None
        }
        code => match code.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(problem(field, missing));
                None
            }
        },
    }
}

/// The date field's id for problems: the date input's first box.
fn day_field(name: &str) -> String {
    format!("{name}-day")
}

/// What a lead sent to open a case. Dates are read by the page (the date input) first.
#[derive(Debug, Clone, Default)]
pub struct OpenForm {
    pub case_type: String,
    /// The decision guide record's id a conduct case comes from.
    pub guide: String,
    pub person_name: String,
    pub employee_number: String,
    pub unit: String,
    pub first_stage: String,
    pub opened_on: Option<Day>,
    pub fast_track: bool,
    pub summary: String,
    pub representative: String,
    pub observer: String,
    pub investigator: String,
    /// The Speak Up grievance (its case number) this case is opened from, if any.
    pub grievance: String,
}

/// The keyed digest an employee relations case keeps for the Speak Up grievance it comes
/// from: the server can find one case from the other, a copy of the database cannot.
fn grievance_link(secret: &InstallationSecret, org_id: i64, speakup_case_id: i64) -> String {
    secret
        .digester(GRIEVANCE_PURPOSE)
        .digest(format!("{org_id}:{speakup_case_id}").as_bytes())
}

const GRIEVANCE_PURPOSE: &str = "er-case: speak up grievance";

/// The employee relations case opened from a Speak Up grievance, for a lead who may read
/// cases (`None` for anyone else, and when there is none).
pub async fn case_for_grievance(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    speakup_case_id: i64,
) -> Result<Option<i64>, Error> {
    if !holds_lead(session, org) {
        return Ok(None);
    }
    let link = grievance_link(&ctx.secret, org.id, speakup_case_id);
    Ok(store::case_for_grievance(&ctx.db, org.id, &link).await?)
}

/// The Speak Up grievance `case` was opened from, if any. The case keeps only the
/// grievance's keyed digest, so this digests each of the organisation's grievances (a few
/// hundred at most) to find it.
pub async fn grievance_of(
    ctx: &Context,
    org: &Organisation,
    case: &CaseInHand,
) -> Result<Option<i64>, Error> {
    let Some(link) = store::grievance_link_of(&ctx.db, case.id).await? else {
        return Ok(None);
    };
    Ok(speakup_store::list_cases(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|c| c.case_type == dignity_domain::speakup::CaseType::Grievance)
        .map(|c| c.id)
        .find(|&id| grievance_link(&ctx.secret, org.id, id) == link))
}

/// The Speak Up grievance of `org` numbered `typed`, if there is one.
async fn grievance_in(db: &Db, org: &Organisation, typed: &str) -> Option<i64> {
    let id = typed.trim().parse::<i64>().ok()?;
    speakup_store::case_in_organisation(db, org.id, id)
        .await
        .ok()
        .filter(|c| c.case_type == dignity_domain::speakup::CaseType::Grievance)
        .map(|c| c.id)
}

/// For the new case form's `?grievance=`: the grievance of `org` it names, for a lead;
/// anything else (not a number, a concern, another organisation's) names none, so the form
/// never says it is for a grievance it cannot be opened from.
pub async fn grievance_to_open_from(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    typed: &str,
) -> Result<Option<i64>, Error> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden);
    }
    Ok(grievance_in(&ctx.db, org, typed).await)
}

/// Whether `session` may open a case from a Speak Up grievance in `org`: a lead.
pub fn may_open_from_grievance(session: &CurrentSession, org: &Organisation) -> bool {
    holds_lead(session, org)
}

/// Formal decision guide records a conduct case may come from, newest first: the lead
/// picks one when opening a conduct case.
pub async fn guides_for_cases(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<dignity_store::justculture::Guide>, Error> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden);
    }
    let mut guides = dignity_store::justculture::list_guides(&ctx.db, org.id, None).await?;
    let used: Vec<i64> = store::cases_by_guide(&ctx.db, org.id)
        .await?
        .into_iter()
        .map(|(guide, _)| guide)
        .collect();
    guides.retain(|g| {
        g.decided == dignity_domain::justculture::Route::Formal && !used.contains(&g.id)
    });
    guides.reverse();
    Ok(guides)
}

/// People a case's investigator can be: the organisation's leads and investigating
/// officers who hold a case key.
pub async fn investigators(ctx: &Context, org: &Organisation) -> Result<Vec<(i64, String)>, Error> {
    investigators_in(&ctx.db, org).await
}

async fn investigators_in(db: &Db, org: &Organisation) -> Result<Vec<(i64, String)>, Error> {
    let holders = speakup_store::key_holders(db, org.id).await?;
    let members = dignity_store::identity::list_members(db, org.id).await?;
    Ok(holders
        .into_iter()
        .filter(|h| {
            h.roles
                .iter()
                .any(|r| LEADS.contains(r) || INVESTIGATORS.contains(r))
        })
        .filter_map(|h| {
            members
                .iter()
                .find(|m| m.person_id == h.person_id)
                .map(|m| (m.person_id, m.display_name.clone()))
        })
        .collect())
}

fn investigator(problems: &mut Vec<Problem>, raw: &str, allowed: &[(i64, String)]) -> Option<i64> {
    match raw.trim() {
        "" => None,
        typed => match typed
            .parse::<i64>()
            .ok()
            .filter(|id| allowed.iter().any(|(p, _)| p == id))
        {
            Some(id) => Some(id),
            None => {
                problems.push(problem(
                    "investigator",
                    "Choose an investigator from the list",
                ));
                None
            }
        },
    }
}

/// Opens a case, sealed to the organisation's leads and its recovery key, audited.
pub async fn open_case(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    form: &OpenForm,
) -> Result<i64, CaseError> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden.into());
    }
    let opener = crate::justculture::Manager {
        id: session.person.id,
        email: &session.person.email,
    };
    keep_case(&ctx.db, &ctx.secret, &ctx.clock, opener, org, form).await
}

/// Checks and keeps a case for a lead already allowed to open one (the demo's seeding
/// calls this too).
pub(crate) async fn keep_case(
    db: &Db,
    secret: &InstallationSecret,
    clock: &Clock,
    opener: crate::justculture::Manager<'_>,
    org: &Organisation,
    form: &OpenForm,
) -> Result<i64, CaseError> {
    let Some(settings) = speakup_store::settings(db, org.id).await? else {
        return Err(Error::NotSetUp {
            organisation: org.name.clone(),
            service: Service::SpeakUp,
        }
        .into());
    };
    let today = clock.today();
    let mut problems = Vec::new();
    let case_type: Option<CaseType> = choice(
        &mut problems,
        "case_type",
        &form.case_type,
        "Choose the type of case",
    );
    let first_stage: Option<Stage> = choice(
        &mut problems,
        "first_stage",
        &form.first_stage,
        "Choose the stage the case starts at",
    );
    let person_name = text(
        &mut problems,
        "person_name",
        &form.person_name,
        NAME_LIMIT,
        Some("Enter the name of the person the case is about"),
    );
    let summary = text(
        &mut problems,
        "summary",
        &form.summary,
        TEXT_LIMIT,
        Some("Say what the case is about"),
    );
    let representative = text(
        &mut problems,
        "representative",
        &form.representative,
        NAME_LIMIT,
        None,
    );
    let observer = text(&mut problems, "observer", &form.observer, NAME_LIMIT, None);
    let allowed = investigators_in(db, org).await?;
    let investigator_id = investigator(&mut problems, &form.investigator, &allowed);
    let units = dignity_store::identity::list_org_units(db, org.id).await?;
    let mut unit = match form.unit.trim() {
        "" => None,
        typed => match typed
            .parse::<i64>()
            .ok()
            .filter(|id| units.iter().any(|u| u.id == *id))
        {
            Some(id) => Some(id),
            None => {
                problems.push(problem("unit", "Choose a team or department from the list"));
                None
            }
        },
    };
    if form.opened_on.is_none() {
        problems.push(problem(
            &day_field("opened_on"),
            "Enter the date the case started",
        ));
    }
    // A conduct case comes from a decision guide record with a formal decision: the person
    // and the team are the record's, and its check decides whether an investigation may start.
    let mut digest = None;
    let mut guide_id = None;
    let mut check_agreed = false;
    if case_type == Some(CaseType::Conduct) {
        let guide = match form.guide.trim().parse::<i64>() {
            Ok(id) => dignity_store::justculture::guide_in_organisation(db, org.id, id)
                .await
                .ok()
                .filter(|g| g.decided == dignity_domain::justculture::Route::Formal),
            Err(_) => None,
        };
        // One record, one case: a record's check agreed to a formal process for one
        // incident about one person, not to any case a lead later points at it.
        let started = match &guide {
            Some(guide) => store::cases_by_guide(db, org.id)
                .await?
                .into_iter()
                .find(|(g, _)| *g == guide.id)
                .map(|(_, case)| case),
            None => None,
        };
        match (guide, started) {
            (Some(guide), Some(case)) => problems.push(problem(
                "guide",
                format!(
                    "Decision guide record {} has already started case {case}. A new incident needs its own record and check.",
                    guide.id
                ),
            )),
            (Some(guide), None) => {
                check_agreed = formal_may_start(guide.check_state);
                // The case cannot be older than the record it comes from, nor its
                // investigation older than the check that allowed it.
                if let Some(on) = form.opened_on {
                    if on < guide.started_on {
                        problems.push(problem(
                            &day_field("opened_on"),
                            format!(
                                "A conduct case cannot start before its decision guide record, started {}",
                                guide.started_on.long()
                            ),
                        ));
                    } else if first_stage == Some(Stage::Investigation)
                        && let Some(checked) = guide.checked_on
                        && on < checked
                    {
                        problems.push(problem(
                            &day_field("opened_on"),
                            format!(
                                "The investigation cannot start before the check agreed to it, on {}",
                                checked.long()
                            ),
                        ));
                    }
                }
                digest = guide.person_digest.clone();
                unit = unit.or(guide.org_unit_id);
                guide_id = Some(guide.id);
            }
            (None, _) => problems.push(problem(
                "guide",
                "Choose the decision guide record this conduct case comes from. A conduct case needs one, with a decision for a formal process",
            )),
        }
    }
    // A grievance raised through Speak Up: it must be one of this organisation's, and a
    // grievance case is the only kind that can come from it.
    let mut grievance = None;
    if !form.grievance.trim().is_empty() {
        match grievance_in(db, org, &form.grievance).await {
            Some(found) => {
                if case_type.is_some_and(|t| t != CaseType::Grievance) {
                    problems.push(problem(
                        "case_type",
                        "A case from a Speak Up grievance is a grievance case. Choose grievance",
                    ));
                }
                grievance = Some(found);
            }
            None => problems.push(problem(
                "case_type",
                "The Speak Up grievance this case was to come from cannot be found. Open the case from the grievance's page",
            )),
        }
    }
    if digest.is_none() {
        digest = match form.employee_number.trim() {
            "" => None,
            typed => match employee_number(typed) {
                Ok(number) => Some(person_in_organisation(secret, org.id, number)),
                Err(why) => {
                    problems.push(problem(
                        "employee_number",
                        format!("Check the employee number: {why}"),
                    ));
                    None
                }
            },
        };
    }
    if let (Some(case_type), Some(stage), Some(on)) = (case_type, first_stage, form.opened_on) {
        let step = Move {
            to: stage,
            on,
            outcome: None,
            appeal_outcome: None,
        };
        if let Err(refused) = domain::may_open(case_type, &step, today, check_agreed) {
            let field = match refused {
                MoveRefused::InFuture => day_field("opened_on"),
                MoveRefused::NoIndependentCheck => "guide".to_owned(),
                _ => "first_stage".to_owned(),
            };
            problems.push(problem(&field, refused.to_string()));
        }
    }
    let (Some(case_type), Some(stage), Some(on), true) =
        (case_type, first_stage, form.opened_on, problems.is_empty())
    else {
        return Err(CaseError::Form(problems));
    };
    let details = Details {
        person_name,
        representative,
        observer,
        terms_of_reference: String::new(),
    };
    let readers: Vec<(i64, String)> = speakup_store::key_holders(db, org.id)
        .await?
        .into_iter()
        .filter(|h| h.roles.iter().any(|r| LEADS.contains(r)))
        .map(|h| (h.person_id, h.public_key))
        .collect();
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
    // An investigating officer named at the start reads the case from the start.
    if let Some(investigator) = investigator_id
        && !readers.iter().any(|(p, _)| *p == investigator)
        && let Some(holder) = speakup_store::key_holders(db, org.id)
            .await?
            .into_iter()
            .find(|h| h.person_id == investigator)
    {
        seals.push((
            person_holder(investigator),
            key.seal_to(&holder.public_key).map_err(Error::from)?,
        ));
    }
    let details = seal_details(&key.public_key(), &details)?;
    let summary =
        encrypt_to(&key.public_key(), &padded(summary.into_bytes())).map_err(Error::from)?;
    let first_kind = match case_type {
        CaseType::Grievance | CaseType::BullyingComplaint => EntryKind::Note,
        _ => EntryKind::Allegation,
    };
    let case = NewCase {
        org_unit_id: unit,
        case_type,
        person_digest: digest,
        guide_id,
        fast_track: form.fast_track,
        opened_by: opener.id,
        opened_on: on,
        stage,
        stage_since: on,
        investigator_id,
        public_key: key.public_key(),
        details,
        seals,
        first_entry: Some((first_kind, summary)),
        grievance_link: grievance.map(|id| grievance_link(secret, org.id, id)),
    };
    match store::open_case(db, opener.email, clock.now(), org, &case).await {
        Ok(id) => Ok(id),
        // Another lead's case from the same record landed first.
        Err(dignity_store::StoreError::Conflict(why)) => Err(CaseError::Form(vec![problem(
            if grievance.is_some() {
                "case_type"
            } else {
                "guide"
            },
            why,
        )])),
        Err(e) => Err(e.into()),
    }
}

fn seal_details(public_key: &str, details: &Details) -> Result<Vec<u8>, Error> {
    let plain = padded(serde_json::to_vec(details).map_err(|e| Error::Internal(e.to_string()))?);
    Ok(encrypt_to(public_key, &plain)?)
}

/// A case this person may work on. Only [`case_for`] makes one.
#[derive(Debug, Clone)]
pub struct CaseInHand(ErCase);

impl std::ops::Deref for CaseInHand {
    type Target = ErCase;
    fn deref(&self) -> &ErCase {
        &self.0
    }
}

/// A case, for a lead, or for the investigating officer it names. Anyone else is refused,
/// and an officer is refused alike for a case that is not theirs and one that does not
/// exist, so they cannot learn which numbers are cases.
pub async fn case_for(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    id: i64,
) -> Result<CaseInHand, Error> {
    if holds_lead(session, org) {
        return Ok(CaseInHand(
            store::case_in_organisation(&ctx.db, org.id, id).await?,
        ));
    }
    if !session.has_org_role(&org.ods_code, INVESTIGATORS) {
        return Err(Error::Forbidden);
    }
    match store::case_in_organisation(&ctx.db, org.id, id).await {
        Ok(case) if case.investigator_id == Some(session.person.id) => Ok(CaseInHand(case)),
        Ok(_) | Err(dignity_store::StoreError::NotFound(_)) => Err(Error::Forbidden),
        Err(e) => Err(e.into()),
    }
}

/// Whether `session` works on `org`'s cases as a lead (every case, every change), rather
/// than as an investigating officer (their cases, notes and findings only).
pub fn is_lead(session: &CurrentSession, org: &Organisation) -> bool {
    holds_lead(session, org)
}

/// The cases `session` is the investigating officer of, longest at their stage first.
pub async fn investigating(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Listed>, Error> {
    if !session.has_org_role(&org.ods_code, INVESTIGATORS) {
        return Err(Error::Forbidden);
    }
    Ok(store::list_cases(
        &ctx.db,
        org.id,
        Filter {
            investigator: Some(session.person.id),
            ..Filter::default()
        },
        Order::LongestInStage,
    )
    .await?)
}

/// Keeps who holds a copy of `case_id`'s key in step with its investigator: an
/// investigating officer who is not a lead gets a copy while they investigate it, and
/// loses it when someone else does. `key` is the case's key, opened by the lead making
/// the change; without it (a lead whose key is locked) copies are only taken away, and
/// the next lead to open the case gives the officer theirs.
async fn keep_investigator_in_step(
    ctx: &Context,
    actor: &str,
    org: &Organisation,
    case_id: i64,
    key: Option<&ConcernKey>,
) -> Result<(), Error> {
    let case = store::case_in_organisation(&ctx.db, org.id, case_id).await?;
    let holders = speakup_store::key_holders(&ctx.db, org.id).await?;
    let is_lead = |person: i64| {
        holders
            .iter()
            .any(|h| h.person_id == person && h.roles.iter().any(|r| LEADS.contains(r)))
    };
    let wanted = case.investigator_id.filter(|p| !is_lead(*p));
    let sealed_to = store::seal_holders(&ctx.db, case.id).await?;
    let remove: Vec<String> = sealed_to
        .iter()
        .filter(|h| {
            h.strip_prefix("person:")
                .and_then(|id| id.parse::<i64>().ok())
                .is_some_and(|p| !is_lead(p) && Some(p) != wanted)
        })
        .cloned()
        .collect();
    let add = match (wanted, key) {
        (Some(person), Some(key)) if !sealed_to.contains(&person_holder(person)) => holders
            .iter()
            .find(|h| h.person_id == person)
            .map(|h| {
                key.seal_to(&h.public_key)
                    .map(|s| (person_holder(person), s))
            })
            .transpose()?,
        _ => None,
    };
    if add.is_none() && remove.is_empty() {
        return Ok(());
    }
    store::change_investigator_seals(
        &ctx.db,
        actor,
        ctx.clock.now(),
        org,
        case.id,
        add.as_ref().map(|(h, s)| (h.as_str(), s.as_slice())),
        &remove,
    )
    .await?;
    Ok(())
}

/// The case's key, as the signed-in lead's unlocked key opens it.
async fn case_key(
    ctx: &Context,
    session: &CurrentSession,
    case_id: i64,
) -> Result<Option<ConcernKey>, Error> {
    let Some(secret) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(None);
    };
    let Some(sealed) = store::seal_for(&ctx.db, case_id, &person_holder(session.person.id)).await?
    else {
        return Ok(None);
    };
    Ok(Some(ConcernKey::unseal(&sealed, &secret)?))
}

/// An organisation's cases, filtered and ordered.
pub async fn list(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    filter: Filter,
    order: Order,
) -> Result<Vec<Listed>, Error> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden);
    }
    Ok(store::list_cases(&ctx.db, org.id, filter, order).await?)
}

/// One page of the organisation's cases that `filter` picks, and how many it picks.
pub async fn list_page(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    filter: Filter,
    order: Order,
    offset: u32,
    limit: u32,
) -> Result<(u64, Vec<Listed>), Error> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden);
    }
    Ok(store::list_cases_page(&ctx.db, org.id, filter, order, offset, limit).await?)
}

/// The organisation's time limits.
pub async fn timescales(ctx: &Context, org: &Organisation) -> Result<Timescales, Error> {
    Ok(store::timescales(&ctx.db, org.id).await?)
}

/// One made-up case for `dignity bench casework`: the plain parts the list shows.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticCase {
    pub case_type: CaseType,
    pub opened_on: Day,
    pub stage: Stage,
    pub stage_since: Day,
    pub fast_track: bool,
}

/// Stores made-up cases in `organisation` in one transaction, opened by `opened_by`, each
/// with 4 KiB where a real case keeps its padded ciphertext, so the database is the size
/// a real one would be. Conduct cases share one made-up decision guide record, as the
/// database insists each has one. For the benchmark's scratch database only: nothing is
/// audited or sealed.
pub async fn store_synthetic_cases(
    operator: &crate::admin::Operator,
    organisation: &Organisation,
    opened_by: i64,
    cases: &[SyntheticCase],
) -> Result<(), Error> {
    use dignity_domain::justculture::{Answers, Route};
    let details = vec![0u8; 4096];
    let guide_id = match cases.iter().find(|c| c.case_type == CaseType::Conduct) {
        Some(first) => Some(
            dignity_store::justculture::create_guide(
                operator.db(),
                "bench",
                operator.clock().now(),
                organisation,
                &dignity_store::justculture::NewGuide {
                    organisation_id: organisation.id,
                    org_unit_id: None,
                    manager_id: opened_by,
                    person_digest: None,
                    started_on: first.opened_on,
                    answers: Answers([Some(true), None, None, None, None]),
                    recommended: Route::Formal,
                    decided: Route::Formal,
                    public_key: "synthetic".into(),
                    record: vec![0; 16],
                    seals: Vec::new(),
                },
            )
            .await?,
        ),
        None => None,
    };
    let stored: Vec<store::NewCase> = cases
        .iter()
        .map(|c| store::NewCase {
            org_unit_id: None,
            case_type: c.case_type,
            person_digest: None,
            guide_id: guide_id.filter(|_| c.case_type == CaseType::Conduct),
            fast_track: c.fast_track,
            opened_by,
            opened_on: c.opened_on,
            stage: c.stage,
            stage_since: c.stage_since,
            investigator_id: None,
            public_key: "synthetic".into(),
            details: details.clone(),
            seals: Vec::new(),
            first_entry: None,
            grievance_link: None,
        })
        .collect();
    Ok(store::insert_cases_for_benchmark(operator.db(), organisation.id, &stored).await?)
}

/// The time limits as typed: six days for each of the usual and the fast-track stages,
/// in [`Stage::ALL`] order, and the suspension review interval.
#[derive(Debug, Clone, Default)]
pub struct TimeLimitsForm {
    pub standard: [String; 6],
    pub fast_track: [String; 6],
    pub review_every_days: String,
    /// The limits as the page showed them ([`limits_shown`]), so that a lead whose page is
    /// out of date is told rather than undoing a colleague's change.
    pub was: String,
}

/// The time limits written as one line, for [`TimeLimitsForm::was`].
pub fn limits_shown(timescales: &Timescales) -> String {
    let list = |days: &[u16; 6]| days.map(|d| d.to_string()).join(",");
    format!(
        "{};{};{}",
        list(&timescales.standard.0),
        list(&timescales.fast_track.0),
        timescales.review_every_days
    )
}

/// The longest a stage's time limit may be: a year.
pub const STAGE_DAYS_LIMIT: u16 = 365;

/// Changes the organisation's time limits. Each is a whole number of days from 1 to 365;
/// a fast-track limit is never longer than the usual one (the fast-track is the quicker
/// route); reviews are every 1 to 90 days, as the database insists.
pub async fn change_time_limits(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    form: &TimeLimitsForm,
) -> Result<Timescales, CaseError> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let days = |problems: &mut Vec<Problem>, field: String, typed: &str, what: &str, most: u16| {
        match typed.trim().parse::<u16>() {
            Ok(n) if (1..=most).contains(&n) => n,
            _ => {
                problems.push(problem(
                    &field,
                    if typed.trim().is_empty() {
                        format!("Enter the days for {what}")
                    } else {
                        format!("Days for {what} must be a whole number from 1 to {most}")
                    },
                ));
                0
            }
        }
    };
    // Problems in the order the boxes are on the page, so the summary reads top to bottom.
    let mut standard = [0u16; 6];
    let mut fast_track = [0u16; 6];
    let rows = Stage::ALL
        .iter()
        .zip(form.standard.iter().zip(&form.fast_track))
        .zip(standard.iter_mut().zip(fast_track.iter_mut()));
    for ((stage, (typed_usual, typed_fast)), (usual, fast)) in rows {
        let name = stage.label().to_lowercase();
        *usual = days(
            &mut problems,
            format!("standard-{}", stage.code()),
            typed_usual,
            &format!("the {name} stage"),
            STAGE_DAYS_LIMIT,
        );
        let field = format!("fast_track-{}", stage.code());
        *fast = days(
            &mut problems,
            field.clone(),
            typed_fast,
            &format!("the {name} stage on the fast-track"),
            STAGE_DAYS_LIMIT,
        );
        if *usual > 0 && *fast > *usual {
            problems.push(problem(
                &field,
                format!(
                    "The fast-track {name} stage cannot take longer than the usual {usual} days"
                ),
            ));
        }
    }
    let review_every_days = days(
        &mut problems,
        "review_every_days".into(),
        &form.review_every_days,
        "suspension reviews",
        90,
    );
    if !problems.is_empty() {
        return Err(CaseError::Form(problems));
    }
    let before = store::timescales(&ctx.db, org.id).await?;
    if limits_shown(&before) != form.was.trim() {
        return Err(CaseError::Changed);
    }
    // Checked again where it is written, under a lock: two saves at once from pages that
    // showed the same limits must not both land.
    let timescales = Timescales {
        standard: StageTargets(standard),
        fast_track: StageTargets(fast_track),
        review_every_days,
    };
    if !store::save_timescales(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &before,
        &timescales,
    )
    .await?
    {
        return Err(CaseError::Changed);
    }
    Ok(timescales)
}

/// Running suspensions whose review is due today or earlier.
pub async fn reviews_due(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<ReviewDue>, Error> {
    if !holds_lead(session, org) {
        return Err(Error::Forbidden);
    }
    Ok(store::reviews_due(&ctx.db, org.id, ctx.clock.today()).await?)
}

/// A case's file as its lead reads it.
pub struct Opened {
    pub details: Details,
    /// Each entry with its words.
    pub entries: Vec<(Entry, String)>,
    pub suspensions: Vec<ReadSuspension>,
}

/// A suspension with its reason, and each review with its note.
pub struct ReadSuspension {
    pub suspension: Suspension,
    pub reason: String,
    pub reviews: Vec<(Review, String)>,
}

/// What a lead can see of a case's words.
pub enum CaseReading {
    Read(Box<Opened>),
    /// Their key is not unlocked on this server: they must sign in again.
    Locked,
    /// The case was opened before they had a case key.
    NotSealed,
}

fn words(key: &ConcernKey, cipher: &[u8]) -> Result<String, Error> {
    let plain = key.decrypt(cipher)?;
    Ok(String::from_utf8_lossy(&plain).trim_end().to_owned())
}

/// Opens a case's words for a lead, audited.
pub async fn read(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
) -> Result<CaseReading, Error> {
    let Some(secret) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(CaseReading::Locked);
    };
    let Some(sealed) = store::seal_for(&ctx.db, case.id, &person_holder(session.person.id)).await?
    else {
        return Ok(CaseReading::NotSealed);
    };
    let key = ConcernKey::unseal(&sealed, &secret)?;
    if holds_lead(session, org) {
        keep_investigator_in_step(ctx, &session.person.email, org, case.id, Some(&key)).await?;
    }
    store::record_read(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
    )
    .await?;
    let details: Details = serde_json::from_slice(&key.decrypt(&case.details)?)
        .map_err(|e| Error::Internal(format!("case details: {e}")))?;
    let mut entries = Vec::new();
    for entry in store::entries(&ctx.db, case.id).await? {
        let text = words(&key, &entry.record)?;
        entries.push((entry, text));
    }
    let reviews = store::reviews(&ctx.db, case.id).await?;
    let mut suspensions = Vec::new();
    for suspension in store::suspensions(&ctx.db, case.id).await? {
        let reason = words(&key, &suspension.reason)?;
        let mut its = Vec::new();
        for review in reviews.iter().filter(|r| r.suspension_id == suspension.id) {
            its.push((review.clone(), words(&key, &review.note)?));
        }
        suspensions.push(ReadSuspension {
            suspension,
            reason,
            reviews: its,
        });
    }
    Ok(CaseReading::Read(Box::new(Opened {
        details,
        entries,
        suspensions,
    })))
}

/// Every stage the case entered, in order, with its day.
pub async fn stages(ctx: &Context, case: &CaseInHand) -> Result<Vec<(Stage, Day)>, Error> {
    Ok(store::stages(&ctx.db, case.id).await?)
}

/// Whether the case's guide record has an agreed independent check.
async fn check_agreed(ctx: &Context, org: &Organisation, case: &ErCase) -> Result<bool, Error> {
    Ok(match case.guide_id {
        Some(id) => {
            let guide =
                dignity_store::justculture::guide_in_organisation(&ctx.db, org.id, id).await?;
            guide.check_state == CheckState::Agreed
        }
        None => false,
    })
}

/// What a lead sent to move a case on.
#[derive(Debug, Clone, Default)]
pub struct MoveForm {
    pub to: String,
    pub on: Option<Day>,
    pub outcome: String,
    pub appeal_outcome: String,
    pub investigator: String,
    pub version: i64,
}

/// Moves a case to its next stage, audited. Refused with a named problem when the move
/// skips a stage, breaks the date order, or starts a conduct investigation without an
/// agreed check; [`CaseError::Changed`] when someone else changed the case first.
pub async fn move_case(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
    form: &MoveForm,
) -> Result<(), CaseError> {
    may_change(ctx, session, org, case).await?;
    let mut problems = Vec::new();
    let to: Option<Stage> = choice(
        &mut problems,
        "to",
        &form.to,
        "Choose the stage the case moves to",
    );
    let outcome: Option<Outcome> = match form.outcome.trim() {
        "" => None,
        _ => choice(
            &mut problems,
            "outcome",
            &form.outcome,
            "Choose the outcome",
        ),
    };
    let appeal_outcome: Option<AppealOutcome> = match form.appeal_outcome.trim() {
        "" => None,
        _ => choice(
            &mut problems,
            "appeal_outcome",
            &form.appeal_outcome,
            "Choose the appeal's outcome",
        ),
    };
    let allowed = investigators(ctx, org).await?;
    let investigator_id = investigator(&mut problems, &form.investigator, &allowed);
    if form.on.is_none() {
        problems.push(problem(&day_field("on"), "Enter the date of the move"));
    }
    let (Some(to), Some(on), true) = (to, form.on, problems.is_empty()) else {
        return Err(CaseError::Form(problems));
    };
    if case.version != form.version {
        return Err(CaseError::Changed);
    }
    let step = Move {
        to,
        on,
        // Only the stage that takes an outcome keeps one.
        outcome: outcome.filter(|_| to == Stage::Outcome),
        appeal_outcome: appeal_outcome.filter(|_| to == Stage::AppealOutcome),
    };
    let agreed = check_agreed(ctx, org, case).await?;
    if let Err(refused) = domain::may_move(
        case.case_type,
        case.stage,
        case.stage_since,
        &step,
        ctx.clock.today(),
        agreed,
    ) {
        let field = match refused {
            MoveRefused::InFuture | MoveRefused::BeforeLastStage { .. } => day_field("on"),
            MoveRefused::NoOutcome | MoveRefused::NeedsHearing => "outcome".to_owned(),
            MoveRefused::NoAppealOutcome => "appeal_outcome".to_owned(),
            _ => "to".to_owned(),
        };
        return Err(CaseError::Form(vec![problem(&field, refused.to_string())]));
    }
    // An investigation cannot be older than the check that allowed it.
    if to == Stage::Investigation
        && let Some(id) = case.guide_id
        && let Some(checked) =
            dignity_store::justculture::guide_in_organisation(&ctx.db, org.id, id)
                .await?
                .checked_on
        && step.on < checked
    {
        return Err(CaseError::Form(vec![problem(
            &day_field("on"),
            format!(
                "The investigation cannot start before the check agreed to it, on {}",
                checked.long()
            ),
        )]));
    }
    // Closing ends a running suspension on the day it closes, which cannot be before the
    // suspension started or was last reviewed.
    if to == Stage::Closed
        && let Some(running) = store::suspensions(&ctx.db, case.id)
            .await?
            .into_iter()
            .find(|s| s.ended_on.is_none())
    {
        let last = store::reviews(&ctx.db, case.id)
            .await?
            .iter()
            .filter(|r| r.suspension_id == running.id)
            .map(|r| r.reviewed_on)
            .max()
            .unwrap_or(running.started_on)
            .max(running.started_on);
        if on < last {
            let refused = MoveRefused::BeforeSuspension { on: last };
            return Err(CaseError::Form(vec![problem(
                &day_field("on"),
                refused.to_string(),
            )]));
        }
    }
    let moved = store::move_stage(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        form.version,
        &StageMove {
            to,
            on,
            outcome: step.outcome,
            appeal_outcome: step.appeal_outcome,
            investigator_id: investigator_id.filter(|_| to == Stage::Investigation),
        },
    )
    .await?;
    if !moved {
        return Err(CaseError::Changed);
    }
    let key = case_key(ctx, session, case.id).await?;
    keep_investigator_in_step(ctx, &session.person.email, org, case.id, key.as_ref()).await?;
    Ok(())
}

/// What a lead sent to add to a case's file.
#[derive(Debug, Clone, Default)]
pub struct EntryForm {
    pub kind: String,
    pub text: String,
    /// Why a closed case is changed; needed only then.
    pub closed_reason: String,
}

fn closed_reason(problems: &mut Vec<Problem>, case: &ErCase, raw: &str) -> Option<String> {
    if !case.is_closed() {
        return None;
    }
    Some(text(
        problems,
        "closed_reason",
        raw,
        domain::TEXT_LIMIT,
        Some("This case is closed. Say why you are changing it"),
    ))
}

/// Adds a note, allegation, finding or letter to a case's file, encrypted, audited.
pub async fn add_entry(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
    form: &EntryForm,
) -> Result<i64, CaseError> {
    let lead = holds_lead(session, org);
    if lead {
        may_change(ctx, session, org, case).await?;
    } else if case.investigator_id == Some(session.person.id)
        && session.has_org_role(&org.ods_code, INVESTIGATORS)
    {
        // An officer's part ends with the case: changing a closed one (and its reason,
        // kept as a correction) is a lead's decision.
        if case.is_closed() {
            return Err(CaseError::Form(vec![problem(
                "kind",
                "This case is closed. Ask an employee relations lead if something needs adding",
            )]));
        }
        if store::seal_for(&ctx.db, case.id, &person_holder(session.person.id))
            .await?
            .is_none()
        {
            return Err(CaseError::NotShared);
        }
    } else {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let kind: Option<EntryKind> = choice(
        &mut problems,
        "kind",
        &form.kind,
        "Choose what you are adding",
    );
    let allowed = if lead {
        kind != Some(EntryKind::Correction)
    } else {
        // An officer investigates: the allegation and the letters are the leads'.
        matches!(kind, Some(EntryKind::Note | EntryKind::Finding))
    };
    if kind.is_some() && !allowed {
        problems.push(problem("kind", "Choose what you are adding"));
    }
    let body = text(
        &mut problems,
        "text",
        &form.text,
        TEXT_LIMIT,
        Some("Enter what you want to add"),
    );
    let reason = closed_reason(&mut problems, case, &form.closed_reason);
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return Err(CaseError::Form(problems));
    };
    let record = encrypt_to(&case.public_key, &padded(body.into_bytes())).map_err(Error::from)?;
    let reason = reason
        .map(|r| encrypt_to(&case.public_key, &padded(r.into_bytes())))
        .transpose()
        .map_err(Error::from)?;
    store::add_entry(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        (kind, ctx.clock.today(), session.person.id, &record),
        reason.as_deref(),
    )
    .await?
    .ok_or(CaseError::Changed)
}

/// What a lead sent to change a case's details.
#[derive(Debug, Clone, Default)]
pub struct DetailsForm {
    pub details: Details,
    pub fast_track: bool,
    pub investigator: String,
    pub closed_reason: String,
    pub version: i64,
}

/// Changes the names on a case, its terms of reference, fast-track and investigator,
/// audited; a closed case needs a reason, kept as a correction entry.
pub async fn change_details(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
    form: &DetailsForm,
) -> Result<(), CaseError> {
    may_change(ctx, session, org, case).await?;
    let mut problems = Vec::new();
    let d = &form.details;
    let details = Details {
        person_name: text(
            &mut problems,
            "person_name",
            &d.person_name,
            NAME_LIMIT,
            Some("Enter the name of the person the case is about"),
        ),
        representative: text(
            &mut problems,
            "representative",
            &d.representative,
            NAME_LIMIT,
            None,
        ),
        observer: text(&mut problems, "observer", &d.observer, NAME_LIMIT, None),
        terms_of_reference: text(
            &mut problems,
            "terms_of_reference",
            &d.terms_of_reference,
            TEXT_LIMIT,
            None,
        ),
    };
    let allowed = investigators(ctx, org).await?;
    let investigator_id = investigator(&mut problems, &form.investigator, &allowed);
    let reason = closed_reason(&mut problems, case, &form.closed_reason);
    if !problems.is_empty() {
        return Err(CaseError::Form(problems));
    }
    if case.version != form.version {
        return Err(CaseError::Changed);
    }
    let correction = reason
        .map(|r| {
            encrypt_to(&case.public_key, &padded(r.into_bytes()))
                .map(|c| (ctx.clock.today(), session.person.id, c))
        })
        .transpose()
        .map_err(Error::from)?;
    let change = DetailsChange {
        details: seal_details(&case.public_key, &details)?,
        fast_track: form.fast_track,
        investigator_id,
        org_unit_id: case.org_unit_id,
        correction,
    };
    let changed = store::change_details(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        form.version,
        &change,
    )
    .await?;
    if !changed {
        return Err(CaseError::Changed);
    }
    let key = case_key(ctx, session, case.id).await?;
    keep_investigator_in_step(ctx, &session.person.email, org, case.id, key.as_ref()).await?;
    Ok(())
}

/// What a lead sent to start a suspension.
#[derive(Debug, Clone, Default)]
pub struct SuspensionForm {
    pub kind: String,
    pub started_on: Option<Day>,
    pub review_due: Option<Day>,
    pub reason: String,
    pub version: i64,
}

fn suspension_problem(refused: &SuspensionRefused, start: &str, review: &str) -> Problem {
    let field = match refused {
        SuspensionRefused::InFuture | SuspensionRefused::BeforeCase { .. } => day_field(start),
        SuspensionRefused::NoWellbeingAnswer => "wellbeing".to_owned(),
        _ => day_field(review),
    };
    problem(&field, refused.to_string())
}

/// Starts a suspension, exclusion or restriction on an open case, with its first review
/// date (required, within the organisation's interval), audited.
pub async fn start_suspension(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
    form: &SuspensionForm,
) -> Result<(), CaseError> {
    may_change(ctx, session, org, case).await?;
    let mut problems = Vec::new();
    if case.is_closed() {
        problems.push(problem("kind", "This case is closed"));
    } else if store::suspensions(&ctx.db, case.id)
        .await?
        .iter()
        .any(|s| s.ended_on.is_none())
    {
        problems.push(problem(
            "kind",
            SuspensionRefused::AlreadySuspended.to_string(),
        ));
    }
    let kind: Option<SuspensionKind> =
        choice(&mut problems, "kind", &form.kind, "Choose what kind it is");
    let reason = text(
        &mut problems,
        "suspension_reason",
        &form.reason,
        TEXT_LIMIT,
        Some("Say why this is needed"),
    );
    let timescales = store::timescales(&ctx.db, org.id).await?;
    let review_due = match form.started_on {
        None => {
            problems.push(problem(&day_field("started_on"), "Enter the start date"));
            None
        }
        Some(start) => match domain::check_suspension(
            start,
            form.review_due,
            case.opened_on,
            ctx.clock.today(),
            &timescales,
        ) {
            Ok(due) => Some(due),
            Err(refused) => {
                problems.push(suspension_problem(&refused, "started_on", "review_due"));
                None
            }
        },
    };
    let (Some(kind), Some(started_on), Some(review_due), true) =
        (kind, form.started_on, review_due, problems.is_empty())
    else {
        return Err(CaseError::Form(problems));
    };
    if case.version != form.version {
        return Err(CaseError::Changed);
    }
    let reason = encrypt_to(&case.public_key, &padded(reason.into_bytes())).map_err(Error::from)?;
    let started = store::start_suspension(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        form.version,
        &NewSuspension {
            kind,
            started_on,
            review_due,
            reason,
        },
    )
    .await?;
    if started {
        Ok(())
    } else {
        Err(CaseError::Changed)
    }
}

/// What a lead sent to record a suspension's review.
#[derive(Debug, Clone, Default)]
pub struct ReviewForm {
    pub reviewed_on: Option<Day>,
    /// "yes" or "no": was the person's wellbeing checked?
    pub wellbeing: String,
    /// "yes" to keep the suspension going, "no" to end it.
    pub continues: String,
    pub next_due: Option<Day>,
    pub note: String,
    pub version: i64,
}

/// Records a review of the case's running suspension: the wellbeing check is required,
/// and a suspension that continues needs its next review date, audited.
pub async fn review_suspension(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &CaseInHand,
    form: &ReviewForm,
) -> Result<(), CaseError> {
    may_change(ctx, session, org, case).await?;
    let running = store::suspensions(&ctx.db, case.id)
        .await?
        .into_iter()
        .find(|s| s.ended_on.is_none())
        .filter(|_| !case.is_closed());
    let Some(running) = running else {
        return Err(CaseError::Form(vec![problem(
            "wellbeing",
            SuspensionRefused::Ended.to_string(),
        )]));
    };
    let mut problems = Vec::new();
    let wellbeing = match dignity_domain::justculture::yes_no(&form.wellbeing) {
        Ok(v) => Some(v),
        Err(_) => {
            problems.push(problem(
                "wellbeing",
                SuspensionRefused::NoWellbeingAnswer.to_string(),
            ));
            None
        }
    };
    let continues = match dignity_domain::justculture::yes_no(&form.continues) {
        Ok(v) => Some(v),
        Err(_) => {
            problems.push(problem("continues", "Say whether it continues"));
            None
        }
    };
    let note = text(
        &mut problems,
        "note",
        &form.note,
        TEXT_LIMIT,
        Some("Say what the review found"),
    );
    let last = store::reviews(&ctx.db, case.id)
        .await?
        .iter()
        .filter(|r| r.suspension_id == running.id)
        .map(|r| r.reviewed_on)
        .max()
        .unwrap_or(running.started_on);
    let timescales = store::timescales(&ctx.db, org.id).await?;
    let mut next_due = None;
    match form.reviewed_on {
        None => problems.push(problem(
            &day_field("reviewed_on"),
            "Enter the date of the review",
        )),
        Some(on) => {
            if let Err(refused) = domain::check_review(on, last, ctx.clock.today()) {
                problems.push(problem(&day_field("reviewed_on"), refused.to_string()));
            } else if continues == Some(true) {
                match domain::next_review(on, form.next_due, &timescales) {
                    Ok(due) => next_due = Some(due),
                    Err(SuspensionRefused::NoReviewDate) => problems.push(problem(
                        &day_field("next_due"),
                        SuspensionRefused::NoNextReview.to_string(),
                    )),
                    Err(refused) => {
                        problems.push(suspension_problem(&refused, "reviewed_on", "next_due"))
                    }
                }
            }
        }
    }
    let (Some(reviewed_on), Some(wellbeing), Some(_), true) =
        (form.reviewed_on, wellbeing, continues, problems.is_empty())
    else {
        return Err(CaseError::Form(problems));
    };
    if case.version != form.version {
        return Err(CaseError::Changed);
    }
    let note = encrypt_to(&case.public_key, &padded(note.into_bytes())).map_err(Error::from)?;
    let recorded = store::record_review(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        form.version,
        &NewReview {
            suspension_id: running.id,
            reviewed_on,
            wellbeing_checked: wellbeing,
            next_due,
            note,
        },
    )
    .await?;
    if recorded {
        Ok(())
    } else {
        Err(CaseError::Changed)
    }
}

/// Makes the reminder mails for one suspension review: one to each of the organisation's
/// leads. They name the case's number and the day, never the person.
pub trait ReviewLetters {
    fn review_due(&self, to: &str, org: &Organisation, case_id: i64, due: Day) -> NewMail;
}

/// Writes the reminders for suspension reviews due today or earlier, each once.
pub async fn send_review_reminders(
    ctx: &Context,
    letters: &(impl ReviewLetters + Sync),
) -> Result<usize, Error> {
    let today = ctx.clock.today();
    // Who to write to is read first: the store's callback cannot wait on the database.
    let waiting = store::organisations_to_remind(&ctx.db, today).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let mut leads: Vec<(i64, Organisation, Vec<String>)> = Vec::new();
    for org in dignity_store::identity::list_organisations(&ctx.db).await? {
        if !waiting.contains(&org.id) {
            continue;
        }
        let emails: Vec<String> = dignity_store::identity::list_members(&ctx.db, org.id)
            .await?
            .into_iter()
            .filter(|m| m.roles.iter().any(|r| LEADS.contains(r)))
            .map(|m| m.email)
            .collect();
        if !emails.is_empty() {
            leads.push((org.id, org, emails));
        }
    }
    let make = |org_id: i64, case_id: i64, due: Day| -> Vec<NewMail> {
        leads
            .iter()
            .find(|(id, _, _)| *id == org_id)
            .map(|(_, org, emails)| {
                emails
                    .iter()
                    .map(|to| letters.review_due(to, org, case_id, due))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(store::send_review_reminders(&ctx.db, ctx.clock.now(), today, &make).await?)
}
