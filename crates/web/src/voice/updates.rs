//! Leaders' updates on a challenge (`dignity_app::voice::updates`): the form leaders
//! write one in, and its page with staff comments, replies, reports and appeals, all
//! without JavaScript.

use super::{ANSWERING, Thread, field_errors, optional_id, posted};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::voice::updates::{self, Update};
use dignity_app::voice::{self, Challenge, Comment, On, Refused};
use dignity_domain::voice::Moderation;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/voice/challenges/{id}/updates/new",
            Access::Anywhere(ANSWERING),
            new_page,
        )
        .post(
            "/voice/challenges/{id}/updates",
            Access::Anywhere(ANSWERING),
            post_update,
        )
        .get("/voice/updates/{id}", Access::SignedIn, update_page)
        .post("/voice/updates/{id}/comments", Access::SignedIn, comment)
        .post("/voice/updates/{id}/report", Access::SignedIn, report)
        .post("/voice/updates/{id}/appeal", Access::SignedIn, appeal)
}

#[derive(Template)]
#[template(path = "voice/update_new.html")]
struct NewPage {
    chrome: Chrome,
    challenge: Challenge,
    title: String,
    body: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateForm {
    title: String,
    body: String,
}

/// The challenge, if `user` may read it and answers for it; forbidden if they may read
/// it only.
async fn answered_by(state: &AppState, user: &CurrentUser, id: i64) -> Result<Challenge, AppError> {
    let challenge = voice::challenge(&state.app, user, id).await?;
    if !voice::may_answer(user, &challenge) {
        return Err(dignity_app::Error::Forbidden.into());
    }
    Ok(challenge)
}

fn new_chrome(chrome: Chrome, challenge: &Challenge) -> Chrome {
    chrome.titled("Post an update for staff").under(
        format!("/voice/challenges/{}", challenge.id),
        challenge.fields.question.clone(),
    )
}

async fn new_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let challenge = answered_by(&state, &user, id).await?;
    Ok(render(&NewPage {
        chrome: new_chrome(chrome, &challenge),
        challenge,
        title: String::new(),
        body: String::new(),
    })?
    .into_response())
}

async fn post_update(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<UpdateForm>,
) -> Result<Response, AppError> {
    match updates::post_update(&state.app, &user, id, (&form.title, &form.body)).await {
        Ok(update) => {
            Ok(Redirect::to(&format!("/voice/updates/{update}?done=posted")).into_response())
        }
        Err(Refused::Problems(problems)) => {
            let challenge = answered_by(&state, &user, id).await?;
            Ok(render(&NewPage {
                chrome: new_chrome(chrome, &challenge).with_errors(field_errors(&problems)),
                challenge,
                title: form.title,
                body: form.body,
            })?
            .into_response())
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "voice/update.html")]
struct UpdatePage {
    chrome: Chrome,
    update: Update,
    challenge: Challenge,
    body: String,
    threads: Vec<Thread>,
    open: bool,
    name: Option<String>,
    viewer: i64,
    done: Option<&'static str>,
    comment: String,
    appeal: String,
    reason: String,
}

impl UpdatePage {
    fn posted(&self, at: &i64) -> String {
        crate::uk_time::moment(*at)
    }

    fn by(&self, name: &Option<String>) -> String {
        name.clone().unwrap_or_else(|| "Someone".into())
    }

    fn comment_html(&self, comment: &Comment) -> String {
        crate::markdown::to_html(&comment.body)
    }

    /// Where the thread's reply forms send (`voice/threads.html`).
    fn comments_action(&self) -> String {
        format!("/voice/updates/{}/comments", self.update.id)
    }

    /// Whether any comment is shown, to be reported.
    fn reportable(&self) -> bool {
        self.threads
            .iter()
            .flat_map(|t| std::iter::once(&t.comment).chain(&t.replies))
            .any(|c| c.moderation == Moderation::Shown)
    }

    /// The viewer's own held or hidden comments here: (id, words for it).
    fn appealable(&self) -> Vec<(i64, String)> {
        self.threads
            .iter()
            .flat_map(|t| std::iter::once(&t.comment).chain(&t.replies))
            .filter(|c| c.author_id == self.viewer && c.moderation != Moderation::Shown)
            .map(|c| {
                (
                    c.id,
                    format!("Your comment of {}", self.posted(&c.posted_at)),
                )
            })
            .collect()
    }
}

#[derive(Default)]
struct Typed {
    comment: String,
    appeal: String,
    reason: String,
}

async fn show_update(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    id: i64,
    done: &str,
    typed: Typed,
) -> Result<Response, AppError> {
    let (update, challenge) = updates::update(&state.app, user, id).await?;
    let comments = updates::comments(&state.app, user, &update).await?;
    let done = match done {
        "posted" => Some("Your update is posted. Staff who follow the challenge will hear of it."),
        "comment" => Some("Your comment is posted."),
        "reported" => Some("Thank you. A moderator will look at it."),
        "appealed" => Some("Thank you. A moderator will look at the decision again."),
        _ => None,
    };
    let chrome = chrome.titled(update.title.clone()).under(
        format!("/voice/challenges/{}", challenge.id),
        challenge.fields.question.clone(),
    );
    Ok(render(&UpdatePage {
        chrome,
        body: crate::markdown::to_html(&update.body),
        threads: Thread::gather(comments),
        open: voice::is_open(&challenge, state.app.clock.today()),
        name: voice::display_name(&state.app, user).await?,
        viewer: user.person.id,
        update,
        challenge,
        done,
        comment: typed.comment,
        appeal: typed.appeal,
        reason: typed.reason,
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

async fn update_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    show_update(&state, chrome, &user, id, &query.done, Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommentForm {
    comment: String,
    reply_to: String,
}

async fn comment(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<CommentForm>,
) -> Result<Response, AppError> {
    let reply_to = optional_id(&form.reply_to)?;
    match updates::comment(&state.app, &user, id, reply_to, &form.comment).await {
        Ok(done) => posted(chrome, &done, On::Update(id), "comment"),
        Err(Refused::Problems(problems)) => {
            // The page has one comment box; every problem with a comment is shown there.
            let errors = field_errors(&problems)
                .into_iter()
                .map(|mut e| {
                    e.field = "comment".into();
                    e
                })
                .collect();
            let typed = Typed {
                comment: form.comment,
                ..Typed::default()
            };
            show_update(&state, chrome.with_errors(errors), &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportForm {
    reason: String,
    comment: String,
}

/// A comment's id from a form: it must be there and be a number.
fn comment_id(raw: &str) -> Result<i64, AppError> {
    optional_id(raw)?.ok_or_else(|| {
        AppError::BadRequest("Choose the comment you mean. Go back and try again.".into())
    })
}

async fn report(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<ReportForm>,
) -> Result<Response, AppError> {
    let comment = comment_id(&form.comment)?;
    match updates::report(&state.app, &user, id, comment, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/voice/updates/{id}?done=reported")).into_response()),
        Err(Refused::Problems(problems)) => {
            let typed = Typed {
                reason: form.reason,
                ..Typed::default()
            };
            let chrome = chrome.with_errors(field_errors(&problems));
            show_update(&state, chrome, &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppealForm {
    words: String,
    comment: String,
}

async fn appeal(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<AppealForm>,
) -> Result<Response, AppError> {
    let comment = comment_id(&form.comment)?;
    match updates::appeal(&state.app, &user, id, comment, &form.words).await {
        Ok(()) => Ok(Redirect::to(&format!("/voice/updates/{id}?done=appealed")).into_response()),
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
                ..Typed::default()
            };
            show_update(&state, chrome.with_errors(errors), &user, id, "", typed).await
        }
        Err(Refused::App(e)) => Err(e.into()),
    }
}
