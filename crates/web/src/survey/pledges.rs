//! The staff pledges scorecard pages: the scorecard and the mapping are decided and
//! checked in `dignity_app::survey::pledges`; these pages format and render them.

use super::admin::campaign_in;
use super::dashboard::{Shown, organisation, percent, score};
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::Campaign;
use dignity_app::survey::pledges::{self, MappingRefused};
use dignity_domain::survey::pledges::DEFAULT_MAPPING;
use dignity_engine::disclosure::Figure;
use serde::Deserialize;

pub struct EvidenceRow {
    pub text: String,
    pub positive: Shown,
    pub score: Figure,
}

pub struct PledgeRow {
    pub number: u8,
    pub summary: String,
    pub score: Figure,
    pub evidence: Vec<EvidenceRow>,
}

#[derive(Template)]
#[template(path = "survey/pledges.html")]
struct ScorecardPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    own_mapping: bool,
    pledges: Vec<PledgeRow>,
}

struct Scorecard {
    organisation: Organisation,
    campaign: Campaign,
    own_mapping: bool,
    pledges: Vec<PledgeRow>,
}

/// The scorecard with each figure formatted as the page and the download show it.
async fn compute(state: &AppState, ods: &str, campaign_id: i64) -> Result<Scorecard, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = campaign_in(state, &organisation, campaign_id).await?;
    let card = pledges::scorecard(&state.app, &organisation, &campaign).await?;
    let minimum = card.minimum;
    let pledges = card
        .pledges
        .into_iter()
        .map(|pledge| PledgeRow {
            number: pledge.number,
            summary: pledge.summary,
            score: score(pledge.score),
            evidence: pledge
                .evidence
                .into_iter()
                .map(|e| EvidenceRow {
                    text: e.text,
                    positive: percent(&e.positive, minimum),
                    score: score(e.score),
                })
                .collect(),
        })
        .collect();
    Ok(Scorecard {
        organisation,
        campaign,
        own_mapping: card.own_mapping,
        pledges,
    })
}

pub async fn scorecard(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    if let Some(waiting) = super::waiting::unless_closed(&state, &ods, campaign_id).await? {
        return waiting.page(chrome);
    }
    let card = compute(&state, &ods, campaign_id).await?;
    let chrome = chrome
        .titled(format!("Staff pledges: {}", card.campaign.title))
        .naming("Survey", card.campaign.title.clone());
    Ok(render(&ScorecardPage {
        minimum: state.settings.minimums.survey().people(),
        chrome,
        organisation: card.organisation,
        campaign: card.campaign,
        own_mapping: card.own_mapping,
        pledges: card.pledges,
    })?
    .into_response())
}

/// The scorecard as a table to download: a row per question, under its pledge.
async fn table(state: &AppState, ods: &str, campaign_id: i64) -> Result<Table, AppError> {
    if let Some(waiting) = super::waiting::unless_closed(state, ods, campaign_id).await? {
        return Err(waiting.refusal());
    }
    let card = compute(state, ods, campaign_id).await?;
    let mut rows = Vec::new();
    for pledge in card.pledges {
        for row in pledge.evidence {
            rows.push(vec![
                Cell::words(pledge.number.to_string()),
                Cell::words(pledge.summary.clone()),
                Cell::from(pledge.score.clone()),
                Cell::words(row.text),
                row.positive.cell(),
                Cell::from(row.score.clone()),
            ]);
        }
    }
    Ok(Table {
        name: format!(
            "survey-{}-{}-pledges",
            card.organisation.ods_code, card.campaign.id
        ),
        header: [
            "pledge",
            "summary",
            "pledge score (0 to 10)",
            "question",
            "answered positively",
            "question score (0 to 10)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

pub async fn csv(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    Ok(table(&state, &ods, campaign_id).await?.csv_response())
}

pub async fn xlsx(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    table(&state, &ods, campaign_id).await?.xlsx_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MappingForm {
    mapping: String,
}

#[derive(Template)]
#[template(path = "survey/pledge_mapping.html")]
struct MappingPage {
    chrome: Chrome,
    organisation: Organisation,
    mapping: String,
    /// The saved mapping's pledges, each with its questions in words.
    pledges: Vec<pledges::ReadPledge>,
    /// Each question a mapping can name, as (text, key).
    questions: Vec<(String, String)>,
}

pub async fn edit_mapping(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let mapping = pledges::saved_mapping(&state.app, &organisation)
        .await?
        .unwrap_or_else(|| DEFAULT_MAPPING.trim_start().to_owned());
    let (pledges, questions) = pledges::mapping_in_words(&mapping)?;
    Ok(render(&MappingPage {
        chrome: chrome.titled("Which questions show each staff pledge"),
        organisation,
        mapping,
        pledges,
        questions,
    })?
    .into_response())
}

/// Saves a changed mapping once it reads correctly against the shared culture survey.
pub async fn save_mapping(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(form): FormData<MappingForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    match pledges::save_mapping(&state.app, &user.person.email, &organisation, &form.mapping).await
    {
        Ok(()) => {}
        Err(MappingRefused::Failed(e)) => return Err(e.into()),
        Err(refused @ MappingRefused::Unreadable(_)) => {
            let chrome = chrome
                .titled("Which questions show each staff pledge")
                .with_errors(vec![FieldError {
                    field: "mapping".into(),
                    message: refused.to_string(),
                }]);
            // The pledges in force are the saved ones, not the text that did not read.
            let saved = pledges::saved_mapping(&state.app, &organisation)
                .await?
                .unwrap_or_else(|| DEFAULT_MAPPING.trim_start().to_owned());
            let (pledges, questions) = pledges::mapping_in_words(&saved)?;
            return Ok(render(&MappingPage {
                chrome,
                organisation,
                mapping: form.mapping,
                pledges,
                questions,
            })?
            .into_response());
        }
    }
    Ok(Redirect::to(&format!("/orgs/{}/surveys", organisation.ods_code)).into_response())
}
