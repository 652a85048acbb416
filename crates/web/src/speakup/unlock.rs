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
use dignity_app::identity::{UnlockRefused, unlock_case_key};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "speakup/unlock.html")]
struct UnlockPage {
    chrome: Chrome,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn page(
    chrome: Chrome,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    Ok(render(&UnlockPage {
        chrome: chrome.titled("Enter your passphrase to open cases"),
        next,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnlockForm {
    passphrase: String,
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
        UnlockRefused::Empty => StatusCode::UNPROCESSABLE_ENTITY,
        UnlockRefused::Wrong => StatusCode::UNAUTHORIZED,
    };
    match unlock_case_key(&state.app, &user, &form.passphrase).await? {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(refused) => {
            let chrome = chrome
                .titled("Enter your passphrase to open cases")
                .with_errors(vec![FieldError {
                    field: "passphrase".into(),
                    message: refused.to_string(),
                }]);
            Ok((status(&refused), render(&UnlockPage { chrome, next })?).into_response())
        }
    }
}
