//! Curating the national catalogue: any organisation's administrators and the platform's
//! add, change and retire resources, and check them when their review date comes.

use crate::access::CurrentUser;
use crate::date_input::{self, Typed};
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::library::curate as curating;
use dignity_app::library::curate::{CheckedResource, ResourceDraft};
use dignity_app::library::{CaseStudy, NewResource, Resource};
use dignity_domain::library::{Audience, Kind, Published, Topic};

/// The form's fields, as typed (checkbox groups as lists of codes).
#[derive(Default, Clone)]
pub struct ResourceForm {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub publisher: String,
    pub link: String,
    pub audiences: Vec<String>,
    pub topics: Vec<String>,
    /// When it was published, as exactly as the curator knows it.
    pub published: Typed,
    /// When to check it again.
    pub review: Typed,
    pub case_organisation: String,
    pub case_problem: String,
    pub case_approach: String,
    pub case_results: String,
    pub case_contacts: String,
}

impl ResourceForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> ResourceForm {
        let mut form = ResourceForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "kind" => form.kind = value,
                "title" => form.title = value,
                "summary" => form.summary = value,
                "publisher" => form.publisher = value,
                "link" => form.link = value,
                "audiences" => form.audiences.push(value),
                "topics" => form.topics.push(value),
                "published-day" => form.published.day = value,
                "published-month" => form.published.month = value,
                "published-year" => form.published.year = value,
                "review-day" => form.review.day = value,
                "review-month" => form.review.month = value,
                "review-year" => form.review.year = value,
                "case_organisation" => form.case_organisation = value,
                "case_problem" => form.case_problem = value,
                "case_approach" => form.case_approach = value,
                "case_results" => form.case_results = value,
                "case_contacts" => form.case_contacts = value,
                _ => {}
            }
        }
        form
    }

    fn from_resource(r: &NewResource) -> ResourceForm {
        ResourceForm {
            kind: r.kind.code().into(),
            title: r.title.clone(),
            summary: r.summary.clone(),
            publisher: r.publisher.clone(),
            link: r.link.clone(),
            audiences: r.audiences.iter().map(|a| a.code().into()).collect(),
            topics: r.topics.iter().map(|t| t.code().into()).collect(),
            published: r.published.map_or_else(Typed::default, |p| Typed {
                day: p.day.map(|d| d.to_string()).unwrap_or_default(),
                month: p.month.map(|m| m.to_string()).unwrap_or_default(),
                year: p.year.to_string(),
            }),
            review: Typed::of(r.review_on),
            case_organisation: r.case.organisation.clone(),
            case_problem: r.case.problem.clone(),
            case_approach: r.case.approach.clone(),
            case_results: r.case.results.clone(),
            case_contacts: r.case.contacts.clone(),
        }
    }

    pub fn has(&self, list: &str, code: &str) -> bool {
        let list = if list == "audiences" {
            &self.audiences
        } else {
            &self.topics
        };
        list.iter().any(|c| c == code)
    }

    /// The resource the form describes, or what is wrong with it. The page reads the
    /// codes and the dates; every rule is the app's (`curate::check`).
    fn read(&self) -> Result<CheckedResource, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut problem = |field: &'static str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            });
        };
        let audiences: Vec<Audience> = self
            .audiences
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect();
        let topics: Vec<Topic> = self.topics.iter().filter_map(|c| c.parse().ok()).collect();
        let name = "the date it was published";
        let published = match self.published.read_partial(name) {
            Ok(None) => Some(None),
            Ok(Some((year, month, day))) => {
                let text = match (month, day) {
                    (Some(m), Some(d)) => format!("{year}-{m:02}-{d:02}"),
                    (Some(m), None) => format!("{year}-{m:02}"),
                    _ => year.to_string(),
                };
                // The library's own rule (a year from 1900 to 2200).
                Published::parse(&text)
                    .map(Some)
                    .map_err(|_| {
                        problem(
                            "published-day",
                            "The date it was published must be a real date".into(),
                        )
                    })
                    .ok()
            }
            Err(message) => {
                problem("published-day", message);
                None
            }
        };
        let review_on = self
            .review
            .required("the date to check it again")
            .map_err(|message| problem("review-day", message))
            .ok();
        let case = CaseStudy {
            organisation: self.case_organisation.clone(),
            problem: self.case_problem.clone(),
            approach: self.case_approach.clone(),
            results: self.case_results.clone(),
            contacts: self.case_contacts.clone(),
        };
        let draft = ResourceDraft {
            kind: self.kind.parse::<Kind>().ok(),
            title: &self.title,
            summary: &self.summary,
            publisher: &self.publisher,
            link: &self.link,
            audiences: &audiences,
            topics: &topics,
            published,
            review_on,
            case: &case,
        };
        let problems = match curating::check(&draft) {
            Ok(resource) if errors.is_empty() => return Ok(resource),
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        errors.extend(problems.iter().map(|p| FieldError {
            field: p.field().into(),
            message: p.to_string(),
        }));
        // The summary lists problems in the order of the form's fields; the dates' own
        // problems come from the page, the rest from the app.
        errors.sort_by_key(|e| FORM_FIELDS.iter().position(|f| *f == e.field));
        Err(errors)
    }
}

/// The form's fields, in order, as problems name them.
const FORM_FIELDS: &[&str] = &[
    "kind",
    "title",
    "summary",
    "publisher",
    "link",
    "audiences",
    "topics",
    "published-day",
    "review-day",
    "case_organisation",
    "case_problem",
    "case_approach",
    "case_results",
    "case_contacts",
];

#[derive(Template)]
#[template(path = "library/manage.html")]
struct ManagePage {
    chrome: Chrome,
    due: Vec<Resource>,
    /// Resources with no web address yet.
    unlinked: Vec<Resource>,
    /// The date each check offers next.
    next_check: Typed,
    own_ods: Option<String>,
    /// The resource whose next check had a mistake, with what was typed.
    typed: Option<(i64, Typed)>,
}

impl ManagePage {
    /// What the next check's boxes show for a resource.
    fn next_for(&self, id: &i64) -> &Typed {
        match &self.typed {
            Some((typed_for, typed)) if typed_for == id => typed,
            _ => &self.next_check,
        }
    }
}

pub async fn manage(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    manage_page(&state, chrome, &user, None).await
}

async fn manage_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    typed: Option<(i64, Typed)>,
) -> Result<Response, AppError> {
    Ok(render(&ManagePage {
        chrome: chrome.titled("Look after the library"),
        due: curating::due_for_review(&state.app).await?,
        unlinked: curating::without_address(&state.app).await?,
        next_check: Typed::of(curating::next_review(&state.app)),
        own_ods: curating::curator(user).organisation,
        typed,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "library/form.html")]
struct FormPage {
    chrome: Chrome,
    /// None for a new resource.
    id: Option<i64>,
    form: ResourceForm,
    kinds: &'static [Kind],
    audiences: &'static [Audience],
    topics: &'static [Topic],
}

fn form_page(chrome: Chrome, id: Option<i64>, form: ResourceForm) -> Result<Response, AppError> {
    let title = if id.is_some() {
        "Change a library resource"
    } else {
        "Add a library resource"
    };
    Ok(render(&FormPage {
        chrome: chrome.titled(title),
        id,
        form,
        kinds: Kind::ALL,
        audiences: Audience::ALL,
        topics: Topic::ALL,
    })?
    .into_response())
}

pub async fn new_form(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    let form = ResourceForm {
        review: Typed::of(curating::next_review(&state.app)),
        ..ResourceForm::default()
    };
    form_page(chrome, None, form)
}

pub async fn create(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = ResourceForm::from_pairs(pairs);
    match form.read() {
        Ok(resource) => {
            let id = curating::add(&state.app, &user, &resource).await?;
            Ok(Redirect::to(&format!("/library/{id}")).into_response())
        }
        Err(errors) => form_page(chrome.with_errors(errors), None, form),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let resource = curating::to_change(&state.app, id).await?;
    form_page(
        chrome,
        Some(id),
        ResourceForm::from_resource(&resource.fields),
    )
}

pub async fn edit(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = ResourceForm::from_pairs(pairs);
    match form.read() {
        Ok(resource) => {
            curating::change(&state.app, &user, id, &resource).await?;
            Ok(Redirect::to(&format!("/library/{id}")).into_response())
        }
        Err(errors) => form_page(chrome.with_errors(errors), Some(id), form),
    }
}

pub async fn retire(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    curating::retire(&state.app, &user, id).await?;
    Ok(Redirect::to(&format!("/library/{id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReviewedForm {
    #[serde(rename = "next-day")]
    day: String,
    #[serde(rename = "next-month")]
    month: String,
    #[serde(rename = "next-year")]
    year: String,
}

/// Records that a resource was checked, with the date of the next check, which must be
/// after today. A mistake is shown beside that resource's date on the page again.
pub async fn reviewed(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
    FormData(form): FormData<ReviewedForm>,
) -> Result<Response, AppError> {
    const NAME: &str = "the date of the next check";
    let typed = Typed::new(&form.day, &form.month, &form.year);
    let problem = match typed.required(NAME) {
        Ok(next) => match curating::mark_reviewed(&state.app, &user, id, next).await {
            Ok(()) => return Ok(Redirect::to("/library/manage").into_response()),
            // The app refuses a date that is not after today.
            Err(dignity_app::Error::Invalid(_)) => {
                "The date of the next check must be after today".to_owned()
            }
            Err(e) => return Err(e.into()),
        },
        Err(message) => message,
    };
    let chrome = chrome.with_errors(vec![date_input::problem(&format!("next-{id}"), problem)]);
    manage_page(&state, chrome, &user, Some((id, typed))).await
}
