//! An organisation's own policies and contacts, shown above the national catalogue when
//! its staff open the library from their home page.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::library::Pin;
use dignity_app::library::pins::{self as pinning, PinDraft};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PinForm {
    title: String,
    body: String,
    link: String,
}

#[derive(Template)]
#[template(path = "library/pins.html")]
struct PinsPage {
    chrome: Chrome,
    organisation: Organisation,
    pins: Vec<Pin>,
    form: PinForm,
}

async fn page(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
    form: PinForm,
) -> Result<Response, AppError> {
    Ok(render(&PinsPage {
        chrome: chrome.titled(format!("Policies and contacts: {}", organisation.name)),
        pins: pinning::pins(&state.app, &organisation).await?,
        organisation,
        form,
    })?
    .into_response())
}

pub async fn manage(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    page(&state, chrome, organisation, PinForm::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(form): FormData<PinForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    // The rules on an item are the app's (`pins::check`).
    let draft = PinDraft {
        title: &form.title,
        body: &form.body,
        link: &form.link,
    };
    let pin = match pinning::check(&draft) {
        Ok(pin) => pin,
        Err(problems) => {
            let errors = problems
                .iter()
                .map(|p| FieldError {
                    field: p.field().into(),
                    message: p.to_string(),
                })
                .collect();
            return page(&state, chrome.with_errors(errors), organisation, form).await;
        }
    };
    pinning::add(&state.app, &user, &organisation, &pin).await?;
    Ok(Redirect::to(&format!("/orgs/{}/library", organisation.ods_code)).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, pin)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    pinning::remove(&state.app, &user, &organisation, pin).await?;
    Ok(Redirect::to(&format!("/orgs/{}/library", organisation.ods_code)).into_response())
}
