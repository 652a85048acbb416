//! Following a plan by email. Anyone can ask; nothing is sent until they confirm from the
//! email; every email has a link that stops them at once. Changes of status or progress
//! are gathered for a while and told in one email per follower.

use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::follow as following;
pub use dignity_app::plans::follow::GATHER_SECONDS;
use dignity_app::plans::{Followed, NewMail};
use dignity_domain::identity::Email;
use serde::Deserialize;

/// What the follow pages say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    CheckEmail,
    NoEmailHere,
    Confirm,
    Following,
    Stopped,
    UnknownLink,
}

#[derive(Template)]
#[template(path = "plans/follow.html")]
struct FollowPage {
    chrome: Chrome,
    outcome: Outcome,
    organisation: Option<Organisation>,
    token: String,
}

fn page(
    chrome: Chrome,
    outcome: Outcome,
    organisation: Option<Organisation>,
    token: String,
) -> Result<Response, AppError> {
    let title = match outcome {
        Outcome::CheckEmail => "Check your email",
        Outcome::NoEmailHere => "Email is not set up here",
        Outcome::Confirm => "Confirm you want emails",
        Outcome::Following => "You are following this plan",
        Outcome::Stopped => "You will not get any more emails",
        Outcome::UnknownLink => "This link does not work",
    };
    Ok(render(&FollowPage {
        chrome: chrome.titled(title),
        outcome,
        organisation,
        token,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FollowForm {
    email: String,
}

/// Asks to follow an organisation's plan: a confirmation email is sent. The page says the
/// same whether or not the address already follows, so it tells no one who follows.
pub async fn follow(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
    FormData(form): FormData<FollowForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    // Without email there is nothing to follow by, whatever was typed: the form is not on
    // the page then, so a mistake in the address could not be shown beside it.
    if state.settings.mail.is_none() {
        return page(
            chrome,
            Outcome::NoEmailHere,
            Some(organisation),
            String::new(),
        );
    }
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(_) => {
            let chrome = chrome.with_errors(vec![FieldError {
                field: "email".into(),
                message: "Enter an email address, like name@example.com".into(),
            }]);
            return super::public::plan_page(&state, chrome, organisation).await;
        }
    };
    let base = state.settings.public_url.clone();
    let name = organisation.name.clone();
    let to = email.as_str().to_owned();
    let confirm = move |token: &str| NewMail {
        purpose: "plan-follow".into(),
        to: to.clone(),
        subject: format!("Confirm: emails about {name}'s plan to tackle bullying"),
        body: format!(
            "Hello,\n\nSomeone, we hope you, asked for emails when {name} reports progress on its plan to tackle bullying.\n\n\
             To start getting them, confirm here:\n{base}/follow/confirm?token={token}\n\n\
             If this was not you, you can ignore this email. We will not email you again.\n"
        ),
        attachment: None,
    };
    let outcome = following::follow(&state.app, organisation.id, email.as_str(), &confirm).await?;
    // Both outcomes show the same page, after a redirect so that a reload does not send
    // another email.
    let (Followed::ConfirmationSent | Followed::AlreadyFollowing) = outcome;
    Ok(Redirect::to(&format!("/plans/{}/follow", organisation.ods_code)).into_response())
}

/// The page after asking to follow, which [`follow`] redirects to.
pub async fn asked(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let outcome = if state.settings.mail.is_some() {
        Outcome::CheckEmail
    } else {
        Outcome::NoEmailHere
    };
    page(chrome, outcome, Some(organisation), String::new())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

async fn organisation_by_id(state: &AppState, id: i64) -> Result<Organisation, AppError> {
    dignity_app::identity::organisations::organisations(&state.app)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| AppError::NotFound("There is no such organisation.".into()))
}

/// The link in the confirmation email: a button to confirm (so a mail scanner that opens
/// links does not confirm for the person).
pub async fn confirm_page(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<TokenQuery>,
) -> Result<Response, AppError> {
    match following::follower_organisation(&state.app, &query.token).await? {
        Some(id) => {
            let organisation = organisation_by_id(&state, id).await?;
            page(chrome, Outcome::Confirm, Some(organisation), query.token)
        }
        None => page(chrome, Outcome::UnknownLink, None, String::new()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response, AppError> {
    match following::confirm(&state.app, &form.token).await? {
        Some(id) => {
            let organisation = organisation_by_id(&state, id).await?;
            page(
                chrome,
                Outcome::Following,
                Some(organisation),
                String::new(),
            )
        }
        None => page(chrome, Outcome::UnknownLink, None, String::new()),
    }
}

/// The link in every email: stops the emails in one click, and deletes the address.
pub async fn stop(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<TokenQuery>,
) -> Result<Response, AppError> {
    match following::unfollow(&state.app, &query.token).await? {
        Some(id) => {
            let organisation = organisation_by_id(&state, id).await.ok();
            page(chrome, Outcome::Stopped, organisation, String::new())
        }
        None => page(chrome, Outcome::UnknownLink, None, String::new()),
    }
}

/// Written by the mail worker every minute (`dignity_app::plans::follow`).
pub use dignity_app::plans::send_notices;
