//! Writing, signing and publishing an organisation's WRES or WDES report
//! (`dignity_app::workforce::reports`), and the public page of what both sides signed.

use super::standards::{YearQuery, chosen_year, return_table, sections};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::workforce::reports::{self, Draft, Published, ReportState, WRITERS, WriteError};
use dignity_app::workforce::standards::{self, READERS, ReportingYear, Standard};
use dignity_domain::plans::Side;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/workforce/report/{standard}",
            Access::InOrganisation(READERS),
            page,
        )
        .post(
            "/orgs/{ods}/workforce/report/{standard}",
            Access::InOrganisation(WRITERS),
            write,
        )
        .post(
            "/orgs/{ods}/workforce/report/{standard}/sign",
            Access::InOrganisation(&[
                dignity_domain::identity::Role::Executive,
                dignity_domain::identity::Role::UnionPartner,
            ]),
            sign,
        )
        .get("/equality/{ods}/{standard}", Access::Public, public)
}

fn standard(code: &str) -> Result<Standard, AppError> {
    Standard::from_code(code)
        .ok_or_else(|| AppError::NotFound("There is no such equality standard".into()))
}

#[derive(Template)]
#[template(path = "workforce/report.html")]
struct ReportPage {
    chrome: Chrome,
    organisation: Organisation,
    standard: Standard,
    year: Option<ReportingYear>,
    state: Option<ReportState>,
    /// What the form shows: the newest summary and actions, or what was just sent.
    summary: String,
    chosen: Vec<i64>,
    done: Option<&'static str>,
}

impl ReportPage {
    fn side_label(&self, side: &Side) -> &'static str {
        side.label()
    }

    fn signed_words(&self, side: &Side) -> String {
        match self.state.as_ref().and_then(|s| s.signed_by(*side)) {
            Some(s) => format!("Signed by {} on {}", s.name, s.signed_on.long()),
            None => "Not signed yet".into(),
        }
    }

    fn may_sign_now(&self, side: &Side) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.may_sign.contains(side) && s.signed_by(*side).is_none())
    }

    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    year: Option<String>,
    done: String,
}

/// The year a report is for: the one asked for, or the newest with figures.
async fn year_of(
    state: &AppState,
    user: &CurrentUser,
    organisation: &Organisation,
    asked: Option<String>,
) -> Result<Option<ReportingYear>, AppError> {
    let year = chosen_year(&YearQuery { year: asked })?;
    Ok(standards::standards(&state.app, user, organisation, year)
        .await?
        .map(|s| s.this_year.year))
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, each named; one private builder"
)]
async fn show(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    standard: Standard,
    year: Option<ReportingYear>,
    form: Option<(String, Vec<i64>)>,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let report_state = match year {
        Some(year) => Some(reports::state(&state.app, user, &organisation, standard, year).await?),
        None => None,
    };
    let (summary, chosen) = form.unwrap_or_else(|| {
        report_state
            .as_ref()
            .and_then(|s| s.newest())
            .map(|r| (r.summary.clone(), r.plan_action_ids()))
            .unwrap_or_default()
    });
    let chrome = chrome
        .titled(format!(
            "{} report: {}",
            standard.short(),
            organisation.name
        ))
        .under(
            format!(
                "/orgs/{}/workforce/{}",
                organisation.ods_code,
                standard.code()
            ),
            standard.name(),
        );
    Ok(render(&ReportPage {
        chrome,
        organisation,
        standard,
        year,
        state: report_state,
        summary,
        chosen,
        done,
    })?
    .into_response())
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, code)): Path<(String, String)>,
    QueryData(query): QueryData<ReportQuery>,
) -> Result<Response, AppError> {
    let standard = standard(&code)?;
    let organisation = organisation(&state, &ods).await?;
    let year = year_of(&state, &user, &organisation, query.year).await?;
    let done = match query.done.as_str() {
        "written" => Some("A new version is saved. Both sides now need to sign it."),
        "signed" => Some("Your signature is saved."),
        "published" => Some("Both sides have signed. The report is now public."),
        _ => None,
    };
    show(
        &state,
        chrome,
        &user,
        organisation,
        standard,
        year,
        None,
        done,
    )
    .await
}

fn field(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

async fn write(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, code)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let standard = standard(&code)?;
    let organisation = organisation(&state, &ods).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let summary = value("summary");
    let mut chosen = Vec::new();
    for (key, v) in &pairs {
        if key == "actions" {
            chosen.push(v.parse::<i64>().map_err(|_| {
                AppError::BadRequest("Choose actions from the list on the page".into())
            })?);
        }
    }
    let year = chosen_year(&YearQuery {
        year: Some(value("year")),
    })?
    .ok_or_else(|| AppError::BadRequest("This form did not say which year".into()))?;
    let figures = standards::standards(&state.app, &user, &organisation, Some(year))
        .await?
        .ok_or_else(|| AppError::NotFound("There are no figures for that year".into()))?;
    let table = return_table(
        standard,
        &organisation,
        year,
        &sections(standard, &figures.this_year, figures.year_before.as_ref()),
    );
    let draft = Draft {
        standard,
        year,
        summary: &summary,
        figures: &table,
        plan_actions: &chosen,
    };
    match reports::write(&state.app, &user, &organisation, &draft).await {
        Ok(_) => Ok(back(&organisation, standard, year, "written")),
        Err(WriteError::App(e)) => Err(e.into()),
        Err(problem) => {
            // The form's field the problem is about, so the error summary links to it.
            let at = match problem {
                WriteError::UnknownAction => "actions",
                _ => "summary",
            };
            let chrome = chrome.with_errors(vec![field(at, problem.to_string())]);
            show_again(
                &state,
                chrome,
                &user,
                organisation,
                standard,
                year,
                summary,
                chosen,
            )
            .await
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page as it was sent, every part named"
)]
async fn show_again(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    standard: Standard,
    year: ReportingYear,
    summary: String,
    chosen: Vec<i64>,
) -> Result<Response, AppError> {
    let mut response = show(
        state,
        chrome,
        user,
        organisation,
        standard,
        Some(year),
        Some((summary, chosen)),
        None,
    )
    .await?;
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

fn back(
    organisation: &Organisation,
    standard: Standard,
    year: ReportingYear,
    done: &str,
) -> Response {
    Redirect::to(&format!(
        "/orgs/{}/workforce/report/{}?year={}&done={done}",
        organisation.ods_code,
        standard.code(),
        year.end_year()
    ))
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    year: String,
    side: String,
    version: String,
}

async fn sign(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, code)): Path<(String, String)>,
    FormData(form): FormData<SignForm>,
) -> Result<Response, AppError> {
    let standard = standard(&code)?;
    let organisation = organisation(&state, &ods).await?;
    let year = chosen_year(&YearQuery {
        year: Some(form.year),
    })?;
    let (Some(year), Ok(side), Ok(seen)) =
        (year, form.side.parse::<Side>(), form.version.parse::<i64>())
    else {
        return Err(AppError::BadRequest(
            "This signature did not come from the report's page. Go back to the report and try again."
                .into(),
        ));
    };
    match reports::sign(&state.app, &user, &organisation, standard, year, side, seen).await {
        Ok(true) => Ok(back(&organisation, standard, year, "published")),
        Ok(false) => Ok(back(&organisation, standard, year, "signed")),
        Err(dignity_app::Error::Conflict(message)) => {
            let chrome = chrome.with_errors(vec![field("sign", message)]);
            let mut response = show(
                &state,
                chrome,
                &user,
                organisation,
                standard,
                Some(year),
                None,
                None,
            )
            .await?;
            *response.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "workforce/published.html")]
struct PublicPage {
    chrome: Chrome,
    organisation: Organisation,
    standard: Standard,
    reports: Vec<Published>,
}

impl PublicPage {
    /// Each year shows its newest published version only.
    fn starts_a_year(&self, index: &usize) -> bool {
        let index = *index;
        match index.checked_sub(1) {
            None => true,
            Some(before) => {
                self.reports.get(before).map(|p| p.report.year)
                    != self.reports.get(index).map(|p| p.report.year)
            }
        }
    }
}

async fn public(
    State(state): State<AppState>,
    chrome: Chrome,
    Path((ods, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let standard = standard(&code)?;
    let organisation = organisation(&state, &ods).await?;
    let reports = reports::published(&state.app, &organisation, standard).await?;
    let chrome = chrome.titled(format!("{}: {}", standard.name(), organisation.name));
    Ok(render(&PublicPage {
        chrome,
        organisation,
        standard,
        reports,
    })?
    .into_response())
}

/// Whether the frozen return's line at `at` is the first of its indicator, for the
/// return's template to start a new table there.
pub fn starts_an_indicator(lines: &[[String; 4]], at: &usize) -> bool {
    let at = *at;
    match (at.checked_sub(1).and_then(|b| lines.get(b)), lines.get(at)) {
        (Some(before), Some(line)) => before[0] != line[0],
        _ => true,
    }
}
