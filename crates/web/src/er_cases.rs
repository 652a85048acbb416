//! Employee relations cases' pages (`dignity_app::er_cases`): the list with what is late,
//! opening a case, and the case page with its stages, file and suspension.

use crate::access::{Access, CurrentUser};
use crate::date_input::{self, Typed};
use crate::error::AppError;
use crate::forms::{Fields, FormData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, form_again, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::er_cases::{
    self, CaseError, CaseInHand, CaseReading, Details, DetailsForm, EntryForm, Filter, LEADS,
    Listed, MoveForm, OpenForm, Order, Problem, ReviewDue, ReviewForm, SuspensionForm,
    TimeLimitsForm,
};
use dignity_app::identity::{OrgUnit, Organisation};
use dignity_domain::er_cases::{
    AppealOutcome, CaseType, EntryKind, FIRST_STAGES, Outcome, Stage, SuspensionKind, Timescales,
};
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/orgs/{ods}/er-cases", Access::InOrganisation(LEADS), list)
        .get(
            "/orgs/{ods}/er-cases/new",
            Access::InOrganisation(LEADS),
            new_page,
        )
        .post(
            "/orgs/{ods}/er-cases/new",
            Access::InOrganisation(LEADS),
            open,
        )
        .get(
            "/orgs/{ods}/er-cases/time-limits",
            Access::InOrganisation(LEADS),
            time_limits_page,
        )
        .post(
            "/orgs/{ods}/er-cases/time-limits",
            Access::InOrganisation(LEADS),
            change_time_limits,
        )
        .get(
            "/orgs/{ods}/er-cases/investigating",
            Access::InOrganisation(er_cases::INVESTIGATORS),
            investigating,
        )
        .get(
            "/orgs/{ods}/er-cases/{id}",
            Access::InOrganisation(er_cases::CASE_READERS),
            case_page,
        )
        .post(
            "/orgs/{ods}/er-cases/{id}/move",
            Access::InOrganisation(LEADS),
            move_case,
        )
        .post(
            "/orgs/{ods}/er-cases/{id}/entries",
            Access::InOrganisation(er_cases::CASE_READERS),
            add_entry,
        )
        .post(
            "/orgs/{ods}/er-cases/{id}/details",
            Access::InOrganisation(LEADS),
            change_details,
        )
        .post(
            "/orgs/{ods}/er-cases/{id}/suspension",
            Access::InOrganisation(LEADS),
            suspend,
        )
        .post(
            "/orgs/{ods}/er-cases/{id}/review",
            Access::InOrganisation(LEADS),
            review,
        )
}

fn base(organisation: &Organisation) -> String {
    format!("/orgs/{}/er-cases", organisation.ods_code)
}

fn chrome_for(chrome: Chrome, organisation: &Organisation, title: &str) -> Chrome {
    chrome
        .titled(format!("{title}: {}", organisation.name))
        .under(base(organisation), "Employee relations cases")
}

/// Problems from the application, after the page's own date problems, without naming a
/// field twice.
fn merged(mut errors: Vec<FieldError>, problems: Vec<Problem>) -> Vec<FieldError> {
    for p in problems {
        if !errors.iter().any(|e| e.field == p.field.as_str()) {
            errors.push(FieldError {
                field: p.field.into(),
                message: p.message,
            });
        }
    }
    errors
}

fn name_in(names: &[(i64, String)], id: i64) -> String {
    names
        .iter()
        .find(|(p, _)| *p == id)
        .map_or_else(|| "Someone who has left".to_owned(), |(_, n)| n.clone())
}

fn days_text(days: i64) -> String {
    match days {
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    #[serde(rename = "type")]
    case_type: String,
    stage: String,
    order: String,
    done: String,
    page: String,
}

/// Cases on one page of the list: an organisation may hold thousands.
const CASES_A_PAGE: usize = 50;

/// Late cases named above the search; the rest are counted.
const LATE_SHOWN: usize = 10;

fn pages_for(total: usize) -> usize {
    total.div_ceil(CASES_A_PAGE).max(1)
}

impl ListQuery {
    /// The list's address with the same filters, on page `page`.
    fn on_page(&self, ods: &str, page: usize) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("state", self.state.as_str()),
            ("type", &self.case_type),
            ("stage", &self.stage),
            ("order", &self.order),
        ] {
            if !value.is_empty() {
                url.append_pair(key, value);
            }
        }
        url.append_pair("page", &page.to_string());
        format!("/orgs/{ods}/er-cases?{}", url.finish())
    }
}

#[derive(Template)]
#[template(path = "er_cases/list.html")]
struct ListPage {
    chrome: Chrome,
    organisation: Organisation,
    /// The cases on this page of the list.
    cases: Vec<Listed>,
    /// How many the filters pick in all.
    total: usize,
    page: usize,
    /// Every open case, for the ones past their time limit.
    open_cases: Vec<Listed>,
    units: Vec<OrgUnit>,
    names: Vec<(i64, String)>,
    timescales: Timescales,
    today: Day,
    reviews_due: Vec<ReviewDue>,
    query: ListQuery,
    /// Colleagues who cannot read some cases yet.
    waiting_colleagues: Vec<crate::justculture::Waiting>,
    share_back: &'static str,
    done: Option<&'static str>,
}

impl ListPage {
    fn pages(&self) -> usize {
        pages_for(self.total)
    }

    fn first_on_page(&self) -> usize {
        (self.page - 1) * CASES_A_PAGE
    }

    fn page_link(&self, page: usize) -> String {
        self.query.on_page(&self.organisation.ods_code, page)
    }

    fn unit_of(&self, case: &Listed) -> String {
        case.org_unit_id
            .and_then(|id| self.units.iter().find(|u| u.id == id))
            .map_or_else(|| "Not given".to_owned(), |u| u.name.clone())
    }

    fn investigator_of(&self, case: &Listed) -> String {
        case.investigator_id
            .map_or_else(|| "None yet".to_owned(), |id| name_in(&self.names, id))
    }

    fn target(&self, case: &Listed) -> Option<Day> {
        self.timescales
            .target(case.stage, case.stage_since, case.fast_track.0)
    }

    fn late(&self, case: &Listed) -> Option<String> {
        self.timescales
            .days_over(case.stage, case.stage_since, case.fast_track.0, self.today)
            .map(days_text)
    }

    fn late_cases(&self) -> Vec<&Listed> {
        self.open_cases
            .iter()
            .filter(|c| self.late(c).is_some())
            .collect()
    }

    /// The late cases the section names: the longest at their stage first (the open
    /// cases' order), a few at most, so a busy list does not push the search down the page.
    fn late_shown(&self) -> Vec<&Listed> {
        self.late_cases().into_iter().take(LATE_SHOWN).collect()
    }

    fn types(&self) -> &'static [CaseType] {
        CaseType::ALL
    }

    fn stages(&self) -> &'static [Stage] {
        Stage::ALL
    }

    fn review_late(&self, due: &ReviewDue) -> String {
        match self.today.days_since(due.due) {
            0 => "Due today".into(),
            d => format!("{} late", days_text(d)),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(mut query): QueryData<ListQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let filter = Filter {
        open: match query.state.as_str() {
            "closed" => Some(false),
            "all" => None,
            _ => Some(true),
        },
        case_type: query.case_type.parse().ok(),
        stage: query.stage.parse().ok(),
        investigator: None,
    };
    let order = match query.order.as_str() {
        "newest" => Order::Newest,
        "oldest" => Order::Oldest,
        _ => Order::LongestInStage,
    };
    // The menus and the page links show the filters as they were understood: "CONDUCT"
    // picks conduct, so the menu says so; a value nothing matched is dropped.
    query.case_type = filter
        .case_type
        .map_or_else(String::new, |t| t.code().to_owned());
    query.stage = filter
        .stage
        .map_or_else(String::new, |s| s.code().to_owned());
    // The page asked for, kept within the pages there are: a number out of range or not a
    // number shows the nearest page, not an error.
    let typed = query.page.trim();
    let asked = match typed.parse::<usize>() {
        Ok(n) => n.max(1),
        // Digits too many to hold mean a page past the last.
        Err(_) if !typed.is_empty() && typed.bytes().all(|b| b.is_ascii_digit()) => usize::MAX,
        Err(_) => 1,
    };
    let (mut total, mut cases, mut page) = (0, Vec::new(), asked);
    for _ in 0..2 {
        let offset = u32::try_from((page - 1).saturating_mul(CASES_A_PAGE)).unwrap_or(u32::MAX);
        let (all, listed) = er_cases::list_page(
            &state.app,
            &user,
            &organisation,
            filter,
            order,
            offset,
            CASES_A_PAGE as u32,
        )
        .await?;
        total = usize::try_from(all).unwrap_or(usize::MAX);
        cases = listed;
        let last = pages_for(total);
        if page <= last {
            break;
        }
        page = last;
    }
    let open_cases = er_cases::list(
        &state.app,
        &user,
        &organisation,
        Filter {
            open: Some(true),
            ..Filter::default()
        },
        Order::LongestInStage,
    )
    .await?;
    let reviews_due = er_cases::reviews_due(&state.app, &user, &organisation).await?;
    let units = dignity_app::identity::organisations::units(&state.app, &organisation).await?;
    let names = dignity_app::justculture::names(&state.app, &organisation).await?;
    let timescales = er_cases::timescales(&state.app, &organisation).await?;
    let waiting_colleagues =
        crate::justculture::waiting_colleagues(&state, &user, &organisation, &names).await?;
    let done = match query.done.as_str() {
        "shared" => Some("Your colleagues can now read what you shared."),
        "time-limits" => Some("The time limits are changed. Every case now works to them."),
        "locked" => Some("Sign in again to unlock your case key, then share."),
        _ => None,
    };
    let chrome = chrome
        .titled(format!("Employee relations cases: {}", organisation.name))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&ListPage {
        chrome,
        organisation,
        cases,
        total,
        page,
        open_cases,
        units,
        names,
        timescales,
        today: state.app.clock.today(),
        reviews_due,
        query,
        waiting_colleagues,
        share_back: "er-cases",
        done,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "er_cases/investigating.html")]
struct InvestigatingPage {
    chrome: Chrome,
    organisation: Organisation,
    cases: Vec<Listed>,
}

/// An investigating officer's own cases.
async fn investigating(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let cases = er_cases::investigating(&state.app, &user, &organisation).await?;
    let chrome = chrome
        .titled(format!(
            "Cases you are investigating: {}",
            organisation.name
        ))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&InvestigatingPage {
        chrome,
        organisation,
        cases,
    })?
    .into_response())
}

/// The new case form as typed.
#[derive(Default)]
struct NewTyped {
    form: OpenForm,
    opened_on: Typed,
}

#[derive(Template)]
#[template(path = "er_cases/new.html")]
struct NewPage {
    chrome: Chrome,
    organisation: Organisation,
    units: Vec<OrgUnit>,
    guides: Vec<dignity_app::er_cases::Guide>,
    investigators: Vec<(i64, String)>,
    typed: NewTyped,
    ready: bool,
}

impl NewPage {
    fn types(&self) -> &'static [CaseType] {
        CaseType::ALL
    }
    fn first_stages(&self) -> &'static [Stage] {
        &FIRST_STAGES
    }
    fn is(&self, typed: &str, code: &str) -> bool {
        typed.trim() == code
    }
    fn guide_is(&self, id: &i64) -> bool {
        self.typed.form.guide.trim() == id.to_string()
    }
    fn number_is(&self, typed: &str, id: &i64) -> bool {
        typed.trim() == id.to_string()
    }
}

async fn show_new(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    typed: NewTyped,
) -> Result<Response, AppError> {
    let units = dignity_app::identity::organisations::units(&state.app, &organisation).await?;
    let guides = er_cases::guides_for_cases(&state.app, user, &organisation).await?;
    let investigators = er_cases::investigators(&state.app, &organisation).await?;
    let ready = dignity_app::justculture::is_ready(&state.app, &organisation).await?;
    let chrome = chrome_for(chrome, &organisation, "Open a case");
    Ok(render(&NewPage {
        chrome,
        organisation,
        units,
        guides,
        investigators,
        typed,
        ready,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    guide: String,
    /// The Speak Up grievance to open a case from.
    grievance: String,
}

async fn new_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<NewQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let mut typed = NewTyped {
        opened_on: Typed::of(state.app.clock.today()),
        ..NewTyped::default()
    };
    if !query.guide.trim().is_empty() {
        typed.form.case_type = CaseType::Conduct.code().into();
        typed.form.guide = query.guide.trim().to_owned();
    } else if let Some(grievance) =
        er_cases::grievance_to_open_from(&state.app, &user, &organisation, &query.grievance).await?
    {
        typed.form.case_type = CaseType::Grievance.code().into();
        typed.form.grievance = grievance.to_string();
    }
    show_new(&state, chrome, &user, organisation, typed).await
}

async fn open(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let opened_typed = sent.date("opened_on");
    let opened_on = date_input::required(
        &opened_typed,
        "opened_on",
        "the date the case started",
        &mut errors,
    );
    let form = OpenForm {
        case_type: sent.get("case_type"),
        guide: sent.get("guide"),
        person_name: sent.get("person_name"),
        employee_number: sent.get("employee_number"),
        unit: sent.get("unit"),
        first_stage: sent.get("first_stage"),
        opened_on,
        fast_track: sent.get("fast_track") == "yes",
        summary: sent.get("summary"),
        representative: sent.get("representative"),
        observer: sent.get("observer"),
        investigator: sent.get("investigator"),
        grievance: sent.get("grievance"),
    };
    let result = er_cases::open_case(&state.app, &user, &organisation, &form).await;
    let problems = match result {
        Ok(id) if errors.is_empty() => {
            let late = match (form.case_type.parse(), form.first_stage.parse(), opened_on) {
                (Ok(case_type), Ok(stage), Some(on)) => {
                    counted_without(case_type, stage, on, state.app.clock.today())
                }
                _ => false,
            };
            let done = if late { "opened-late" } else { "opened" };
            return Ok(
                Redirect::to(&format!("{}/{id}?done={done}", base(&organisation))).into_response(),
            );
        }
        Ok(_) => Vec::new(),
        Err(CaseError::Form(problems)) => problems,
        Err(CaseError::App(dignity_app::Error::NotSetUp { .. })) => Vec::new(),
        Err(CaseError::App(e)) => return Err(e.into()),
        Err(CaseError::Changed | CaseError::NotShared) => Vec::new(),
    };
    let chrome = chrome.with_errors(merged(errors, problems));
    let typed = NewTyped {
        form,
        opened_on: opened_typed,
    };
    show_new(&state, chrome, &user, organisation, typed).await
}

/// What a lead typed into one of the case page's forms, shown again with its problems.
#[derive(Default)]
struct CaseTyped {
    move_to: String,
    move_on: Typed,
    outcome: String,
    appeal_outcome: String,
    investigator: String,
    entry_kind: String,
    entry_text: String,
    closed_reason: String,
    details: Option<DetailsForm>,
    suspension_kind: String,
    suspension_start: Typed,
    suspension_review: Typed,
    suspension_reason: String,
    reviewed_on: Typed,
    wellbeing: String,
    continues: String,
    next_due: Typed,
    review_note: String,
    /// Someone else changed the case first: the page says so above the forms.
    changed: bool,
}

#[derive(Template)]
#[template(path = "er_cases/case.html")]
struct CasePage {
    chrome: Chrome,
    organisation: Organisation,
    case: CaseInHand,
    /// The Speak Up grievance the case was opened from.
    grievance: Option<i64>,
    /// A lead, rather than the case's investigating officer.
    lead: bool,
    stages: Vec<(Stage, Day)>,
    reading: CaseReading,
    unit: Option<String>,
    names: Vec<(i64, String)>,
    investigators: Vec<(i64, String)>,
    timescales: Timescales,
    today: Day,
    done: Option<&'static str>,
    typed: CaseTyped,
}

impl CasePage {
    fn name_of(&self, id: &i64) -> String {
        name_in(&self.names, *id)
    }

    fn target(&self) -> Option<Day> {
        self.timescales.target(
            self.case.stage,
            self.case.stage_since,
            self.case.fast_track.0,
        )
    }

    fn late(&self) -> Option<String> {
        self.timescales
            .days_over(
                self.case.stage,
                self.case.stage_since,
                self.case.fast_track.0,
                self.today,
            )
            .map(days_text)
    }

    fn next_stages(&self) -> &'static [Stage] {
        self.case.stage.next()
    }

    fn can_go(&self, stage: Stage) -> bool {
        self.case.stage.next().contains(&stage)
    }

    fn outcomes(&self) -> &'static [Outcome] {
        Outcome::ALL
    }

    fn appeal_outcomes(&self) -> &'static [AppealOutcome] {
        AppealOutcome::ALL
    }

    fn entry_kinds(&self) -> Vec<EntryKind> {
        EntryKind::ALL
            .iter()
            .copied()
            .filter(|k| {
                if self.lead {
                    *k != EntryKind::Correction
                } else {
                    matches!(k, EntryKind::Note | EntryKind::Finding)
                }
            })
            .collect()
    }

    fn suspension_kinds(&self) -> &'static [SuspensionKind] {
        SuspensionKind::ALL
    }

    fn outcome_label(&self) -> Option<&'static str> {
        self.case.outcome().ok().flatten().map(Outcome::label)
    }

    fn appeal_outcome_label(&self) -> Option<&'static str> {
        self.case
            .appeal_outcome()
            .ok()
            .flatten()
            .map(AppealOutcome::label)
    }

    fn is(&self, typed: &str, code: &str) -> bool {
        typed.trim() == code
    }

    fn number_is(&self, typed: &str, id: &i64) -> bool {
        typed.trim() == id.to_string()
    }

    fn opened(&self) -> Option<&er_cases::Opened> {
        match &self.reading {
            CaseReading::Read(opened) => Some(opened),
            _ => None,
        }
    }

    /// The details form's values: as typed when sent back, else as stored.
    fn details_form(&self) -> DetailsForm {
        if let Some(typed) = &self.typed.details {
            return typed.clone();
        }
        DetailsForm {
            details: self.opened().map(|o| o.details.clone()).unwrap_or_default(),
            fast_track: self.case.fast_track.0,
            investigator: self
                .case
                .investigator_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            closed_reason: String::new(),
            version: self.case.version,
        }
    }

    fn running_suspension(&self) -> bool {
        self.opened().is_some_and(|o| {
            o.suspensions
                .iter()
                .any(|s| s.suspension.ended_on.is_none())
        })
    }

    fn day_text(&self, raw: &Option<String>) -> String {
        raw.as_deref()
            .and_then(|d| Day::parse(d).ok())
            .map_or_else(String::new, Day::long)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

fn case_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound("There is no such case".into()))
}

async fn show_case(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    case: CaseInHand,
    done: Option<&'static str>,
    typed: CaseTyped,
) -> Result<Response, AppError> {
    let reading = er_cases::read(&state.app, user, &organisation, &case).await?;
    // Opening the page asks a locked lead to unlock; a form sent back is shown whatever
    // the key's state, so its problem is named.
    if matches!(reading, CaseReading::Locked) && chrome.errors.is_empty() && !typed.changed {
        let path = format!("{}/{}", base(&organisation), case.id);
        return Ok(Redirect::to(&format!(
            "/account/unlock?next={}",
            form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        ))
        .into_response());
    }
    let stages = er_cases::stages(&state.app, &case).await?;
    let names = dignity_app::justculture::names(&state.app, &organisation).await?;
    let investigators = er_cases::investigators(&state.app, &organisation).await?;
    let timescales = er_cases::timescales(&state.app, &organisation).await?;
    let units = dignity_app::identity::organisations::units(&state.app, &organisation).await?;
    let unit = case
        .org_unit_id
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.name.clone());
    let lead = er_cases::is_lead(user, &organisation);
    let grievance = if lead {
        er_cases::grievance_of(&state.app, &organisation, &case).await?
    } else {
        None
    };
    let chrome = if lead {
        chrome_for(chrome, &organisation, &format!("Case {}", case.id))
    } else {
        chrome
            .titled(format!("Case {}: {}", case.id, organisation.name))
            .under(
                format!("{}/investigating", base(&organisation)),
                "Cases you are investigating",
            )
    };
    Ok(render(&CasePage {
        chrome,
        organisation,
        case,
        grievance,
        lead,
        stages,
        reading,
        unit,
        names,
        investigators,
        timescales,
        today: state.app.clock.today(),
        done,
        typed,
    })?
    .into_response())
}

async fn case_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let done = match query.done.as_str() {
        "opened" => Some("The case is open."),
        "moved" => Some("The case has moved on."),
        "opened-late" => Some(LATE_OPENED),
        "moved-late" => Some(LATE_MOVED),
        "entry" => Some("Added to the case's file."),
        "details" => Some("The case's details are changed."),
        "suspended" => Some("The suspension is recorded. Its first review is on the case below."),
        "reviewed" => Some("The review is recorded."),
        _ => None,
    };
    show_case(
        &state,
        chrome,
        &user,
        organisation,
        case,
        done,
        CaseTyped::default(),
    )
    .await
}

/// After a case form: to the case page with a message, or the page again with the
/// problems and everything typed.
#[expect(
    clippy::too_many_arguments,
    reason = "the outcome, the page's parts and what was typed; one private helper"
)]
async fn answered(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    case: CaseInHand,
    result: Result<(), CaseError>,
    errors: Vec<FieldError>,
    mut typed: CaseTyped,
    done: &str,
) -> Result<Response, AppError> {
    let problems = match result {
        Ok(()) if errors.is_empty() => {
            return Ok(
                Redirect::to(&format!("{}/{}?done={done}", base(&organisation), case.id))
                    .into_response(),
            );
        }
        Ok(()) => Vec::new(),
        Err(CaseError::Form(problems)) => problems,
        Err(CaseError::Changed) => {
            typed.changed = true;
            Vec::new()
        }
        Err(CaseError::NotShared) => {
            return Err(AppError::BadRequest(CaseError::NotShared.to_string()));
        }
        Err(CaseError::App(e)) => return Err(e.into()),
    };
    // The page shows the case as it is now, with what this lead typed still in the form.
    let case = er_cases::case_for(&state.app, user, &organisation, case.id).await?;
    let chrome = chrome.with_errors(merged(errors, problems));
    let changed = typed.changed;
    let mut response = show_case(state, chrome, user, organisation, case, None, typed).await?;
    if changed {
        *response.status_mut() = axum::http::StatusCode::CONFLICT;
    }
    Ok(response)
}

/// The reminder for a suspension review: the case's number, the day and a link, never
/// the person.
struct ReviewLetters<'a> {
    base: &'a str,
}

impl er_cases::ReviewLetters for ReviewLetters<'_> {
    fn review_due(
        &self,
        to: &str,
        org: &Organisation,
        case_id: i64,
        due: Day,
    ) -> dignity_app::mail::NewMail {
        dignity_app::mail::NewMail {
            purpose: format!("er-review:{case_id}"),
            to: to.to_owned(),
            subject: format!("A suspension review is due: case {case_id}"),
            body: format!(
                "A suspension review on case {case_id} at {} is due on {}.\n\n\
                 Review it, and check on how the person is:\n{}/orgs/{}/er-cases/{case_id}#suspension\n",
                org.name,
                due.long(),
                self.base.trim_end_matches('/'),
                org.ods_code
            ),
            attachment: None,
        }
    }
}

/// Writes the reminders for suspension reviews due today or earlier, with links to
/// `base`. Run by the mail worker.
pub async fn send_review_reminders(
    app: &dignity_app::Context,
    base: &str,
) -> Result<usize, dignity_app::Error> {
    er_cases::send_review_reminders(app, &ReviewLetters { base }).await
}

async fn move_case(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let typed_on = sent.date("on");
    let on = date_input::required(&typed_on, "on", "the date of the move", &mut errors);
    let form = MoveForm {
        to: sent.get("to"),
        on,
        outcome: sent.get("outcome"),
        appeal_outcome: sent.get("appeal_outcome"),
        investigator: sent.get("investigator"),
        version: sent.version(),
    };
    let result = er_cases::move_case(&state.app, &user, &organisation, &case, &form).await;
    let late = match (form.to.parse(), on) {
        (Ok(stage), Some(on)) => {
            counted_without(case.case_type, stage, on, state.app.clock.today())
        }
        _ => false,
    };
    let typed = CaseTyped {
        move_to: form.to,
        move_on: typed_on,
        outcome: form.outcome,
        appeal_outcome: form.appeal_outcome,
        investigator: form.investigator,
        ..CaseTyped::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        case,
        result,
        errors,
        typed,
        if late { "moved-late" } else { "moved" },
    )
    .await
}

const LATE_OPENED: &str = "The case is open. Its investigation is dated in a reporting year whose race and disability equality figures (WRES 3 and WDES 3) are already counted, so it is not in them. Counted figures never change.";
const LATE_MOVED: &str = "The case has moved on. Its investigation is dated in a reporting year whose race and disability equality figures (WRES 3 and WDES 3) are already counted, so it is not in them. Counted figures never change.";

/// Whether a stage entered today, dated `on`, would have counted towards WRES 3 or WDES 3
/// but its year's figures from cases are already counted: the lead is told, so a figure
/// that leaves it out is no surprise.
fn counted_without(case_type: CaseType, stage: Stage, on: Day, today: Day) -> bool {
    stage == Stage::Investigation
        && matches!(
            case_type,
            CaseType::Conduct | CaseType::CapabilityPerformance
        )
        && dignity_app::workforce::standards::ReportingYear::of(on)
            .cases_counted_from()
            .is_some_and(|from| from <= today)
}

async fn add_entry(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let form = EntryForm {
        kind: sent.get("kind"),
        text: sent.get("text"),
        closed_reason: sent.get("closed_reason"),
    };
    let result = er_cases::add_entry(&state.app, &user, &organisation, &case, &form)
        .await
        .map(|_| ());
    let typed = CaseTyped {
        entry_kind: form.kind,
        entry_text: form.text,
        closed_reason: form.closed_reason,
        ..CaseTyped::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        case,
        result,
        Vec::new(),
        typed,
        "entry",
    )
    .await
}

async fn change_details(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let form = DetailsForm {
        details: Details {
            person_name: sent.get("person_name"),
            representative: sent.get("representative"),
            observer: sent.get("observer"),
            terms_of_reference: sent.get("terms_of_reference"),
        },
        fast_track: sent.get("fast_track") == "yes",
        investigator: sent.get("investigator"),
        closed_reason: sent.get("details_closed_reason"),
        version: sent.version(),
    };
    let result = er_cases::change_details(&state.app, &user, &organisation, &case, &form).await;
    // The closed-case reason has its own field id on this form.
    let result = result.map_err(|e| match e {
        CaseError::Form(problems) => CaseError::Form(
            problems
                .into_iter()
                .map(|mut p| {
                    if p.field == "closed_reason" {
                        p.field = "details_closed_reason".into();
                    }
                    p
                })
                .collect(),
        ),
        other => other,
    });
    let typed = CaseTyped {
        details: Some(form),
        ..CaseTyped::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        case,
        result,
        Vec::new(),
        typed,
        "details",
    )
    .await
}

async fn suspend(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let start_typed = sent.date("started_on");
    let review_typed = sent.date("review_due");
    let started_on =
        date_input::required(&start_typed, "started_on", "the start date", &mut errors);
    let review_due = date_input::optional(
        &review_typed,
        "review_due",
        "the first review date",
        &mut errors,
    );
    let form = SuspensionForm {
        kind: sent.get("suspension_kind"),
        started_on,
        review_due,
        reason: sent.get("suspension_reason"),
        version: sent.version(),
    };
    let result = er_cases::start_suspension(&state.app, &user, &organisation, &case, &form)
        .await
        .map_err(|e| match e {
            CaseError::Form(problems) => CaseError::Form(
                problems
                    .into_iter()
                    .map(|mut p| {
                        if p.field == "kind" {
                            p.field = "suspension_kind".into();
                        }
                        p
                    })
                    .collect(),
            ),
            other => other,
        });
    let typed = CaseTyped {
        suspension_kind: form.kind,
        suspension_start: start_typed,
        suspension_review: review_typed,
        suspension_reason: form.reason,
        ..CaseTyped::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        case,
        result,
        errors,
        typed,
        "suspended",
    )
    .await
}

async fn review(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let case = er_cases::case_for(&state.app, &user, &organisation, case_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let on_typed = sent.date("reviewed_on");
    let next_typed = sent.date("next_due");
    let reviewed_on = date_input::required(
        &on_typed,
        "reviewed_on",
        "the date of the review",
        &mut errors,
    );
    let next_due =
        date_input::optional(&next_typed, "next_due", "the next review date", &mut errors);
    let form = ReviewForm {
        reviewed_on,
        wellbeing: sent.get("wellbeing"),
        continues: sent.get("continues"),
        next_due,
        note: sent.get("note"),
        version: sent.version(),
    };
    let result = er_cases::review_suspension(&state.app, &user, &organisation, &case, &form).await;
    let typed = CaseTyped {
        reviewed_on: on_typed,
        wellbeing: form.wellbeing,
        continues: form.continues,
        next_due: next_typed,
        review_note: form.note,
        ..CaseTyped::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        case,
        result,
        errors,
        typed,
        "reviewed",
    )
    .await
}

/// One stage's row on the time limits form.
struct StageLimit {
    stage: Stage,
    standard: String,
    fast_track: String,
}

#[derive(Template)]
#[template(path = "er_cases/time_limits.html")]
struct TimeLimitsPage {
    chrome: Chrome,
    organisation: Organisation,
    stages: Vec<StageLimit>,
    review_every_days: String,
    was: String,
    changed: bool,
}

impl TimeLimitsPage {
    fn standard_field(&self, stage: &Stage) -> String {
        format!("standard-{}", stage.code())
    }
    fn fast_track_field(&self, stage: &Stage) -> String {
        format!("fast_track-{}", stage.code())
    }
}

fn show_time_limits(
    chrome: Chrome,
    organisation: Organisation,
    form: TimeLimitsForm,
    changed: bool,
) -> Result<Response, AppError> {
    let stages = Stage::ALL
        .iter()
        .zip(form.standard)
        .zip(form.fast_track)
        .map(|((&stage, standard), fast_track)| StageLimit {
            stage,
            standard,
            fast_track,
        })
        .collect();
    let chrome = chrome_for(chrome, &organisation, "Time limits");
    form_again(
        &TimeLimitsPage {
            chrome,
            organisation,
            stages,
            review_every_days: form.review_every_days,
            was: form.was,
            changed,
        },
        changed,
    )
}

async fn time_limits_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let now = er_cases::timescales(&state.app, &organisation).await?;
    let form = TimeLimitsForm {
        standard: now.standard.0.map(|d| d.to_string()),
        fast_track: now.fast_track.0.map(|d| d.to_string()),
        review_every_days: now.review_every_days.to_string(),
        was: er_cases::limits_shown(&now),
    };
    show_time_limits(chrome, organisation, form, false)
}

async fn change_time_limits(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let sent = Fields::new(pairs)?;
    let stage_days = |prefix: &str| {
        let mut days: [String; 6] = Default::default();
        for (typed, stage) in days.iter_mut().zip(Stage::ALL.iter()) {
            *typed = sent.get(&format!("{prefix}-{}", stage.code()));
        }
        days
    };
    let form = TimeLimitsForm {
        standard: stage_days("standard"),
        fast_track: stage_days("fast_track"),
        review_every_days: sent.get("review_every_days"),
        was: sent.get("was"),
    };
    match er_cases::change_time_limits(&state.app, &user, &organisation, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}?done=time-limits", base(&organisation))).into_response())
        }
        Err(CaseError::Form(problems)) => show_time_limits(
            chrome.with_errors(merged(Vec::new(), problems)),
            organisation,
            form,
            false,
        ),
        Err(CaseError::Changed) => {
            // What they typed stays; the page they send next carries today's limits.
            let now = er_cases::timescales(&state.app, &organisation).await?;
            let form = TimeLimitsForm {
                was: er_cases::limits_shown(&now),
                ..form
            };
            show_time_limits(chrome, organisation, form, true)
        }
        Err(CaseError::App(e)) => Err(e.into()),
        Err(e @ CaseError::NotShared) => Err(AppError::BadRequest(e.to_string())),
    }
}
