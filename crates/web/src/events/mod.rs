//! Events: webinars and in-person events booked online. A booking gets an email with a
//! calendar file; when an event is full, people join a waiting list; a link in every email
//! shows the booking and cancels it; a reminder goes the day before. How to join is sent
//! only to people with a place.

pub(crate) mod time;

use crate::access::{Access, CurrentUser};
use crate::date_input::Typed;
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::{Cell, Download};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::events::{
    self, Booked, Booking, Event, EventDraft, ORGANISERS, Place, may_organise,
};
use dignity_app::mail::{Attachment, NewMail};
use dignity_domain::identity::Email;
use dignity_domain::library::EventFormat;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/events", Access::Public, list)
        .get("/events/new", Access::Anywhere(ORGANISERS), new_form)
        .post("/events/new", Access::Anywhere(ORGANISERS), create)
        .get("/events/booking", Access::Public, booking_page)
        .post("/events/booking/cancel", Access::Public, cancel)
        .get("/events/{id}", Access::Public, show)
        .post("/events/{id}/book", Access::Public, book)
        .get("/events/{id}/booked", Access::Public, booked)
        .get("/events/{id}/calendar.ics", Access::Public, calendar_file)
        .get(
            "/events/{id}/attendees.csv",
            Access::Anywhere(ORGANISERS),
            attendees,
        )
}

/// An event as pages show it.
pub struct EventView {
    pub event: Event,
    pub when: String,
    pub html: String,
}

fn view(event: Event) -> EventView {
    EventView {
        when: time::span(event.fields.starts_at, event.fields.ends_at),
        html: crate::markdown::to_html(&event.fields.description),
        event,
    }
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    chrome: Chrome,
    events: Vec<EventView>,
    organiser: bool,
}

fn is_organiser(user: &Option<Extension<CurrentUser>>) -> bool {
    user.as_ref().is_some_and(|u| may_organise(u))
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, AppError> {
    let events = events::upcoming(&state.app)
        .await?
        .into_iter()
        .map(view)
        .collect();
    Ok(render(&ListPage {
        chrome: chrome.titled("Events"),
        events,
        organiser: is_organiser(&user),
    })?
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BookForm {
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    chrome: Chrome,
    view: EventView,
    form: BookForm,
    started: bool,
    organiser: bool,
}

async fn event_page(
    state: &AppState,
    chrome: Chrome,
    id: i64,
    form: BookForm,
    organiser: bool,
) -> Result<Response, AppError> {
    let event = events::event(&state.app, id).await?;
    Ok(render(&EventPage {
        chrome: chrome.titled(event.fields.title.clone()),
        started: events::started(&state.app, &event),
        view: view(event),
        form,
        organiser,
    })?
    .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    user: Option<Extension<CurrentUser>>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    event_page(&state, chrome, id, BookForm::default(), is_organiser(&user)).await
}

/// The event as a calendar file, for people with a place. Every copy is the same (the
/// UID and DTSTAMP too), so a calendar that already has the event updates it rather than
/// adding it twice, and an email sent again is the same email.
fn calendar(base: &str, event: &Event) -> Attachment {
    use icalendar::{Calendar, Component, EventLike};
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
    // A textarea sends new lines as CR LF. icalendar escapes LF but not CR, and a bare CR
    // inside a content line breaks the file in calendar programs.
    let text = |t: &str| t.replace("\r\n", "\n").replace('\r', "\n");
    let f = &event.fields;
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or("dignity")
        .split('/')
        .next()
        .unwrap_or("dignity");
    let mut description = format!("{}\n\n", f.title);
    if !f.joining.is_empty() {
        description.push_str(&format!("How to join:\n{}\n\n", f.joining));
    }
    description.push_str(&format!("{base}/events/{}", event.id));
    let location = if f.location.is_empty() {
        "Online"
    } else {
        f.location.as_str()
    };
    let item = icalendar::Event::new()
        .uid(&format!("event-{}@{host}", event.id))
        .summary(&text(&f.title))
        .description(&text(&description))
        .location(&text(location))
        .starts(at(f.starts_at))
        .ends(at(f.ends_at))
        .timestamp(at(f.starts_at))
        .url(&format!("{base}/events/{}", event.id))
        .done();
    Attachment {
        name: "event.ics".into(),
        content_type: "text/calendar; charset=utf-8".into(),
        content: Calendar::new().push(item).done().to_string(),
    }
}

/// The address of an event's calendar file, with the key only people with a place get.
fn calendar_link(state: &AppState, event_id: i64) -> String {
    format!(
        "/events/{event_id}/calendar.ics?key={}",
        events::calendar_key(&state.app, event_id)
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyQuery {
    key: String,
}

/// An event's calendar file (.ics), from the link on the page after booking a place and
/// on the booking's own page. Without the right key it is not found: the file says how
/// to join, which only people with a place get.
pub async fn calendar_file(
    State(state): State<AppState>,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<KeyQuery>,
) -> Result<Response, AppError> {
    let missing = || {
        AppError::NotFound(
            "This calendar link does not work. Use the link on your booking's page.".into(),
        )
    };
    if !events::calendar_key_fits(&state.app, id, &query.key) {
        return Err(missing());
    }
    let event = events::event(&state.app, id).await?;
    let file = calendar(&state.settings.public_url, &event);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"event-{id}.ics\""),
            ),
        ],
        file.content,
    )
        .into_response())
}

/// The booking emails, in this server's words, with links to its public address.
pub struct Letters {
    base: String,
    /// Whether email can be sent at all; without a relay no booking email is written.
    mail: bool,
}

impl Letters {
    pub fn new(public_url: &str, mail: bool) -> Letters {
        Letters {
            base: public_url.to_owned(),
            mail,
        }
    }

    fn for_state(state: &AppState) -> Letters {
        Letters::new(&state.settings.public_url, state.settings.mail.is_some())
    }
}

impl events::Letters for Letters {
    fn booked(&self, event: &Event, booking: &Booking) -> Option<NewMail> {
        self.mail
            .then(|| letter(&self.base, Letter::Booked, event, booking))
    }

    fn promoted(&self, event: &Event, booking: &Booking) -> Option<NewMail> {
        self.mail
            .then(|| letter(&self.base, Letter::Promoted, event, booking))
    }

    fn reminder(&self, event: &Event, booking: &Booking) -> NewMail {
        letter(&self.base, Letter::Reminder, event, booking)
    }
}

/// What a booking email says.
#[derive(Clone, Copy)]
enum Letter {
    /// A new booking, or the same again.
    Booked,
    /// A waiting-list place became a place.
    Promoted,
    /// The day before.
    Reminder,
}

fn letter(base: &str, kind: Letter, event: &Event, booking: &Booking) -> NewMail {
    let f = &event.fields;
    let when = time::span(f.starts_at, f.ends_at);
    let manage = format!("{base}/events/booking?token={}", booking.token);
    let joining = if f.joining.is_empty() {
        String::new()
    } else {
        format!("How to join:\n{}\n\n", f.joining)
    };
    let place = if f.location.is_empty() {
        String::new()
    } else {
        format!("Where: {}\n", f.location)
    };
    let (subject, body, calendar_file) = match (kind, booking.place) {
        (Letter::Booked, Place::Waiting) => (
            format!("Waiting list: {}", f.title),
            format!(
                "Hello {},\n\n{} is full, so you are on the waiting list. If a place comes up, it is yours and we will email you.\n\nWhen: {when}\n{place}\n\
                 To see or leave the waiting list:\n{manage}\n",
                booking.name, f.title
            ),
            false,
        ),
        (Letter::Booked, Place::Booked) => (
            format!("Your place: {}", f.title),
            format!(
                "Hello {},\n\nYou have a place at {}.\n\nWhen: {when}\n{place}\n{joining}\
                 The calendar file with this email adds it to your calendar. We will remind you the day before.\n\n\
                 If you cannot come, please cancel so someone else can have your place:\n{manage}\n",
                booking.name, f.title
            ),
            true,
        ),
        (Letter::Promoted, _) => (
            format!("A place for you: {}", f.title),
            format!(
                "Hello {},\n\nA place has come up at {}, and it is yours.\n\nWhen: {when}\n{place}\n{joining}\
                 If you cannot come now, please cancel so the next person can have it:\n{manage}\n",
                booking.name, f.title
            ),
            true,
        ),
        (Letter::Reminder, _) => (
            format!("Tomorrow: {}", f.title),
            format!(
                "Hello {},\n\nThis is a reminder that {} is tomorrow.\n\nWhen: {when}\n{place}\n{joining}\
                 If you cannot come, please cancel:\n{manage}\n",
                booking.name, f.title
            ),
            false,
        ),
    };
    NewMail {
        purpose: format!("event:{}", event.id),
        to: booking.email.clone(),
        subject,
        body,
        attachment: calendar_file.then(|| calendar(base, event)),
    }
}

/// The page after booking. It is the same whether the address was new or had already
/// booked (issue 13, item 10): no link to the booking (that is in the email), and the
/// place a new booking would get, so typing someone else's address tells nothing.
#[derive(Template)]
#[template(path = "events/booked.html")]
struct BookedPage {
    chrome: Chrome,
    view: EventView,
    place: Place,
    mail: bool,
    /// The calendar file's address, shown with a place.
    calendar: String,
}

pub async fn book(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(id): PathData<i64>,
    FormData(form): FormData<BookForm>,
) -> Result<Response, AppError> {
    // Without email a waiting-list place could never be offered, so there is no waiting
    // list: the page says so instead of showing the form.
    if !chrome.email_on && events::event(&state.app, id).await?.places_left() == 0 {
        let errors = vec![FieldError {
            field: "no-email".into(),
            message: "The event is full, and this site cannot email you if a place comes up".into(),
        }];
        return event_page(&state, chrome.with_errors(errors), id, form, false).await;
    }
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError {
            field: "name".into(),
            message: "Enter your name".into(),
        });
    }
    let email = Email::parse(&form.email).ok();
    if email.is_none() {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter an email address, like name@example.com".into(),
        });
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return event_page(&state, chrome.with_errors(errors), id, form, false).await;
    };
    let letters = Letters::for_state(&state);
    let Booked { place, event } = match events::book(&state.app, id, name, &email, &letters).await {
        Ok(b) => b,
        Err(dignity_app::Error::Conflict(m)) => {
            let errors = vec![FieldError {
                field: "name".into(),
                message: m,
            }];
            return event_page(&state, chrome.with_errors(errors), id, form, false).await;
        }
        Err(e) => return Err(e.into()),
    };
    // Post-redirect-get, so a reload shows the page again instead of booking again. The
    // address carries the event's calendar key (what a place gives), never the booking.
    let shown = match place {
        Place::Booked => format!(
            "/events/{}/booked?key={}",
            event.id,
            events::calendar_key(&state.app, event.id)
        ),
        Place::Waiting => format!("/events/{}/booked?waiting=true", event.id),
    };
    Ok(Redirect::to(&shown).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookedQuery {
    /// The event's calendar key: only the page after getting a place has it.
    key: String,
    waiting: bool,
}

/// The page after booking, which [`book`] redirects to.
pub async fn booked(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(id): PathData<i64>,
    QueryData(query): QueryData<BookedQuery>,
) -> Result<Response, AppError> {
    let place = if events::calendar_key_fits(&state.app, id, &query.key) {
        Place::Booked
    } else if query.waiting {
        Place::Waiting
    } else {
        return Err(AppError::NotFound(
            "This link does not work. Your booking email has a link to your booking.".into(),
        ));
    };
    let event = events::event(&state.app, id).await?;
    Ok(render(&BookedPage {
        chrome: chrome.titled(match place {
            Place::Booked => "You have a place",
            Place::Waiting => "You are on the waiting list",
        }),
        calendar: calendar_link(&state, event.id),
        view: view(event),
        place,
        mail: state.settings.mail.is_some(),
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
    /// Set by the redirect after cancelling.
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "events/booking.html")]
struct BookingPage {
    chrome: Chrome,
    found: Option<(Booking, EventView)>,
    cancelled: bool,
    /// The calendar file's address, shown with a place.
    calendar: String,
}

/// A booking's own page, from the link in its emails: how to join (with a place), and a
/// button to cancel.
pub async fn booking_page(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<TokenQuery>,
) -> Result<Response, AppError> {
    if query.cancelled && query.token.is_empty() {
        return Ok(render(&BookingPage {
            chrome: chrome.titled("Your booking is cancelled"),
            found: None,
            cancelled: true,
            calendar: String::new(),
        })?
        .into_response());
    }
    let found = events::booking(&state.app, &query.token)
        .await?
        .map(|(b, e)| (b, view(e)));
    let calendar = found
        .as_ref()
        .map(|(b, _)| calendar_link(&state, b.event_id))
        .unwrap_or_default();
    Ok(render(&BookingPage {
        calendar,
        chrome: chrome.titled(if found.is_some() {
            "Your booking"
        } else {
            "This link does not work"
        }),
        found,
        cancelled: false,
    })?
    .into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response, AppError> {
    let letters = Letters::for_state(&state);
    if events::cancel(&state.app, &form.token, &letters)
        .await?
        .is_some()
    {
        // Post-redirect-get: a reload shows the same page and cancels nothing.
        return Ok(Redirect::to("/events/booking?cancelled=true").into_response());
    }
    Ok(render(&BookingPage {
        chrome: chrome.titled("This link does not work"),
        found: None,
        cancelled: false,
        calendar: String::new(),
    })?
    .into_response())
}

/// Writes the day-before reminders that are due at `now`, with links to `base`. Run by
/// the mail worker.
pub async fn send_reminders(
    app: &dignity_app::Context,
    base: &str,
    now: i64,
) -> Result<usize, dignity_app::Error> {
    events::send_reminders(app, &Letters::new(base, true), now).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    title: String,
    description: String,
    format: String,
    #[serde(rename = "date-day")]
    date_day: String,
    #[serde(rename = "date-month")]
    date_month: String,
    #[serde(rename = "date-year")]
    date_year: String,
    starts: String,
    ends: String,
    location: String,
    joining: String,
    capacity: String,
}

/// The event form's fields, in the order the page shows them.
const FORM_FIELDS: [&str; 9] = [
    "title",
    "description",
    "format",
    "date-day",
    "starts",
    "ends",
    "location",
    "joining",
    "capacity",
];

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    chrome: Chrome,
    form: EventForm,
    formats: &'static [EventFormat],
}

fn form_page(chrome: Chrome, form: EventForm) -> Result<Response, AppError> {
    Ok(render(&FormPage {
        chrome: chrome.titled("Add an event"),
        form,
        formats: EventFormat::ALL,
    })?
    .into_response())
}

pub async fn new_form(chrome: Chrome) -> Result<Response, AppError> {
    form_page(chrome, EventForm::default())
}

pub async fn create(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<EventForm>,
) -> Result<Response, AppError> {
    // The page reads the date and the times; every rule is the app's (`events::check`).
    let mut errors = Vec::new();
    let mut problem = |field: &'static str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    };
    let date = Typed::new(&form.date_day, &form.date_month, &form.date_year)
        .required("the date of the event")
        .map_err(|message| problem("date-day", &message))
        .ok();
    let starts = time::clock_time(&form.starts);
    if starts.is_none() {
        problem("starts", "Enter the start time, like 10:30");
    }
    let ends = time::clock_time(&form.ends);
    if ends.is_none() {
        problem("ends", "Enter the end time, like 12:00");
    }
    let (starts_at, ends_at) = match (date, starts, ends) {
        (Some(date), Some(s), Some(e)) => (time::at(date, s), time::at(date, e)),
        _ => (None, None),
    };
    let draft = EventDraft {
        title: &form.title,
        description: &form.description,
        format: form.format.parse().ok(),
        starts_at,
        ends_at,
        location: &form.location,
        joining: &form.joining,
        capacity: form.capacity.trim().parse().ok(),
    };
    let problems = match events::check(&state.app, &draft) {
        Ok(event) if errors.is_empty() => {
            let id = events::create(&state.app, &user, &event).await?;
            return Ok(Redirect::to(&format!("/events/{id}")).into_response());
        }
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    errors.extend(problems.into_iter().map(|p| FieldError {
        field: p.field().into(),
        message: p.to_string(),
    }));
    // The summary lists problems in the order of the form's fields. The date's and the
    // times' own problems never come with the rules about them (the rules need them
    // read), so the order within each field stays as found.
    errors.sort_by_key(|e| FORM_FIELDS.iter().position(|f| *f == e.field));
    form_page(chrome.with_errors(errors), form)
}

/// Who has a place and who is waiting, for the event's organiser (or a platform
/// administrator).
pub async fn attendees(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let rows = events::attendees(&state.app, &user, id)
        .await?
        .into_iter()
        .map(|b| {
            vec![
                b.name,
                b.email,
                match b.place {
                    Place::Booked => "place".into(),
                    Place::Waiting => "waiting list".into(),
                },
                time::fields(b.booked_at).0,
            ]
            .into_iter()
            .map(Cell::Words)
            .collect()
        })
        .collect();
    let table = crate::table::Table {
        name: format!("event-{id}-attendees"),
        header: ["name", "email", "booking", "booked on"]
            .map(String::from)
            .to_vec(),
        rows,
    };
    Ok(table.csv_response())
}
