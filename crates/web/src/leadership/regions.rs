//! The regional view's pages: where every board in a region stands with its yearly
//! round, each signed annual return as CSV and as a one-page PDF, and the region's
//! summary as CSV. For the region's director and national analysts.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::Download;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::leadership::regions::{self, RegionalLine, RegionalSummary, Standing};
use dignity_domain::identity::{Region, Role};
use serde::Deserialize;

/// The region's directors (the app's `regions::REGIONAL`) and national analysts; the app
/// checks which region.
const REGION_VIEWERS: &[Role] = &[Role::RegionalDirector, Role::NationalAnalyst];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/regions/{region}/boards",
            Access::Anywhere(REGION_VIEWERS),
            summary_page,
        )
        .get(
            "/regions/{region}/boards.csv",
            Access::Anywhere(REGION_VIEWERS),
            summary_csv,
        )
        .get(
            "/regions/{region}/boards/{ods}/{year}/return.csv",
            Access::Anywhere(REGION_VIEWERS),
            return_csv,
        )
        .get(
            "/regions/{region}/boards/{ods}/{year}/return.pdf",
            Access::Anywhere(REGION_VIEWERS),
            return_pdf,
        )
}

fn region(code: &str) -> Result<Region, AppError> {
    code.parse::<Region>()
        .map_err(|_| AppError::NotFound("There is no such region".into()))
}

fn year(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
        .ok_or_else(|| AppError::NotFound("There is no return for such a year".into()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Chosen {
    year: String,
}

impl Chosen {
    /// The year asked for; one that cannot be read shows the newest.
    fn year(&self) -> Option<i64> {
        year(&self.year).ok()
    }
}

#[derive(Template)]
#[template(path = "leadership/region.html")]
struct RegionPage {
    chrome: Chrome,
    summary: RegionalSummary,
}

impl RegionPage {
    fn base(&self) -> String {
        format!("/regions/{}/boards", self.summary.region.code())
    }
    fn return_href(&self, line: &RegionalLine, ending: &str) -> String {
        format!(
            "{}/{}/{}/return.{ending}",
            self.base(),
            line.organisation.ods_code,
            self.summary.year
        )
    }
    fn standing_text(&self, line: &RegionalLine) -> String {
        match &line.standing {
            Standing::NotOpened => "Round not opened".into(),
            Standing::Open { due_on } => format!("Open, due {}", due_on.long()),
            Standing::Signed(signed) => format!("Signed {}", signed.signed_on.long()),
        }
    }
    fn tally_text(&self, line: &RegionalLine) -> String {
        let Some(t) = line.tally() else {
            return String::new();
        };
        let mut words = vec![format!(
            "{} {}: {} fit and proper",
            t.members,
            if t.members == 1 { "member" } else { "members" },
            t.fit
        )];
        if t.not_fit > 0 {
            words.push(format!("{} not fit and proper", t.not_fit));
        }
        if t.without_every_check > 0 {
            words.push(format!(
                "{} concluded without every check",
                t.without_every_check
            ));
        }
        if t.serious_misconduct > 0 {
            words.push(format!(
                "{} with a finding of serious misconduct",
                t.serious_misconduct
            ));
        }
        words.join(", ")
    }
}

async fn summary_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(code): Path<String>,
    QueryData(chosen): QueryData<Chosen>,
) -> Result<Response, AppError> {
    let region = region(&code)?;
    let summary = regions::regional_summary(&state.app, &user, region, chosen.year()).await?;
    Ok(render(&RegionPage {
        chrome: chrome.titled(format!(
            "Fit and proper returns: {} region, {}",
            region.label(),
            summary.year
        )),
        summary,
    })?
    .into_response())
}

async fn summary_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(code): Path<String>,
    QueryData(chosen): QueryData<Chosen>,
) -> Result<Response, AppError> {
    let region = region(&code)?;
    let summary = regions::regional_summary(&state.app, &user, region, chosen.year()).await?;
    Ok(summary.table().csv_response())
}

async fn signed_return(
    state: &AppState,
    user: &CurrentUser,
    (code, ods, year_text): (String, String, String),
) -> Result<dignity_app::leadership::rounds::SignedReturn, AppError> {
    let region = region(&code)?;
    let year = year(&year_text)?;
    // Who may look is decided before anything about the organisation is read.
    if !regions::may_see(user, region) {
        return Err(dignity_app::Error::Forbidden.into());
    }
    let organisation = organisation(state, &ods).await?;
    Ok(regions::regional_return(&state.app, user, region, &organisation, year).await?)
}

async fn return_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(parts): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    Ok(signed_return(&state, &user, parts)
        .await?
        .table()
        .csv_response())
}

async fn return_pdf(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(parts): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    super::rounds::pdf_response(signed_return(&state, &user, parts).await?).await
}
