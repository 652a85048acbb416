//! Self-assessment rounds (issue 19): an organisation rates itself against a framework in
//! partnership. An org admin opens a round and names its lead; the admin or the lead asks
//! people to rate, each for their side of the partnership; each rates every statement
//! alone and sends their ratings; the lead records an agreed rating with a reason for each
//! statement; an executive and a union partner sign it off. docs/diagnostics.md.

use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::diagnostics::rounds::{self, AssessorRole, Summary};
use dignity_domain::diagnostics::{self, Element, Framework, Statement};
use dignity_domain::identity::{Email, Role};
use dignity_domain::plans::Side;
use dignity_store::diagnostics as store;
pub use dignity_store::diagnostics::{Agreed, Assessor, Rating, Round, SignOff};
use dignity_store::mail::NewMail;
pub use dignity_store::plans::RoundAction;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub mod system;

/// Who opens rounds: the organisation's administrators.
pub const OPENERS: &[Role] = &[Role::OrgAdmin];
/// Who sees every round and its figures: its administrators, executives and union
/// partners, who agree and sign them.
pub const OVERSEERS: &[Role] = &[Role::OrgAdmin, Role::Executive, Role::UnionPartner];
/// Who may reach the pages at all: anyone in the organisation, since anyone may be asked
/// to rate. What each sees is decided per round.
pub const MEMBERS: &[Role] = &[
    Role::Staff,
    Role::Guardian,
    Role::ErLead,
    Role::Investigator,
    Role::UnionPartner,
    Role::Executive,
    Role::OrgAdmin,
];

/// Roles that speak for the employer: someone holding one rates for the employer side.
const EMPLOYER_ROLES: &[Role] = &[
    Role::Executive,
    Role::OrgAdmin,
    Role::ErLead,
    Role::Investigator,
];

/// Refused while this person is asked to rate the round and has not sent: they would
/// settle the round's ratings before giving their own.
fn not_before_sending(
    assessors: &[Assessor],
    session: &CurrentSession,
    doing: &str,
) -> Result<(), Error> {
    if assessors
        .iter()
        .any(|a| a.person_id == session.person.id && a.sent_on.is_none())
    {
        return Err(Error::Conflict(format!(
            "Send your own ratings first. Then you can {doing}."
        )));
    }
    Ok(())
}

/// Text a person types that must read as it was written: one line, no control characters,
/// and none of the invisible or direction-turning ones that make it read differently (the
/// same rule as a framework file's text).
fn plain_line(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() || diagnostics::is_hidden_mark(c))
}

/// The longest round title, in characters.
pub const TITLE_LIMIT: usize = 200;

/// A framework version's parsed file, kept by the digest of its text: a stored version
/// never changes, and parsing checks it against the survey bank, which is slow to repeat
/// on every page. Keyed by text, not id, so two databases in one process never mix.
fn framework_of(text: &str) -> Result<Arc<Framework>, Error> {
    static PARSED: Mutex<BTreeMap<[u8; 32], Arc<Framework>>> = Mutex::new(BTreeMap::new());
    let key: [u8; 32] = Sha256::digest(text.as_bytes()).into();
    let mut parsed = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(hit) = parsed.get(&key) {
        return Ok(hit.clone());
    }
    let framework = Arc::new(
        diagnostics::parse_stored(text)
            .map_err(|e| Error::Internal(format!("a stored framework does not read: {e}")))?,
    );
    parsed.insert(key, framework.clone());
    Ok(framework)
}

fn is_overseer(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, OVERSEERS)
}

/// Who reads an organisation's rounds, as their roles there decide: made from a session
/// by the checked functions ([`Reader::of`]), or for the board pack ([`Reader::board`]),
/// which is made without a session for readers the pack has already let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reader {
    /// The person reading, if a person is: they may lead a round or be asked to rate it.
    person_id: Option<i64>,
    /// Sees every round and its figures ([`OVERSEERS`]).
    overseer: bool,
    /// Opens rounds ([`OPENERS`]).
    opener: bool,
    /// Reads the organisation's staff survey results (`survey::results::READERS`).
    reads_survey: bool,
    /// Drafts the organisation's plans (`plans::EDITORS`).
    drafts_plans: bool,
    /// The sides of the partnership they may sign for.
    sides: Vec<Side>,
}

impl Reader {
    fn of(session: &CurrentSession, organisation: &Organisation) -> Reader {
        Reader {
            person_id: Some(session.person.id),
            overseer: is_overseer(session, organisation),
            opener: session.has_org_role(&organisation.ods_code, OPENERS),
            reads_survey: session
                .has_org_role(&organisation.ods_code, crate::survey::results::READERS),
            drafts_plans: may_plan(session, organisation),
            sides: crate::plans::signing::sides_for(session, organisation),
        }
    }

    /// The board pack: it reads every round and its figures as the organisation's
    /// executives do, the staff survey check included. It is nobody in a round, opens
    /// nothing, signs nothing, and, drafting no plan, sees only actions both sides signed.
    pub(crate) fn board() -> Reader {
        Reader {
            person_id: None,
            overseer: true,
            opener: false,
            reads_survey: true,
            drafts_plans: false,
            sides: Vec::new(),
        }
    }

    /// Whether the reader is this person.
    fn is(&self, person_id: i64) -> bool {
        self.person_id == Some(person_id)
    }
}

/// A problem with one field of a form, by the field's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// What went wrong with a form: its problems, or a refusal or fault.
#[derive(Debug)]
pub enum FormError {
    Problems(Vec<Problem>),
    Refused(Error),
}

impl From<Error> for FormError {
    fn from(e: Error) -> Self {
        FormError::Refused(e)
    }
}

impl From<dignity_store::StoreError> for FormError {
    fn from(e: dignity_store::StoreError) -> Self {
        FormError::Refused(e.into())
    }
}

// ---------------------------------------------------------------------------------------
// The list of rounds, and opening one.

/// A round as the list shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub round: Round,
    pub framework_title: String,
    pub framework_version: i64,
    pub assessors: usize,
    pub sent: usize,
    pub signed_off: bool,
    /// This person is asked to rate it, and has not sent their ratings yet.
    pub waiting_for_me: bool,
}

#[derive(Debug, Clone)]
pub struct RoundsPage {
    pub rounds: Vec<Listed>,
    /// The newest version of each framework, for opening a round: id and title.
    pub frameworks: Vec<(i64, String)>,
    pub may_open: bool,
}

/// The rounds this person may see: every round for overseers; for anyone else, those
/// they lead or are asked to rate.
pub async fn rounds_page(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
) -> Result<RoundsPage, Error> {
    rounds_page_for(ctx, &Reader::of(session, organisation), organisation).await
}

/// As [`rounds_page`], for a reader already decided: no session is checked.
pub(crate) async fn rounds_page_for(
    ctx: &Context,
    reader: &Reader,
    organisation: &Organisation,
) -> Result<RoundsPage, Error> {
    let mut rounds = Vec::new();
    for round in store::rounds_of(&ctx.db, organisation.id).await? {
        let assessors = store::assessors(&ctx.db, round.id).await?;
        let mine = assessors.iter().find(|a| reader.is(a.person_id));
        if !reader.overseer && mine.is_none() && !reader.is(round.lead_id) {
            continue;
        }
        let framework = store::framework(&ctx.db, round.framework_id).await?;
        let signed_off = signed_off(&store::signoffs(&ctx.db, round.id).await?, &round);
        rounds.push(Listed {
            framework_title: framework.title,
            framework_version: framework.version,
            assessors: assessors.len(),
            sent: assessors.iter().filter(|a| a.sent_on.is_some()).count(),
            signed_off,
            waiting_for_me: mine.is_some_and(|a| a.sent_on.is_none()) && !signed_off,
            round,
        });
    }
    let may_open = reader.opener;
    let frameworks = if may_open {
        store::newest_frameworks(&ctx.db)
            .await?
            .into_iter()
            .map(|f| (f.id, format!("{} (version {})", f.title, f.version)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RoundsPage {
        rounds,
        frameworks,
        may_open,
    })
}

/// The open-a-round form as typed.
#[derive(Debug, Clone, Default)]
pub struct OpenForm {
    /// A framework version's id.
    pub framework: String,
    pub title: String,
    /// The lead's email; blank for the person opening it.
    pub lead: String,
}

/// Someone in the organisation, found by the email typed into `field`.
async fn member_by_email(
    ctx: &Context,
    organisation: &Organisation,
    typed: &str,
    field: &str,
) -> Result<Result<dignity_store::identity::Person, Problem>, Error> {
    let not_here = || {
        problem(
            field,
            "Enter the email of someone who has an account in this organisation",
        )
    };
    let Ok(email) = Email::parse(typed) else {
        return Ok(Err(problem(
            field,
            "Enter an email address, like name@trust.nhs.uk",
        )));
    };
    let Some(person) = dignity_store::identity::find_person_by_email(&ctx.db, &email).await? else {
        return Ok(Err(not_here()));
    };
    let member = dignity_store::identity::memberships(&ctx.db, person.id)
        .await?
        .iter()
        .any(|m| {
            m.organisation
                .as_ref()
                .is_some_and(|o| o.id == organisation.id)
        });
    if !member || person.disabled {
        return Ok(Err(not_here()));
    }
    Ok(Ok(person))
}

/// Opens a round on the newest version of a framework. Org admins only.
pub async fn open_round(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    form: &OpenForm,
) -> Result<i64, FormError> {
    if !session.has_org_role(&organisation.ods_code, OPENERS) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let newest = store::newest_frameworks(&ctx.db).await?;
    let framework = form
        .framework
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| newest.iter().find(|f| f.id == id));
    if framework.is_none() {
        problems.push(problem("framework", "Choose a framework"));
    }
    let title = form.title.trim();
    if title.is_empty() {
        problems.push(problem(
            "title",
            "Enter a name for the round, like Health and wellbeing 2026",
        ));
    } else if title.chars().count() > TITLE_LIMIT || !plain_line(title) {
        problems.push(problem(
            "title",
            "The name must be 200 characters or fewer, on one line, in plain letters",
        ));
    }
    let lead = if form.lead.trim().is_empty() {
        Some(session.person.id)
    } else {
        match member_by_email(ctx, organisation, &form.lead, "lead").await? {
            Ok(person) => Some(person.id),
            Err(p) => {
                problems.push(p);
                None
            }
        }
    };
    let (Some(framework), Some(lead_id), true) = (framework, lead, problems.is_empty()) else {
        return Err(FormError::Problems(problems));
    };
    Ok(store::open_round(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        organisation,
        &store::NewRound {
            framework_id: framework.id,
            title,
            lead_id,
            opened_by: session.person.id,
            opened_on: ctx.clock.today(),
        },
    )
    .await?)
}

// ---------------------------------------------------------------------------------------
// One round.

/// A round with everything its page needs, for this person.
#[derive(Debug, Clone)]
pub struct RoundView {
    pub round: Round,
    pub framework: Arc<Framework>,
    pub assessors: Vec<Assessor>,
    /// This person's place in the round, if they are asked to rate it.
    pub me: Option<Assessor>,
    /// How many statements this person has rated.
    pub my_rated: usize,
    /// They may ask people to rate and record agreed ratings.
    pub may_manage: bool,
    /// They may see everyone's ratings summed up: once everyone asked has sent (shown
    /// sooner, each send would move the figures and give that person's ratings away), to
    /// overseers, the lead and those asked to rate.
    pub may_see_figures: bool,
    /// Everyone asked has sent, and someone was asked.
    pub figures_out: bool,
    pub elements: Vec<ElementView>,
    pub signoffs: Vec<SignOff>,
    /// Sides this person may sign for now.
    pub may_sign: Vec<Side>,
    pub all_agreed: bool,
    pub signed_off: bool,
    /// What staff say, from the organisation's newest closed staff survey, for those who
    /// may read its results.
    pub survey: Option<SurveyCheck>,
    /// The round this one is compared with, for those who may see the figures.
    pub previous: Option<Round>,
    /// Where this person may add an action to a plan: they draft the organisation's plans
    /// and may see the figures. Empty when they may not, or no plan runs to today.
    pub plan_places: Vec<PlanPlace>,
    /// They draft the organisation's plans, so may open them.
    pub drafts_plans: bool,
}

/// A commitment of a plan that is still running, where an action may go.
#[derive(Debug, Clone)]
pub struct PlanPlace {
    /// `plan-group`, as the form sends it back.
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ElementView {
    pub element: Element,
    pub summary: Summary,
    pub statements: Vec<StatementView>,
    /// The element's linked survey questions, when [`RoundView::survey`] is there.
    pub indicators: Vec<IndicatorView>,
    /// Rated strong (its agreed ratings', or else everyone's, median in the scale's top two
    /// levels) while staff say worse than similar organisations, beyond chance.
    pub staff_say_otherwise: bool,
    /// Rated weak (that median in the bottom two levels), or flagged as above.
    pub weak: bool,
    /// For a weak part: library resources on its topics, id and title.
    pub help: Vec<(i64, String)>,
    /// The level the part is judged at: see [`rated`].
    pub level: Option<f64>,
    /// The same part's level in [`RoundView::previous`], when the part was in it.
    pub last: Option<f64>,
    /// Actions this round added to the organisation's plans for this part, as they stand.
    pub actions: Vec<dignity_store::plans::RoundAction>,
}

impl ElementView {
    /// The change since the last round, in levels ("+1", "-0.5", "no change").
    pub fn change(&self) -> Option<String> {
        let (now, last) = (self.level?, self.last?);
        let by = now - last;
        let levels = |by: f64| {
            let unit = if (by - 1.0).abs() < f64::EPSILON {
                "level"
            } else {
                "levels"
            };
            format!("{} {unit}", rounds::median_words(Some(by)))
        };
        Some(if by.abs() < f64::EPSILON {
            "no change".to_owned()
        } else if by > 0.0 {
            format!("up {}", levels(by))
        } else {
            format!("down {}", levels(-by))
        })
    }
}

/// How many library resources a weak part lists.
pub const HELP_LISTED: usize = 3;

/// Up to [`HELP_LISTED`] current library resources on any of `topics`, in the order the
/// library's own search gives them, each once.
async fn help_on(
    ctx: &Context,
    topics: &[dignity_domain::library::Topic],
) -> Result<Vec<(i64, String)>, Error> {
    let mut found: Vec<(i64, String)> = Vec::new();
    for topic in topics {
        if found.len() >= HELP_LISTED {
            break;
        }
        let results = crate::library::search::search(
            ctx,
            dignity_search::Request {
                text: String::new(),
                kind: None,
                audience: None,
                topic: Some(topic.code().to_owned()),
                year: None,
                offset: 0,
                limit: HELP_LISTED,
            },
        )
        .await?;
        for m in results.results {
            if found.len() < HELP_LISTED && !found.iter().any(|(id, _)| *id == m.resource.id) {
                found.push((m.resource.id, m.resource.fields.title.clone()));
            }
        }
    }
    Ok(found)
}

/// The median a part is judged by: its agreed ratings' once every statement of it is
/// agreed, and everyone's until then (one agreed statement does not speak for the part).
fn rated(view: &ElementView) -> Option<f64> {
    let agreed: Vec<u8> = view
        .statements
        .iter()
        .filter_map(|s| s.agreed.as_ref().and_then(|a| u8::try_from(a.rating).ok()))
        .collect();
    if agreed.len() == view.statements.len() {
        rounds::median(&agreed)
    } else {
        view.summary.median
    }
}

/// A part rated at `level` is weak: in the bottom two levels, and below the top two (on a
/// three-level scale, only level 1 is weak).
pub fn weak_level(level: f64, top: u8) -> bool {
    level <= 2.0 && level < f64::from(top.saturating_sub(1))
}

/// The staff survey a round is checked against.
#[derive(Debug, Clone)]
pub struct SurveyCheck {
    pub campaign_title: String,
    pub organisations: usize,
}

/// One linked survey question, as the organisation's benchmark shows it.
#[derive(Debug, Clone)]
pub struct IndicatorView {
    pub key: String,
    pub text: String,
    pub better: dignity_domain::survey::Direction,
    /// `None` when the survey did not ask it, or too few answered to show it.
    pub position: Option<dignity_engine::benchmark::Position>,
}

impl IndicatorView {
    /// Worse than similar organisations beyond chance (outside the 95 % limit).
    pub fn worse(&self) -> bool {
        use dignity_engine::benchmark::Standing;
        self.position
            .as_ref()
            .is_some_and(|p| matches!(p.standing, Standing::Worse | Standing::FarWorse))
    }
}

/// The organisation against similar ones on every question of its newest closed survey,
/// by question key: the first of that year's campaigns, as the benchmark counts it.
async fn survey_positions(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Option<(SurveyCheck, crate::survey::compare::Benchmark)>, Error> {
    let today = ctx.clock.today();
    let Some(newest) = dignity_store::survey::campaigns_for(&ctx.db, organisation.id)
        .await?
        .into_iter()
        .filter(|c| c.has_closed(today))
        .max_by_key(|c| (c.closes_on, c.id))
    else {
        return Ok(None);
    };
    let mut benchmark = crate::survey::compare::benchmark(ctx, organisation, &newest).await?;
    let mut campaign = newest;
    if benchmark.questions.is_empty()
        && let Some(counted) = benchmark.counted.clone()
    {
        benchmark = crate::survey::compare::benchmark(ctx, organisation, &counted).await?;
        campaign = counted;
    }
    Ok(Some((
        SurveyCheck {
            campaign_title: campaign.title,
            organisations: benchmark.organisations,
        },
        benchmark,
    )))
}

#[derive(Debug, Clone)]
pub struct StatementView {
    pub statement: Statement,
    pub summary: Summary,
    pub agreed: Option<Agreed>,
}

fn signed_off(signoffs: &[SignOff], round: &Round) -> bool {
    Side::ALL.iter().all(|side| {
        signoffs
            .iter()
            .any(|s| s.side == side.code() && s.version == round.version)
    })
}

/// The round, if this person may see it: overseers, its lead and those asked to rate it.
/// Anyone else is told it is not found, as for a round that does not exist.
async fn visible_round(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
) -> Result<(Round, Vec<Assessor>), Error> {
    visible_round_for(
        ctx,
        &Reader::of(session, organisation),
        organisation,
        round_id,
    )
    .await
}

/// As [`visible_round`], for a reader already decided.
async fn visible_round_for(
    ctx: &Context,
    reader: &Reader,
    organisation: &Organisation,
    round_id: i64,
) -> Result<(Round, Vec<Assessor>), Error> {
    let not_found = || Error::NotFound(format!("self-assessment round {round_id}"));
    let round = store::round(&ctx.db, organisation.id, round_id)
        .await
        .map_err(|_| not_found())?;
    let assessors = store::assessors(&ctx.db, round.id).await?;
    let asked = assessors.iter().any(|a| reader.is(a.person_id));
    if reader.overseer || reader.is(round.lead_id) || asked {
        Ok((round, assessors))
    } else {
        Err(not_found())
    }
}

fn may_manage(session: &CurrentSession, organisation: &Organisation, round: &Round) -> bool {
    round.lead_id == session.person.id || session.has_org_role(&organisation.ods_code, OPENERS)
}

pub async fn round_view(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
) -> Result<RoundView, Error> {
    round_view_for(
        ctx,
        &Reader::of(session, organisation),
        organisation,
        round_id,
    )
    .await
}

/// As [`round_view`], for a reader already decided: no session is checked.
pub(crate) async fn round_view_for(
    ctx: &Context,
    reader: &Reader,
    organisation: &Organisation,
    round_id: i64,
) -> Result<RoundView, Error> {
    let (round, assessors) = visible_round_for(ctx, reader, organisation, round_id).await?;
    let stored = store::framework(&ctx.db, round.framework_id).await?;
    let framework = framework_of(&stored.definition)?;
    let me = assessors.iter().find(|a| reader.is(a.person_id)).cloned();
    let ratings = store::ratings(&ctx.db, round.id).await?;
    let agreed = store::agreed(&ctx.db, round.id).await?;
    let signoffs = store::signoffs(&ctx.db, round.id).await?;
    let manage = reader.is(round.lead_id) || reader.opener;
    // Nobody sees the figures until everyone asked has sent: an outside review recovered
    // one person's ratings from the change their sending made to the figures.
    let figures_out = !assessors.is_empty() && assessors.iter().all(|a| a.sent_on.is_some());
    let may_see_figures =
        figures_out && (me.is_some() || reader.overseer || reader.is(round.lead_id));
    let my_rated = ratings
        .iter()
        .filter(|r| reader.is(r.person_id) && r.rating.is_some())
        .count();
    let mut elements = summaries(&framework, &assessors, &ratings, &agreed);
    let survey = match (reader.reads_survey, may_see_figures) {
        (true, true) => survey_positions(ctx, organisation).await?,
        _ => None,
    };
    if let Some((_, benchmark)) = &survey {
        let strong = framework.top().saturating_sub(1);
        for view in &mut elements {
            view.indicators = view
                .element
                .indicators
                .iter()
                .map(|key| {
                    let question = benchmark.questions.iter().find(|q| &q.key == key);
                    IndicatorView {
                        key: key.clone(),
                        text: question.map_or_else(|| key.clone(), |q| q.text.clone()),
                        better: question
                            .map_or(dignity_domain::survey::Direction::Neither, |q| q.better),
                        position: question.and_then(|q| q.position.clone()),
                    }
                })
                .collect();
            view.staff_say_otherwise = rated(view).is_some_and(|m| m >= f64::from(strong))
                && view.indicators.iter().any(IndicatorView::worse);
        }
    }
    if may_see_figures {
        let top = framework.top();
        for view in &mut elements {
            view.weak = view.staff_say_otherwise || rated(view).is_some_and(|m| weak_level(m, top));
            if view.weak {
                view.help = help_on(ctx, &view.element.topics).await?;
            }
        }
    }
    let mut previous = None;
    if may_see_figures {
        for view in &mut elements {
            view.level = rated(view);
        }
        previous = compare_with_previous(ctx, &round, &framework, &mut elements).await?;
        let actions = linked_actions(ctx, organisation, round.id, reader.drafts_plans).await?;
        for action in actions {
            if let Some(view) = elements
                .iter_mut()
                .find(|v| v.element.key == action.element)
            {
                view.actions.push(action);
            }
        }
    }
    let plan_places = if may_see_figures && reader.drafts_plans {
        plan_places(ctx, organisation).await?
    } else {
        Vec::new()
    };
    let survey = survey.map(|(check, _)| check);
    let all_agreed = elements
        .iter()
        .all(|e| e.statements.iter().all(|s| s.agreed.is_some()));
    let signed_off = signed_off(&signoffs, &round);
    let may_sign = if all_agreed && !signed_off {
        reader.sides.clone()
    } else {
        Vec::new()
    };
    Ok(RoundView {
        framework,
        me,
        my_rated,
        may_manage: manage && !signed_off,
        may_see_figures,
        figures_out,
        elements,
        signoffs,
        may_sign,
        all_agreed,
        signed_off,
        survey,
        previous,
        plan_places,
        drafts_plans: reader.drafts_plans,
        assessors,
        round,
    })
}

/// The actions the round added to plans, as this person may see them. Those who draft
/// plans see every one as it stands now, drafts marked; everyone else sees only what both
/// sides signed, as the public plan shows it (an outside review found a draft shown to
/// staff, and in the board paper, as if agreed).
async fn linked_actions(
    ctx: &Context,
    organisation: &Organisation,
    round_id: i64,
    drafts_plans: bool,
) -> Result<Vec<RoundAction>, Error> {
    let mut signed: HashMap<i64, Option<dignity_store::plans::SignedPlan>> = HashMap::new();
    let mut seen = Vec::new();
    for mut link in dignity_store::plans::actions_for_round(&ctx.db, round_id).await? {
        let plan_id = link.action.plan_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = signed.entry(plan_id) {
            let plan = crate::plans::plan_in(ctx, organisation, plan_id).await?;
            slot.insert(crate::plans::signed(ctx, &plan).await?);
        }
        let published = signed
            .get(&plan_id)
            .and_then(Option::as_ref)
            .and_then(|s| s.actions.iter().find(|a| a.id == link.action.id));
        if drafts_plans {
            link.draft = published.is_none() && !link.removed;
            seen.push(link);
        } else if let Some(published) = published {
            link.action = published.clone();
            link.removed = false;
            seen.push(link);
        }
    }
    Ok(seen)
}

/// Fills each part's level in the last signed-off round on the same framework, and
/// returns that round. Parts are matched by key, so a part renamed in a newer version
/// still compares; a round rated on a different scale is not compared at all.
async fn compare_with_previous(
    ctx: &Context,
    round: &Round,
    framework: &Framework,
    elements: &mut [ElementView],
) -> Result<Option<Round>, Error> {
    let Some(previous) = store::previous_signed_round(&ctx.db, round).await? else {
        return Ok(None);
    };
    let stored = store::framework(&ctx.db, previous.framework_id).await?;
    let before = framework_of(&stored.definition)?;
    if before.top() != framework.top() {
        return Ok(None);
    }
    // A signed-off round has every statement agreed; its parts are judged by those.
    let agreed: HashMap<String, u8> = store::agreed(&ctx.db, previous.id)
        .await?
        .into_iter()
        .filter_map(|a| u8::try_from(a.rating).ok().map(|r| (a.statement, r)))
        .collect();
    for view in elements.iter_mut() {
        let Some(part) = before.elements.iter().find(|e| e.key == view.element.key) else {
            continue;
        };
        let levels: Vec<u8> = part
            .statements
            .iter()
            .filter_map(|s| agreed.get(&s.key).copied())
            .collect();
        view.last = rounds::median(&levels);
    }
    Ok(Some(previous))
}

// ---------------------------------------------------------------------------------------
// From gap to action.

/// Who may add an action to a plan from a round: those who draft the plans.
fn may_plan(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, crate::plans::EDITORS)
}

/// Every commitment of the organisation's plans that run to today or later.
async fn plan_places(ctx: &Context, organisation: &Organisation) -> Result<Vec<PlanPlace>, Error> {
    let today = ctx.clock.today();
    let mut places = Vec::new();
    for plan in crate::plans::plans_for(ctx, organisation.id).await? {
        if plan.period_end < today {
            continue;
        }
        for group in crate::plans::groups(ctx, plan.id).await? {
            places.push(PlanPlace {
                value: format!("{}-{}", plan.id, group.id),
                label: format!("{}: {}", plan.title, group.title),
            });
        }
    }
    Ok(places)
}

/// Where a linked action stands, in words: "On track, 40% done".
pub fn action_words(linked: &RoundAction) -> String {
    if linked.removed {
        "taken out of the plan since".to_owned()
    } else if linked.draft {
        "a draft, not yet signed by both sides".to_owned()
    } else {
        format!(
            "{}, {}% done",
            linked.action.status.label(),
            linked.action.progress.value()
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanForm {
    /// The framework part's key.
    pub element: String,
    /// A [`PlanPlace::value`].
    pub place: String,
    pub title: String,
}

/// Adds a draft action to one of the organisation's plans for a part of the round, and
/// links the two so the action's progress shows on the round. The plan moves to a new
/// draft version, which both sides sign as for any other change to it.
pub async fn add_to_plan(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    form: &PlanForm,
) -> Result<dignity_store::plans::Action, FormError> {
    let (round, assessors) = visible_round(ctx, session, organisation, round_id).await?;
    if !may_plan(session, organisation) {
        return Err(Error::Forbidden.into());
    }
    not_before_sending(&assessors, session, "add to the plan from the round")?;
    let stored = store::framework(&ctx.db, round.framework_id).await?;
    let framework = framework_of(&stored.definition)?;
    let Some(element) = framework.elements.iter().find(|e| e.key == form.element) else {
        return Err(
            Error::Invalid(dignity_domain::identity::InvalidValue::Message(
                "That part is not in this round's framework",
            ))
            .into(),
        );
    };
    let field = |what: &str| format!("{what}-{}", element.key);
    let mut problems = Vec::new();
    let places = plan_places(ctx, organisation).await?;
    let place = places.iter().find(|p| p.value == form.place.trim());
    if place.is_none() {
        problems.push(problem(
            &field("place"),
            "Choose a plan and commitment that is still running",
        ));
    }
    let title = form.title.trim();
    if title.is_empty() {
        problems.push(problem(&field("action"), "Enter what the action is"));
    } else if title.chars().count() > TITLE_LIMIT || !plain_line(title) {
        problems.push(problem(
            &field("action"),
            "The action must be 200 characters or fewer, on one line, in plain letters",
        ));
    }
    let ids = place.and_then(|p| {
        let (plan, group) = p.value.split_once('-')?;
        Some((plan.parse::<i64>().ok()?, group.parse::<i64>().ok()?))
    });
    let (Some((plan_id, group_id)), true) = (ids, problems.is_empty()) else {
        return Err(FormError::Problems(problems));
    };
    let plan = crate::plans::plan_in(ctx, organisation, plan_id).await?;
    let today = ctx.clock.today();
    let starts_on = if plan.period_start > today {
        plan.period_start
    } else {
        today
    };
    let dates =
        dignity_domain::plans::Dates::new(starts_on, plan.period_end).map_err(Error::Invalid)?;
    let action = crate::plans::NewAction {
        group_id,
        parent_id: None,
        title: title.to_owned(),
        description: format!(
            "From the self-assessment {}: {}.",
            round.title, element.title
        ),
        owner: String::new(),
        employer_lead: String::new(),
        union_lead: String::new(),
        dates,
        weight: None,
    };
    Ok(crate::plans::desk(ctx, &session.person.email, organisation)
        .add_action_for_round(plan_id, &action, round.id, &element.key)
        .await?)
}

/// Every statement's and element's ratings summed up, with the agreed ratings. Ratings
/// count only once their assessor has sent them: until then they may still change.
fn summaries(
    framework: &Framework,
    assessors: &[Assessor],
    ratings: &[Rating],
    agreed: &[Agreed],
) -> Vec<ElementView> {
    let side_of: HashMap<i64, Side> = assessors
        .iter()
        .filter(|a| a.sent_on.is_some())
        .filter_map(|a| {
            a.assessor_role
                .parse::<AssessorRole>()
                .ok()
                .map(|role| (a.person_id, role.side()))
        })
        .collect();
    let mut by_statement: HashMap<&str, Vec<(Side, u8)>> = HashMap::new();
    for rating in ratings {
        let (Some(side), Some(value)) = (
            side_of.get(&rating.person_id),
            rating.rating.and_then(|r| u8::try_from(r).ok()),
        ) else {
            continue;
        };
        by_statement
            .entry(rating.statement.as_str())
            .or_default()
            .push((*side, value));
    }
    let top = framework.top();
    framework
        .elements
        .iter()
        .map(|element| {
            let all: Vec<(Side, u8)> = element
                .statements
                .iter()
                .flat_map(|s| {
                    by_statement
                        .get(s.key.as_str())
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            ElementView {
                indicators: Vec::new(),
                staff_say_otherwise: false,
                weak: false,
                help: Vec::new(),
                level: None,
                last: None,
                actions: Vec::new(),
                summary: Summary::of(&all, top),
                statements: element
                    .statements
                    .iter()
                    .map(|statement| StatementView {
                        summary: Summary::of(
                            by_statement
                                .get(statement.key.as_str())
                                .map_or(&[][..], Vec::as_slice),
                            top,
                        ),
                        agreed: agreed
                            .iter()
                            .find(|a| a.statement == statement.key)
                            .cloned(),
                        statement: statement.clone(),
                    })
                    .collect(),
                element: element.clone(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Asking people to rate.

#[derive(Debug, Clone, Default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
}

/// Asks someone in the organisation to rate the round, with a mail made by `letter` (to,
/// round, the role's name). The round's lead or an org admin.
pub async fn invite(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    form: &InviteForm,
    letter: impl Fn(&str, &Round, &str) -> NewMail,
) -> Result<(), FormError> {
    let (round, _) = visible_round(ctx, session, organisation, round_id).await?;
    if !may_manage(session, organisation, &round) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let role = form.role.parse::<AssessorRole>().ok();
    if role.is_none() {
        problems.push(problem("role", "Choose why they are asked to rate"));
    }
    let person = match member_by_email(ctx, organisation, &form.email, "email").await? {
        Ok(person) => Some(person),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    // Who rates as a union partner or an executive must be one here, and nobody who
    // speaks for the employer rates for the union side: otherwise the employer side could
    // fill the union side with its own people (outside reviews did, twice).
    if let (Some(role), Some(person)) = (role, &person) {
        let held: Vec<Role> = dignity_store::identity::memberships(&ctx.db, person.id)
            .await?
            .into_iter()
            .filter(|m| {
                m.organisation
                    .as_ref()
                    .is_some_and(|o| o.id == organisation.id)
            })
            .map(|m| m.role)
            .collect();
        let needed = match role {
            AssessorRole::UnionPartner => Some((Role::UnionPartner, "a trade union partner")),
            AssessorRole::Executive => Some((Role::Executive, "an executive")),
            _ => None,
        };
        if let Some((needed, words)) = needed
            && !held.contains(&needed)
        {
            problems.push(problem(
                "role",
                format!("Only someone who is {words} here can rate as one"),
            ));
        } else if role.side() == Side::Union && held.iter().any(|r| EMPLOYER_ROLES.contains(r)) {
            problems.push(problem(
                "role",
                "Someone who speaks for the employer here cannot rate for the union side",
            ));
        }
    }
    let (Some(role), Some(person), true) = (role, person, problems.is_empty()) else {
        return Err(FormError::Problems(problems));
    };
    let mail = letter(&person.email, &round, role.label());
    store::invite(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        organisation,
        round.id,
        person.id,
        role.code(),
        session.person.id,
        ctx.clock.today(),
        &mail,
    )
    .await
    .map_err(|e| match e {
        dignity_store::StoreError::Conflict(m) if m.contains("already") => {
            FormError::Problems(vec![problem("email", m)])
        }
        other => other.into(),
    })
}

// ---------------------------------------------------------------------------------------
// Rating.

/// One assessor's saved rating of a statement, as the form shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub rating: String,
    pub evidence: String,
    pub links: String,
}

/// The rating page for one element.
#[derive(Debug, Clone)]
pub struct RatingPage {
    pub round: Round,
    pub framework: Arc<Framework>,
    /// The element's place in the framework.
    pub at: usize,
    /// Each statement's saved or typed values, by key.
    pub typed: HashMap<String, Typed>,
    pub sent: bool,
    /// Signed off by both sides: nothing changes now.
    pub closed: bool,
    /// Statements not rated yet, in the whole framework.
    pub unrated: usize,
}

impl RatingPage {
    pub fn element(&self) -> Option<&Element> {
        self.framework.elements.get(self.at)
    }

    pub fn typed(&self, key: &str) -> Typed {
        self.typed.get(key).cloned().unwrap_or_default()
    }
}

/// The assessor's own round, for rating: refused once it is signed off.
async fn my_round(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
) -> Result<(Round, Assessor, Arc<Framework>), Error> {
    let (round, assessors) = visible_round(ctx, session, organisation, round_id).await?;
    let Some(me) = assessors
        .into_iter()
        .find(|a| a.person_id == session.person.id)
    else {
        return Err(Error::NotFound(format!("self-assessment round {round_id}")));
    };
    let stored = store::framework(&ctx.db, round.framework_id).await?;
    Ok((round, me, framework_of(&stored.definition)?))
}

pub async fn rating_page(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    element_key: Option<&str>,
) -> Result<RatingPage, Error> {
    let (round, me, framework) = my_round(ctx, session, organisation, round_id).await?;
    let at = match element_key {
        None => 0,
        Some(key) => framework
            .elements
            .iter()
            .position(|e| e.key == key)
            .ok_or_else(|| Error::NotFound("That part of the framework".into()))?,
    };
    let mine: Vec<Rating> = store::ratings(&ctx.db, round.id)
        .await?
        .into_iter()
        .filter(|r| r.person_id == session.person.id)
        .collect();
    let typed = mine
        .iter()
        .map(|r| {
            (
                r.statement.clone(),
                Typed {
                    rating: r.rating.map(|n| n.to_string()).unwrap_or_default(),
                    evidence: r.evidence.clone(),
                    links: r.links.clone(),
                },
            )
        })
        .collect();
    let unrated = framework
        .statements()
        .filter(|(_, s)| {
            !mine
                .iter()
                .any(|r| r.statement == s.key && r.rating.is_some())
        })
        .count();
    let closed = signed_off(&store::signoffs(&ctx.db, round.id).await?, &round);
    Ok(RatingPage {
        round,
        framework,
        at,
        typed,
        sent: me.sent_on.is_some(),
        closed,
        unrated,
    })
}

/// One element's ratings as typed, and whether to send every rating now.
#[derive(Debug, Clone, Default)]
pub struct RatingsForm {
    pub element: String,
    /// By statement key.
    pub typed: HashMap<String, Typed>,
    pub send: bool,
}

/// What saving did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved; the next element's key, if there is one.
    Saved(Option<String>),
    /// Saved and sent.
    Sent,
}

/// Saves the assessor's ratings of one element, all or nothing, and sends them when asked
/// (every statement of the framework must then be rated).
pub async fn save_ratings(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    form: &RatingsForm,
) -> Result<Saved, FormError> {
    let (round, _, framework) = my_round(ctx, session, organisation, round_id).await?;
    let Some((at, element)) = framework
        .elements
        .iter()
        .enumerate()
        .find(|(_, e)| e.key == form.element)
    else {
        return Err(FormError::Problems(vec![problem(
            "send",
            "That part is not in this round's framework. Go back to the round and start again.",
        )]));
    };
    if form
        .typed
        .keys()
        .any(|k| !element.statements.iter().any(|s| &s.key == k))
    {
        return Err(FormError::Problems(vec![problem(
            "send",
            "A statement sent is not in this part of the framework. Go back to the round and start again.",
        )]));
    }
    let top = framework.top();
    let mut problems = Vec::new();
    let mut ratings = Vec::new();
    for statement in &element.statements {
        let typed = form.typed.get(&statement.key).cloned().unwrap_or_default();
        let field = |what: &str| format!("{what}-{}", statement.key);
        let rating = rounds::parse_rating(&typed.rating, top)
            .map_err(|e| problems.push(problem(&field("rating"), e.to_string())))
            .ok()
            .flatten();
        let evidence = rounds::check_evidence(&typed.evidence)
            .map_err(|e| problems.push(problem(&field("evidence"), e.to_string())))
            .unwrap_or_default();
        let links = rounds::check_links(&typed.links)
            .map_err(|e| problems.push(problem(&field("links"), e.to_string())))
            .unwrap_or_default();
        ratings.push(Rating {
            person_id: session.person.id,
            statement: statement.key.clone(),
            rating: rating.map(i64::from),
            evidence,
            links: links.join("\n"),
        });
    }
    if !problems.is_empty() {
        return Err(FormError::Problems(problems));
    }
    if form.send {
        // Everything saved before, with this page's ratings in place of their old ones.
        let saved = store::ratings(&ctx.db, round.id).await?;
        let rated = |key: &str| match ratings.iter().find(|r| r.statement == key) {
            Some(here) => here.rating.is_some(),
            None => saved.iter().any(|r| {
                r.person_id == session.person.id && r.statement == key && r.rating.is_some()
            }),
        };
        let missing: Vec<&str> = framework
            .elements
            .iter()
            .filter(|e| e.statements.iter().any(|s| !rated(&s.key)))
            .map(|e| e.title.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(FormError::Problems(vec![problem(
                "send",
                format!(
                    "Rate every statement before you send your ratings. Still to rate: {}",
                    missing.join("; ")
                ),
            )]));
        }
    }
    store::save_ratings(
        &ctx.db,
        round.id,
        session.person.id,
        &ratings,
        ctx.clock.today(),
        form.send,
    )
    .await?;
    Ok(if form.send {
        Saved::Sent
    } else {
        Saved::Saved(framework.elements.get(at + 1).map(|e| e.key.clone()))
    })
}

/// Takes someone who has not sent off the round: the lead or an org admin, while the
/// round is open. Their saved ratings go with them; someone who has sent stays.
pub async fn remove_assessor(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    person: &str,
) -> Result<(), Error> {
    let (round, assessors) = visible_round(ctx, session, organisation, round_id).await?;
    if !may_manage(session, organisation, &round) {
        return Err(Error::Forbidden);
    }
    let Some(assessor) = person
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| assessors.iter().find(|a| a.person_id == id))
    else {
        return Err(Error::Invalid(
            dignity_domain::identity::InvalidValue::Message(
                "Choose someone who is asked to rate this round",
            ),
        ));
    };
    store::remove_assessor(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        organisation,
        round.id,
        assessor.person_id,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Agreeing and signing.

#[derive(Debug, Clone, Default)]
pub struct AgreeForm {
    pub statement: String,
    pub rating: String,
    pub reason: String,
    /// The round's version when the page was read.
    pub version: String,
}

/// Records the agreed rating of one statement. The lead or an org admin.
pub async fn agree(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    form: &AgreeForm,
) -> Result<(), FormError> {
    let (round, assessors) = visible_round(ctx, session, organisation, round_id).await?;
    if !may_manage(session, organisation, &round) {
        return Err(Error::Forbidden.into());
    }
    not_before_sending(&assessors, session, "agree the round's ratings")?;
    let stored = store::framework(&ctx.db, round.framework_id).await?;
    let framework = framework_of(&stored.definition)?;
    let Some((_, statement)) = framework
        .statements()
        .find(|(_, s)| s.key == form.statement)
    else {
        return Err(FormError::Problems(vec![problem(
            "statement",
            "That statement is not in this round's framework",
        )]));
    };
    let field = |what: &str| format!("{what}-{}", statement.key);
    let mut problems = Vec::new();
    let rating = match rounds::parse_rating(&form.rating, framework.top()) {
        Ok(Some(r)) => Some(r),
        Ok(None) => {
            problems.push(problem(&field("agreed"), "Choose the agreed level"));
            None
        }
        Err(e) => {
            problems.push(problem(&field("agreed"), e.to_string()));
            None
        }
    };
    let reason = rounds::check_reason(&form.reason)
        .map_err(|e| problems.push(problem(&field("reason"), e.to_string())))
        .ok();
    let version = form.version.trim().parse::<i64>().ok();
    let (Some(rating), Some(reason), Some(version), true) =
        (rating, reason, version, problems.is_empty())
    else {
        if version.is_none() && problems.is_empty() {
            return Err(
                Error::Invalid(dignity_domain::identity::InvalidValue::Message(
                    "The form is out of date. Read the page again.",
                ))
                .into(),
            );
        }
        return Err(FormError::Problems(problems));
    };
    store::agree(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        organisation,
        round.id,
        version,
        &statement.key,
        i64::from(rating),
        &reason,
        session.person.id,
        ctx.clock.today(),
    )
    .await?;
    Ok(())
}

/// Signs the round for `side`, as it was at `version`: once every statement has an
/// agreed rating, by an executive (the employer) or a union partner (the unions).
pub async fn sign(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    round_id: i64,
    side: &str,
    version: &str,
) -> Result<(), Error> {
    let view = round_view(ctx, session, organisation, round_id).await?;
    let side = side.parse::<Side>().map_err(|_| {
        Error::Invalid(dignity_domain::identity::InvalidValue::Message(
            "Choose a side to sign for",
        ))
    })?;
    if !crate::plans::signing::sides_for(session, organisation).contains(&side) {
        return Err(Error::Forbidden);
    }
    not_before_sending(&view.assessors, session, "sign the round")?;
    if !view.all_agreed {
        return Err(Error::Conflict(
            "Every statement needs an agreed rating before the round is signed off".into(),
        ));
    }
    let version = version.trim().parse::<i64>().map_err(|_| {
        Error::Invalid(dignity_domain::identity::InvalidValue::Message(
            "The form is out of date. Read the page again.",
        ))
    })?;
    // The levels below are worked out from what was read just now; the store keeps them
    // only for the version it locks, so what was read must be that version too.
    if version != view.round.version {
        return Err(Error::Conflict(
            "The agreed ratings changed while you were reading them. Read them again before you sign."
                .into(),
        ));
    }
    // Every statement is agreed: each part's level, kept if this signature closes the round.
    let agreed: HashMap<String, u8> = view
        .elements
        .iter()
        .flat_map(|e| &e.statements)
        .filter_map(|s| {
            let rating = u8::try_from(s.agreed.as_ref()?.rating).ok()?;
            Some((s.statement.key.clone(), rating))
        })
        .collect();
    store::sign(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        organisation,
        view.round.id,
        version,
        side.code(),
        session.person.id,
        ctx.clock.today(),
        &rounds::part_levels(&view.framework, &agreed),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Downloads.

/// The round as a table to download: a row per part, then a row per statement, with the
/// figures the page shows. Only for those who may see the figures.
pub fn round_table(view: &RoundView, ods: &str) -> Result<crate::table::Table, Error> {
    use crate::table::{Cell, Table};
    if !view.may_see_figures {
        return Err(Error::Forbidden);
    }
    // The ratings counted here are named assessors', each shown on the round's page; no
    // anonymous answer is among them, so they are words, not disclosure figures.
    let words = |m: Option<f64>| Cell::words(rounds::median_words(m));
    let apart = |s: &Summary| Cell::words(if s.sides_apart() { "yes" } else { "no" });
    let mut rows = Vec::new();
    for part in &view.elements {
        rows.push(vec![
            Cell::words(&part.element.title),
            Cell::words(""),
            Cell::words(part.summary.rated().to_string()),
            words(part.summary.median),
            words(part.summary.employer_median),
            words(part.summary.union_median),
            apart(&part.summary),
            words(part.level),
            Cell::words(""),
            Cell::words(""),
            Cell::words(
                part.last
                    .map(|l| rounds::median_words(Some(l)))
                    .unwrap_or_default(),
            ),
            Cell::words(part.change().unwrap_or_default()),
        ]);
        for s in &part.statements {
            let agreed = s.agreed.as_ref();
            rows.push(vec![
                Cell::words(&part.element.title),
                Cell::words(&s.statement.text),
                Cell::words(s.summary.rated().to_string()),
                words(s.summary.median),
                words(s.summary.employer_median),
                words(s.summary.union_median),
                apart(&s.summary),
                Cell::words(""),
                Cell::words(agreed.map(|a| a.rating.to_string()).unwrap_or_default()),
                Cell::words(agreed.map(|a| a.reason.clone()).unwrap_or_default()),
                Cell::words(""),
                Cell::words(""),
            ]);
        }
    }
    Ok(Table {
        name: format!("self-assessment-{ods}-{}", view.round.id),
        header: [
            "Part",
            "Statement",
            "Ratings given",
            "Middle",
            "Employer side middle",
            "Union side middle",
            "Sides 2 or more levels apart",
            "Part rated at",
            "Agreed level",
            "Why agreed",
            "Last round",
            "Change since the last round",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    })
}
