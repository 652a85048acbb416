//! Staff voice (issue 20): challenges an organisation (or the platform, nationally) sets,
//! ideas staff send under them, support, comments and official answers. Everyone is shown
//! by a name they chose, never their real name. Every idea and comment passes the check
//! (`dignity_domain::voice::screen`) before anyone else reads it: one that names a patient
//! or colleague, or reads like a concern, waits for a moderator, and its writer is pointed
//! to Speak Up.

pub mod digest;
pub mod feed;
pub mod figures;
pub mod moderation;
pub mod similar;
pub mod updates;

use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::diagnostics::is_hidden_mark;
use dignity_domain::identity::Role;
use dignity_domain::library::{Topic, parse_codes};
use dignity_domain::speakup::Day;
use dignity_domain::voice::screen::{self, Finding};
use dignity_domain::voice::{IdeaOrder, IdeaState, Moderation};
use dignity_store::voice::moderation::{self as moderating, Post};
use dignity_store::voice::{self as store, Actor, IdeaFilter, Limit, NewComment, NewIdea};

pub use dignity_store::voice::follow::Target;
pub use dignity_store::voice::{Challenge, Comment, Idea, NewChallenge, On};

/// Who sets and answers an organisation's challenges.
pub const SETTERS: &[Role] = &[Role::OrgAdmin];
pub const ANSWERERS: &[Role] = &[Role::OrgAdmin, Role::Executive];
/// Who sets and answers national challenges.
pub const NATIONAL: &[Role] = &[Role::PlatformAdmin];

pub(crate) const LONGEST_TITLE: usize = 150;
const LONGEST_IDEA: usize = 5_000;
const LONGEST_COMMENT: usize = 2_000;
const LONGEST_ANSWER: usize = 5_000;
const LONGEST_QUESTION: usize = 200;
const LONGEST_DESCRIPTION: usize = 5_000;
pub(crate) const LONGEST_REASON: usize = 500;
/// Posts one account may make in an hour: enough for a lively discussion, too few to
/// flood a challenge.
const IDEAS_AN_HOUR: i64 = 10;
const COMMENTS_AN_HOUR: i64 = 60;
/// Names refused as someone's real name or as taken, per account, before a wait.
const NAME_REFUSALS: i64 = 8;
/// Ideas a page of a challenge lists.
pub const PAGE: usize = 20;

/// Why a form was refused: each problem names the field it is shown beside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("Enter a title of {LONGEST_TITLE} characters or fewer")]
    Title,
    #[error("Describe your idea in {LONGEST_IDEA} characters or fewer")]
    Idea,
    #[error("Enter a comment of {LONGEST_COMMENT} characters or fewer")]
    Comment,
    #[error("Enter the answer in {LONGEST_ANSWER} characters or fewer")]
    Answer,
    #[error("Choose what the answer is")]
    State,
    #[error("Enter a question of {LONGEST_QUESTION} characters or fewer")]
    Question,
    #[error("Describe the challenge in {LONGEST_DESCRIPTION} characters or fewer")]
    Description,
    #[error("Choose at least one topic")]
    Topics,
    #[error("The closing date must be on or after the opening date")]
    Dates,
    #[error("Enter a number from 1 to 10,000")]
    Threshold,
    #[error("Enter a number of days from 1 to 365")]
    Days,
    #[error("Choose a name of 3 to 40 letters from A to Z, numbers and spaces")]
    Name,
    #[error("Choose a name that is not your own, or anyone else's, real name")]
    RealName,
    #[error("Choose a name without a phone number, email address or words about a concern")]
    NameDetails,
    #[error("Someone else uses that name, or one written like it. Choose another")]
    NameTaken,
    #[error("You have tried many names that were taken. Wait a few minutes, then try again")]
    TooManyNames,
    #[error("Choose the name you will be shown by before you post")]
    NoName,
    #[error("This challenge is not open for ideas")]
    Closed,
    #[error("You have posted a lot in the last hour. Please wait a while before you post again")]
    TooMany,
    #[error("Text cannot hold hidden or direction-changing characters")]
    HiddenMarks,
    #[error("A moderator has stopped you posting. You can still read and support ideas")]
    Blocked,
    #[error("Give a reason in {LONGEST_REASON} characters or fewer")]
    Reason,
    #[error("Choose the community rule it breaks")]
    Rule,
    #[error("Choose what to do with the post")]
    Decision,
    #[error("Only an accepted idea can be linked to a plan action. Answer it first")]
    NotAccepted,
    #[error("Choose an action from your organisation's published plan")]
    Action,
    #[error("Choose one of the challenge's topics, or none")]
    Topic,
    #[error("Leave web addresses out of the title. You can put them in the description")]
    TitleAddress,
    #[error("Write the update in {} characters or fewer", updates::LONGEST_UPDATE)]
    Update,
    #[error("Choose a staff group from the list, or that you would rather not say")]
    StaffGroup,
}

impl Problem {
    pub fn field(&self) -> &'static str {
        match self {
            Problem::Title => "title",
            Problem::Idea => "body",
            Problem::Comment => "comment",
            Problem::Answer => "answer",
            Problem::State => "state",
            Problem::Question => "question",
            Problem::Description => "description",
            Problem::Topics => "topics",
            Problem::Dates => "closes_on",
            Problem::Threshold => "support_threshold",
            Problem::Days => "answer_within_days",
            Problem::Name
            | Problem::RealName
            | Problem::NameDetails
            | Problem::NameTaken
            | Problem::TooManyNames
            | Problem::NoName => "display_name",
            Problem::Closed | Problem::TooMany => "body",
            Problem::HiddenMarks | Problem::Blocked => "body",
            Problem::Reason => "reason",
            Problem::Rule => "rule",
            Problem::Decision => "action",
            Problem::NotAccepted | Problem::Action => "plan_action",
            Problem::Topic => "topic",
            Problem::StaffGroup => "staff_group",
            Problem::TitleAddress => "title",
            Problem::Update => "body",
        }
    }
}

/// A refused request: problems with what was typed, or anything else.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Problems(Vec<Problem>),
    #[error(transparent)]
    App(#[from] Error),
}

impl From<dignity_store::StoreError> for Refused {
    fn from(e: dignity_store::StoreError) -> Refused {
        Refused::App(e.into())
    }
}

/// What a post came to: shown, or held for a moderator because of what the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: i64,
    pub held_for: Vec<Finding>,
}

/// Text as typed, trimmed; a problem if empty, too long or holding hidden marks.
pub(crate) fn text(
    raw: &str,
    longest: usize,
    problem: Problem,
    problems: &mut Vec<Problem>,
) -> String {
    let text = raw.trim();
    if text.chars().any(is_hidden_mark) {
        problems.push(Problem::HiddenMarks);
    } else if text.is_empty() || text.chars().count() > longest {
        problems.push(problem);
    }
    text.to_owned()
}

/// Whether text holds a web address. A title is read in emails and feeds beside the
/// service's own words, where a link would lend it their trust; links belong in the
/// description, shown as the writer's.
pub(crate) fn has_web_address(text: &str) -> bool {
    // Dots that mail programs may read as a full stop in an address count as one.
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '\u{ff0e}' | '\u{3002}' | '\u{ff61}' | '\u{2024}' | '\u{fe52}' => '.',
            other => other,
        })
        .collect();
    if lower.contains("://") || lower.contains("www.") {
        return true;
    }
    // Each run of letters, digits, hyphens and dots is a possible host name, wherever it
    // stands in a word: mail programs link `evil.com` in `go:evil.com?x=1` too.
    let mut rest = lower.as_str();
    while let Some(start) = rest.find(is_host_char) {
        rest = &rest[start..];
        let end = rest.find(|c| !is_host_char(c)).unwrap_or(rest.len());
        let (host, after) = rest.split_at(end);
        if looks_like_host(host, after.starts_with(['/', ':', '?', '#'])) {
            return true;
        }
        rest = after;
    }
    false
}

fn is_host_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '.'
}

/// Endings of three or more letters that mail programs link (every two-letter country
/// ending counts too).
const LINKED_ENDINGS: &[&str] = &[
    "com", "org", "net", "gov", "edu", "nhs", "int", "mil", "info", "biz", "app", "dev", "xyz",
    "online", "site", "top", "link", "zip", "mov", "shop", "store", "click", "live", "life",
    "club", "mobi", "pro", "name", "cloud", "page", "email", "icu", "vip", "work", "win", "bid",
    "loan", "men", "help", "support", "services", "health", "care", "news", "blog", "tech",
    "website", "space", "fun", "today", "world", "digital", "network",
];

/// Whether a run like `name.ending` reads as a host name: labels of letters, digits and
/// hyphens, ending in a country's two letters or a known ending, or in any word of two
/// or more letters when a path or port follows (`name.example/page`).
fn looks_like_host(run: &str, path_follows: bool) -> bool {
    let run = run.trim_matches(|c| c == '.' || c == '-');
    let labels: Vec<&str> = run.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let ending = labels.last().copied().unwrap_or_default();
    if ending.chars().count() < 2 || !ending.chars().all(char::is_alphabetic) {
        return false;
    }
    path_follows || ending.chars().count() == 2 || LINKED_ENDINGS.contains(&ending)
}

/// Text with every run of spaces and line breaks made one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn problems_or<T>(problems: Vec<Problem>, value: T) -> Result<T, Refused> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Refused::Problems(problems))
    }
}

/// The organisations whose challenges `session` takes part in.
fn member_of(session: &CurrentSession) -> Vec<i64> {
    let mut ids: Vec<i64> = session
        .memberships
        .iter()
        .filter_map(|m| m.organisation.as_ref().map(|o| o.id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether `session` may read and take part in `challenge`: its organisation's people, or
/// anyone signed in for a national one.
pub fn may_take_part(session: &CurrentSession, challenge: &Challenge) -> bool {
    challenge
        .fields
        .organisation_id
        .is_none_or(|org| member_of(session).contains(&org))
}

/// Whether `session` may answer `challenge`'s ideas.
pub fn may_answer(session: &CurrentSession, challenge: &Challenge) -> bool {
    match challenge.fields.organisation_id {
        None => session.has_platform_role(NATIONAL),
        Some(org) => session.memberships.iter().any(|m| {
            ANSWERERS.contains(&m.role) && m.organisation.as_ref().is_some_and(|o| o.id == org)
        }),
    }
}

/// Whether a challenge takes ideas, support and comments today.
pub fn is_open(challenge: &Challenge, today: Day) -> bool {
    challenge.fields.opens_on <= today && today <= challenge.fields.closes_on
}

/// The challenges `session` can take part in, newest first.
pub async fn challenges(ctx: &Context, session: &CurrentSession) -> Result<Vec<Challenge>, Error> {
    challenges_of(ctx, &member_of(session)).await
}

/// The national challenges and those of `organisation_ids`, newest first. No session is
/// checked: for a caller that has decided who reads them (the board pack).
pub(crate) async fn challenges_of(
    ctx: &Context,
    organisation_ids: &[i64],
) -> Result<Vec<Challenge>, Error> {
    Ok(store::challenges_for(&ctx.db, organisation_ids).await?)
}

/// A challenge `session` may take part in; not found otherwise, so another trust's
/// challenges are not even known to exist.
pub async fn challenge(
    ctx: &Context,
    session: &CurrentSession,
    id: i64,
) -> Result<Challenge, Error> {
    let challenge = store::challenge(&ctx.db, id).await?;
    if !may_take_part(session, &challenge) {
        return Err(Error::NotFound("There is no such challenge".into()));
    }
    Ok(challenge)
}

/// A page of a challenge's ideas, with the viewer's own held ones, and one more when
/// there is a next page.
pub async fn ideas(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
    order: IdeaOrder,
    page: usize,
) -> Result<Vec<Idea>, Error> {
    ideas_listed(ctx, session, challenge, order, &Listing::default(), page).await
}

/// What a list of a challenge's ideas shows, as asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub state: Option<IdeaState>,
    /// A topic code of the challenge's.
    pub topic: Option<String>,
    /// Words to search for; the list is then best match first.
    pub search: String,
}

/// Search results listed at most: a search narrows, it does not page through everything.
pub const MOST_FOUND: usize = 100;

/// As [`ideas`], only those `listing` asks for.
pub async fn ideas_listed(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
    order: IdeaOrder,
    listing: &Listing,
    page: usize,
) -> Result<Vec<Idea>, Error> {
    let words: String = listing.search.trim().chars().take(LONGEST_TITLE).collect();
    let found = if words.is_empty() {
        None
    } else {
        Some(
            ctx.ideas
                .similar(&ctx.db, challenge.id, &words, MOST_FOUND)
                .await?,
        )
    };
    let filter = IdeaFilter {
        state: listing.state,
        topic: listing.topic.clone(),
        found,
    };
    Ok(store::ideas_where(
        &ctx.db,
        challenge.id,
        order,
        &filter,
        Some(session.person.id),
        (page.saturating_mul(PAGE), PAGE + 1),
    )
    .await?)
}

/// The topic codes of a challenge, in the order it lists them.
pub fn topics_of(challenge: &Challenge) -> Vec<Topic> {
    parse_codes::<Topic>(&challenge.fields.topics).unwrap_or_default()
}

/// An idea with its challenge, if `session` may read it: a held one only by its author.
pub async fn idea(
    ctx: &Context,
    session: &CurrentSession,
    id: i64,
) -> Result<(Idea, Challenge), Error> {
    let idea = store::idea(&ctx.db, id).await?;
    let challenge = challenge(ctx, session, idea.challenge_id).await?;
    let mut idea = idea;
    let own = idea.author_id == session.person.id;
    match idea.moderation {
        Moderation::Shown => {}
        Moderation::Held if own => {}
        Moderation::Held => return Err(Error::NotFound("There is no such idea".into())),
        // A hidden idea's page stays, to say a moderator hid it and why; its words go
        // only to its author, who may appeal.
        Moderation::Hidden if own => {}
        // Hidden while held: it was only ever its author's.
        Moderation::Hidden if !idea.was_shown => {
            return Err(Error::NotFound("There is no such idea".into()));
        }
        Moderation::Hidden => {
            idea.title.clear();
            idea.body.clear();
        }
    }
    Ok((idea, challenge))
}

pub async fn comments(
    ctx: &Context,
    session: &CurrentSession,
    idea: &Idea,
) -> Result<Vec<Comment>, Error> {
    Ok(store::comments(&ctx.db, On::Idea(idea.id), Some(session.person.id)).await?)
}

pub async fn supports(ctx: &Context, session: &CurrentSession, idea: &Idea) -> Result<bool, Error> {
    Ok(store::supports(&ctx.db, idea.id, session.person.id).await?)
}

/// The name `session` is shown by, if chosen.
pub async fn display_name(
    ctx: &Context,
    session: &CurrentSession,
) -> Result<Option<String>, Error> {
    Ok(store::display_name(&ctx.db, session.person.id).await?)
}

/// Chooses the name `session` is shown by: 3 to 40 letters, numbers, spaces, hyphens,
/// apostrophes and full stops, and nobody's real name (a chosen name is what keeps a
/// writer's real name off the page).
pub async fn set_display_name(
    ctx: &Context,
    session: &CurrentSession,
    raw: &str,
) -> Result<String, Refused> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    // Letters A to Z once folded ("José" is fine): a letter of another script can pass
    // for a Latin one, and a name is there to be told apart (outside attack, 2026-12-06).
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.');
    if !(3..=40).contains(&length) || !screen::fold(&name).chars().all(allowed) {
        return Err(Refused::Problems(vec![Problem::Name]));
    }
    // Compared as they read, so "Ｓａｍ Ｓｔａｆｆ" or "Sam-Staff." is Sam Staff's name, and
    // checked as a post is: a name is on every post its owner makes (outside attack,
    // 2026-12-06).
    // A refusal for a real name says that person has an account, so refusals are counted
    // like failed sign-ins (the same table and window): after a few, no more tries for a
    // while (outside attack, 2026-12-06).
    let throttle_key = format!("voice-name:{}", session.person.id);
    let window = ctx.sign_in.throttle_window_seconds;
    let now = ctx.clock.now();
    if dignity_store::throttle::recent_failures(&ctx.db, &throttle_key, now, window).await?
        >= NAME_REFUSALS
    {
        return Err(Refused::Problems(vec![Problem::TooManyNames]));
    }
    let refused = |problem: Problem| async {
        dignity_store::throttle::record_failure(&ctx.db, &[&throttle_key], now, window).await?;
        Ok::<Refused, Error>(Refused::Problems(vec![problem]))
    };
    let key = screen::name_key(&name);
    let real = store::real_names(&ctx.db, None).await?;
    let real_refs: Vec<&str> = real.iter().map(String::as_str).collect();
    let found = screen::screen(&name, &real_refs);
    if real.iter().any(|r| screen::name_key(r) == key)
        || found.iter().any(|f| matches!(f, Finding::StaffName(_)))
    {
        return Err(refused(Problem::RealName).await?);
    }
    if !found.is_empty() {
        return Err(Refused::Problems(vec![Problem::NameDetails]));
    }
    match store::set_display_name(&ctx.db, session.person.id, &name).await {
        Ok(()) => {}
        Err(dignity_store::StoreError::Conflict(_)) => {
            return Err(refused(Problem::NameTaken).await?);
        }
        Err(other) => return Err(Refused::App(other.into())),
    }
    Ok(name)
}

/// The staff group `session` gave for the participation figures, if they gave one.
pub async fn staff_group(ctx: &Context, session: &CurrentSession) -> Result<Option<String>, Error> {
    Ok(store::staff_group(&ctx.db, session.person.id).await?)
}

/// Chooses the name `session` is shown by, as [`set_display_name`] does, and the staff
/// group they give for the participation figures: one on the list, `""` for none, or
/// `None` to leave it as it is (a form without the question). The group is checked first,
/// so a refused form changes nothing.
pub async fn set_name_and_group(
    ctx: &Context,
    session: &CurrentSession,
    raw_name: &str,
    raw_group: Option<&str>,
) -> Result<String, Refused> {
    let group = raw_group
        .map(dignity_domain::voice::staff_group)
        .transpose()
        .map_err(|_| Refused::Problems(vec![Problem::StaffGroup]))?;
    let name = set_display_name(ctx, session, raw_name).await?;
    if let Some(group) = group {
        // Closed challenges' figures are settled with the group as it was.
        figures::settle_closed(ctx).await.map_err(Refused::App)?;
        store::set_staff_group(&ctx.db, session.person.id, group, ctx.clock.now())
            .await
            .map_err(|e| Refused::App(e.into()))?;
    }
    // A name or group changed or taken back must not stay readable in SQLite's write-ahead
    // log, in a copy of the files (outside attack, 2026-12-07). Best effort: the next
    // checkpoint copies what this one could not.
    let _ = ctx.db.checkpoint().await;
    Ok(name)
}

/// What a post's check found, given the real names of the people who could be named.
async fn check(ctx: &Context, challenge: &Challenge, words: &str) -> Result<Vec<Finding>, Error> {
    let names = store::real_names(&ctx.db, challenge.fields.organisation_id).await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(screen::screen(words, &names))
}

fn held_because(found: &[Finding]) -> Option<String> {
    (!found.is_empty()).then(|| {
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Ideas past their answer-by date with no answer, under the challenges `session`
/// answers for, longest overdue first.
pub async fn overdue(ctx: &Context, session: &CurrentSession) -> Result<Vec<Idea>, Error> {
    let mut answered_for: Vec<i64> = session
        .memberships
        .iter()
        .filter(|m| ANSWERERS.contains(&m.role))
        .filter_map(|m| m.organisation.as_ref().map(|o| o.id))
        .collect();
    answered_for.sort_unstable();
    answered_for.dedup();
    overdue_for(
        ctx,
        &answered_for,
        session.has_platform_role(NATIONAL),
        ctx.clock.today(),
    )
    .await
}

/// Shown ideas still open whose answer-by date was before `today`, under the challenges
/// of `organisation_ids` (and the national ones when `national`), longest overdue first.
/// No session is checked: for a caller that has decided who reads them (the board pack,
/// as of a quarter's end).
pub(crate) async fn overdue_for(
    ctx: &Context,
    organisation_ids: &[i64],
    national: bool,
    today: Day,
) -> Result<Vec<Idea>, Error> {
    Ok(store::overdue(&ctx.db, organisation_ids, national, today).await?)
}

/// Ideas suggested while a title is typed: at most this many.
pub const SIMILAR: usize = 5;

/// The shown ideas of `challenge` most like `title`, best first, that `session` may read.
pub async fn similar(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
    title: &str,
) -> Result<Vec<Idea>, Error> {
    if !may_take_part(session, challenge) {
        return Err(Error::NotFound("There is no such challenge".into()));
    }
    let title: String = title.chars().take(LONGEST_TITLE).collect();
    let ids = ctx
        .ideas
        .similar(&ctx.db, challenge.id, &title, SIMILAR)
        .await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let idea = store::idea(&ctx.db, id).await?;
        // The index may lag a moderator by a moment: what is not shown now is left out.
        if idea.moderation == Moderation::Shown && idea.challenge_id == challenge.id {
            found.push(idea);
        }
    }
    Ok(found)
}

/// Sends an idea under an open challenge, shown or held by the check.
pub async fn post_idea(
    ctx: &Context,
    session: &CurrentSession,
    challenge_id: i64,
    title: &str,
    body: &str,
) -> Result<Posted, Refused> {
    post_idea_on(ctx, session, challenge_id, (title, body), "").await
}

/// As [`post_idea`], under one of the challenge's topics (a code, or empty for none).
pub async fn post_idea_on(
    ctx: &Context,
    session: &CurrentSession,
    challenge_id: i64,
    (title, body): (&str, &str),
    topic: &str,
) -> Result<Posted, Refused> {
    let challenge = challenge(ctx, session, challenge_id).await?;
    let mut problems = Vec::new();
    // A title is one line wherever it is shown: in lists, feeds and emails.
    let title = one_line(title);
    let title = text(&title, LONGEST_TITLE, Problem::Title, &mut problems);
    if has_web_address(&title) {
        problems.push(Problem::TitleAddress);
    }
    let body = text(body, LONGEST_IDEA, Problem::Idea, &mut problems);
    let topic = match topic.trim() {
        "" => None,
        code => match code.parse::<Topic>() {
            Ok(t) if topics_of(&challenge).contains(&t) => Some(t.code().to_owned()),
            _ => {
                problems.push(Problem::Topic);
                None
            }
        },
    };
    ready_to_post(ctx, session, &challenge, &mut problems).await?;
    let since = ctx.clock.now() - 3_600;
    if store::ideas_since(&ctx.db, session.person.id, since).await? >= IDEAS_AN_HOUR {
        problems.push(Problem::TooMany);
    }
    let (title, body) = problems_or(problems, (title, body))?;
    let held_for = check(ctx, &challenge, &format!("{title}\n{body}")).await?;
    // Counted again where the idea is written, so parallel posts cannot pass together.
    let id = store::post_idea_within(
        &ctx.db,
        ctx.clock.now(),
        &NewIdea {
            challenge_id: challenge.id,
            author_id: session.person.id,
            title,
            body,
            held_because: held_because(&held_for),
            topic,
        },
        Some(Limit {
            since,
            most: IDEAS_AN_HOUR,
        }),
    )
    .await?
    .ok_or(Refused::Problems(vec![Problem::TooMany]))?;
    Ok(Posted { id, held_for })
}

/// A post needs a chosen name, an open challenge and an author a moderator has not stopped.
async fn ready_to_post(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
    problems: &mut Vec<Problem>,
) -> Result<(), Error> {
    if display_name(ctx, session).await?.is_none() {
        problems.push(Problem::NoName);
    }
    if !is_open(challenge, ctx.clock.today()) {
        problems.push(Problem::Closed);
    }
    if store::moderation::is_blocked(&ctx.db, session.person.id).await? {
        problems.push(Problem::Blocked);
    }
    Ok(())
}

/// Comments on a shown idea, or replies to a comment on it.
pub async fn comment(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
    reply_to: Option<i64>,
    body: &str,
) -> Result<Posted, Refused> {
    let (idea, challenge) = idea(ctx, session, idea_id).await?;
    comment_on(ctx, session, &challenge, On::Idea(idea.id), reply_to, body).await
}

/// Comments on an idea or update of `challenge`, which `session` may read: the checks
/// before posting, the hourly limit, and the hold for what the check finds.
pub(crate) async fn comment_on(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
    on: On,
    reply_to: Option<i64>,
    body: &str,
) -> Result<Posted, Refused> {
    let mut problems = Vec::new();
    let body = text(body, LONGEST_COMMENT, Problem::Comment, &mut problems);
    ready_to_post(ctx, session, challenge, &mut problems).await?;
    let since = ctx.clock.now() - 3_600;
    if store::comments_since(&ctx.db, session.person.id, since).await? >= COMMENTS_AN_HOUR {
        problems.push(Problem::TooMany);
    }
    let body = problems_or(problems, body)?;
    let held_for = check(ctx, challenge, &body).await?;
    let id = store::comment_within(
        &ctx.db,
        ctx.clock.now(),
        &NewComment {
            on,
            reply_to,
            author_id: session.person.id,
            body,
            held_because: held_because(&held_for),
        },
        Some(Limit {
            since,
            most: COMMENTS_AN_HOUR,
        }),
    )
    .await?
    .ok_or(Refused::Problems(vec![Problem::TooMany]))?;
    Ok(Posted { id, held_for })
}

/// Supports a shown idea of an open challenge, once; true if this added support.
pub async fn support(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
) -> Result<bool, Refused> {
    let (idea, challenge) = idea(ctx, session, idea_id).await?;
    if !is_open(&challenge, ctx.clock.today()) {
        return Err(Refused::Problems(vec![Problem::Closed]));
    }
    Ok(
        store::support(&ctx.db, idea.id, session.person.id, ctx.clock.now())
            .await?
            .added,
    )
}

/// Withdraws support while the challenge is open: once it has closed, support stands as
/// it was, as its final figures count it.
pub async fn withdraw_support(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
) -> Result<bool, Refused> {
    let (idea, challenge) = idea(ctx, session, idea_id).await?;
    if !is_open(&challenge, ctx.clock.today()) {
        return Err(Refused::Problems(vec![Problem::Closed]));
    }
    Ok(store::withdraw_support(&ctx.db, idea.id, session.person.id).await?)
}

/// Reports an idea, or a comment on it, to the moderators with a reason. True if this
/// added a report (false: this person had reported it already).
pub async fn report(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
    comment_id: Option<i64>,
    reason: &str,
) -> Result<bool, Refused> {
    let (idea, _) = idea(ctx, session, idea_id).await?;
    // Only a shown post: a hidden one has been decided, and reporting it again would put
    // it back in the queue (outside attack, 2026-12-06).
    let post = match comment_id {
        None if idea.moderation == Moderation::Shown => Post::Idea(idea.id),
        None => return Err(Error::NotFound("There is no such idea to report".into()).into()),
        Some(id) => {
            let seen = comments(ctx, session, &idea).await?;
            if !seen
                .iter()
                .any(|c| c.id == id && c.moderation == Moderation::Shown)
            {
                return Err(Error::NotFound("There is no such comment".into()).into());
            }
            Post::Comment(id)
        }
    };
    let mut problems = Vec::new();
    let reason = text(reason, LONGEST_REASON, Problem::Reason, &mut problems);
    let reason = problems_or(problems, reason)?;
    Ok(moderating::report(&ctx.db, post, session.person.id, &reason, ctx.clock.now()).await?)
}

/// The official answer to an idea: its new state and what is said, dated today. Every
/// answer needs words; "not taken forward" needs its reason.
pub async fn answer(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
    state: Option<IdeaState>,
    words: &str,
) -> Result<(), Refused> {
    let (idea, challenge) = idea(ctx, session, idea_id).await?;
    if !may_answer(session, &challenge) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let words = text(words, LONGEST_ANSWER, Problem::Answer, &mut problems);
    let state = match state {
        Some(s) if s != IdeaState::Open => s,
        _ => {
            problems.push(Problem::State);
            IdeaState::Open
        }
    };
    let words = problems_or(problems, words)?;
    let ods = organisation_code(session, &challenge);
    store::answer(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        ctx.clock.now(),
        idea.id,
        state,
        &words,
    )
    .await?;
    Ok(())
}

pub(crate) fn organisation_code(session: &CurrentSession, challenge: &Challenge) -> Option<String> {
    let org = challenge.fields.organisation_id?;
    session
        .memberships
        .iter()
        .filter_map(|m| m.organisation.as_ref())
        .find(|o| o.id == org)
        .map(|o| o.ods_code.clone())
}

/// A challenge as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct ChallengeForm {
    pub question: String,
    pub description: String,
    pub topics: String,
    pub opens_on: Option<Day>,
    pub closes_on: Option<Day>,
    pub support_threshold: String,
    pub answer_within_days: String,
}

/// Sets a challenge for `organisation_id` (its administrators), or a national one (`None`,
/// the platform's administrators). Returns its id.
pub async fn set_challenge(
    ctx: &Context,
    session: &CurrentSession,
    organisation_id: Option<i64>,
    form: &ChallengeForm,
) -> Result<i64, Refused> {
    let allowed = match organisation_id {
        None => session.has_platform_role(NATIONAL),
        Some(org) => session.memberships.iter().any(|m| {
            SETTERS.contains(&m.role) && m.organisation.as_ref().is_some_and(|o| o.id == org)
        }),
    };
    if !allowed {
        return Err(Error::Forbidden.into());
    }
    let challenge = read_challenge(ctx, organisation_id, form).map_err(Refused::Problems)?;
    let ods = organisation_id.and_then(|org| {
        session
            .memberships
            .iter()
            .filter_map(|m| m.organisation.as_ref())
            .find(|o| o.id == org)
            .map(|o| o.ods_code.clone())
    });
    Ok(store::create_challenge(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        ctx.clock.now(),
        &challenge,
    )
    .await?)
}

/// What is wrong with a challenge as typed, for a page that found problems of its own
/// (dates it could not read) and shows them all at once.
pub fn challenge_problems(ctx: &Context, form: &ChallengeForm) -> Vec<Problem> {
    read_challenge(ctx, None, form).err().unwrap_or_default()
}

fn read_challenge(
    ctx: &Context,
    organisation_id: Option<i64>,
    form: &ChallengeForm,
) -> Result<NewChallenge, Vec<Problem>> {
    let mut problems = Vec::new();
    // A question is one line wherever it is shown: in pages, feeds and emails.
    let question = text(
        &one_line(&form.question),
        LONGEST_QUESTION,
        Problem::Question,
        &mut problems,
    );
    let description = text(
        &form.description,
        LONGEST_DESCRIPTION,
        Problem::Description,
        &mut problems,
    );
    let topics: Vec<Topic> = parse_codes(&form.topics).unwrap_or_default();
    if topics.is_empty() {
        problems.push(Problem::Topics);
    }
    let today = ctx.clock.today();
    let opens_on = form.opens_on.unwrap_or(today);
    let closes_on = match form.closes_on {
        Some(day) if day >= opens_on => day,
        _ => {
            problems.push(Problem::Dates);
            opens_on
        }
    };
    let number =
        |raw: &str, range: std::ops::RangeInclusive<i64>, problem, problems: &mut Vec<Problem>| {
            match raw.trim().replace(',', "").parse::<i64>() {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    problems.push(problem);
                    0
                }
            }
        };
    let support_threshold = number(
        &form.support_threshold,
        1..=10_000,
        Problem::Threshold,
        &mut problems,
    );
    let answer_within_days = number(
        &form.answer_within_days,
        1..=365,
        Problem::Days,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewChallenge {
        organisation_id,
        question,
        description,
        topics: topics
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(","),
        opens_on,
        closes_on,
        support_threshold,
        answer_within_days,
    })
}

/// The plan action an idea is linked to, as the idea shows it: from the organisation's
/// published plan only, so a draft is never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAction {
    /// The organisation's ODS code, for the link to its published plan.
    pub ods_code: String,
    pub plan_title: String,
    pub title: String,
    pub status: String,
    pub progress: u8,
}

/// The actions of `challenge`'s organisation's published plans, as (plan, action, words).
async fn published_actions(
    ctx: &Context,
    challenge: &Challenge,
) -> Result<Vec<(i64, i64, String)>, Error> {
    let Some(org) = challenge.fields.organisation_id else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for plan in dignity_store::plans::plans_for(&ctx.db, org).await? {
        if let Some(signed) = dignity_store::plans::signed_plan(&ctx.db, &plan).await? {
            for action in signed.actions {
                found.push((
                    plan.id,
                    action.id,
                    format!("{}: {}", signed.title, action.title),
                ));
            }
        }
    }
    Ok(found)
}

/// What an idea's linked action shows, if it is linked to one of its organisation's
/// published actions.
pub async fn linked_action(
    ctx: &Context,
    idea: &Idea,
    challenge: &Challenge,
) -> Result<Option<LinkedAction>, Error> {
    let (Some((plan_id, action_id)), Some(org)) =
        (idea.plan_action, challenge.fields.organisation_id)
    else {
        return Ok(None);
    };
    let plan = dignity_store::plans::get_plan(&ctx.db, plan_id).await?;
    if plan.organisation_id != org {
        return Ok(None);
    }
    let Some(signed) = dignity_store::plans::signed_plan(&ctx.db, &plan).await? else {
        return Ok(None);
    };
    let Some(action) = signed.actions.iter().find(|a| a.id == action_id) else {
        return Ok(None);
    };
    let ods_code = dignity_store::identity::list_organisations(&ctx.db)
        .await?
        .into_iter()
        .find(|o| o.id == org)
        .map(|o| o.ods_code)
        .unwrap_or_default();
    Ok(Some(LinkedAction {
        ods_code,
        plan_title: signed.title.clone(),
        title: action.title.clone(),
        status: action.status.label().to_owned(),
        progress: action.progress.value(),
    }))
}

/// The actions an answerer may link `challenge`'s ideas to: (the form's value, words).
pub async fn actions_to_link(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
) -> Result<Vec<(String, String)>, Error> {
    if !may_answer(session, challenge) {
        return Ok(Vec::new());
    }
    Ok(published_actions(ctx, challenge)
        .await?
        .into_iter()
        .map(|(plan, action, words)| (format!("{plan}-{action}"), words))
        .collect())
}

/// Links an accepted (or later) idea to an action of its organisation's published plan,
/// or unlinks it (`choice` empty).
pub async fn link_action(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
    choice: &str,
) -> Result<(), Refused> {
    let (idea, challenge) = idea(ctx, session, idea_id).await?;
    if !may_answer(session, &challenge) {
        return Err(Error::Forbidden.into());
    }
    if !matches!(
        idea.state,
        IdeaState::Accepted | IdeaState::InProgress | IdeaState::Done
    ) {
        return Err(Refused::Problems(vec![Problem::NotAccepted]));
    }
    let choice = choice.trim();
    let plan_action = if choice.is_empty() {
        None
    } else {
        let found = published_actions(ctx, &challenge)
            .await?
            .into_iter()
            .find(|(plan, action, _)| format!("{plan}-{action}") == choice)
            .map(|(plan, action, _)| (plan, action));
        match found {
            Some(pair) => Some(pair),
            None => return Err(Refused::Problems(vec![Problem::Action])),
        }
    };
    let ods = organisation_code(session, &challenge);
    store::link_action(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        ctx.clock.now(),
        idea.id,
        plan_action,
    )
    .await?;
    Ok(())
}

/// Starts following a challenge or an idea `session` may read; false if already following.
pub async fn follow(
    ctx: &Context,
    session: &CurrentSession,
    target: Target,
) -> Result<bool, Error> {
    readable(ctx, session, target).await?;
    Ok(store::follow::follow(&ctx.db, session.person.id, target, ctx.clock.now()).await?)
}

/// Stops following; false if not following.
pub async fn unfollow(
    ctx: &Context,
    session: &CurrentSession,
    target: Target,
) -> Result<bool, Error> {
    Ok(store::follow::unfollow(&ctx.db, session.person.id, target).await?)
}

/// Whether `session` follows `target`.
/// The name `session` is shown by, and whether they follow `challenge`, for its page.
pub async fn viewer_of(
    ctx: &Context,
    session: &CurrentSession,
    challenge: &Challenge,
) -> Result<(Option<String>, bool), Error> {
    Ok(store::viewer_of(&ctx.db, session.person.id, challenge.id).await?)
}

pub async fn follows(
    ctx: &Context,
    session: &CurrentSession,
    target: Target,
) -> Result<bool, Error> {
    Ok(store::follow::follows(&ctx.db, session.person.id, target).await?)
}

/// Not found unless `session` may read `target`, and an idea is shown or their own (the
/// page offers no button for anyone else's held or hidden idea).
async fn readable(ctx: &Context, session: &CurrentSession, target: Target) -> Result<(), Error> {
    match target {
        Target::Challenge(id) => challenge(ctx, session, id).await.map(|_| ()),
        Target::Idea(id) => {
            let (idea, _) = idea(ctx, session, id).await?;
            if idea.moderation != Moderation::Shown && idea.author_id != session.person.id {
                return Err(Error::NotFound("There is no such idea".into()));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::has_web_address;

    #[test]
    fn web_addresses_are_found_in_titles_without_catching_ordinary_words() {
        for address in [
            "See https://example.test",
            "www.example.test",
            "see evil.example/x",
            "Read trust.nhs.uk now",
            "go to evil\u{ff0e}com",
            "(bad.co)",
            // Bypasses an outside tester found (2026-12-06).
            "Visit evil.com)now",
            "Visit evil.com?x=1",
            "go:evil.com",
            "Try evil.com:8080",
            "see evil.com#a",
            "a,evil.com",
            "claim-pay.zip",
            "nhs-pay.shop",
            "evil.ca",
            "evil\u{2024}com",
            "evil\u{fe52}com",
        ] {
            assert!(has_web_address(address), "{address}");
        }
        for ordinary in [
            "A quiet room, e.g. on every floor",
            "Breaks at 10.30am",
            "Ask Dr.Smith",
            "St.John's ward",
            "Rate it 1.5/10",
            "We tried it. Co-workers liked it",
            "Merge wards 3.a/3.b",
            "Swap a.m./p.m. shifts fairly",
            "Better I.T. support",
            "Use e.g. quiet rooms",
            "Version 2.0 of the rota",
        ] {
            assert!(!has_web_address(ordinary), "{ordinary}");
        }
    }
}
