//! The just culture decision guide's pages (`dignity_app::justculture`): the guide, a
//! manager's records, and the independent check by an employee relations lead.

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
use dignity_app::identity::{OrgUnit, Organisation};
use dignity_app::justculture::{
    self, CHECKERS, CheckError, GuideForm, GuideInHand, Listed, MANAGERS, Problem, Reading,
    RecordError, answer_field, reason_field,
};
use dignity_domain::justculture::{CheckState, Question, Route};
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/just-culture",
            Access::InOrganisation(MANAGERS),
            list,
        )
        .get(
            "/orgs/{ods}/just-culture/guide",
            Access::InOrganisation(MANAGERS),
            guide_page,
        )
        .post(
            "/orgs/{ods}/just-culture/guide",
            Access::InOrganisation(MANAGERS),
            guide_step,
        )
        .get(
            "/orgs/{ods}/just-culture/guides/{id}",
            Access::InOrganisation(MANAGERS),
            record_page,
        )
        .post(
            "/orgs/{ods}/just-culture/share",
            Access::InOrganisation(CHECKERS),
            share,
        )
        .post(
            "/orgs/{ods}/just-culture/guides/{id}/check",
            Access::InOrganisation(CHECKERS),
            check,
        )
}

fn chrome_for(chrome: Chrome, organisation: &Organisation, title: &str) -> Chrome {
    chrome
        .titled(format!("{title}: {}", organisation.name))
        .under(
            format!("/orgs/{}/just-culture", organisation.ods_code),
            "Just culture",
        )
}

fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError {
            field: p.field.into(),
            message: p.message,
        })
        .collect()
}

/// A colleague who cannot read some records or cases yet, by name, and how many of each.
pub(crate) struct Waiting {
    pub name: String,
    pub what: String,
}

/// Colleagues who got their case key after some records or cases were kept, for the
/// notice with the button that shares them (on the records' and the cases' lists).
pub(crate) async fn waiting_colleagues(
    state: &AppState,
    user: &CurrentUser,
    organisation: &Organisation,
    names: &[(i64, String)],
) -> Result<Vec<Waiting>, AppError> {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Ok(
        justculture::colleagues_waiting(&state.app, user, organisation)
            .await?
            .iter()
            .map(|c| {
                let name = names
                    .iter()
                    .find(|(p, _)| *p == c.person_id)
                    .map_or_else(|| "A colleague".to_owned(), |(_, n)| n.clone());
                let mut what = Vec::new();
                if c.records() > 0 {
                    what.push(plural(
                        c.records(),
                        "decision guide record",
                        "decision guide records",
                    ));
                }
                if c.cases() > 0 {
                    what.push(plural(c.cases(), "case", "cases"));
                }
                Waiting {
                    name,
                    what: what.join(" and "),
                }
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "justculture/list.html")]
struct ListPage {
    chrome: Chrome,
    organisation: Organisation,
    checker: bool,
    records: Vec<Listed>,
    names: Vec<(i64, String)>,
    today: Day,
    /// Colleagues who cannot read some records or cases yet, by name, with how many.
    waiting_colleagues: Vec<Waiting>,
    share_back: &'static str,
    done: Option<&'static str>,
}

impl ListPage {
    fn name_of(&self, id: &i64) -> String {
        self.names
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| "Someone who has left".into(), |(_, n)| n.clone())
    }

    fn waiting(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.guide.check_state == CheckState::Waiting)
            .count()
    }

    fn waited(&self, listed: &Listed) -> String {
        match justculture::waiting_days(&listed.guide, self.today) {
            Some(0) => "Since today".into(),
            Some(1) => "1 day".into(),
            Some(days) => format!("{days} days"),
            None => String::new(),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let records = justculture::list(&state.app, &user, &organisation).await?;
    let names = justculture::names(&state.app, &organisation).await?;
    let waiting_colleagues = waiting_colleagues(&state, &user, &organisation, &names).await?;
    let done = match query.done.as_str() {
        "shared" => Some("Your colleagues can now read the records you shared."),
        "locked" => Some("Sign in again to unlock your case key, then share the records."),
        _ => None,
    };
    let chrome = chrome
        .titled(format!("Just culture: {}", organisation.name))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&ListPage {
        chrome,
        checker: justculture::is_checker(&user, &organisation),
        organisation,
        records,
        names,
        today: state.app.clock.today(),
        waiting_colleagues,
        share_back: "just-culture",
        done,
    })?
    .into_response())
}

/// The guide's form, as typed so far, and where the walk has got to.
#[derive(Template)]
#[template(path = "justculture/guide.html")]
struct GuidePage {
    chrome: Chrome,
    organisation: Organisation,
    units: Vec<OrgUnit>,
    form: GuideForm,
    /// The route the answers lead to, once they are complete.
    recommended: Option<Route>,
    /// Whether the organisation can keep records yet (its recovery key is set up).
    ready: bool,
}

impl GuidePage {
    fn questions(&self) -> Vec<(usize, Question)> {
        Question::ALL.iter().copied().enumerate().collect()
    }

    fn answer_id(&self, question: &Question) -> String {
        answer_field(*question)
    }

    fn reason_id(&self, question: &Question) -> String {
        reason_field(*question)
    }

    fn answer(&self, index: &usize) -> &str {
        self.form.answers.get(*index).map_or("", |a| a.trim())
    }

    fn reason(&self, index: &usize) -> &str {
        self.form.reasons.get(*index).map_or("", String::as_str)
    }

    fn unit_chosen(&self, unit: &OrgUnit) -> bool {
        self.form.unit.trim() == unit.id.to_string()
    }

    fn routes(&self) -> &'static [Route] {
        Route::ALL
    }

    fn decided(&self, route: &Route) -> bool {
        self.form.decided.trim() == route.code()
    }
}

async fn show_guide(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
    form: GuideForm,
    recommended: Option<Route>,
) -> Result<Response, AppError> {
    let units = dignity_app::identity::organisations::units(&state.app, &organisation).await?;
    let ready = justculture::is_ready(&state.app, &organisation).await?;
    let chrome = chrome_for(chrome, &organisation, "Decision guide");
    Ok(render(&GuidePage {
        chrome,
        organisation,
        units,
        form,
        recommended,
        ready,
    })?
    .into_response())
}

async fn guide_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    show_guide(&state, chrome, organisation, GuideForm::default(), None).await
}

fn form_from(pairs: &[(String, String)]) -> (GuideForm, String) {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut form = GuideForm {
        person_name: value("person_name"),
        employee_number: value("employee_number"),
        unit: value("unit"),
        incident: value("incident"),
        decided: value("decided"),
        decision_reason: value("decision_reason"),
        ..GuideForm::default()
    };
    for (index, question) in Question::ALL.iter().enumerate() {
        if let Some(slot) = form.answers.get_mut(index) {
            *slot = value(&answer_field(*question));
        }
        if let Some(slot) = form.reasons.get_mut(index) {
            *slot = value(&reason_field(*question));
        }
    }
    (form, value("step"))
}

/// One form, two steps, so it works without JavaScript: "See what the guide suggests"
/// checks the answers and shows the route with the decision; "Record my decision" keeps it.
async fn guide_step(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let (form, step) = form_from(&pairs);
    let walked = justculture::recommend(&form);
    if step != "record" {
        return match walked {
            Ok((_, route)) => show_guide(&state, chrome, organisation, form, Some(route)).await,
            Err(problems) => {
                let chrome = chrome.with_errors(field_errors(problems));
                show_guide(&state, chrome, organisation, form, None).await
            }
        };
    }
    match justculture::record_guide(&state.app, &user, &organisation, &form).await {
        Ok(id) => Ok(Redirect::to(&format!(
            "/orgs/{}/just-culture/guides/{id}?done=recorded",
            organisation.ods_code
        ))
        .into_response()),
        Err(RecordError::Form(problems)) => {
            let recommended = walked.ok().map(|(_, r)| r);
            let chrome = chrome.with_errors(field_errors(problems));
            show_guide(&state, chrome, organisation, form, recommended).await
        }
        // Not set up: the page says so in the guide's own words, with what was typed.
        Err(RecordError::App(dignity_app::Error::NotSetUp { .. })) => {
            show_guide(&state, chrome, organisation, form, None).await
        }
        Err(RecordError::App(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "justculture/record.html")]
struct RecordPage {
    chrome: Chrome,
    organisation: Organisation,
    guide: GuideInHand,
    unit: Option<String>,
    manager: String,
    reviewer: Option<String>,
    reading: Reading,
    checker: bool,
    own: bool,
    done: Option<&'static str>,
    check_reason_typed: String,
    /// For employee relations leads, on a record that went to a formal process.
    panel: Option<dignity_app::workforce::fairness::Panel>,
}

impl RecordPage {
    fn asked(&self) -> Vec<(usize, Question, bool)> {
        Question::ALL
            .iter()
            .enumerate()
            .filter_map(|(i, q)| self.guide.answers.get(*q).map(|a| (i, *q, a)))
            .collect()
    }

    fn reason(&self, index: &usize) -> &str {
        match &self.reading {
            Reading::Read { words, .. } => words.reasons.get(*index).map_or("", String::as_str),
            _ => "",
        }
    }

    fn may_check(&self) -> bool {
        self.checker
            && !self.own
            && self.guide.check_state == CheckState::Waiting
            && !matches!(self.reading, Reading::NotSealed)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, each named; one private builder"
)]
async fn show_record(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    guide: GuideInHand,
    done: Option<&'static str>,
    check_reason_typed: String,
    reading: Option<Reading>,
) -> Result<Response, AppError> {
    let reading = match reading {
        Some(r) => r,
        None => justculture::read(&state.app, user, &organisation, &guide).await?,
    };
    // A form sent back with a problem is shown again whatever the key's state, so the
    // problem is named; only opening the page asks a locked lead to unlock.
    if matches!(reading, Reading::Locked) && chrome.errors.is_empty() {
        let path = format!(
            "/orgs/{}/just-culture/guides/{}",
            organisation.ods_code, guide.id
        );
        return Ok(Redirect::to(&format!(
            "/account/unlock?next={}",
            form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        ))
        .into_response());
    }
    let names = justculture::names(&state.app, &organisation).await?;
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(p, _)| *p == id)
            .map_or_else(|| "Someone who has left".to_owned(), |(_, n)| n.clone())
    };
    let units = dignity_app::identity::organisations::units(&state.app, &organisation).await?;
    let unit = guide
        .org_unit_id
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.name.clone());
    let chrome = chrome_for(
        chrome,
        &organisation,
        &format!("Decision guide record {}", guide.id),
    );
    let checker = justculture::is_checker(user, &organisation);
    let panel = if checker && guide.decided == dignity_domain::justculture::Route::Formal {
        dignity_app::workforce::fairness::panel(&state.app, &organisation, &guide).await?
    } else {
        None
    };
    Ok(render(&RecordPage {
        chrome,
        checker,
        panel,
        own: guide.manager_id == user.person.id,
        manager: name_of(guide.manager_id),
        reviewer: guide.checked_by.map(name_of),
        organisation,
        unit,
        reading,
        done,
        check_reason_typed,
        guide,
    })?
    .into_response())
}

async fn share(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let done = match justculture::share_with_colleagues(&state.app, &user, &organisation).await? {
        Some(_) => "shared",
        None => "locked",
    };
    // The cases' list has the same button, and goes back there.
    let from_cases = pairs.iter().any(|(k, v)| k == "back" && v == "er-cases");
    let list = if from_cases {
        "er-cases"
    } else {
        "just-culture"
    };
    Ok(Redirect::to(&format!(
        "/orgs/{}/{list}?done={done}",
        organisation.ods_code
    ))
    .into_response())
}

fn record_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound("There is no such decision guide record".into()))
}

async fn record_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let guide = justculture::guide_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let done = match query.done.as_str() {
        "recorded" => Some("Your decision is recorded."),
        "checked" => Some("Your check is recorded."),
        _ => None,
    };
    show_record(
        &state,
        chrome,
        &user,
        organisation,
        guide,
        done,
        String::new(),
        None,
    )
    .await
}

async fn check(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let guide = justculture::guide_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let agreed = match value("agreed").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let reason = value("check_reason");
    match justculture::record_check(&state.app, &user, &organisation, &guide, agreed, &reason).await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/orgs/{}/just-culture/guides/{}?done=checked",
            organisation.ods_code, guide.id
        ))
        .into_response()),
        Err(CheckError::App(e)) => Err(e.into()),
        Err(CheckError::NotShared) => Err(AppError::BadRequest(CheckError::NotShared.to_string())),
        Err(refused) => {
            let field = match refused {
                CheckError::NoChoice => "agreed",
                _ => "check_reason",
            };
            let chrome = chrome.with_errors(vec![FieldError {
                field: field.into(),
                message: refused.to_string(),
            }]);
            show_record(
                &state,
                chrome,
                &user,
                organisation,
                guide,
                None,
                reason,
                None,
            )
            .await
        }
    }
}
