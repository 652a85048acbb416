//! Events: webinars and in-person events booked online. A booking gets an email; when an
//! event is full, people join a waiting list, and a place given up goes to the first
//! person waiting; a link in every email shows the booking and cancels it; a reminder
//! goes the day before. Every email is written to the outbox in the same transaction as
//! the change it tells of; the pages word them ([`Letters`]).

mod check;

pub use check::{CheckedEvent, EventDraft, EventProblem, check};
pub use dignity_store::events::{Booking, Event, NewEvent, Place};

use crate::identity::CurrentSession;
use crate::mail::NewMail;
use crate::{Context, Error};
use dignity_domain::identity::{Email, Role};
use dignity_store::StoreError;
use dignity_store::events as store;

/// Who may add events: any organisation's administrators and the platform's.
pub const ORGANISERS: &[Role] = &[Role::OrgAdmin, Role::PlatformAdmin];

/// Whether this person may add events.
pub fn may_organise(session: &CurrentSession) -> bool {
    session
        .memberships
        .iter()
        .any(|m| ORGANISERS.contains(&m.role))
}

/// The words of the emails about a booking. Where no email can be sent (no relay is set
/// up), a booking or a promotion writes none: `None`, rather than mail that never goes.
pub trait Letters: Sync {
    /// A new booking, or the same again: a place, or a place on the waiting list.
    fn booked(&self, event: &Event, booking: &Booking) -> Option<NewMail>;
    /// A waiting-list place became a place.
    fn promoted(&self, event: &Event, booking: &Booking) -> Option<NewMail>;
    /// The day before.
    fn reminder(&self, event: &Event, booking: &Booking) -> NewMail;
}

/// Events that have not started, soonest first.
pub async fn upcoming(ctx: &Context) -> Result<Vec<Event>, Error> {
    Ok(store::upcoming(&ctx.db, ctx.clock.now()).await?)
}

pub async fn event(ctx: &Context, id: i64) -> Result<Event, Error> {
    Ok(store::get_event(&ctx.db, id).await?)
}

/// Whether the event has started, and so can no longer be booked.
pub fn started(ctx: &Context, event: &Event) -> bool {
    event.fields.starts_at <= ctx.clock.now()
}

/// What the page after booking may say.
pub struct Booked {
    /// The place a new booking gets now. It is the same whether the address was new or
    /// had already booked (issue 13, item 10), so typing someone else's address tells
    /// nothing.
    pub place: Place,
    /// The event as it now is.
    pub event: Event,
}

/// Books a place, or a place on the waiting list when the event is full, with its email.
/// An address that has already booked changes nothing (its owner gets the email again,
/// at most once a day). An event that has started is a `Conflict`.
pub async fn book(
    ctx: &Context,
    event_id: i64,
    name: &str,
    email: &Email,
    letters: &impl Letters,
) -> Result<Booked, Error> {
    let mail_for = |event: &Event, booking: &Booking| letters.booked(event, booking);
    let booked = store::book(
        &ctx.db,
        event_id,
        name,
        email.as_str(),
        ctx.clock.now(),
        &mail_for,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(m) => Error::Conflict(m),
        e => e.into(),
    })?;
    let event = store::get_event(&ctx.db, event_id).await?;
    Ok(Booked {
        place: booked.shown_place(),
        event,
    })
}

/// The key in the address of an event's calendar file. The file says how to join, so the
/// key is shown only to people with a place (on the page after booking and on their
/// booking's own page). It is the same for everyone with a place, so the page after
/// booking still says nothing about whether the address had booked before.
pub fn calendar_key(ctx: &Context, event_id: i64) -> String {
    let mut key = ctx
        .secret
        .keyed_digest("event-calendar", event_id.to_string().as_bytes());
    key.truncate(32);
    key
}

/// Whether `key` opens this event's calendar file.
pub fn calendar_key_fits(ctx: &Context, event_id: i64, key: &str) -> bool {
    dignity_crypto::token::same_secret(&calendar_key(ctx, event_id), key)
}

/// The booking a link in its emails is for, and its event; `None` for a token that is no
/// one's.
pub async fn booking(ctx: &Context, token: &str) -> Result<Option<(Booking, Event)>, Error> {
    Ok(store::booking(&ctx.db, token).await?)
}

/// Cancels a booking and deletes its address. A place given up before the event goes to
/// the first person waiting, with an email. Returns the cancelled booking, or `None` for
/// a token that is no one's.
pub async fn cancel(
    ctx: &Context,
    token: &str,
    letters: &impl Letters,
) -> Result<Option<Booking>, Error> {
    let promoted = |event: &Event, booking: &Booking| letters.promoted(event, booking);
    Ok(store::cancel(&ctx.db, token, ctx.clock.now(), &promoted).await?)
}

/// Writes the day-before reminders due at `now` (the worker's clock), each once, even
/// with several servers. Returns how many were written.
pub async fn send_reminders(
    ctx: &Context,
    letters: &impl Letters,
    now: i64,
) -> Result<usize, Error> {
    let reminder = |event: &Event, booking: &Booking| letters.reminder(event, booking);
    Ok(store::send_reminders(&ctx.db, now, &reminder).await?)
}

/// Adds an event, organised by this person; returns its id. Refused unless they may
/// organise events.
pub async fn create(
    ctx: &Context,
    session: &CurrentSession,
    event: &CheckedEvent,
) -> Result<i64, Error> {
    if !may_organise(session) {
        return Err(Error::Forbidden);
    }
    Ok(store::create_event(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        event.event(),
    )
    .await?)
}

/// Who has a place and who is waiting, in the order they booked: for the event's
/// organiser or a platform administrator only.
pub async fn attendees(
    ctx: &Context,
    session: &CurrentSession,
    event_id: i64,
) -> Result<Vec<Booking>, Error> {
    let event = store::get_event(&ctx.db, event_id).await?;
    let allowed = event.organiser == session.person.email
        || session.has_platform_role(&[Role::PlatformAdmin]);
    if !allowed {
        return Err(Error::Forbidden);
    }
    Ok(store::attendees(&ctx.db, event_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::data::Backend;
    use crate::test_fixtures::{holding, organisation};
    use dignity_domain::library::EventFormat;
    use dignity_store::scratch::ScratchDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_an_organiser_adds_an_event() {
        let test_db = ScratchDb::new(Backend::Sqlite).await.unwrap();
        let now = 1_800_000_000;
        let ctx = Context::new(
            test_db.db.clone(),
            crate::Settings {
                clock: Clock::fixed(now),
                ..crate::Settings::default()
            },
        )
        .unwrap();
        let checked = check(
            &ctx,
            &EventDraft {
                title: "Listening well",
                description: "For managers.",
                format: Some(EventFormat::Webinar),
                starts_at: Some(now + 86_400),
                ends_at: Some(now + 90_000),
                location: "",
                joining: "",
                capacity: Some(30),
            },
        )
        .unwrap();
        let rj1 = organisation(1, "RJ1");
        for role in [Role::Staff, Role::Executive, Role::Guardian] {
            let refused = create(&ctx, &holding(&[(role, &rj1)]), &checked).await;
            assert!(matches!(refused, Err(Error::Forbidden)), "{role:?}");
        }
        assert!(upcoming(&ctx).await.unwrap().is_empty(), "nothing added");
        let id = create(&ctx, &holding(&[(Role::OrgAdmin, &rj1)]), &checked)
            .await
            .unwrap();
        let added = event(&ctx, id).await.unwrap();
        assert_eq!(
            (added.fields.title.as_str(), added.organiser.as_str()),
            ("Listening well", "p@example.nhs.uk")
        );
        test_db.finish().await;
    }
}
