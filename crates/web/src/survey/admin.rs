//! Running a survey: an organisation's administrators set up a campaign and issue
//! single-use invitation codes, shown once, as a printable sheet or a file for a mail merge.

use super::dashboard::organisation;
use crate::access::CurrentUser;
use crate::date_input::{self, Typed};
use crate::error::AppError;
use crate::forms::PathData;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::once::{self, Claim};
use dignity_app::survey::campaigns::{self, Campaign, CampaignDraft};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::speakup::Day;
use dignity_domain::survey::Participation;
use dignity_engine::disclosure::Figure;
use serde::Deserialize;

/// Most codes issued at once: a ward's letters or a whole trust's mail merge.
const MAX_CODES: u32 = 20_000;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    title: String,
    survey: String,
    #[serde(rename = "opens-day")]
    opens_day: String,
    #[serde(rename = "opens-month")]
    opens_month: String,
    #[serde(rename = "opens-year")]
    opens_year: String,
    #[serde(rename = "closes-day")]
    closes_day: String,
    #[serde(rename = "closes-month")]
    closes_month: String,
    #[serde(rename = "closes-year")]
    closes_year: String,
    participation: String,
}

impl CampaignForm {
    fn opens(&self) -> Typed {
        Typed::new(&self.opens_day, &self.opens_month, &self.opens_year)
    }

    fn closes(&self) -> Typed {
        Typed::new(&self.closes_day, &self.closes_month, &self.closes_year)
    }
}

/// The campaign form's fields, in the order the page shows them.
const FORM_FIELDS: [&str; 5] = [
    "title",
    "survey",
    "opens-day",
    "closes-day",
    "participation",
];

#[derive(Template)]
#[template(path = "survey/new.html")]
struct NewPage {
    chrome: Chrome,
    organisation: Organisation,
    surveys: Vec<(i64, String, String)>,
    ways: &'static [Participation],
    form: CampaignForm,
}

/// The shared culture survey, saved the first time anyone sets up a campaign, so every
/// organisation answers the same questions and can be compared.
async fn surveys_with_default(
    state: &AppState,
    actor: &str,
) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(campaigns::surveys_with_default(&state.app, actor).await?)
}

pub async fn new_form(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let surveys = surveys_with_default(&state, &user.person.email).await?;
    let today = Day::from_unix_seconds(state.app.clock.now());
    let (opens, closes) = (Typed::of(today), Typed::of(today.plus_days(27)));
    let form = CampaignForm {
        survey: surveys.first().map(|s| s.0.to_string()).unwrap_or_default(),
        opens_day: opens.day,
        opens_month: opens.month,
        opens_year: opens.year,
        closes_day: closes.day,
        closes_month: closes.month,
        closes_year: closes.year,
        participation: Participation::Tokens.code().into(),
        ..CampaignForm::default()
    };
    Ok(render(&NewPage {
        chrome: chrome.titled("Set up a staff survey"),
        organisation,
        surveys,
        ways: Participation::ALL,
        form,
    })?
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(form): FormData<CampaignForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let surveys = surveys_with_default(&state, &user.person.email).await?;
    // The page reads the dates; every rule is the app's (`campaigns::check`).
    let mut errors = Vec::new();
    let opens = date_input::required(&form.opens(), "opens", "the opening date", &mut errors);
    let closes = date_input::required(&form.closes(), "closes", "the closing date", &mut errors);
    let draft = CampaignDraft {
        title: &form.title,
        survey_id: form
            .survey
            .parse::<i64>()
            .ok()
            .filter(|id| surveys.iter().any(|s| s.0 == *id)),
        opens_on: opens,
        closes_on: closes,
        participation: form.participation.parse().ok(),
        open_links_on: state.settings.survey_key.is_some(),
    };
    let problems = match campaigns::check(&draft) {
        Ok(campaign) if errors.is_empty() => {
            let campaign =
                campaigns::create(&state.app, &user.person.email, &organisation, &campaign).await?;
            return Ok(Redirect::to(&format!(
                "/orgs/{}/surveys/{}/manage",
                organisation.ods_code, campaign.id
            ))
            .into_response());
        }
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    errors.extend(problems.into_iter().map(|p| FieldError {
        field: p.field().into(),
        message: p.to_string(),
    }));
    // The summary lists problems in the order of the form's fields. A date's own problem
    // never comes with the rule about the dates (the rule needs them read).
    errors.sort_by_key(|e| FORM_FIELDS.iter().position(|f| *f == e.field));
    Ok(render(&NewPage {
        chrome: chrome.titled("Set up a staff survey").with_errors(errors),
        organisation,
        surveys,
        ways: Participation::ALL,
        form,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "survey/manage.html")]
struct ManagePage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    open: bool,
    /// Answers counted and codes not used yet: shown once the minimum have answered.
    responses: Figure,
    unused: Figure,
    link: String,
    count: String,
    format: String,
    email_on: bool,
    /// Invitation emails still in the outbox.
    waiting: u64,
    /// How many invitations were just queued (after the redirect from sending them).
    invited: Option<u64>,
    /// The codes form's one-time mark, so a reload does not make a second batch.
    once: String,
}

pub(super) async fn campaign_in(
    state: &AppState,
    organisation: &Organisation,
    campaign_id: i64,
) -> Result<Campaign, AppError> {
    Ok(campaigns::campaign_in(&state.app, organisation, campaign_id).await?)
}

pub(super) async fn manage_page(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    form: CodesForm,
) -> Result<Response, AppError> {
    let today = Day::from_unix_seconds(state.app.clock.now());
    let link = match campaign.participation {
        Participation::Tokens => format!("{}/survey", state.settings.public_url),
        Participation::OpenLink => format!(
            "{}/orgs/{}/surveys/{}/answer",
            state.settings.public_url, organisation.ods_code, campaign.id
        ),
    };
    let minimum = state.settings.minimums.survey().people();
    Ok(render(&ManagePage {
        minimum,
        chrome: chrome.titled(format!("Run {}", campaign.title)),
        open: campaign.is_open(today),
        responses: Figure::of(
            campaigns::answers_counted(&state.app, &campaign).await?,
            |n| n.to_string(),
            &format!("Fewer than {minimum}"),
        ),
        unused: Figure::of(
            campaigns::codes_not_used_yet(&state.app, &campaign).await?,
            |n| n.to_string(),
            &format!("Shown once at least {minimum} people have answered"),
        ),
        link,
        count: form.count,
        format: if form.format.is_empty() {
            "sheet".into()
        } else {
            form.format
        },
        email_on: state.settings.mail.is_some(),
        waiting: campaigns::invitations_waiting(&state.app, &campaign).await?,
        invited: form.invited,
        once: if form.once.is_empty() {
            once::new_mark()
        } else {
            form.once
        },
        organisation,
        campaign,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManageQuery {
    /// Set by the redirect after emailing invitations.
    invited: Option<u64>,
}

pub async fn manage(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    QueryData(query): QueryData<ManageQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let campaign = campaign_in(&state, &organisation, campaign_id).await?;
    let form = CodesForm {
        format: "sheet".into(),
        invited: query.invited,
        ..CodesForm::default()
    };
    manage_page(&state, chrome, organisation, campaign, form).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodesForm {
    count: String,
    format: String,
    /// The form's one-time mark: codes are shown once, so a reload of the codes page
    /// would otherwise make a second batch nobody sees.
    once: String,
    #[serde(skip)]
    pub(super) invited: Option<u64>,
}

#[derive(Template)]
#[template(path = "survey/codes.html")]
struct CodesPage {
    chrome: Chrome,
    campaign: Campaign,
    link: String,
    codes: Vec<String>,
}

/// Issues codes and shows them once: only their digests are kept, so they cannot be shown
/// again, and nobody can tell afterwards which code was given to whom.
pub async fn issue_codes(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    FormData(form): FormData<CodesForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let campaign = campaign_in(&state, &organisation, campaign_id).await?;
    let count = form
        .count
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_CODES).contains(n));
    let mut errors = Vec::new();
    if campaign.participation != Participation::Tokens {
        errors.push(FieldError {
            field: "count".into(),
            message: "This survey uses an open link for signed-in staff, so it needs no codes"
                .into(),
        });
    } else if count.is_none() {
        errors.push(FieldError {
            field: "count".into(),
            message: format!("Enter a number of codes from 1 to {MAX_CODES}"),
        });
    }
    if !matches!(form.format.as_str(), "sheet" | "csv") {
        errors.push(FieldError {
            field: "format".into(),
            message: "Choose a printable sheet or a file for a mail merge".into(),
        });
    }
    let Some(count) = count.filter(|_| errors.is_empty()) else {
        return manage_page(
            &state,
            chrome.with_errors(errors),
            organisation,
            campaign,
            form,
        )
        .await;
    };
    if state
        .app
        .sent_forms
        .claim(&form.once, state.app.clock.now())
        == Claim::Again
    {
        return Err(AppError::Conflict(
            "These codes were made already. Codes are shown only once, so they cannot be shown again. To make more, go back to the survey's page and fill in the form again.".into(),
        ));
    }
    let codes = match campaigns::issue_codes(
        &state.app,
        &user.person.email,
        &organisation,
        &campaign,
        count,
    )
    .await
    {
        Ok(codes) => codes,
        Err(e) => {
            state.app.sent_forms.release(&form.once);
            return Err(e.into());
        }
    };
    let link = format!("{}/survey", state.settings.public_url);
    let shown: Vec<String> = codes.iter().map(InvitationCode::display).collect();
    if form.format == "csv" {
        let mut body = String::from("code,link\r\n");
        for code in &shown {
            body.push_str(&format!("{code},{link}?code={code}\r\n"));
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"survey-{}-codes.csv\"", campaign.id),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response());
    }
    Ok(render(&CodesPage {
        chrome: chrome.titled(format!("Invitation codes: {}", campaign.title)),
        campaign,
        link,
        codes: shown,
    })?
    .into_response())
}
