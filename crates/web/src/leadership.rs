//! Board members' fit and proper person records' pages (`dignity_app::leadership`): the
//! board with what is due, a member's record, and a member's own record with their
//! declaration.

use crate::access::{Access, CurrentUser};
use crate::date_input::{self, Typed as TypedDate};
use crate::error::AppError;
use crate::forms::{Fields, FormData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::justculture::Problem;
use dignity_app::leadership::{
    self, CheckForm, DeclarationForm, JobForm, Listed, Reading, RecordError, RecordInHand, SeatForm,
};
use dignity_domain::leadership::{CheckKind, CheckResult, CheckStanding, SeatKind};
use dignity_domain::speakup::Day;
use serde::Deserialize;

mod references;
mod regions;
mod registers;
mod rounds;

pub fn routes(routes: Routes) -> Routes {
    let routes = references::routes(rounds::routes(regions::routes(registers::routes(routes))));
    routes
        .get(
            "/orgs/{ods}/board",
            Access::InOrganisation(leadership::VIEWERS),
            board,
        )
        .post(
            "/orgs/{ods}/board/members",
            Access::InOrganisation(leadership::KEEPERS),
            add_member,
        )
        // The member reads their own record here too: the application decides per record.
        .get(
            "/orgs/{ods}/board/members/{id}",
            Access::SignedIn,
            record_page,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/seats",
            Access::InOrganisation(leadership::KEEPERS),
            add_seat,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/seats/{seat}/end",
            Access::InOrganisation(leadership::KEEPERS),
            end_seat,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/checks",
            Access::InOrganisation(leadership::KEEPERS),
            record_check,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/qualifications",
            Access::InOrganisation(leadership::KEEPERS),
            qualifications,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/jobs",
            Access::InOrganisation(leadership::KEEPERS),
            add_job,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/gaps",
            Access::InOrganisation(leadership::KEEPERS),
            explain_gap,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/declaration",
            Access::SignedIn,
            declare,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/self-assessment",
            Access::SignedIn,
            self_assess,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/appraisal",
            Access::InOrganisation(leadership::KEEPERS),
            record_appraisal,
        )
        .get("/board-record", Access::SignedIn, own_records)
}

fn base(organisation: &Organisation) -> String {
    format!("/orgs/{}/board", organisation.ods_code)
}

fn record_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound("There is no such board member".into()))
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "added" => "They are on the board. Record their seat and their checks next.",
        "seat" => "The seat is recorded.",
        "seat-ended" => "The seat has ended.",
        "check" => "The check is recorded.",
        "qualifications" => "Their qualifications are saved.",
        "job" => "The job is added to their history.",
        "gap" => "The reason for the gap is saved.",
        "declared" => "Your declaration is saved. Thank you.",
        "self-assessed" => "Your self-assessment is saved.",
        "appraisal" => "The appraisal is recorded.",
        "reference" => {
            "The reference is written. It goes to another board only when one asks and you release it."
        }
        "reference-asked" => {
            "The reference is asked for. The other board sees the request on its board page."
        }
        "reference-released" => "The reference is released to the board that asked for it.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "leadership/board.html")]
struct BoardPage {
    chrome: Chrome,
    organisation: Organisation,
    keeper: bool,
    rounds: Vec<dignity_app::leadership::rounds::Round>,
    /// Whether records can be made: they need the organisation's recovery key.
    ready: bool,
    no_recovery_key: &'static str,
    members: Vec<Listed>,
    /// Other boards' requests for this board's references, waiting to be released.
    waiting: Vec<(
        dignity_app::leadership::references::Request,
        Organisation,
        dignity_app::leadership::references::Member,
    )>,
    today: Day,
    typed: BoardTyped,
    done: Option<&'static str>,
}

/// What was typed into the board page's forms.
#[derive(Default)]
struct BoardTyped {
    email: String,
    due_on: TypedDate,
}

impl BoardPage {
    fn seats_now(&self, member: &Listed) -> String {
        let titles: Vec<&str> = member
            .seats
            .iter()
            .filter(|s| s.seat.held_on(self.today))
            .map(|s| s.seat.title.as_str())
            .collect();
        if titles.is_empty() {
            "No seat today".into()
        } else {
            titles.join(", ")
        }
    }

    fn due(&self, member: &Listed) -> usize {
        member.due(self.today)
    }
}

async fn show_board(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    typed: BoardTyped,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let members = leadership::board(&state.app, user, &organisation).await?;
    let rounds = leadership::rounds::rounds(&state.app, user, &organisation).await?;
    let waiting = leadership::references::waiting(&state.app, user, &organisation).await?;
    let page = BoardPage {
        waiting,
        chrome: chrome.titled(format!("Board members: {}", organisation.name)),
        keeper: leadership::may_keep(user, &organisation),
        ready: leadership::ready(&state.app, &organisation).await?,
        no_recovery_key: leadership::NO_RECOVERY_KEY,
        members,
        today: state.app.clock.today(),
        rounds,
        organisation,
        typed,
        done,
    };
    let status = if page.chrome.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

async fn board(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    show_board(
        &state,
        chrome,
        &user,
        organisation,
        BoardTyped::default(),
        done_text(&query.done),
    )
    .await
}

async fn add_member(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let sent = Fields::new(pairs)?;
    let email = sent.get("email");
    match leadership::add_member(&state.app, &user, &organisation, &email).await {
        Ok(id) => Ok(
            Redirect::to(&format!("{}/members/{id}?done=added", base(&organisation)))
                .into_response(),
        ),
        Err(RecordError::Form(problems)) => {
            let chrome = chrome.with_errors(field_errors(problems));
            let typed = BoardTyped {
                email,
                ..BoardTyped::default()
            };
            show_board(&state, chrome, &user, organisation, typed, None).await
        }
        Err(RecordError::App(e)) => Err(e.into()),
        Err(e @ (RecordError::Locked | RecordError::NotSealed)) => {
            Err(AppError::BadRequest(e.to_string()))
        }
    }
}

/// What was typed into the record page's forms, so a page shown again keeps it.
#[derive(Default)]
struct Typed {
    seat_kind: String,
    seat_title: String,
    seat_voting: bool,
    seat_interim: bool,
    seat_starts: TypedDate,
    seat_ends: TypedDate,
    /// The seat whose end was being recorded, and the day typed.
    ending: Option<i64>,
    seat_ended: TypedDate,
    check_kind: String,
    check_on: TypedDate,
    check_result: String,
    evidence: String,
    /// `None` shows what the record holds.
    qualifications: Option<(String, String)>,
    employer: String,
    role: String,
    job_from: TypedDate,
    job_to: TypedDate,
    /// The gap being explained (its first day) and the reason typed.
    gap: Option<(Day, String)>,
    good_character: String,
    no_serious_misconduct: String,
    details: String,
    /// The self-assessment's ratings as sent, by field, and what they want to develop.
    ratings: Vec<(String, String)>,
    to_develop: String,
    appraised_on: TypedDate,
    reference: dignity_app::leadership::references::ReferenceForm,
}

#[derive(Template)]
#[template(path = "leadership/record.html")]
struct RecordPage {
    chrome: Chrome,
    organisation: Organisation,
    record: RecordInHand,
    keeper: bool,
    summary: Listed,
    reading: Reading,
    /// Each year's conclusion, with the chair's notes where this reader can open them.
    assessments: Vec<(
        i64,
        dignity_app::leadership::rounds::Assessment,
        Option<leadership::rounds::Notes>,
    )>,
    other_boards: Vec<String>,
    references: dignity_app::leadership::references::References,
    names: Vec<(i64, String)>,
    today: Day,
    typed: Typed,
    done: Option<&'static str>,
}

impl RecordPage {
    fn seat_kinds(&self) -> &'static [SeatKind] {
        SeatKind::ALL
    }
    fn check_kinds(&self) -> &'static [CheckKind] {
        CheckKind::ALL
    }
    fn results(&self) -> &'static [CheckResult] {
        CheckResult::ALL
    }
    fn is(&self, typed: &str, code: &str) -> bool {
        typed == code
    }
    fn name_of(&self, id: &i64) -> String {
        self.names
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| "Someone who has left".to_owned(), |(_, n)| n.clone())
    }
    fn standing_text(&self, standing: &CheckStanding) -> String {
        match standing {
            CheckStanding::Missing => "Not done".into(),
            CheckStanding::Current { until: Some(until) } => {
                format!("Done. Due again by {}", until.long())
            }
            CheckStanding::Current { until: None } => "Done. Not repeated".into(),
            CheckStanding::Lapsed { since } => format!("Due again since {}", since.long()),
        }
    }
    fn declaration_text(&self) -> String {
        match self.summary.declared_on {
            None => "Not made yet".into(),
            Some(on) if leadership::declaration_current(Some(on), self.today) => {
                format!("Made on {}", on.long())
            }
            Some(on) => format!("Due again. Last made on {}", on.long()),
        }
    }
    fn qualifications_typed(&self) -> (String, String) {
        match (&self.typed.qualifications, &self.reading) {
            (Some(typed), _) => typed.clone(),
            (None, Reading::Read(opened)) => (
                opened.profile.qualifications.clone(),
                opened.profile.registration.clone(),
            ),
            _ => (String::new(), String::new()),
        }
    }
    fn gap_reason_typed(&self, from: &Day) -> String {
        match &self.typed.gap {
            Some((day, reason)) if day == from => reason.clone(),
            _ => String::new(),
        }
    }
    fn is_ending(&self, seat: &i64) -> bool {
        self.typed.ending == Some(*seat)
    }
    fn ending_typed(&self, seat: &i64) -> TypedDate {
        if self.typed.ending == Some(*seat) {
            self.typed.seat_ended.clone()
        } else {
            TypedDate::default()
        }
    }
    fn competencies(&self) -> &'static [dignity_domain::leadership::Competency] {
        dignity_domain::leadership::Competency::ALL
    }
    fn self_ratings(&self) -> &'static [dignity_domain::leadership::SelfRating] {
        dignity_domain::leadership::SelfRating::ALL
    }
    fn rating_field(&self, area: &dignity_domain::leadership::Competency) -> String {
        leadership::rating_field(*area)
    }
    fn rating_chosen(&self, field: &str, code: &str) -> bool {
        self.typed
            .ratings
            .iter()
            .any(|(k, v)| k == field && v == code)
    }
    fn appraisal_text(&self) -> String {
        match self.record.appraised_on {
            Some(on) => format!("Last appraised on {}", on.long()),
            None => "Not recorded".into(),
        }
    }
    fn declaration_typed(&self, field: &str) -> &str {
        match field {
            "good_character" => &self.typed.good_character,
            _ => &self.typed.no_serious_misconduct,
        }
    }
    fn reference_typed(&self, field: &str) -> &str {
        let form = &self.typed.reference;
        match field {
            "concerns" => &form.concerns,
            "concerns_detail" => &form.concerns_detail,
            "investigations" => &form.investigations,
            "investigations_detail" => &form.investigations_detail,
            "misconduct" => &form.misconduct,
            _ => &form.misconduct_detail,
        }
    }
    /// Whether every seat has ended: the member has left this board.
    fn left(&self) -> bool {
        !self.summary.seats.is_empty()
            && self
                .summary
                .seats
                .iter()
                .all(|s| s.seat.ends_on.is_some_and(|end| end < self.today))
    }
    fn has_open_seat(&self) -> bool {
        self.summary.seats.iter().any(|s| s.seat.ends_on.is_none())
    }
}

async fn show_record(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    record: RecordInHand,
    typed: Typed,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let app = &state.app;
    let reading = leadership::read(app, user, &organisation, &record).await?;
    let summary = leadership::summary(app, &organisation, &record).await?;
    let other_boards = leadership::other_boards(app, &record).await?;
    let assessments = leadership::rounds::opened_assessments(app, user, record.id).await?;
    let references = leadership::references::references(app, user, &organisation, &record).await?;
    let names = dignity_app::justculture::names(app, &organisation).await?;
    let title = if record.own {
        format!("Your board record: {}", organisation.name)
    } else {
        format!("{}: {}", record.name, organisation.name)
    };
    let chrome = if record.own {
        chrome
            .titled(title)
            .under("/board-record", "Your board record")
    } else {
        chrome
            .titled(title)
            .under(base(&organisation), "Board members")
    };
    let page = RecordPage {
        keeper: leadership::may_keep(user, &organisation) && !record.own,
        chrome,
        organisation,
        record,
        summary,
        reading,
        assessments,
        other_boards,
        references,
        names,
        today: app.clock.today(),
        typed,
        done,
    };
    let status = if page.chrome.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

async fn record_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    show_record(
        &state,
        chrome,
        &user,
        organisation,
        record,
        Typed::default(),
        done_text(&query.done),
    )
    .await
}

/// After a record form: to the record with a message, or the record again with the
/// problems and what was typed.
#[expect(
    clippy::too_many_arguments,
    reason = "the outcome, the page's parts and what was typed; one private helper"
)]
async fn answered(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    record: RecordInHand,
    result: Result<(), RecordError>,
    mut errors: Vec<FieldError>,
    typed: Typed,
    done: &str,
    rename: impl Fn(&str) -> String,
) -> Result<Response, AppError> {
    match result {
        Ok(()) if errors.is_empty() => {
            return Ok(Redirect::to(&format!(
                "{}/members/{}?done={done}",
                base(&organisation),
                record.id
            ))
            .into_response());
        }
        Ok(()) => {}
        Err(RecordError::Form(problems)) => {
            for p in problems {
                let field = rename(&p.field);
                if !errors.iter().any(|e| e.field == field.as_str()) {
                    errors.push(FieldError {
                        field: field.into(),
                        message: p.message,
                    });
                }
            }
        }
        Err(RecordError::App(e)) => return Err(e.into()),
        Err(e @ (RecordError::Locked | RecordError::NotSealed)) => {
            return Err(AppError::BadRequest(e.to_string()));
        }
    }
    // The page shows the record as it is now, with what was typed still in the form.
    let record = leadership::record_for(&state.app, user, &organisation, record.id).await?;
    show_record(
        state,
        chrome.with_errors(errors),
        user,
        organisation,
        record,
        typed,
        None,
    )
    .await
}

fn same(field: &str) -> String {
    field.to_owned()
}

async fn add_seat(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let starts = sent.date("starts_on");
    let ends = sent.date("ends_on");
    let form = SeatForm {
        kind: sent.get("seat_kind"),
        title: sent.get("title"),
        voting: sent.ticked("voting"),
        interim: sent.ticked("interim"),
        starts_on: date_input::required(&starts, "starts_on", "the start date", &mut errors),
        ends_on: date_input::optional(&ends, "ends_on", "the end date", &mut errors),
    };
    // With a date the page could not read, nothing is kept, but every other problem is
    // still named.
    let result = if errors.is_empty() {
        leadership::add_seat(&state.app, &user, &organisation, &record, &form)
            .await
            .map(|_| ())
    } else {
        leadership::seat_from(&form, state.app.clock.today())
            .map(|_| ())
            .map_err(RecordError::Form)
    };
    let typed = Typed {
        seat_kind: form.kind,
        seat_title: form.title,
        seat_voting: form.voting,
        seat_interim: form.interim,
        seat_starts: starts,
        seat_ends: ends,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        typed,
        "seat",
        |field| {
            if field == "kind" {
                "seat_kind".to_owned()
            } else {
                field.to_owned()
            }
        },
    )
    .await
}

async fn end_seat(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id, seat)): Path<(String, String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let seat: i64 = seat
        .parse()
        .map_err(|_| AppError::NotFound("There is no such seat".into()))?;
    let sent = Fields::new(pairs)?;
    let field = format!("end{seat}");
    let mut errors = Vec::new();
    let ended = sent.date("ended_on");
    let on = date_input::required(&ended, &field, "the day the seat ended", &mut errors);
    let result = if errors.is_empty() {
        leadership::end_seat(&state.app, &user, &organisation, &record, seat, on).await
    } else {
        Ok(())
    };
    let typed = Typed {
        ending: Some(seat),
        seat_ended: ended,
        ..Typed::default()
    };
    let day_field = format!("{field}-day");
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        typed,
        "seat-ended",
        move |_| day_field.clone(),
    )
    .await
}

async fn record_check(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let on = sent.date("done_on");
    let form = CheckForm {
        kind: sent.get("kind"),
        done_on: date_input::required(&on, "done_on", "the day of the check", &mut errors),
        result: sent.get("result"),
        evidence: sent.get("evidence"),
    };
    // The form's own problems and the date's are shown together.
    let result = leadership::record_check(&state.app, &user, &organisation, &record, &form)
        .await
        .map(|_| ());
    let result = match (result, errors.is_empty()) {
        (Ok(()), false) => Ok(()),
        (other, _) => other,
    };
    let typed = Typed {
        check_kind: form.kind,
        check_on: on,
        check_result: form.result,
        evidence: form.evidence,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        typed,
        "check",
        same,
    )
    .await
}

async fn qualifications(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let (qualifications, registration) = (sent.get("qualifications"), sent.get("registration"));
    let result = leadership::set_qualifications(
        &state.app,
        &user,
        &organisation,
        &record,
        &qualifications,
        &registration,
    )
    .await;
    let typed = Typed {
        qualifications: Some((qualifications, registration)),
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        typed,
        "qualifications",
        same,
    )
    .await
}

async fn add_job(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let mut errors = Vec::new();
    let (from, to) = (sent.date("from"), sent.date("to"));
    let form = JobForm {
        employer: sent.get("employer"),
        role: sent.get("role"),
        from: date_input::required(&from, "from", "the day the job began", &mut errors),
        to: date_input::optional(&to, "to", "the day the job ended", &mut errors),
    };
    let result = if errors.is_empty() {
        leadership::add_job(&state.app, &user, &organisation, &record, &form).await
    } else {
        leadership::job_from(&form, state.app.clock.today())
            .map(|_| ())
            .map_err(RecordError::Form)
    };
    let typed = Typed {
        employer: form.employer,
        role: form.role,
        job_from: from,
        job_to: to,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        typed,
        "job",
        same,
    )
    .await
}

async fn explain_gap(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let day = |name: &str| Day::parse(sent.get(name).trim()).ok();
    let (from, to) = (day("gap_from"), day("gap_to"));
    let reason = sent.get("reason");
    let result =
        leadership::explain_gap(&state.app, &user, &organisation, &record, from, to, &reason).await;
    let Some(from) = from else {
        return Err(AppError::BadRequest(
            "That gap is no longer in the history. Go back to the record and try again".into(),
        ));
    };
    let field = format!("gap-{from}");
    let typed = Typed {
        gap: Some((from, reason)),
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        typed,
        "gap",
        move |_| field.clone(),
    )
    .await
}

async fn declare(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let form = DeclarationForm {
        good_character: sent.get("good_character"),
        no_serious_misconduct: sent.get("no_serious_misconduct"),
        details: sent.get("details"),
    };
    let result = leadership::declare(&state.app, &user, &organisation, &record, &form).await;
    let typed = Typed {
        good_character: form.good_character,
        no_serious_misconduct: form.no_serious_misconduct,
        details: form.details,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        typed,
        "declared",
        same,
    )
    .await
}

#[derive(Template)]
#[template(path = "leadership/own.html")]
struct OwnPage {
    chrome: Chrome,
    records: Vec<(Organisation, RecordInHand)>,
}

async fn own_records(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let records = leadership::own_records(&state.app, &user).await?;
    Ok(render(&OwnPage {
        chrome: chrome.titled("Your board record"),
        records,
    })?
    .into_response())
}

async fn self_assess(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let ratings = sent.starting_with("rating-");
    let to_develop = sent.get("to_develop");
    let result = leadership::self_assess(
        &state.app,
        &user,
        &organisation,
        &record,
        &ratings,
        &to_develop,
    )
    .await;
    let typed = Typed {
        ratings,
        to_develop,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        typed,
        "self-assessed",
        same,
    )
    .await
}

async fn record_appraisal(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let typed_on = sent.date("appraised_on");
    let mut errors = Vec::new();
    let on = date_input::required(
        &typed_on,
        "appraised_on",
        "the day of their appraisal",
        &mut errors,
    );
    let result = if errors.is_empty() {
        leadership::record_appraisal(&state.app, &user, &organisation, &record, on).await
    } else {
        Ok(())
    };
    let typed = Typed {
        appraised_on: typed_on,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        typed,
        "appraisal",
        same,
    )
    .await
}
