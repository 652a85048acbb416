//! Staff voice's pages (`dignity_app::voice`): the challenges, a challenge's ideas, an
//! idea with its support, comments and answer, the name people are shown by, reporting a
//! post, the community rules, and setting a challenge. Every page works without
//! JavaScript: replies and reports open in `<details>`.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::voice::moderation::{self, ANY_MODERATOR, Action, Post, Queue, Waiting};
use dignity_app::voice::{
    self, Challenge, ChallengeForm, Comment, Idea, NATIONAL, On, PAGE, Posted, Problem, Refused,
    SETTERS, Target,
};
use dignity_domain::identity::Role;
use dignity_domain::library::Topic;
use dignity_domain::speakup::Day;
use dignity_domain::voice::screen::Finding;
use dignity_domain::voice::{IdeaOrder, IdeaState, Moderation};
use dignity_engine::disclosure::{Disclosed, Figure, Kind};
use serde::Deserialize;

mod updates;

/// Who may send an official answer: an organisation's answerers (`voice::ANSWERERS`), or
/// the platform's for a national challenge (`voice::NATIONAL`). The app checks whose
/// challenge it is.
const ANSWERING: &[Role] = &[Role::OrgAdmin, Role::Executive, Role::PlatformAdmin];

pub fn routes(routes: Routes) -> Routes {
    updates::routes(routes)
        .get("/voice", Access::SignedIn, list)
        .get("/voice/rules", Access::Public, rules)
        .get("/voice/name", Access::SignedIn, name_page)
        .post("/voice/name", Access::SignedIn, set_name)
        .get("/voice/new", Access::Platform(NATIONAL), new_national)
        .post("/voice/new", Access::Platform(NATIONAL), set_national)
        .get(
            "/orgs/{ods}/voice/new",
            Access::InOrganisation(SETTERS),
            new_local,
        )
        .post(
            "/orgs/{ods}/voice/new",
            Access::InOrganisation(SETTERS),
            set_local,
        )
        .get("/voice/challenges/{id}", Access::SignedIn, challenge_page)
        .post("/voice/challenges/{id}/ideas", Access::SignedIn, post_idea)
        .get(
            "/voice/challenges/{id}/similar",
            Access::SignedIn,
            similar_page,
        )
        .post(
            "/voice/challenges/{id}/follow",
            Access::SignedIn,
            follow_challenge,
        )
        .get(
            "/voice/challenges/{id}/figures",
            Access::SignedIn,
            figures_page,
        )
        .get("/voice/feeds", Access::SignedIn, feeds_page)
        .post("/voice/feeds", Access::SignedIn, change_feed_key)
        .get("/voice/feeds/{key}/{id}", Access::Public, challenge_feed)
        .get("/voice/ideas/{id}", Access::SignedIn, idea_page)
        .post("/voice/ideas/{id}/follow", Access::SignedIn, follow_idea)
        .post("/voice/ideas/{id}/support", Access::SignedIn, support)
        .post(
            "/voice/ideas/{id}/support/withdraw",
            Access::SignedIn,
            withdraw_support,
        )
        .post("/voice/ideas/{id}/comments", Access::SignedIn, comment)
        .post("/voice/ideas/{id}/report", Access::SignedIn, report)
        .post(
            "/voice/ideas/{id}/answer",
            Access::Anywhere(ANSWERING),
            answer,
        )
        .post("/voice/ideas/{id}/appeal", Access::SignedIn, appeal)
        .post(
            "/voice/ideas/{id}/action",
            Access::Anywhere(ANSWERING),
            link_action,
        )
        .get(
            "/voice/moderation",
            Access::Anywhere(ANY_MODERATOR),
            queue_page,
        )
        .post(
            "/voice/moderation/decide",
            Access::Anywhere(ANY_MODERATOR),
            decide,
        )
        .post(
            "/voice/moderation/reveal",
            Access::Anywhere(ANY_MODERATOR),
            reveal,
        )
        .post(
            "/voice/moderation/block",
            Access::Anywhere(ANY_MODERATOR),
            block,
        )
}

fn field_errors(problems: &[Problem]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    for p in problems {
        // One message per field: the first is the one to fix first.
        if !errors.iter().any(|e| e.field == p.field()) {
            errors.push(FieldError {
                field: p.field().into(),
                message: p.to_string(),
            });
        }
    }
    errors
}

/// Where a challenge is from, in words: its organisation's name or "All NHS staff".
fn set_by(user: &CurrentUser, challenge: &Challenge) -> String {
    match challenge.fields.organisation_id {
        None => "All NHS staff".into(),
        Some(id) => user
            .memberships
            .iter()
            .filter_map(|m| m.organisation.as_ref())
            .find(|o| o.id == id)
            .map_or_else(|| "Your organisation".into(), |o| o.name.clone()),
    }
}

/// A challenge as listed: its words and whether it is open today.
struct Listed {
    challenge: Challenge,
    set_by: String,
    when: String,
}

fn when(challenge: &Challenge, today: Day) -> String {
    let f = &challenge.fields;
    if today < f.opens_on {
        format!("Opens on {}", f.opens_on.long())
    } else if today <= f.closes_on {
        format!("Open until {}", f.closes_on.long())
    } else {
        format!("Closed on {}", f.closes_on.long())
    }
}

#[derive(Template)]
#[template(path = "voice/list.html")]
struct ListPage {
    chrome: Chrome,
    challenges: Vec<Listed>,
    name: Option<String>,
    /// Organisations this person may set challenges for: (ODS code, name).
    may_set: Vec<(String, String)>,
    national: bool,
    moderates: bool,
    /// Ideas waiting too long for an answer this person gives.
    overdue: Vec<Idea>,
}

async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let today = state.app.clock.today();
    let challenges = voice::challenges(&state.app, &user)
        .await?
        .into_iter()
        .map(|challenge| Listed {
            set_by: set_by(&user, &challenge),
            when: when(&challenge, today),
            challenge,
        })
        .collect();
    let mut may_set: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| SETTERS.contains(&m.role))
        .filter_map(|m| m.organisation.as_ref())
        .map(|o| (o.ods_code.clone(), o.name.clone()))
        .collect();
    may_set.dedup();
    Ok(render(&ListPage {
        chrome: chrome.titled("Staff voice"),
        challenges,
        name: voice::display_name(&state.app, &user).await?,
        may_set,
        national: user.has_platform_role(NATIONAL),
        moderates: user
            .memberships
            .iter()
            .any(|m| ANY_MODERATOR.contains(&m.role)),
        overdue: voice::overdue(&state.app, &user).await?,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "voice/rules.html")]
struct RulesPage {
    chrome: Chrome,
}

impl RulesPage {
    fn rules(&self) -> &'static [(&'static str, &'static str)] {
        dignity_domain::voice::RULES
    }
}

async fn rules(chrome: Chrome) -> Result<Response, AppError> {
    Ok(render(&RulesPage {
        chrome: chrome.titled("Staff voice: community rules"),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "voice/name.html")]
struct NamePage {
    chrome: Chrome,
    name: String,
    chosen: bool,
    next: String,
    /// The staff group given, or empty for none.
    group: String,
    groups: &'static [&'static str],
    minimum: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: String,
    done: String,
}

/// Where to go back to after choosing a name: a staff voice page only.
fn voice_next(next: &str) -> String {
    let next = crate::access::safe_next(Some(next));
    if next.starts_with("/voice/")
        && !next
            .split(['/', '?', '#'])
            .any(|part| part == ".." || part == ".")
    {
        next
    } else {
        "/voice".into()
    }
}

async fn name_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    let name = voice::display_name(&state.app, &user).await?;
    let group = voice::staff_group(&state.app, &user).await?;
    Ok(render(&NamePage {
        chrome: chrome.titled("The name you are shown by"),
        chosen: name.is_some(),
        name: name.unwrap_or_default(),
        next: voice_next(&query.next),
        group: group.unwrap_or_default(),
        groups: dignity_domain::voice::staff_groups(),
        minimum: state.app.minimums.get(Kind::StaffVoice).people(),
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameForm {
    display_name: String,
    /// Absent (an older form, another client) leaves the group as it is.
    staff_group: Option<String>,
    next: String,
}

async fn set_name(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<NameForm>,
) -> Result<Response, AppError> {
    let next = voice_next(&form.next);
    match voice::set_name_and_group(
        &state.app,
        &user,
        &form.display_name,
        form.staff_group.as_deref(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&next).into_response()),
        Err(Refused::Problems(problems)) => {
            // Shown again as sent where it can be, else as kept: sending the page again
            // must not take back a group nobody chose to take back.
            let group = match form
                .staff_group
                .as_deref()
                .map(dignity_domain::voice::staff_group)
            {
                Some(Ok(given)) => given.unwrap_or_default().to_owned(),
                _ => voice::staff_group(&state.app, &user)
                    .await?
                    .unwrap_or_default(),
            };
            let chosen = voice::display_name(&state.app, &user).await?.is_some();
            Ok(render(&NamePage {
                chrome: chrome
                    .titled("The name you are shown by")
                    .with_errors(field_errors(&problems)),
                chosen,
                name: form.display_name,
                next,
                group,
                groups: dignity_domain::voice::staff_groups(),
                minimum: state.app.minimums.get(Kind::StaffVoice).people(),
            })?
            .into_response())
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "voice/challenge.html")]
struct ChallengePage {
    chrome: Chrome,
    challenge: Challenge,
    set_by: String,
    when: String,
    description: String,
    topics: Vec<&'static str>,
    ideas: Vec<Idea>,
    order: IdeaOrder,
    shown_state: Option<IdeaState>,
    page: usize,
    more: bool,
    open: bool,
    name: Option<String>,
    /// The idea being written, as typed.
    draft: Draft,
    /// Ideas like the one being posted, shown before it is posted.
    similar: Vec<Idea>,
    /// The challenge's topics: (code, words).
    topic_choices: Vec<(&'static str, &'static str)>,
    /// The topic the list shows, if one.
    shown_topic: String,
    /// The words searched for, if any.
    search: String,
    following: bool,
    done: Option<&'static str>,
    /// Leaders' updates, newest first.
    updates: Vec<voice::updates::Update>,
    may_answer: bool,
}

/// An idea as its writer has typed it so far.
#[derive(Debug, Default)]
struct Draft {
    title: String,
    body: String,
    topic: String,
}

impl ChallengePage {
    fn orders(&self) -> &'static [IdeaOrder] {
        IdeaOrder::ALL
    }

    fn update_posted(&self, at: &i64) -> String {
        crate::uk_time::moment(*at)
    }

    fn state_tag(&self, idea: &Idea) -> String {
        tag(idea)
    }

    fn states(&self) -> &'static [IdeaState] {
        IdeaState::ALL
    }

    fn chosen(&self, state: &IdeaState) -> bool {
        self.shown_state == Some(*state)
    }

    /// The list's address with its order and filters kept, on `page`.
    fn at(&self, page: usize) -> String {
        self.listed(&self.order, page)
    }

    /// The list's address in `order` with its filters kept, on `page`.
    fn listed(&self, order: &IdeaOrder, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("order", order.code());
        if let Some(state) = self.shown_state {
            query.append_pair("state", state.code());
        }
        if !self.shown_topic.is_empty() {
            query.append_pair("topic", &self.shown_topic);
        }
        if !self.search.is_empty() {
            query.append_pair("search", &self.search);
        }
        if page > 0 {
            query.append_pair("page", &page.to_string());
        }
        format!(
            "/voice/challenges/{}?{}#ideas",
            self.challenge.id,
            query.finish()
        )
    }

    fn topic_shown(&self, code: &str) -> bool {
        self.shown_topic == code
    }

    fn topic_typed(&self, code: &str) -> bool {
        self.draft.topic == code
    }

    /// An idea's topic in words, if it has one.
    fn topic_of(&self, idea: &Idea) -> Option<&'static str> {
        topic_words(idea)
    }
}

/// An idea's topic in words, if it has one.
fn topic_words(idea: &Idea) -> Option<&'static str> {
    idea.topic
        .as_deref()
        .and_then(|t| t.parse::<Topic>().ok())
        .map(|t| t.label())
}

/// An idea's state, or that it waits for a moderator, in the words of its tag.
fn tag(idea: &Idea) -> String {
    match idea.moderation {
        Moderation::Shown => idea.state.label().to_owned(),
        other => other.label().to_owned(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdeasQuery {
    order: String,
    page: usize,
    /// Only ideas in this state ("accepted"), or all.
    state: String,
    /// Only ideas under this topic code, or all.
    topic: String,
    /// Words to search the ideas for.
    search: String,
    /// What was just done, for the banner ("following").
    done: String,
}

async fn show_challenge(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    id: i64,
    query: &IdeasQuery,
    draft: Draft,
    similar: Vec<Idea>,
) -> Result<Response, AppError> {
    let challenge = voice::challenge(&state.app, user, id).await?;
    let order = query.order.parse().unwrap_or(IdeaOrder::Trending);
    // A page number beyond any list is an empty page, never a huge offset.
    let page = query.page.min(10_000);
    let shown_state: Option<IdeaState> = query.state.parse().ok();
    let choices = voice::topics_of(&challenge);
    // A topic the challenge does not have filters nothing.
    let shown_topic = choices
        .iter()
        .find(|t| t.code() == query.topic)
        .map(|t| t.code().to_owned());
    let search: String = query.search.trim().chars().take(150).collect();
    let listing = voice::Listing {
        state: shown_state,
        topic: shown_topic.clone(),
        search: search.clone(),
    };
    let mut ideas =
        voice::ideas_listed(&state.app, user, &challenge, order, &listing, page).await?;
    // The app gives one more than a page when there is a next page.
    let more = ideas.len() > PAGE;
    ideas.truncate(PAGE);
    let today = state.app.clock.today();
    let topics = choices.iter().map(|t| t.label()).collect();
    let topic_choices = choices.iter().map(|t| (t.code(), t.label())).collect();
    let (name, following) = voice::viewer_of(&state.app, user, &challenge).await?;
    let chrome = chrome.titled(challenge.fields.question.clone());
    let updates = voice::updates::updates(&state.app, &challenge).await?;
    let may_answer = voice::may_answer(user, &challenge);
    Ok(render(&ChallengePage {
        chrome,
        set_by: set_by(user, &challenge),
        when: when(&challenge, today),
        description: crate::markdown::to_html(&challenge.fields.description),
        topics,
        open: voice::is_open(&challenge, today),
        name,
        challenge,
        ideas,
        order,
        shown_state,
        page,
        more,
        draft,
        similar,
        topic_choices,
        shown_topic: shown_topic.unwrap_or_default(),
        search,
        following,
        updates,
        may_answer,
        done: match query.done.as_str() {
            "following" => Some("You follow this challenge. We will email you about new ideas and answers, at most once a day."),
            "unfollowed" => Some("You no longer follow this challenge."),
            _ => None,
        },
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "voice/figures.html")]
struct FiguresPage {
    chrome: Chrome,
    challenge: Challenge,
    up_to: Day,
    is_final: bool,
    headings: Vec<&'static str>,
    /// By organisation: (name, how many took part).
    rows: Vec<(String, Figure)>,
    /// By the staff group people gave, in the same shape; `None` when not counted.
    by_group: Option<Vec<(String, Figure)>>,
    /// The breakdowns are for those who answer for the challenge, and this reader does not.
    withheld: bool,
    total: Vec<Figure>,
    minimum: u64,
}

/// A group's row as the figures page shows it.
fn took_part(row: voice::figures::GroupRow) -> (String, Figure) {
    (
        row.name,
        Figure::of(row.took_part, |n| n.to_string(), "hidden"),
    )
}

/// How many staff took part in a challenge, as the disclosure rules let out.
async fn figures_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let (challenge, figures) = voice::figures::participation(&state.app, &user, id).await?;
    // While a challenge is open there is no "took part" column (the app explains why).
    let from = usize::from(!figures.is_final);
    let shown = |counts: [Disclosed<u64>; 4]| -> Vec<Figure> {
        counts
            .into_iter()
            .skip(from)
            .map(|c| Figure::of(c, |n| n.to_string(), "hidden"))
            .collect()
    };
    let chrome = chrome.titled("Who has taken part").under(
        format!("/voice/challenges/{}", challenge.id),
        challenge.fields.question.clone(),
    );
    Ok(render(&FiguresPage {
        chrome,
        up_to: figures.up_to,
        is_final: figures.is_final,
        headings: [
            "Took part",
            "Shared an idea",
            "Commented",
            "Supported an idea",
        ]
        .into_iter()
        .skip(from)
        .collect(),
        withheld: figures.breakdowns_withheld,
        rows: figures.groups.into_iter().map(took_part).collect(),
        by_group: figures
            .staff_groups
            .map(|rows| rows.into_iter().map(took_part).collect()),
        total: shown(figures.total.counts),
        minimum: figures.minimum.people(),
        challenge,
    })?
    .into_response())
}

async fn challenge_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<IdeasQuery>,
) -> Result<Response, AppError> {
    show_challenge(
        &state,
        chrome,
        &user,
        id,
        &query,
        Draft::default(),
        Vec::new(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdeaForm {
    title: String,
    body: String,
    /// One of the challenge's topic codes, or empty.
    topic: String,
    /// "yes" once the writer has seen the ideas like theirs and still wants to post.
    confirm: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SimilarQuery {
    title: String,
}

#[derive(Template)]
#[template(path = "voice/similar.html")]
struct SimilarPage {
    chrome: Chrome,
    challenge: Challenge,
    similar: Vec<Idea>,
}

/// The ideas like a title: a page of its own that works without JavaScript, and where the
/// challenge page's script takes its list from as the title is typed.
async fn similar_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<SimilarQuery>,
) -> Result<Response, AppError> {
    let challenge = voice::challenge(&state.app, &user, id).await?;
    let similar = voice::similar(&state.app, &user, &challenge, &query.title).await?;
    Ok(render(&SimilarPage {
        chrome: chrome.titled("Ideas like yours"),
        challenge,
        similar,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "voice/held.html")]
struct HeldPage {
    chrome: Chrome,
    what: &'static str,
    found: Vec<Finding>,
    /// The page the post is on, and what it is.
    back: String,
    back_to: &'static str,
}

impl HeldPage {
    fn concern(&self) -> bool {
        self.found.contains(&Finding::Concern)
    }
}

/// After a post: to the idea or update it is on, or (if the check held it) the page that
/// says why and offers Speak Up.
fn posted(
    chrome: Chrome,
    posted: &Posted,
    place: On,
    what: &'static str,
) -> Result<Response, AppError> {
    let (back, back_to) = match place {
        On::Idea(id) => (format!("/voice/ideas/{id}"), "idea"),
        On::Update(id) => (format!("/voice/updates/{id}"), "update"),
    };
    if posted.held_for.is_empty() {
        let anchor = if what == "comment" {
            format!("#comment-{}", posted.id)
        } else {
            String::new()
        };
        return Ok(Redirect::to(&format!("{back}?done={what}{anchor}")).into_response());
    }
    Ok(render(&HeldPage {
        chrome: chrome.titled(format!("Your {what} is waiting for a moderator")),
        what,
        found: posted.held_for.clone(),
        back,
        back_to,
    })?
    .into_response())
}

async fn post_idea(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<IdeaForm>,
) -> Result<Response, AppError> {
    // Before an idea goes up, its writer sees the ideas like it (once), so they can
    // support one instead.
    if form.confirm != "yes" && !form.title.trim().is_empty() {
        let challenge = voice::challenge(&state.app, &user, id).await?;
        let similar = voice::similar(&state.app, &user, &challenge, &form.title).await?;
        if !similar.is_empty() {
            return show_challenge(
                &state,
                chrome,
                &user,
                id,
                &IdeasQuery::default(),
                Draft {
                    title: form.title,
                    body: form.body,
                    topic: form.topic,
                },
                similar,
            )
            .await;
        }
    }
    match voice::post_idea_on(
        &state.app,
        &user,
        id,
        (&form.title, &form.body),
        &form.topic,
    )
    .await
    {
        Ok(done) => posted(chrome, &done, On::Idea(done.id), "idea"),
        Err(Refused::Problems(problems)) => {
            let chrome = chrome.with_errors(field_errors(&problems));
            show_challenge(
                &state,
                chrome,
                &user,
                id,
                &IdeasQuery::default(),
                Draft {
                    title: form.title,
                    body: form.body,
                    topic: form.topic,
                },
                Vec::new(),
            )
            .await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

/// A comment with its replies, for the page.
struct Thread {
    comment: Comment,
    replies: Vec<Comment>,
}

impl Thread {
    /// Comments, oldest first, as threads: each top-level comment with its replies.
    fn gather(comments: Vec<Comment>) -> Vec<Thread> {
        let (tops, replies): (Vec<Comment>, Vec<Comment>) =
            comments.into_iter().partition(|c| c.reply_to.is_none());
        tops.into_iter()
            .map(|comment| Thread {
                replies: replies
                    .iter()
                    .filter(|r| r.reply_to == Some(comment.id))
                    .cloned()
                    .collect(),
                comment,
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "voice/idea.html")]
struct IdeaPage {
    chrome: Chrome,
    idea: Idea,
    challenge: Challenge,
    body: String,
    threads: Vec<Thread>,
    supports: bool,
    open: bool,
    name: Option<String>,
    own: bool,
    viewer: i64,
    may_answer: bool,
    /// The plan action the idea is linked to, as published.
    linked: Option<voice::LinkedAction>,
    /// The actions an answerer may link it to: (value, words).
    actions: Vec<(String, String)>,
    done: Option<&'static str>,
    comment: String,
    appeal: String,
    answer: String,
    answer_state: String,
    reason: String,
    following: bool,
}

impl IdeaPage {
    fn states(&self) -> Vec<IdeaState> {
        IdeaState::ALL
            .iter()
            .copied()
            .filter(|s| *s != IdeaState::Open)
            .collect()
    }

    fn posted(&self, at: &i64) -> String {
        crate::uk_time::moment(*at)
    }

    fn by(&self, name: &Option<String>) -> String {
        name.clone().unwrap_or_else(|| "Someone".into())
    }

    fn comment_html(&self, comment: &Comment) -> String {
        crate::markdown::to_html(&comment.body)
    }

    fn state_tag(&self) -> String {
        tag(&self.idea)
    }

    /// Where the thread's reply forms send (`voice/threads.html`).
    fn comments_action(&self) -> String {
        format!("/voice/ideas/{}/comments", self.idea.id)
    }

    fn topic(&self) -> Option<&'static str> {
        topic_words(&self.idea)
    }

    fn linked_to(&self, value: &str) -> bool {
        self.idea
            .plan_action
            .is_some_and(|(plan, action)| format!("{plan}-{action}") == value)
    }

    /// The viewer's own posts here that are held or hidden, which they may appeal about:
    /// (the form's `comment` value, blank for the idea, and words for it).
    fn appealable(&self) -> Vec<(String, String)> {
        let mut posts = Vec::new();
        if self.own && self.idea.moderation != Moderation::Shown {
            posts.push((String::new(), "Your idea".to_owned()));
        }
        for thread in &self.threads {
            for c in std::iter::once(&thread.comment).chain(&thread.replies) {
                if c.author_id == self.viewer && c.moderation != Moderation::Shown {
                    posts.push((
                        c.id.to_string(),
                        format!("Your comment of {}", self.posted(&c.posted_at)),
                    ));
                }
            }
        }
        posts
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

struct Typed {
    comment: String,
    appeal: String,
    answer: String,
    answer_state: String,
    reason: String,
}

async fn show_idea(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    id: i64,
    done: &str,
    typed: Typed,
) -> Result<Response, AppError> {
    let (idea, challenge) = voice::idea(&state.app, user, id).await?;
    let threads = Thread::gather(voice::comments(&state.app, user, &idea).await?);
    let done = match done {
        "idea" => Some("Your idea is posted."),
        "comment" => Some("Your comment is posted."),
        "supported" => Some("You support this idea."),
        "withdrawn" => Some("You no longer support this idea."),
        "reported" => Some("Thank you. A moderator will look at it."),
        "answered" => Some("The answer is posted."),
        "appealed" => Some("Thank you. A moderator will look at the decision again."),
        "linked" => Some("The idea now shows the plan action's progress."),
        "following" => Some("You follow this idea. We will email you when it has news."),
        "unfollowed" => Some("You no longer follow this idea."),
        _ => None,
    };
    let title = if idea.title.is_empty() {
        "Hidden idea".to_owned()
    } else {
        idea.title.clone()
    };
    let chrome = chrome.titled(title).under(
        format!("/voice/challenges/{}", challenge.id),
        challenge.fields.question.clone(),
    );
    Ok(render(&IdeaPage {
        chrome,
        body: crate::markdown::to_html(&idea.body),
        supports: voice::supports(&state.app, user, &idea).await?,
        open: voice::is_open(&challenge, state.app.clock.today()),
        name: voice::display_name(&state.app, user).await?,
        own: idea.author_id == user.person.id,
        viewer: user.person.id,
        may_answer: voice::may_answer(user, &challenge),
        linked: voice::linked_action(&state.app, &idea, &challenge).await?,
        actions: voice::actions_to_link(&state.app, user, &challenge).await?,
        following: voice::follows(&state.app, user, Target::Idea(idea.id)).await?,
        idea,
        challenge,
        threads,
        done,
        comment: typed.comment,
        appeal: typed.appeal,
        answer: typed.answer,
        answer_state: typed.answer_state,
        reason: typed.reason,
    })?
    .into_response())
}

fn nothing_typed() -> Typed {
    Typed {
        comment: String::new(),
        appeal: String::new(),
        answer: String::new(),
        answer_state: String::new(),
        reason: String::new(),
    }
}

async fn idea_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    show_idea(&state, chrome, &user, id, &query.done, nothing_typed()).await
}

async fn support(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    match voice::support(&state.app, &user, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=supported")).into_response()),
        Err(Refused::Problems(problems)) => {
            let chrome = chrome.with_errors(field_errors(&problems));
            show_idea(&state, chrome, &user, id, "", nothing_typed()).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

async fn withdraw_support(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    match voice::withdraw_support(&state.app, &user, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=withdrawn")).into_response()),
        Err(Refused::Problems(problems)) => {
            let chrome = chrome.with_errors(field_errors(&problems));
            show_idea(&state, chrome, &user, id, "", nothing_typed()).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommentForm {
    comment: String,
    /// The comment this replies to, if any.
    reply_to: String,
}

/// An optional id from a form: none if blank; a bad request if not a number.
fn optional_id(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::BadRequest("We could not read what you sent. Go back and try again.".into())
    })
}

async fn comment(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<CommentForm>,
) -> Result<Response, AppError> {
    let reply_to = optional_id(&form.reply_to)?;
    match voice::comment(&state.app, &user, id, reply_to, &form.comment).await {
        Ok(done) => posted(chrome, &done, On::Idea(id), "comment"),
        Err(Refused::Problems(problems)) => {
            // The page has one comment box; a reply's problems are shown there too.
            let errors = field_errors(&problems)
                .into_iter()
                .map(|mut e| {
                    if e.field == "body" {
                        e.field = "comment".into();
                    }
                    e
                })
                .collect();
            let typed = Typed {
                comment: form.comment,
                ..nothing_typed()
            };
            show_idea(&state, chrome.with_errors(errors), &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportForm {
    reason: String,
    /// The comment reported, or blank for the idea itself.
    comment: String,
}

async fn report(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<ReportForm>,
) -> Result<Response, AppError> {
    let comment = optional_id(&form.comment)?;
    match voice::report(&state.app, &user, id, comment, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=reported")).into_response()),
        Err(Refused::Problems(problems)) => {
            let typed = Typed {
                reason: form.reason,
                ..nothing_typed()
            };
            let chrome = chrome.with_errors(field_errors(&problems));
            show_idea(&state, chrome, &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    state: String,
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<AnswerForm>,
) -> Result<Response, AppError> {
    let chosen = form.state.trim().parse().ok();
    match voice::answer(&state.app, &user, id, chosen, &form.answer).await {
        Ok(()) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=answered")).into_response()),
        Err(Refused::Problems(problems)) => {
            let typed = Typed {
                answer: form.answer,
                answer_state: form.state,
                ..nothing_typed()
            };
            let chrome = chrome.with_errors(field_errors(&problems));
            show_idea(&state, chrome, &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "voice/new.html")]
struct NewPage {
    chrome: Chrome,
    /// The organisation's name, or none for a national challenge.
    for_whom: String,
    action: String,
    form: TypedChallenge,
}

/// The challenge form as typed, all text, so it can be shown again.
#[derive(Debug, Default, Clone)]
struct TypedChallenge {
    question: String,
    description: String,
    topics: Vec<String>,
    opens_day: String,
    opens_month: String,
    opens_year: String,
    closes_day: String,
    closes_month: String,
    closes_year: String,
    support_threshold: String,
    answer_within_days: String,
}

impl TypedChallenge {
    fn from_pairs(pairs: &[(String, String)]) -> TypedChallenge {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        TypedChallenge {
            question: value("question"),
            description: value("description"),
            topics: pairs
                .iter()
                .filter(|(k, _)| k == "topics")
                .map(|(_, v)| v.clone())
                .collect(),
            opens_day: value("opens_on-day"),
            opens_month: value("opens_on-month"),
            opens_year: value("opens_on-year"),
            closes_day: value("closes_on-day"),
            closes_month: value("closes_on-month"),
            closes_year: value("closes_on-year"),
            support_threshold: value("support_threshold"),
            answer_within_days: value("answer_within_days"),
        }
    }

    fn has(&self, _list: &str, code: &str) -> bool {
        self.topics.iter().any(|c| c == code)
    }

    /// The form for the app, or the dates' problems.
    fn to_form(&self) -> (ChallengeForm, Vec<FieldError>) {
        use crate::date_input::{Typed as Boxes, optional};
        let mut errors = Vec::new();
        let opens = Boxes::new(&self.opens_day, &self.opens_month, &self.opens_year);
        let closes = Boxes::new(&self.closes_day, &self.closes_month, &self.closes_year);
        let opens_on = optional(&opens, "opens_on", "the opening date", &mut errors);
        let closes_on = optional(&closes, "closes_on", "the closing date", &mut errors);
        if closes_on.is_none() && !errors.iter().any(|e| e.field == "closes_on-day") {
            errors.push(crate::date_input::problem(
                "closes_on",
                "Enter the closing date",
            ));
        }
        (
            ChallengeForm {
                question: self.question.clone(),
                description: self.description.clone(),
                topics: self.topics.join(","),
                opens_on,
                closes_on,
                support_threshold: self.support_threshold.clone(),
                answer_within_days: self.answer_within_days.clone(),
            },
            errors,
        )
    }
}

impl NewPage {
    fn topics(&self) -> &'static [Topic] {
        Topic::ALL
    }
}

fn blank_challenge() -> TypedChallenge {
    TypedChallenge {
        support_threshold: "50".into(),
        answer_within_days: "30".into(),
        ..TypedChallenge::default()
    }
}

async fn new_national(chrome: Chrome) -> Result<Response, AppError> {
    Ok(render(&NewPage {
        chrome: chrome.titled("Set a challenge for all NHS staff"),
        for_whom: "all NHS staff".into(),
        action: "/voice/new".into(),
        form: blank_challenge(),
    })?
    .into_response())
}

async fn new_local(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    Ok(render(&NewPage {
        chrome: chrome.titled(format!("Set a challenge for {}", organisation.name)),
        for_whom: organisation.name,
        action: format!("/orgs/{ods}/voice/new"),
        form: blank_challenge(),
    })?
    .into_response())
}

async fn set_challenge(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Option<dignity_app::identity::Organisation>,
    pairs: &[(String, String)],
) -> Result<Response, AppError> {
    let typed = TypedChallenge::from_pairs(pairs);
    let (form, mut errors) = typed.to_form();
    let organisation_id = organisation.as_ref().map(|o| o.id);
    let refused = if errors.is_empty() {
        match voice::set_challenge(&state.app, user, organisation_id, &form).await {
            Ok(id) => return Ok(Redirect::to(&format!("/voice/challenges/{id}")).into_response()),
            Err(Refused::Problems(problems)) => problems,
            Err(Refused::App(e)) => return Err(e.into()),
        }
    } else {
        // The rest of the form's problems too, so all show at once; the dates' own are
        // already there.
        voice::challenge_problems(&state.app, &form)
            .into_iter()
            .filter(|p| *p != Problem::Dates)
            .collect()
    };
    for mut error in field_errors(&refused) {
        // The dates' problem is shown at the closing date's first box.
        if error.field == "closes_on" {
            error.field = "closes_on-day".into();
        }
        if !errors.iter().any(|e| e.field == error.field) {
            errors.push(error);
        }
    }
    let (for_whom, action) = match &organisation {
        Some(o) => (o.name.clone(), format!("/orgs/{}/voice/new", o.ods_code)),
        None => ("all NHS staff".into(), "/voice/new".into()),
    };
    Ok(render(&NewPage {
        chrome: chrome
            .titled(format!("Set a challenge for {for_whom}"))
            .with_errors(errors),
        for_whom,
        action,
        form: typed,
    })?
    .into_response())
}

async fn set_national(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    set_challenge(&state, chrome, &user, None, &pairs).await
}

async fn set_local(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    set_challenge(&state, chrome, &user, Some(organisation), &pairs).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppealForm {
    words: String,
    /// The comment appealed about, or blank for the idea itself.
    comment: String,
}

async fn appeal(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<AppealForm>,
) -> Result<Response, AppError> {
    let comment = optional_id(&form.comment)?;
    match moderation::appeal(&state.app, &user, id, comment, &form.words).await {
        Ok(()) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=appealed")).into_response()),
        Err(Refused::Problems(problems)) => {
            let errors = field_errors(&problems)
                .into_iter()
                .map(|mut e| {
                    e.field = "words".into();
                    e
                })
                .collect();
            let typed = Typed {
                appeal: form.words,
                ..nothing_typed()
            };
            show_idea(&state, chrome.with_errors(errors), &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

/// A post named in a form: `idea-12` or `comment-5`.
fn post_named(raw: &str) -> Result<Post, AppError> {
    let bad = || {
        AppError::BadRequest(
            "We could not tell which post you meant. Go back and try again.".into(),
        )
    };
    let (kind, id) = raw.trim().split_once('-').ok_or_else(bad)?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    match kind {
        "idea" => Ok(Post::Idea(id)),
        "comment" => Ok(Post::Comment(id)),
        _ => Err(bad()),
    }
}

fn post_name(post: &Post) -> String {
    match post {
        Post::Idea(id) => format!("idea-{id}"),
        Post::Comment(id) => format!("comment-{id}"),
    }
}

#[derive(Template)]
#[template(path = "voice/moderation.html")]
struct QueuePage {
    chrome: Chrome,
    queues: Vec<Queue>,
    done: Option<&'static str>,
}

/// What the decision form (`voice/decide_form.html`) asks of the page it is on: the
/// queue, where it starts empty, or a post's own page, where it shows what was typed.
trait DecisionForm {
    /// The form as sent, when it is shown again with its problems.
    fn sent(&self) -> Option<&DecideForm>;

    fn name(&self, post: &Post) -> String {
        post_name(post)
    }

    fn rules(&self) -> &'static [(&'static str, &'static str)] {
        dignity_domain::voice::RULES
    }

    fn actions(&self, w: &Waiting) -> Vec<(Action, &'static str)> {
        actions_for(w)
    }

    fn typed(&self, _post: &Post, field: &str) -> &str {
        let Some(form) = self.sent() else {
            return "";
        };
        match field {
            "action" => form.action.trim(),
            "rule" => form.rule.trim(),
            _ => &form.reason,
        }
    }
}

impl DecisionForm for QueuePage {
    fn sent(&self) -> Option<&DecideForm> {
        None
    }
}

/// What a moderator may do to a waiting post, in words.
fn actions_for(w: &Waiting) -> Vec<(Action, &'static str)> {
    match w.moderation {
        Moderation::Held => vec![(Action::Release, "Let it go up"), (Action::Hide, "Hide it")],
        Moderation::Shown => vec![(Action::Keep, "Leave it up"), (Action::Hide, "Hide it")],
        Moderation::Hidden => vec![
            (Action::Keep, "Keep it hidden"),
            (Action::Restore, "Put it back up"),
        ],
    }
}

async fn queue_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let done = match query.done.as_str() {
        "decided" => Some("Your decision is saved and shown on the post."),
        "blocked" => Some("They can no longer post. They can still read and support ideas."),
        _ => None,
    };
    Ok(render(&QueuePage {
        chrome: chrome.titled("Staff voice moderation"),
        queues: moderation::queues(&state.app, &user).await?,
        done,
    })?
    .into_response())
}

/// One waiting post's decision form, shown again with its problems.
#[derive(Template)]
#[template(path = "voice/moderation_post.html")]
struct DecidePage {
    chrome: Chrome,
    w: Waiting,
    form: DecideForm,
}

impl DecisionForm for DecidePage {
    fn sent(&self) -> Option<&DecideForm> {
        Some(&self.form)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecideForm {
    post: String,
    action: String,
    rule: String,
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<DecideForm>,
) -> Result<Response, AppError> {
    let post = post_named(&form.post)?;
    let action = match form.action.trim() {
        "hide" => Some(Action::Hide),
        "restore" => Some(Action::Restore),
        "release" => Some(Action::Release),
        "keep" => Some(Action::Keep),
        _ => None,
    };
    let rule = form.rule.trim().parse().ok();
    let outcome = match action {
        Some(action) => {
            moderation::decide(&state.app, &user, post, action, rule, &form.reason).await
        }
        None => Err(Refused::Problems(vec![Problem::Decision])),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/voice/moderation?done=decided").into_response()),
        Err(Refused::Problems(problems)) => {
            let waiting = moderation::queues(&state.app, &user)
                .await?
                .into_iter()
                .flat_map(|q| q.waiting)
                .find(|w| w.post == post)
                .ok_or_else(|| AppError::NotFound("There is no such post waiting".into()))?;
            let prefix = post_name(&post);
            let errors = field_errors(&problems)
                .into_iter()
                .map(|mut e| {
                    e.field = format!("{}-{prefix}", e.field).into();
                    e
                })
                .collect();
            Ok(render(&DecidePage {
                chrome: chrome.titled("Decide about a post").with_errors(errors),
                w: waiting,
                form,
            })?
            .into_response())
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    post: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "voice/revealed.html")]
struct RevealedPage {
    chrome: Chrome,
    email: String,
}

/// Says who wrote a post, on a page of its own (never in an address), once the reason is
/// in the audit log.
async fn reveal(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<StepForm>,
) -> Result<Response, AppError> {
    let post = post_named(&form.post)?;
    match moderation::reveal(&state.app, &user, post, &form.reason).await {
        Ok(email) => Ok(render(&RevealedPage {
            chrome: chrome.titled("Who wrote the post"),
            email,
        })?
        .into_response()),
        Err(Refused::Problems(_)) => {
            queue_again(
                &state,
                chrome,
                &user,
                "reveal",
                &post,
                "Give a reason for finding out who wrote it",
            )
            .await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

/// The queue again, with the problem beside the step's reason (`{step}-{post}`).
async fn queue_again(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    step: &str,
    post: &Post,
    message: &str,
) -> Result<Response, AppError> {
    let error = FieldError {
        field: format!("{step}-{}", post_name(post)).into(),
        message: format!("{message}, in 500 characters or fewer"),
    };
    Ok(render(&QueuePage {
        chrome: chrome
            .titled("Staff voice moderation")
            .with_errors(vec![error]),
        queues: moderation::queues(&state.app, user).await?,
        done: None,
    })?
    .into_response())
}

async fn block(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<StepForm>,
) -> Result<Response, AppError> {
    let post = post_named(&form.post)?;
    match moderation::block(&state.app, &user, post, &form.reason).await {
        Ok(()) => Ok(Redirect::to("/voice/moderation?done=blocked").into_response()),
        Err(Refused::Problems(_)) => {
            queue_again(
                &state,
                chrome,
                &user,
                "block",
                &post,
                "Give a reason for stopping them posting",
            )
            .await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LinkForm {
    /// "plan-action", or blank to unlink.
    plan_action: String,
}

async fn link_action(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<LinkForm>,
) -> Result<Response, AppError> {
    match voice::link_action(&state.app, &user, id, &form.plan_action).await {
        Ok(()) => Ok(Redirect::to(&format!("/voice/ideas/{id}?done=linked")).into_response()),
        Err(Refused::Problems(problems)) => {
            let chrome = chrome.with_errors(field_errors(&problems));
            show_idea(&state, chrome, &user, id, "", nothing_typed()).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FollowForm {
    /// "yes" to follow, "no" to stop.
    following: String,
}

/// Whether the form asks to follow (true) or to stop (false).
fn wants_to_follow(form: &FollowForm) -> Result<bool, AppError> {
    match form.following.as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::BadRequest(
            "We could not read what you sent. Go back and try again.".into(),
        )),
    }
}

async fn set_following(
    state: &AppState,
    user: &CurrentUser,
    target: Target,
    form: &FollowForm,
) -> Result<bool, AppError> {
    let follow = wants_to_follow(form)?;
    if follow {
        voice::follow(&state.app, user, target).await?;
    } else {
        voice::unfollow(&state.app, user, target).await?;
    }
    Ok(follow)
}

async fn follow_challenge(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<FollowForm>,
) -> Result<Response, AppError> {
    let follow = set_following(&state, &user, Target::Challenge(id), &form).await?;
    let done = if follow { "following" } else { "unfollowed" };
    Ok(Redirect::to(&format!("/voice/challenges/{id}?done={done}#follow")).into_response())
}

async fn follow_idea(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<FollowForm>,
) -> Result<Response, AppError> {
    let follow = set_following(&state, &user, Target::Idea(id), &form).await?;
    let done = if follow { "following" } else { "unfollowed" };
    Ok(Redirect::to(&format!("/voice/ideas/{id}?done={done}")).into_response())
}

#[derive(Template)]
#[template(path = "voice/feeds.html")]
struct FeedsPage {
    chrome: Chrome,
    /// When the live key was made, in words, if there is one.
    made: Option<String>,
    /// The new key's addresses, one per challenge, shown only just after it is made.
    addresses: Vec<(String, String)>,
    stopped: bool,
}

async fn feeds_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let made = voice::feed::key_made(&state.app, &user).await?;
    Ok(render(&FeedsPage {
        chrome: chrome.titled("Follow challenges in a feed reader"),
        made: made.map(crate::uk_time::moment),
        addresses: Vec::new(),
        stopped: false,
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeedKeyForm {
    /// "make" a new key (stopping any old one) or "stop" the key.
    change: String,
}

async fn change_feed_key(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<FeedKeyForm>,
) -> Result<Response, AppError> {
    let chrome = chrome.titled("Follow challenges in a feed reader");
    match form.change.as_str() {
        "make" => {
            let key = voice::feed::make_key(&state.app, &user).await?;
            let base = &state.settings.public_url;
            let addresses = voice::challenges(&state.app, &user)
                .await?
                .into_iter()
                .map(|c| {
                    (
                        c.fields.question,
                        format!("{base}/voice/feeds/{key}/{}", c.id),
                    )
                })
                .collect();
            let made = voice::feed::key_made(&state.app, &user).await?;
            // The key is in the page, so the page must not be kept anywhere.
            let mut response = render(&FeedsPage {
                chrome,
                made: made.map(crate::uk_time::moment),
                addresses,
                stopped: false,
            })?
            .into_response();
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        "stop" => {
            voice::feed::drop_key(&state.app, &user).await?;
            Ok(render(&FeedsPage {
                chrome,
                made: None,
                addresses: Vec::new(),
                stopped: true,
            })?
            .into_response())
        }
        _ => Err(AppError::BadRequest(
            "We could not read what you sent. Go back and try again.".into(),
        )),
    }
}

/// A challenge's newest ideas as an Atom feed, for whoever holds the key in its address.
async fn challenge_feed(
    State(state): State<AppState>,
    PathData((key, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    use atom_syndication::{Content, Entry, Feed, Link, Text};
    let (challenge, ideas) = voice::feed::challenge_feed(&state.app, &key, id).await?;
    let base = state.settings.public_url.clone();
    let time = crate::feeds::time;
    let entries: Vec<Entry> = ideas
        .iter()
        .map(|idea| {
            let link = format!("{base}/voice/ideas/{}", idea.id);
            let mut said = crate::markdown::to_html(&idea.body);
            if let Some(answer) = &idea.answer {
                said.push_str(&format!(
                    "<h2>Answer from leaders: {}</h2><p>{}</p>",
                    crate::charts::escape(idea.state.label()),
                    crate::charts::escape(answer)
                ));
            }
            Entry {
                title: Text::plain(idea.title.clone()),
                id: link.clone(),
                updated: time(voice::feed::updated_at(idea)),
                published: Some(time(idea.posted_at)),
                authors: vec![atom_syndication::Person {
                    name: idea.author_name.clone().unwrap_or_else(|| "Someone".into()),
                    ..atom_syndication::Person::default()
                }],
                links: vec![Link {
                    href: link,
                    ..Link::default()
                }],
                content: Some(Content {
                    value: Some(said),
                    content_type: Some("html".into()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let page = format!("{base}/voice/challenges/{}", challenge.id);
    let feed = Feed {
        authors: vec![atom_syndication::Person {
            name: "Dignity staff voice".into(),
            ..atom_syndication::Person::default()
        }],
        title: Text::plain(challenge.fields.question.clone()),
        id: page.clone(),
        updated: time(
            ideas
                .iter()
                .map(voice::feed::updated_at)
                .max()
                .unwrap_or(challenge.created_at),
        ),
        // The self link would hold the key: the feed names only the challenge's page.
        links: vec![Link {
            href: page,
            ..Link::default()
        }],
        entries,
        ..Feed::default()
    };
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/atom+xml; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        feed.to_string(),
    )
        .into_response())
}
