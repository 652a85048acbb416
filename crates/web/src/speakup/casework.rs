//! The guardians' pages: the case list and a case, with messages, notes, referrals,
//! status, what the case is about, closure and the detriment check.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::{Member, Organisation};
use dignity_app::speakup::casework::{
    self as cases, CaseNumber, Filter, Late, Listed, Reading, ReporterRead, StatusFilter, case_for,
    guardians, organisation,
};
use dignity_app::speakup::report::Report;
use dignity_app::speakup::{Case, CaseChange, colleagues_waiting, reseal_for_colleagues};
use dignity_domain::library::Published;
use dignity_domain::speakup::{CaseStatus, CaseType, Day, Element, EntryKind, GrievanceStage};
use serde::Deserialize;

/// A case as a row of the list.
type Row = Listed;

#[derive(Template)]
#[template(path = "speakup/cases.html")]
struct CasesPage {
    chrome: Chrome,
    organisation: Organisation,
    set_up: bool,
    unlocked: bool,
    /// Colleagues who cannot read past cases this guardian could re-seal to them.
    colleagues_waiting: usize,
    open: Vec<Row>,
    closed: Vec<Row>,
    detriment_due: Vec<Row>,
    /// The filters as chosen, to show them back in the form.
    chosen: ListQuery,
    filtered: bool,
    /// How many cases this person may read in all, and how many the filters keep.
    total: usize,
    shown: usize,
    /// The kinds of case this person reads, for the type filter (shown only for several).
    types: Vec<CaseType>,
    statuses: &'static [CaseStatus],
    /// The case number, or part of one, searched for: said back when nothing matches.
    sought: Option<CaseNumber>,
    /// The fewest digits that find a case by part of its number.
    part_digits: usize,
}

impl CasesPage {
    fn status_chosen(&self, code: &str) -> bool {
        self.chosen.status == code
    }

    fn type_chosen(&self, code: &str) -> bool {
        self.chosen.case_type == code
    }

    /// Whether a filter other than the case number narrows the list.
    fn narrowed_besides_number(&self) -> bool {
        let c = &self.chosen;
        !c.status.trim().is_empty()
            || c.overdue == "yes"
            || !c.case_type.trim().is_empty()
            || c.mine == "yes"
    }
}

/// The list's filters, from its GET form: they work without JavaScript and the address can
/// be kept or linked to (the home page links to open and overdue cases).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    overdue: String,
    #[serde(rename = "type")]
    case_type: String,
    mine: String,
    number: String,
}

impl ListQuery {
    /// The filter, and a message for each part that could not be read.
    fn filter(&self) -> (Filter, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut problem = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        };
        let status = StatusFilter::parse(&self.status).unwrap_or_else(|| {
            problem("status", "Choose a status from the list");
            StatusFilter::Any
        });
        let case_type = match self.case_type.trim() {
            "" => None,
            code => code.parse::<CaseType>().ok().or_else(|| {
                problem("type", "Choose a type of case from the list");
                None
            }),
        };
        let number = match self.number.trim() {
            "" => None,
            typed => cases::case_number(typed).or_else(|| {
                problem(
                    "number",
                    "Enter a case number using numbers only, like 1234",
                );
                None
            }),
        };
        let filter = Filter {
            status,
            overdue: self.overdue == "yes",
            case_type,
            mine: self.mine == "yes",
            number,
        };
        (filter, errors)
    }
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(chosen): QueryData<ListQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let set_up = cases::is_set_up(&state.app, &organisation).await?;
    let waiting = colleagues_waiting(&state.app, &user, organisation.id)
        .await?
        .len();
    let (filter, errors) = chosen.filter();
    let rows = cases::list(&state.app, &user, &organisation).await?;
    let total = rows.len();
    let detriment_due = rows.iter().filter(|r| r.detriment_due).cloned().collect();
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for row in rows {
        if !filter.keeps(&row, user.person.id) {
            continue;
        }
        if row.case.status == CaseStatus::Closed {
            closed.push(row)
        } else {
            open.push(row)
        }
    }
    let types = CaseType::ALL
        .iter()
        .copied()
        .filter(|t| cases::may_read(&user, &organisation, *t))
        .collect();
    let unlocked = cases::is_unlocked(&state.app, &user);
    let chrome = chrome
        .titled(format!("Speak Up cases: {}", organisation.name))
        .with_errors(errors);
    Ok(render(&CasesPage {
        chrome,
        organisation,
        set_up,
        unlocked,
        colleagues_waiting: waiting,
        shown: open.len() + closed.len(),
        open,
        closed,
        detriment_due,
        chosen,
        filtered: !filter.is_empty(),
        total,
        types,
        statuses: CaseStatus::ALL,
        sought: filter.number.clone(),
        part_digits: cases::PART_DIGITS,
    })?
    .into_response())
}

/// A guardian gives colleagues who cannot read past cases access to them: a decision,
/// taken with a button and audited, never a side effect of opening the list.
pub async fn share_past_cases(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let list = format!("/orgs/{}/speak-up", organisation.ods_code);
    match reseal_for_colleagues(&state.app, &user, organisation.id, &organisation.ods_code).await? {
        Some(_) => Ok(Redirect::to(&list).into_response()),
        None => Ok(Redirect::to(&format!("/account/unlock?next={list}")).into_response()),
    }
}

/// An entry as a guardian sees it.
struct ShownEntry {
    id: i64,
    kind: EntryKind,
    author: String,
    on: String,
    text: String,
    tampered: bool,
}

/// What a caseworker just did, said in the banner on the case page they come back to.
/// The address carries only this code, so reloading the page repeats nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Message,
    Note,
    Referral,
    Status,
    Stage,
    Assigned,
    Recorded,
    Closed,
    Detriment,
}

impl Done {
    const ALL: &[Done] = &[
        Done::Message,
        Done::Note,
        Done::Referral,
        Done::Status,
        Done::Stage,
        Done::Assigned,
        Done::Recorded,
        Done::Closed,
        Done::Detriment,
    ];

    fn code(self) -> &'static str {
        match self {
            Done::Message => "message",
            Done::Note => "note",
            Done::Referral => "referral",
            Done::Status => "status",
            Done::Stage => "stage",
            Done::Assigned => "assigned",
            Done::Recorded => "recorded",
            Done::Closed => "closed",
            Done::Detriment => "detriment",
        }
    }

    fn parse(raw: &str) -> Option<Done> {
        Done::ALL.iter().copied().find(|d| d.code() == raw)
    }

    /// The banner's words, from the case as it is now.
    fn said(self, case: &Case, guardians: &[Member]) -> String {
        match self {
            Done::Message => {
                "Message sent. They will read it when they next use their receipt code.".into()
            }
            Done::Note => "Note added. Only caseworkers can read it.".into(),
            Done::Referral => "Referral recorded".into(),
            Done::Status => format!("Status changed to {}", case.status.label().to_lowercase()),
            Done::Stage => match case.stage {
                Some(stage) => format!("Grievance moved to {}", stage.label().to_lowercase()),
                None => "Stage changed".into(),
            },
            Done::Assigned => match case
                .assigned_to
                .and_then(|id| guardians.iter().find(|m| m.person_id == id))
            {
                Some(m) => format!("Case assigned to {}", m.display_name),
                None => "Case no longer assigned to anyone".into(),
            },
            Done::Recorded => "Elements and professional group saved".into(),
            Done::Closed => "Case closed. The person who spoke up can read the outcome.".into(),
            Done::Detriment => "Detriment check saved".into(),
        }
    }
}

/// The pages of a case: the summary with the conversation, and one page for each other
/// piece of work, each at its own address so they work without JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Conversation,
    Status,
    Stage,
    Assign,
    Record,
    Note,
    Referral,
    Close,
    Detriment,
}

impl Tab {
    /// The last part of the page's address ("" for the case itself).
    fn path(self) -> &'static str {
        match self {
            Tab::Conversation => "",
            Tab::Status => "/status",
            Tab::Stage => "/stage",
            Tab::Assign => "/assign",
            Tab::Record => "/record",
            Tab::Note => "/note",
            Tab::Referral => "/referral",
            Tab::Close => "/close",
            Tab::Detriment => "/detriment",
        }
    }

    /// The link's words and the page's heading.
    fn title(self) -> &'static str {
        match self {
            Tab::Conversation => "Conversation and summary",
            Tab::Status => "Change the status",
            Tab::Stage => "Move the grievance on",
            Tab::Assign => "Choose who looks after it",
            Tab::Record => "Record what it is about",
            Tab::Note => "Add a note",
            Tab::Referral => "Record a referral",
            Tab::Close => "Close the case",
            Tab::Detriment => "Check for detriment",
        }
    }

    /// The pages this case has now: a grievance has stages; an open case can be closed,
    /// and a closed one checked for detriment.
    fn for_case(case: &Case) -> Vec<Tab> {
        let mut tabs = vec![Tab::Conversation];
        if case
            .status
            .next_choices()
            .iter()
            .any(|s| *s != CaseStatus::Closed)
        {
            tabs.push(Tab::Status);
        }
        if case.stage.is_some_and(|s| !s.next_choices().is_empty()) {
            tabs.push(Tab::Stage);
        }
        tabs.extend([Tab::Assign, Tab::Record, Tab::Note, Tab::Referral]);
        tabs.push(if case.status == CaseStatus::Closed {
            Tab::Detriment
        } else {
            Tab::Close
        });
        tabs
    }
}

/// A link in the case's own navigation.
struct TabLink {
    href: String,
    text: &'static str,
    current: bool,
}

fn tab_links(org: &Organisation, case: &Case, current: Tab) -> Vec<TabLink> {
    Tab::for_case(case)
        .into_iter()
        .map(|tab| TabLink {
            href: format!("/orgs/{}/speak-up/{}{}", org.ods_code, case.id, tab.path()),
            text: tab.title(),
            current: tab == current,
        })
        .collect()
}

/// "Concern 12" or "Grievance 12": the one name a case has, in titles, headings and lists.
fn case_name(case: &Case) -> String {
    format!("{} {}", case.case_type.label(), case.id)
}

#[derive(Template)]
#[template(path = "speakup/case.html")]
struct CasePage {
    chrome: Chrome,
    organisation: Organisation,
    name: String,
    case: Case,
    tabs: Vec<TabLink>,
    done: Option<String>,
    /// Whether the person who spoke up has seen the latest reply.
    read: ReporterRead,
    today: Day,
    place: Option<String>,
    assigned: Option<String>,
    report: Option<Report>,
    entries: Vec<ShownEntry>,
    reason: Option<&'static str>,
    /// The employee relations case opened from this grievance, for its leads.
    er_case: Option<i64>,
    /// Whether the reader may open an employee relations case from this grievance.
    may_open_er: bool,
}

impl CasePage {
    fn long(&self, day: &Day) -> String {
        day.long_with_weekday()
    }

    /// The month something happened, stored as `2026-10`, for people: "October 2026".
    fn month(&self, text: &str) -> String {
        Published::parse(text).map_or_else(|_| text.to_owned(), Published::long)
    }

    /// Whether its reply is overdue ([`Late`]).
    fn overdue(&self) -> bool {
        Late::of(&self.case, self.today).reply
    }

    /// Whether its grievance stage is past its date ([`Late`]).
    fn stage_overdue(&self) -> bool {
        Late::of(&self.case, self.today).stage
    }
}

async fn case_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    case_id: i64,
    done: Option<Done>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let path = format!("/orgs/{}/speak-up/{}", organisation.ods_code, case.id);
    let (report, entries, reason) = match cases::read(&state.app, user, &organisation, &case)
        .await?
    {
        Reading::Read { report, entries } => {
            let entries = entries
                .into_iter()
                .map(|entry| ShownEntry {
                    id: entry.id,
                    kind: entry.kind,
                    author: entry
                        .author
                        .unwrap_or_else(|| "The person who spoke up".into()),
                    on: entry.written_on.long_with_weekday(),
                    tampered: entry.text.is_none(),
                    text: entry.text.unwrap_or_default(),
                })
                .collect();
            (*report, entries, None)
        }
        Reading::Locked => {
            return Ok(Redirect::to(&format!(
                "/account/unlock?next={}",
                form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
            ))
            .into_response());
        }
        Reading::NotSealed => (
            None,
            Vec::new(),
            Some(
                "You cannot read this case yet. Another guardian gives you access when they next open the case list, or an administrator can use the recovery key.",
            ),
        ),
    };
    let place = cases::place_of(&state.app, &organisation, &case).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let names = guardians(&state.app, &organisation).await?;
    let case = case.into_case();
    let assigned = case
        .assigned_to
        .and_then(|id| names.iter().find(|m| m.person_id == id))
        .map(|m| m.display_name.clone());
    // A grievance goes on to employee relations: their leads see its case, or can open one.
    let (er_case, may_open_er) = if case.case_type == dignity_domain::speakup::CaseType::Grievance {
        let er_case =
            dignity_app::er_cases::case_for_grievance(&state.app, user, &organisation, case.id)
                .await?;
        let may_open = er_case.is_none()
            && dignity_app::er_cases::may_open_from_grievance(user, &organisation);
        (er_case, may_open)
    } else {
        (None, false)
    };
    let page = CasePage {
        er_case,
        may_open_er,
        chrome: chrome.titled(case_name(&case)).with_errors(errors),
        name: case_name(&case),
        tabs: tab_links(&organisation, &case, Tab::Conversation),
        done: done.map(|d| d.said(&case, &names)),
        organisation,
        read: ReporterRead::of(&case, state.app.clock.today()),
        today: state.app.clock.today(),
        assigned,
        case,
        place,
        report,
        entries,
        reason,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, case_id)): Path<(String, i64)>,
    QueryData(query): QueryData<ShowQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let done = Done::parse(&query.done);
    case_page(
        &state,
        chrome,
        &user,
        organisation,
        case_id,
        done,
        Vec::new(),
    )
    .await
}

/// One piece of work on a case, on a page of its own.
#[derive(Template)]
#[template(path = "speakup/case_action.html")]
struct ActionPage {
    chrome: Chrome,
    organisation: Organisation,
    name: String,
    case: Case,
    tab: Tab,
    tabs: Vec<TabLink>,
    guardians: Vec<Member>,
    next_statuses: Vec<CaseStatus>,
    next_stages: Vec<GrievanceStage>,
    elements: &'static [Element],
    groups: Vec<String>,
    /// What was typed, given back when the form has a problem.
    typed: TypedBack,
}

/// Text a caseworker typed, kept when a form comes back with a problem.
#[derive(Default)]
struct TypedBack {
    text: String,
    to_whom: String,
}

/// A form that came back with problems, and what was typed in it.
#[derive(Default)]
struct Returned {
    errors: Vec<FieldError>,
    typed: TypedBack,
}

impl Returned {
    fn problem(error: FieldError) -> Returned {
        Returned {
            errors: vec![error],
            typed: TypedBack::default(),
        }
    }
}

impl ActionPage {
    fn has_element(&self, element: &Element) -> bool {
        self.case.elements.contains(element)
    }

    fn is_group(&self, group: &str) -> bool {
        self.case.professional_group.as_deref() == Some(group)
    }

    fn is_assigned(&self, person_id: &i64) -> bool {
        self.case.assigned_to == Some(*person_id)
    }

    /// The case's own address, which every form here posts below.
    fn base(&self) -> String {
        format!(
            "/orgs/{}/speak-up/{}",
            self.organisation.ods_code, self.case.id
        )
    }
}

async fn action_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    case_id: i64,
    tab: Tab,
    returned: Returned,
) -> Result<Response, AppError> {
    let Returned { errors, typed } = returned;
    let case = case_for(&state.app, user, &organisation, case_id)
        .await?
        .into_case();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ActionPage {
        chrome: chrome
            .titled(format!("{}: {}", tab.title(), case_name(&case)))
            .naming("Case", case_name(&case))
            .with_errors(errors),
        name: case_name(&case),
        tabs: tab_links(&organisation, &case, tab),
        guardians: guardians(&state.app, &organisation).await?,
        organisation,
        tab,
        next_stages: case.stage.map(|s| s.next_choices()).unwrap_or_default(),
        next_statuses: case
            .status
            .next_choices()
            .into_iter()
            .filter(|s| *s != CaseStatus::Closed)
            .collect(),
        case,
        elements: Element::ALL,
        groups: state.app.professional_groups.to_vec(),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

/// A handler that shows one of a case's pages of work.
macro_rules! tab_handler {
    ($name:ident, $tab:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path((ods, case_id)): Path<(String, i64)>,
        ) -> Result<Response, AppError> {
            let organisation = organisation(&state.app, &ods).await?;
            action_page(
                &state,
                chrome,
                &user,
                organisation,
                case_id,
                $tab,
                Returned::default(),
            )
            .await
        }
    };
}

tab_handler!(status_page, Tab::Status);
tab_handler!(stage_page, Tab::Stage);
tab_handler!(assign_page, Tab::Assign);
tab_handler!(record_page, Tab::Record);
tab_handler!(note_page, Tab::Note);
tab_handler!(referral_page, Tab::Referral);
tab_handler!(close_page, Tab::Close);
tab_handler!(detriment_page, Tab::Detriment);

/// After every change: back to the case, which says what happened. A redirect, so
/// reloading the page shows the case again and repeats nothing.
fn back_to_case(org: &Organisation, case_id: i64, done: Done) -> Response {
    Redirect::to(&format!(
        "/orgs/{}/speak-up/{case_id}?done={}",
        org.ods_code,
        done.code()
    ))
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TextForm {
    text: String,
    to_whom: String,
}

/// Adds an encrypted entry written by a caseworker (message, note, referral or outcome).
/// A text the app refuses (empty, or too long) comes back to its form with what was typed.
async fn write_entry(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    (ods, case_id): (String, i64),
    kind: EntryKind,
    form: TextForm,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let written = match kind {
        EntryKind::Referral => {
            cases::refer(
                &state.app,
                user,
                &organisation,
                &case,
                &form.to_whom,
                &form.text,
            )
            .await
        }
        _ => cases::write(&state.app, user, &organisation, &case, kind, &form.text).await,
    };
    let problem = match written {
        Ok(()) => return Ok(back_to_case(&organisation, case.id, done_for(kind))),
        Err(dignity_app::Error::Invalid(problem)) => problem,
        Err(e) => return Err(e.into()),
    };
    let errors = vec![FieldError {
        field: field_for(kind).into(),
        message: problem.to_string(),
    }];
    let returned = Returned {
        errors,
        typed: TypedBack {
            text: form.text,
            to_whom: form.to_whom,
        },
    };
    match tab_for(kind) {
        Tab::Conversation => {
            let errors = returned.errors;
            case_page(state, chrome, user, organisation, case_id, None, errors).await
        }
        tab => action_page(state, chrome, user, organisation, case_id, tab, returned).await,
    }
}

fn field_for(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::ToReporter => "message",
        EntryKind::Note => "note",
        EntryKind::Referral => "referral",
        EntryKind::Closure => "outcome",
        _ => "detriment_note",
    }
}

fn tab_for(kind: EntryKind) -> Tab {
    match kind {
        EntryKind::Note => Tab::Note,
        EntryKind::Referral => Tab::Referral,
        EntryKind::Closure => Tab::Close,
        _ => Tab::Conversation,
    }
}

fn done_for(kind: EntryKind) -> Done {
    match kind {
        EntryKind::Note => Done::Note,
        EntryKind::Referral => Done::Referral,
        EntryKind::Closure => Done::Closed,
        _ => Done::Message,
    }
}

/// A handler that writes one kind of entry from a text box.
macro_rules! entry_handler {
    ($name:ident, $kind:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path(path): Path<(String, i64)>,
            FormData(form): FormData<TextForm>,
        ) -> Result<Response, AppError> {
            write_entry(&state, chrome, &user, path, $kind, form).await
        }
    };
}

entry_handler!(message, EntryKind::ToReporter);
entry_handler!(note, EntryKind::Note);
entry_handler!(referral, EntryKind::Referral);
entry_handler!(close, EntryKind::Closure);

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

/// The page a change is made on, and the banner it ends with.
fn tab_and_done(change: &CaseChange) -> (Tab, Done) {
    match change {
        CaseChange::Status(_) => (Tab::Status, Done::Status),
        CaseChange::Stage(_) => (Tab::Stage, Done::Stage),
        CaseChange::Assign(_) => (Tab::Assign, Done::Assigned),
        CaseChange::Record { .. } => (Tab::Record, Done::Recorded),
        CaseChange::DetrimentChecked { .. } => (Tab::Detriment, Done::Detriment),
    }
}

async fn apply(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    ods: &str,
    case_id: i64,
    tab: Tab,
    change: Result<CaseChange, FieldError>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, ods).await?;
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let change = match change {
        Ok(change) => change,
        Err(error) => {
            let returned = Returned::problem(error);
            return action_page(state, chrome, user, organisation, case_id, tab, returned).await;
        }
    };
    let (tab, done) = tab_and_done(&change);
    let field = match tab {
        Tab::Stage => "stage",
        Tab::Detriment => "found",
        Tab::Record => "group",
        _ => "status",
    };
    match cases::change(&state.app, user, &organisation, &case, &change).await {
        Ok(()) => Ok(back_to_case(&organisation, case_id, done)),
        Err(dignity_app::Error::Invalid(e)) => {
            let returned = Returned::problem(FieldError {
                field: field.into(),
                message: e.to_string(),
            });
            action_page(state, chrome, user, organisation, case_id, tab, returned).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn status(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<StatusForm>,
) -> Result<Response, AppError> {
    let change = form
        .status
        .parse::<CaseStatus>()
        .ok()
        .filter(|s| *s != CaseStatus::Closed)
        .map(CaseChange::Status)
        .ok_or(FieldError {
            field: "status".into(),
            message: "Choose a new status".into(),
        });
    apply(&state, chrome, &user, &ods, id, Tab::Status, change).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    guardian: String,
}

pub async fn assign(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<AssignForm>,
) -> Result<Response, AppError> {
    let org = organisation(&state.app, &ods).await?;
    let names = guardians(&state.app, &org).await?;
    let change = match form.guardian.trim() {
        "" => Ok(CaseChange::Assign(None)),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|id| names.iter().any(|m| m.person_id == *id))
            .map(|id| CaseChange::Assign(Some(id)))
            .ok_or(FieldError {
                field: "guardian".into(),
                message: "Choose a guardian from the list".into(),
            }),
    };
    apply(&state, chrome, &user, &ods, id, Tab::Assign, change).await
}

/// Elements are checkboxes, so the same name can come several times: read the raw form.
pub async fn record(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    RawForm(body): RawForm,
) -> Result<Response, AppError> {
    let mut elements = Vec::new();
    let mut group = None;
    let mut problem = None;
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "elements" => match value.parse::<Element>() {
                Ok(element) => elements.push(element),
                Err(_) => {
                    problem = Some(FieldError {
                        field: "elements".into(),
                        message: "Choose from the list of elements".into(),
                    })
                }
            },
            "group" if value.is_empty() => group = None,
            // The app checks it is one of the installation's groups.
            "group" => group = Some(value.into_owned()),
            _ => {}
        }
    }
    let change = match problem {
        Some(error) => Err(error),
        None => Ok(CaseChange::Record {
            elements,
            professional_group: group,
        }),
    };
    apply(&state, chrome, &user, &ods, id, Tab::Record, change).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetrimentForm {
    found: String,
    text: String,
}

pub async fn detriment(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<DetrimentForm>,
) -> Result<Response, AppError> {
    let problem = |field: &'static str, message: &str| {
        Err(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    let found = match form.found.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let error = problem("found", "Say whether the person has suffered detriment");
            return apply(&state, chrome, &user, &ods, id, Tab::Detriment, error).await;
        }
    };
    let org = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, &user, &org, id).await?;
    match cases::note_detriment_check(&state.app, &user, &org, &case, &form.text).await {
        Ok(()) => {}
        Err(dignity_app::Error::Invalid(too_long)) => {
            let error = problem("detriment_note", &too_long.to_string());
            return apply(&state, chrome, &user, &ods, id, Tab::Detriment, error).await;
        }
        Err(e) => return Err(e.into()),
    }
    let change = Ok(CaseChange::DetrimentChecked { found });
    apply(&state, chrome, &user, &ods, id, Tab::Detriment, change).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StageForm {
    stage: String,
}

pub async fn stage(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<StageForm>,
) -> Result<Response, AppError> {
    let change = form
        .stage
        .parse::<GrievanceStage>()
        .map(CaseChange::Stage)
        .map_err(|_| FieldError {
            field: "stage".into(),
            message: "Choose the next stage".into(),
        });
    apply(&state, chrome, &user, &ods, id, Tab::Stage, change).await
}

pub async fn attachment(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((ods, case_id, entry_id)): Path<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, &user, &organisation, case_id).await?;
    let file = cases::attachment(&state.app, &user, &organisation, &case, entry_id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.name),
            ),
        ],
        file.bytes.to_vec(),
    )
        .into_response())
}
