//! The fairness page of employee relations cases: for a settled reporting year and one
//! measure, each group's rate against everyone else's. The figures are decided in
//! `dignity_app::workforce::fairness`; this module only puts them on the page.

use super::standards::{YearQuery, chosen_year};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::workforce::fairness::{self, FairnessPage, Measure, READERS};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/workforce/fairness",
            Access::InOrganisation(READERS),
            page,
        )
        .get(
            "/national/fairness",
            Access::Platform(dignity_app::identity::ANALYSTS),
            national,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FairnessQuery {
    year: Option<String>,
    /// One of the measures' keys; conduct investigations if not given.
    measure: Option<String>,
}

#[derive(Template)]
#[template(path = "workforce/fairness.html")]
struct Page {
    chrome: Chrome,
    organisation: Organisation,
    figures: FairnessPage,
    measures: [Measure; 5],
}

fn measure_of(query: &FairnessQuery) -> Result<Measure, AppError> {
    match query.measure.as_deref().map(str::trim) {
        None | Some("") => Ok(Measure::Conduct),
        Some(key) => Measure::from_key(key)
            .ok_or_else(|| AppError::BadRequest("Choose a measure from the list".into())),
    }
}

#[derive(Template)]
#[template(path = "workforce/national_fairness.html")]
struct NationalPage {
    chrome: Chrome,
    national: Option<fairness::National>,
    measure: Measure,
    measures: [Measure; 5],
}

async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<FairnessQuery>,
) -> Result<Response, AppError> {
    let measure = measure_of(&query)?;
    let year = chosen_year(&YearQuery { year: query.year })?;
    let national = fairness::national(&state.app, &user, year, measure).await?;
    let chrome = chrome.titled("Fairness in employee relations cases: every organisation");
    Ok(render(&NationalPage {
        chrome,
        national,
        measure,
        measures: Measure::ALL,
    })?
    .into_response())
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<FairnessQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let measure = measure_of(&query)?;
    let year = chosen_year(&YearQuery { year: query.year })?;
    let figures = fairness::page(&state.app, &user, &organisation, year, measure).await?;
    let chrome = chrome
        .titled(format!(
            "Fairness in employee relations cases: {}",
            organisation.name
        ))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&Page {
        chrome,
        organisation,
        figures,
        measures: Measure::ALL,
    })?
    .into_response())
}
