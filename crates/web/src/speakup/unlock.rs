//! Unlocking a guardian's case key when this server does not hold it (after a restart, or
//! when the request reaches another server).

use crate::access::{CurrentUser, safe_next};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::{
    UnlockRefused, choose_case_passphrase, needs_case_passphrase, unlock_case_key,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "speakup/unlock.html")]
struct UnlockPage {
    chrome: Chrome,
    next: String,
    /// They sign in through their organisation's service and have yet to choose the
    /// passphrase that locks their case key.
    choose: bool,
}

fn title(choose: bool) -> &'static str {
    if choose {
        "Choose a passphrase to lock your cases"
    } else {
        "Enter your passphrase to open cases"
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn page(
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    let choose = needs_case_passphrase(&user);
    Ok(render(&UnlockPage {
        chrome: chrome.titled(title(choose)),
        next,
        choose,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnlockForm {
    passphrase: String,
    again: String,
    next: String,
}

pub async fn unlock(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<UnlockForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    let status = |refused: &UnlockRefused| match refused {
        UnlockRefused::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        UnlockRefused::Empty | UnlockRefused::Weak(_) | UnlockRefused::NotTheSame => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        UnlockRefused::Wrong => StatusCode::UNAUTHORIZED,
    };
    let choose = needs_case_passphrase(&user);
    let answer = if choose {
        choose_case_passphrase(&state.app, &user, &form.passphrase, &form.again).await?
    } else {
        unlock_case_key(&state.app, &user, &form.passphrase).await?
    };
    match answer {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(refused) => {
            let field = if refused == UnlockRefused::NotTheSame {
                "again"
            } else {
                "passphrase"
            };
            let chrome = chrome.titled(title(choose)).with_errors(vec![FieldError {
                field: field.into(),
                message: refused.to_string(),
            }]);
            Ok((
                status(&refused),
                render(&UnlockPage {
                    chrome,
                    next,
                    choose,
                })?,
            )
                .into_response())
        }
    }
}
