//! Following a plan by email. Anyone can ask; nothing is sent until they confirm from the
//! email; every email has a link that stops them at once. Changes of status or progress
//! are gathered for a while and told in one email per follower.

use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use dignity_domain::identity::Email;
use dignity_store::identity::{self, Organisation};
use dignity_store::mail::NewMail;
use dignity_store::plans::{self, Followed, Notice};
use dignity_store::{Db, StoreError};
use serde::Deserialize;

/// How long changes are gathered before followers are told: a burst of edits makes one
/// email.
pub const GATHER_SECONDS: i64 = 600;

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
    if state.settings.mail.is_none() {
        return page(
            chrome,
            Outcome::NoEmailHere,
            Some(organisation),
            String::new(),
        );
    }
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
    let outcome = plans::follow(
        &state.db,
        organisation.id,
        email.as_str(),
        state.app.clock.now(),
        &confirm,
    )
    .await?;
    // Both outcomes show the same page.
    let (Followed::ConfirmationSent | Followed::AlreadyFollowing) = outcome;
    page(
        chrome,
        Outcome::CheckEmail,
        Some(organisation),
        String::new(),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

async fn organisation_by_id(state: &AppState, id: i64) -> Result<Organisation, AppError> {
    identity::list_organisations(&state.db)
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
    Query(query): Query<TokenQuery>,
) -> Result<Response, AppError> {
    match plans::follower_organisation(&state.db, &query.token).await? {
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
    match plans::confirm_follower(&state.db, &form.token, state.app.clock.now()).await? {
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
    Query(query): Query<TokenQuery>,
) -> Result<Response, AppError> {
    match plans::unfollow(&state.db, &query.token).await? {
        Some(id) => {
            let organisation = organisation_by_id(&state, id).await.ok();
            page(chrome, Outcome::Stopped, organisation, String::new())
        }
        None => page(chrome, Outcome::UnknownLink, None, String::new()),
    }
}

/// One line of a follower's email for each action that moved (first and last state of a
/// burst of changes), or None when the action is not in the signed plan.
fn lines(notices: &[&Notice], signed: &plans::SignedPlan) -> Vec<String> {
    let mut out = Vec::new();
    let mut told: Vec<i64> = Vec::new();
    for n in notices {
        if told.contains(&n.action_id) {
            continue;
        }
        told.push(n.action_id);
        let Some(action) = signed.actions.iter().find(|a| a.id == n.action_id) else {
            continue;
        };
        let same: Vec<&&Notice> = notices
            .iter()
            .filter(|m| m.action_id == n.action_id)
            .collect();
        let first = same.first().map_or(n.before, |m| m.before);
        let last = same.last().map_or(n.after, |m| m.after);
        if first == last {
            continue;
        }
        out.push(format!(
            "- {}: now {}, {}% done (it was {}, {}% done).",
            action.title,
            last.0.label().to_lowercase(),
            last.1.value(),
            first.0.label().to_lowercase(),
            first.1.value()
        ));
    }
    out
}

/// Tells followers about changes gathered for long enough: one email per follower per
/// organisation. Returns how many emails were written to the outbox.
pub async fn send_notices(db: &Db, base: &str, now: i64) -> Result<usize, StoreError> {
    let notices = plans::due_notices(db, now, GATHER_SECONDS).await?;
    let mut organisations: Vec<i64> = notices.iter().map(|n| n.organisation_id).collect();
    organisations.sort_unstable();
    organisations.dedup();
    let all = identity::list_organisations(db).await?;
    let mut written = 0;
    for organisation_id in organisations {
        let mine: Vec<&Notice> = notices
            .iter()
            .filter(|n| n.organisation_id == organisation_id)
            .collect();
        let ids: Vec<i64> = mine.iter().map(|n| n.id).collect();
        let mut body_lines = Vec::new();
        let mut plan_ids: Vec<i64> = mine.iter().map(|n| n.plan_id).collect();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        for plan_id in plan_ids {
            let plan = plans::get_plan(db, plan_id).await?;
            if let Some(signed) = plans::signed_plan(db, &plan).await? {
                let of_plan: Vec<&Notice> = mine
                    .iter()
                    .copied()
                    .filter(|n| n.plan_id == plan_id)
                    .collect();
                body_lines.extend(lines(&of_plan, &signed));
            }
        }
        let mut mails = Vec::new();
        if let (Some(organisation), false) = (
            all.iter().find(|o| o.id == organisation_id),
            body_lines.is_empty(),
        ) {
            for (email, token) in plans::followers(db, organisation_id).await? {
                mails.push(NewMail {
                    purpose: "plan-follow".into(),
                    to: email,
                    subject: format!("{}: progress on the plan to tackle bullying", organisation.name),
                    body: format!(
                        "Hello,\n\n{} has reported progress on its plan to tackle bullying.\n\n{}\n\n\
                         Read the plan: {base}/plans/{}\n\n\
                         To stop these emails, use this link:\n{base}/follow/stop?token={token}\n",
                        organisation.name,
                        body_lines.join("\n"),
                        organisation.ods_code
                    ),
                    attachment: None,
                });
            }
        }
        if plans::deliver_notices(db, &ids, &mails, now).await? {
            written += mails.len();
        }
    }
    Ok(written)
}
