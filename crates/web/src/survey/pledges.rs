//! The staff pledges scorecard: the NHS Constitution's seven pledges to staff, each with the
//! survey questions that evidence it and a score from 0 to 10. Organisations can change
//! which questions evidence which pledge; the mapping is checked against the survey.

use super::admin::campaign_in;
use super::dashboard::{Shown, answers_of, organisation, percent, score};
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use crate::table::{Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::{self, Campaign};
use dignity_domain::survey::pledges::{DEFAULT_MAPPING, Pledge, parse_mapping, pledge_score};
use dignity_domain::survey::{DEFAULT_BANK, Survey, answer_score, parse};
use dignity_engine::Bitmap;
use dignity_engine::aggregate::{indicator, reports};
use dignity_engine::disclosure;
use serde::Deserialize;

pub struct EvidenceRow {
    pub text: String,
    pub positive: Shown,
    pub score: String,
}

pub struct PledgeRow {
    pub number: u8,
    pub summary: String,
    pub score: String,
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

/// The organisation's mapping if it has one that fits this survey, else Dignity's.
async fn mapping_for(
    state: &AppState,
    organisation: &Organisation,
    survey: &Survey,
) -> Result<(Vec<Pledge>, bool), AppError> {
    if let Some(text) = campaigns::pledge_mapping(&state.app, organisation).await?
        && let Ok(pledges) = parse_mapping(&text, survey)
    {
        return Ok((pledges, true));
    }
    let pledges = parse_mapping(DEFAULT_MAPPING, survey).map_err(|e| {
        AppError::NotFound(format!(
            "The staff pledges scorecard needs the questions of the shared culture survey: {e}"
        ))
    })?;
    Ok((pledges, false))
}

struct Scorecard {
    organisation: Organisation,
    campaign: Campaign,
    own_mapping: bool,
    pledges: Vec<PledgeRow>,
}

async fn compute(state: &AppState, ods: &str, campaign_id: i64) -> Result<Scorecard, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = campaign_in(state, &organisation, campaign_id).await?;
    let loaded = state.app.surveys.campaign(&state.app, &campaign).await?;
    let (definition, columns) = (&loaded.definition, &loaded.columns);
    let (mapping, own_mapping) = mapping_for(state, &organisation, definition).await?;
    let minimum = state.settings.minimums.survey();
    let whole = disclosure::population(columns.rows() as u64, minimum);
    let counted = definition.items();
    let items: Vec<usize> = (0..counted.len()).collect();
    let all = Bitmap::full(columns.rows());
    let report = reports(columns, &all, &items, &[None], 2)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(report) = report.first() else {
        return Err(AppError::Internal("the engine returned no report".into()));
    };
    let pledges = mapping
        .iter()
        .map(|pledge| {
            let mut scores = Vec::new();
            let evidence = pledge
                .questions
                .iter()
                .filter_map(|key| {
                    let j = counted.iter().position(|item| item.key == *key)?;
                    Some((j, counted.get(j)?.question, columns.items().get(j)?))
                })
                .map(|(j, question, meta)| {
                    let hist = report.histogram(0, j);
                    let i = indicator(meta, hist);
                    let (sum, n) = hist.iter().enumerate().skip(1).fold(
                        (0.0, 0u64),
                        |(sum, n), (code, &count)| match answer_score(question, code as u8) {
                            Some(s) => (sum + s * f64::from(count), n + u64::from(count)),
                            None => (sum, n),
                        },
                    );
                    let mean = disclosure::mean(sum, n, &whole, minimum);
                    scores.push(mean.into_value());
                    EvidenceRow {
                        text: question.text.clone(),
                        positive: percent(
                            &disclosure::overall(answers_of(&i), &whole, minimum),
                            minimum,
                        ),
                        score: score(mean),
                    }
                })
                .collect();
            PledgeRow {
                number: pledge.number,
                summary: pledge.summary.clone(),
                score: pledge_score(&scores).map_or("hidden".into(), |s| format!("{s:.1}")),
                evidence,
            }
        })
        .collect();
    Ok(Scorecard {
        organisation,
        campaign,
        own_mapping,
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
    let chrome = chrome.titled(format!("Staff pledges: {}", card.campaign.title));
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
                pledge.number.to_string(),
                pledge.summary.clone(),
                pledge.score.clone(),
                row.text,
                row.positive.text().to_owned(),
                row.score,
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
}

pub async fn edit_mapping(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let mapping = campaigns::pledge_mapping(&state.app, &organisation)
        .await?
        .unwrap_or_else(|| DEFAULT_MAPPING.trim_start().to_owned());
    Ok(render(&MappingPage {
        chrome: chrome.titled("Which questions show each staff pledge"),
        organisation,
        mapping,
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
    let survey =
        parse(DEFAULT_BANK).map_err(|e| AppError::Internal(format!("default survey: {e}")))?;
    if let Err(e) = parse_mapping(&form.mapping, &survey) {
        let chrome = chrome
            .titled("Which questions show each staff pledge")
            .with_errors(vec![FieldError {
                field: "mapping".into(),
                message: format!("The mapping could not be used: {e}"),
            }]);
        return Ok(render(&MappingPage {
            chrome,
            organisation,
            mapping: form.mapping,
        })?
        .into_response());
    }
    campaigns::save_pledge_mapping(&state.app, &user.person.email, &organisation, &form.mapping)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{}/surveys", organisation.ods_code)).into_response())
}
