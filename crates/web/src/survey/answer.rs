//! Answering a survey, one section a page, without JavaScript. With an invitation code the
//! pages are anonymous routes: no session is read, nothing is logged, and the code travels
//! in the form, never in a cookie. Answers are saved at every page, so a person can stop and
//! come back with the same code; the response is stored without the code when they send it.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::PathData;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::OrgUnit;
use dignity_app::survey::answering::{self, Answerer, Campaign, CodeRefused, OpenLinkRefused};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::speakup::Day;
use dignity_domain::survey::answering::Answers;
use dignity_domain::survey::{QuestionKind, Survey};
use serde::Deserialize;
use std::collections::HashMap;

/// One answer a person can choose.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One question as a page shows it.
pub struct QuestionView {
    pub field: String,
    pub text: String,
    pub hint: String,
    /// "radios", "inline" (short scales side by side), "checkboxes", "select" or "text".
    pub style: &'static str,
    pub choices: Vec<Choice>,
    pub value: String,
}

#[derive(Template)]
#[template(path = "survey/answer.html")]
pub struct SectionPage {
    pub chrome: Chrome,
    pub action: String,
    pub code: String,
    pub campaign: Campaign,
    pub heading: String,
    pub number: usize,
    pub total: usize,
    pub questions: Vec<QuestionView>,
}

#[derive(Template)]
#[template(path = "survey/start.html")]
struct StartPage {
    chrome: Chrome,
    code: String,
}

/// The thank-you page after sending. It says nothing about which survey or when, so it is
/// the same page for everyone and a reload shows it again instead of sending twice.
#[derive(Template)]
#[template(path = "survey/sent.html")]
struct SentPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "survey/saved.html")]
struct SavedPage {
    chrome: Chrome,
    closes_on: Day,
    /// Where to come back to.
    again: String,
}

/// Where sending redirects to (post-redirect-get): one address for every survey and both
/// ways of answering, with nothing in it to say who sent or which survey.
pub const SENT_PAGE: &str = "/survey/sent";

/// The questions of one section, with what has been chosen so far.
pub fn section_view(
    survey: &Survey,
    section: usize,
    answers: &Answers,
    units: &[OrgUnit],
) -> Vec<QuestionView> {
    let first: usize = survey
        .sections
        .iter()
        .take(section)
        .map(|s| s.questions.len())
        .sum();
    let Some(questions) = survey.sections.get(section).map(|s| &s.questions) else {
        return Vec::new();
    };
    questions
        .iter()
        .enumerate()
        .map(|(offset, q)| {
            let value = answers.value(survey, first + offset);
            let labels: Vec<String> = if q.kind == QuestionKind::OrgUnit {
                units.iter().map(|u| u.name.clone()).collect()
            } else {
                q.choices.clone()
            };
            let choices = labels
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    let v = (i + 1).to_string();
                    Choice {
                        // A multiple-choice value lists every ticked choice.
                        checked: value.split(',').any(|chosen| chosen == v),
                        value: v,
                        label,
                    }
                })
                .collect();
            let style = match q.kind {
                QuestionKind::FreeText => "text",
                QuestionKind::MultipleChoice => "checkboxes",
                QuestionKind::OrgUnit => "select",
                QuestionKind::Scale => "inline",
                _ => "radios",
            };
            QuestionView {
                field: format!("q-{}", q.key),
                text: q.text.clone(),
                hint: q.hint.clone(),
                style,
                choices,
                value,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartQuery {
    code: String,
}

/// The code form; an emailed link carries the code and opens the first page at once.
pub async fn start(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<StartQuery>,
) -> Result<Response, AppError> {
    if !query.code.is_empty() {
        let mut form = HashMap::new();
        form.insert("code".to_owned(), query.code);
        return with_code(&state, chrome, form).await;
    }
    Ok(render(&StartPage {
        chrome: chrome.titled("Answer a staff survey"),
        code: String::new(),
    })?
    .into_response())
}

/// Every page of a code-holder's survey posts here: the code, the page just answered, its
/// answers and where to go next.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response, AppError> {
    with_code(&state, chrome, form).await
}

fn code_problem(chrome: Chrome, typed: &str, message: &str) -> Result<Response, AppError> {
    let chrome = chrome
        .titled("Answer a staff survey")
        .with_errors(vec![FieldError {
            field: "code".into(),
            message: message.to_owned(),
        }]);
    Ok(render(&StartPage {
        chrome,
        code: typed.chars().take(40).collect(),
    })?
    .into_response())
}

async fn with_code(
    state: &AppState,
    chrome: Chrome,
    form: HashMap<String, String>,
) -> Result<Response, AppError> {
    let typed = form.get("code").map(String::as_str).unwrap_or("");
    let Some(code) = InvitationCode::parse(typed) else {
        return code_problem(
            chrome,
            typed,
            "Enter the code from your invitation. It has 16 letters and numbers",
        );
    };
    let (campaign, answerer) = match answering::by_code(&state.app, &code).await {
        Ok(found) => found,
        Err(CodeRefused::Failed(e)) => return Err(e.into()),
        Err(refused) => return code_problem(chrome, typed, &refused.to_string()),
    };
    let flow = Flow {
        action: "/survey".into(),
        code: code.display(),
        answerer,
        again: "/survey".into(),
    };
    answer(state, chrome, &campaign, &flow, &form).await
}

/// The open link: staff signed in to the organisation answer once each. Who has answered
/// is kept only as a digest under a key that is not in the database.
pub async fn open_link_start(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    open_link(&state, chrome, &user, &ods, campaign_id, HashMap::new()).await
}

pub async fn open_link_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response, AppError> {
    open_link(&state, chrome, &user, &ods, campaign_id, form).await
}

async fn open_link(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    ods: &str,
    campaign_id: i64,
    form: HashMap<String, String>,
) -> Result<Response, AppError> {
    let organisation = super::dashboard::organisation(state, ods).await?;
    let key = state.settings.survey_key.as_ref();
    let (campaign, answerer) =
        match answering::by_open_link(&state.app, key, user, &organisation, campaign_id).await {
            Ok(found) => found,
            Err(OpenLinkRefused::Failed(e)) => return Err(e.into()),
            Err(refused @ OpenLinkRefused::NoSuchSurvey) => {
                return Err(AppError::NotFound(refused.to_string()));
            }
            Err(refused @ OpenLinkRefused::TurnedOff) => {
                return Err(AppError::Unavailable(refused.to_string()));
            }
            Err(OpenLinkRefused::NotOpen(not_open)) => {
                return Err(AppError::NotFound(format!("{not_open}.")));
            }
            Err(refused @ OpenLinkRefused::AlreadyAnswered) => {
                return Err(AppError::Conflict(refused.to_string()));
            }
        };
    let path = format!(
        "/orgs/{}/surveys/{}/answer",
        organisation.ods_code, campaign.id
    );
    let flow = Flow {
        action: path.clone(),
        code: String::new(),
        answerer,
        again: path,
    };
    answer(state, chrome, &campaign, &flow, &form).await
}

/// Who is answering and how their pages post back.
pub struct Flow {
    pub action: String,
    /// Sent back with every page (empty when signed in).
    pub code: String,
    pub answerer: Answerer,
    /// Where to come back to.
    pub again: String,
}

/// Reads the page just answered into the draft, saves it, and shows where the person asked
/// to go: the next or previous page, the saved notice, or the thank-you page.
pub async fn answer(
    state: &AppState,
    chrome: Chrome,
    campaign: &Campaign,
    flow: &Flow,
    form: &HashMap<String, String>,
) -> Result<Response, AppError> {
    let definition = answering::questions(&state.app, campaign).await?;
    let mut answers = answering::answers_so_far(campaign, &definition, &flow.answerer)?;
    let total = definition.sections.len();
    // The page just answered (1 = the first section); 0 when the person has just arrived.
    let answered = form
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p <= total)
        .unwrap_or(0);
    let go = form.get("go").map(String::as_str).unwrap_or("next");
    // Sent from the check page (nothing on it to apply), or from the last page as the
    // page once did and a page left open may still.
    let sending = go == "send" && (answered == 0 || answered == total);
    let change = go
        .strip_prefix("change-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=total).contains(n));
    // Where this request goes once the page just answered is saved.
    let next = match (go, change) {
        (_, Some(page)) => Next::Page(page - 1),
        ("back", None) => Next::Page(answered.saturating_sub(2)),
        // Just arrived (or came back): carry on after the last page answered.
        _ if answered == 0 => answers
            .resume_at(&definition)
            .map_or(Next::Check, Next::Page),
        _ if answered >= total => Next::Check,
        _ => Next::Page(answered),
    };
    // The organisation's places are read only for a page that asks where someone works:
    // the page just answered, or the page or check page this request may show.
    let mut touched = match next {
        Next::Page(i) => vec![i],
        Next::Check => (0..total).collect(),
    };
    if answered > 0 {
        touched.push(answered - 1);
    }
    let units = if answering::asks_for_place(&definition, &touched) {
        answering::places(&state.app, campaign).await?
    } else {
        Vec::new()
    };
    if answered > 0
        && let Err(problems) = answers.apply(&definition, answered - 1, form, units.len())
    {
        let errors = problems
            .into_iter()
            .map(|p| FieldError {
                field: format!("q-{}", p.question).into(),
                message: p.message,
            })
            .collect();
        return section(
            chrome.with_errors(errors),
            campaign,
            flow,
            &definition,
            answered - 1,
            &answers,
            &units,
        );
    }
    // Sending does not save the finished answers as a draft first: that write would put
    // them in the log beside the code's digest, a moment before the response is sealed.
    // Refused by the writer: sent from another page meanwhile, or the survey closed
    // between this page's check and the write.
    let sent_already = || {
        if answering::open_today(&state.app, campaign).is_ok() {
            AppError::Conflict(
                "These answers have already been sent. Each invitation can be used once.".into(),
            )
        } else {
            AppError::Conflict(format!(
                "This survey closed on {}. Answers can no longer be saved or sent.",
                campaign.closes_on.long()
            ))
        }
    };
    if answered > 0
        && !sending
        && !answering::save_draft(&state.app, campaign, &definition, &flow.answerer, &answers)
            .await?
    {
        return Err(sent_already());
    }
    if sending {
        if !answering::send(&state.app, campaign, &definition, &flow.answerer, &answers).await? {
            return Err(sent_already());
        }
        return Ok(Redirect::to(SENT_PAGE).into_response());
    }
    match (go, next) {
        ("save", _) => saved(chrome, campaign, flow),
        (_, Next::Check) => check(chrome, campaign, flow, &definition, &answers, &units),
        (_, Next::Page(index)) => section(
            chrome,
            campaign,
            flow,
            &definition,
            index.min(total.saturating_sub(1)),
            &answers,
            &units,
        ),
    }
}

/// The page a request shows after saving.
#[derive(Clone, Copy)]
enum Next {
    /// A page of questions (0 = the first).
    Page(usize),
    /// Every answer, to check before sending.
    Check,
}

/// One page's answers on the check page.
pub struct CheckedPage {
    pub heading: String,
    pub answers: Vec<CheckedAnswer>,
}

pub struct CheckedAnswer {
    pub question: String,
    /// The chosen answers in words, or empty when skipped.
    pub given: String,
}

#[derive(Template)]
#[template(path = "survey/check.html")]
struct CheckPage {
    chrome: Chrome,
    action: String,
    code: String,
    campaign: Campaign,
    pages: Vec<CheckedPage>,
}

/// Every answer given so far, in words, page by page, with a way to change each page and
/// the button that sends.
fn check(
    chrome: Chrome,
    campaign: &Campaign,
    flow: &Flow,
    definition: &Survey,
    answers: &Answers,
    units: &[OrgUnit],
) -> Result<Response, AppError> {
    let pages = definition
        .sections
        .iter()
        .enumerate()
        .map(|(index, s)| CheckedPage {
            heading: s.title.clone(),
            answers: section_view(definition, index, answers, units)
                .into_iter()
                .map(|q| CheckedAnswer {
                    given: if q.style == "text" {
                        q.value
                    } else {
                        q.choices
                            .iter()
                            .filter(|c| c.checked)
                            .map(|c| c.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    question: q.text,
                })
                .collect(),
        })
        .collect();
    Ok(render(&CheckPage {
        chrome: chrome.titled(format!("Check your answers: {}", campaign.title)),
        action: flow.action.clone(),
        code: flow.code.clone(),
        campaign: campaign.clone(),
        pages,
    })?
    .into_response())
}

fn section(
    chrome: Chrome,
    campaign: &Campaign,
    flow: &Flow,
    definition: &Survey,
    index: usize,
    answers: &Answers,
    units: &[OrgUnit],
) -> Result<Response, AppError> {
    let total = definition.sections.len();
    let heading = definition
        .sections
        .get(index)
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let chrome = chrome.titled(format!(
        "{heading} (page {} of {total}): {}",
        index + 1,
        campaign.title
    ));
    Ok(render(&SectionPage {
        chrome,
        action: flow.action.clone(),
        code: flow.code.clone(),
        campaign: campaign.clone(),
        heading,
        number: index + 1,
        total,
        questions: section_view(definition, index, answers, units),
    })?
    .into_response())
}

fn saved(chrome: Chrome, campaign: &Campaign, flow: &Flow) -> Result<Response, AppError> {
    Ok(render(&SavedPage {
        chrome: chrome.titled("Your answers are saved"),
        closes_on: campaign.closes_on,
        again: flow.again.clone(),
    })?
    .into_response())
}

/// The thank-you page sending redirects to.
pub async fn sent(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    Ok(render(&SentPage {
        minimum: state.settings.minimums.survey().people(),
        chrome: chrome.titled("Your answers have been sent"),
    })?
    .into_response())
}
