//! Unlocking a guardian's case key when this server does not hold it (after a restart, or
//! when the request reaches another server).

use super::keys::unlock_for_session;
use crate::access::{CurrentUser, safe_next};
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_store::{sessions, throttle};
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

pub async fn page(chrome: Chrome, Query(query): Query<NextQuery>) -> Result<Response, AppError> {
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
    let key = crate::session::account_throttle_key(&user.person.email, &state.settings);
    let now = state.app.clock.now();
    let window = state.settings.throttle_window_seconds;
    let again =
        |chrome: Chrome, message: String, status: StatusCode| -> Result<Response, AppError> {
            let chrome = chrome
                .titled("Enter your passphrase to open cases")
                .with_errors(vec![FieldError {
                    field: "passphrase".into(),
                    message,
                }]);
            Ok((
                status,
                render(&UnlockPage {
                    chrome,
                    next: next.clone(),
                })?,
            )
                .into_response())
        };
    if throttle::recent_failures(&state.db, &key, now, window).await?
        >= state.settings.max_failures_per_account
    {
        return again(
            chrome,
            format!(
                "You have tried too many times. Wait {} minutes, then try again",
                window / 60
            ),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    if form.passphrase.is_empty() {
        return again(
            chrome,
            "Enter your passphrase".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let stored = user.person.passphrase_hash.clone();
    let matches = state
        .passphrase_matches(form.passphrase.clone(), stored)
        .await?;
    if !matches {
        throttle::record_failure(&state.db, &[&key], now, window).await?;
        return again(
            chrome,
            "That passphrase is not right".into(),
            StatusCode::UNAUTHORIZED,
        );
    }
    let expires_at = sessions::find_live(
        &state.db,
        &user.session_digest,
        now,
        state.settings.session_idle_seconds,
    )
    .await?
    .map(|s| s.expires_at)
    .unwrap_or(now);
    unlock_for_session(
        &state,
        &user.person,
        &user.memberships,
        &form.passphrase,
        &user.session_digest,
        expires_at,
    )
    .await?;
    Ok(Redirect::to(&next).into_response())
}
