//! Staff comments on published actions: a light way for staff to hold the plan to account.
//! The rule is on the form: an administrator reads every comment first, and published
//! comments never show who wrote them.

use super::editor::editor;
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::{self, Action, CommentState};
use dignity_domain::speakup::Day;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "plans/comment.html")]
struct CommentPage {
    chrome: Chrome,
    organisation: Organisation,
    plan_id: i64,
    action: Action,
    body: String,
    sent: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SentQuery {
    /// Set by the redirect after a comment is sent.
    sent: bool,
}

pub async fn comment_page(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, plan_id, action_id)): PathData<(String, i64, i64)>,
    QueryData(query): QueryData<SentQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let action = plans::published_action(&state.app, &organisation, plan_id, action_id).await?;
    Ok(render(&CommentPage {
        chrome: chrome.titled(if query.sent {
            "Your comment has been sent"
        } else {
            "Comment on an action"
        }),
        organisation,
        plan_id,
        action,
        body: String::new(),
        sent: query.sent,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    comment: String,
}

pub async fn add_comment(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, plan_id, action_id)): PathData<(String, i64, i64)>,
    FormData(form): FormData<CommentForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let action = plans::published_action(&state.app, &organisation, plan_id, action_id).await?;
    // The rules on a comment are the app's (`plans::comment::check`).
    let mut errors = Vec::new();
    match plans::comment::check(&form.comment) {
        Err(problem) => errors.push(problem.to_string()),
        Ok(comment) => {
            match plans::add_comment(
                &state.app,
                organisation.id,
                action.id,
                user.person.id,
                &comment,
            )
            .await
            {
                Ok(()) => {}
                Err(dignity_app::Error::Conflict(m)) => errors.push(m),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if errors.is_empty() {
        // Post-redirect-get: reloading the page does not send the comment again.
        return Ok(Redirect::to(&format!(
            "/orgs/{}/plans/{plan_id}/actions/{}/comment?sent=true",
            organisation.ods_code, action.id
        ))
        .into_response());
    }
    let chrome = chrome.titled("Comment on an action").with_errors(
        errors
            .into_iter()
            .map(|message| FieldError {
                field: "comment".into(),
                message,
            })
            .collect(),
    );
    Ok(render(&CommentPage {
        chrome,
        organisation,
        plan_id,
        action,
        body: form.comment,
        sent: false,
    })?
    .into_response())
}

pub struct Waiting {
    pub id: i64,
    pub action: String,
    pub written_on: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "plans/moderate.html")]
struct ModeratePage {
    chrome: Chrome,
    organisation: Organisation,
    waiting: Vec<Waiting>,
}

/// Comments waiting to be read, oldest first.
pub async fn moderation(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let mut waiting = Vec::new();
    let mut titles: Vec<(i64, String)> = Vec::new();
    for c in plans::comments(&state.app, organisation.id, CommentState::Waiting).await? {
        if !titles.iter().any(|(id, _)| *id == c.action_id) {
            let plan = plans::plan_in(&state.app, &organisation, c.plan_id).await?;
            if let Some(signed) = plans::signed(&state.app, &plan).await? {
                titles.extend(signed.actions.into_iter().map(|a| (a.id, a.title)));
            }
        }
        waiting.push(Waiting {
            id: c.id,
            action: titles
                .iter()
                .find(|(id, _)| *id == c.action_id)
                .map_or_else(
                    || "An action no longer in the plan".into(),
                    |(_, t)| t.clone(),
                ),
            written_on: Day::from_unix_seconds(c.written_at).long(),
            body: c.body,
        });
    }
    Ok(render(&ModeratePage {
        chrome: chrome.titled("Staff comments on plans"),
        organisation,
        waiting,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

pub async fn moderate(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, comment)): PathData<(String, i64)>,
    FormData(form): FormData<DecisionForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let publish = match form.decision.as_str() {
        "publish" => true,
        "decline" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose whether to publish the comment or not.".into(),
            ));
        }
    };
    editor(&state, &user, &organisation)
        .moderate(comment, publish)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{}/plan-comments", organisation.ods_code)).into_response())
}
