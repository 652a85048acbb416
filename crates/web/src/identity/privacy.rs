//! Privacy notices: Dignity's own, and each organisation's, which its administrators
//! write.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::Error;
use dignity_app::identity::organisations as orgs;
use dignity_domain::identity::Role;
use serde::Deserialize;

const ADMINS: &[Role] = &[Role::OrgAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/privacy", Access::Public, privacy)
        .get("/orgs/{ods}/privacy", Access::Public, notice)
        .get(
            "/orgs/{ods}/privacy/edit",
            Access::InOrganisation(ADMINS),
            edit_page,
        )
        .post(
            "/orgs/{ods}/privacy/edit",
            Access::InOrganisation(ADMINS),
            save,
        )
}

#[derive(Template)]
#[template(path = "home/privacy.html")]
struct Privacy {
    chrome: Chrome,
    /// Organisations with a notice of their own: (ODS code, name).
    notices: Vec<(String, String)>,
}

async fn privacy(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    Ok(render(&Privacy {
        chrome: chrome.titled("Privacy"),
        notices: orgs::organisations_with_notices(&state.app).await?,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "home/org_privacy.html")]
struct OrgNotice {
    chrome: Chrome,
    name: String,
    /// The notice as HTML, from Markdown through the one sanitising renderer, and when it
    /// last changed; none when the organisation has not written one.
    notice: Option<(String, String)>,
}

async fn notice(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = orgs::organisation(&state.app, &ods).await?;
    let notice = orgs::privacy_notice(&state.app, &organisation)
        .await?
        .map(|n| {
            (
                crate::markdown::to_html(&n.body),
                crate::uk_time::moment(n.updated_at),
            )
        });
    Ok(render(&OrgNotice {
        chrome: chrome
            .titled(format!("Privacy notice: {}", organisation.name))
            .under("/privacy", "Privacy"),
        name: organisation.name.clone(),
        notice,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "home/org_privacy_edit.html")]
struct EditPage {
    chrome: Chrome,
    name: String,
    ods: String,
    body: String,
    most: usize,
}

async fn edit_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = orgs::organisation(&state.app, &ods).await?;
    let body = orgs::privacy_notice(&state.app, &organisation)
        .await?
        .map(|n| n.body)
        .unwrap_or_default();
    Ok(render(&EditPage {
        chrome: chrome.titled(format!("Privacy notice: {}", organisation.name)),
        name: organisation.name.clone(),
        ods: organisation.ods_code.as_str().to_owned(),
        body,
        most: orgs::MOST_NOTICE_CHARS,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeForm {
    /// Always sent by the form (empty removes the notice); missing, the request did not
    /// come from it.
    body: Option<String>,
}

async fn save(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(form): FormData<NoticeForm>,
) -> Result<Response, AppError> {
    let organisation = orgs::organisation(&state.app, &ods).await?;
    let Some(body) = form.body else {
        return Err(
            Error::Invalid(dignity_domain::identity::InvalidValue::Message(
                "The notice was missing from the form. Go back and try again",
            ))
            .into(),
        );
    };
    match orgs::save_privacy_notice(&state.app, &user.person.email, &organisation, &body).await {
        Ok(()) if body.trim().is_empty() => Ok(Redirect::to("/privacy").into_response()),
        Ok(()) => Ok(
            Redirect::to(&format!("/orgs/{}/privacy", organisation.ods_code.as_str()))
                .into_response(),
        ),
        Err(Error::Invalid(e)) => {
            let page = EditPage {
                chrome: chrome
                    .titled(format!("Privacy notice: {}", organisation.name))
                    .with_errors(vec![FieldError {
                        field: "body".into(),
                        message: e.to_string(),
                    }]),
                name: organisation.name.clone(),
                ods: organisation.ods_code.as_str().to_owned(),
                body,
                most: orgs::MOST_NOTICE_CHARS,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
