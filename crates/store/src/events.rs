//! Events with online booking: places up to the capacity, then a waiting list; cancelling
//! by the link in the booking email gives the place to the first person waiting; a
//! reminder the day before. Every email is written to the outbox in the same transaction
//! as the change it tells of.

use crate::audit::{self, NewEntry};
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::library::EventFormat;

/// An event as its organiser describes it (already checked).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewEvent {
    pub title: String,
    /// Markdown.
    pub description: String,
    #[sqlx(try_from = "String")]
    pub format: EventFormat,
    /// UTC seconds.
    pub starts_at: i64,
    pub ends_at: i64,
    /// Where it is, for everyone to see (a venue; empty for a webinar).
    pub location: String,
    /// How to join (a webinar link, a room and how to find it): sent only to people with
    /// a place.
    pub joining: String,
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    #[sqlx(flatten)]
    pub fields: NewEvent,
    pub organiser: String,
    pub booked: i64,
    pub waiting: i64,
}

impl Event {
    pub fn places_left(&self) -> i64 {
        (self.fields.capacity - self.booked).max(0)
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Booked,
    Waiting,
}

impl Place {
    fn code(self) -> &'static str {
        match self {
            Place::Booked => "booked",
            Place::Waiting => "waiting",
        }
    }
}

/// A stored booking state, as the row mapping reads it.
impl TryFrom<String> for Place {
    type Error = StoreError;
    fn try_from(code: String) -> Result<Place, StoreError> {
        match code.as_str() {
            "booked" => Ok(Place::Booked),
            "waiting" => Ok(Place::Waiting),
            other => Err(StoreError::Corrupt(format!("booking state '{other}'"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Booking {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: String,
    /// In the links in every email: shows and cancels this booking only.
    pub token: String,
    #[sqlx(rename = "state", try_from = "String")]
    pub place: Place,
    pub booked_at: i64,
}

const EVENT_COLUMNS: &str = "e.id, e.title, e.description, e.format, e.starts_at, e.ends_at, e.location, e.joining, e.capacity, e.organiser, \
     (SELECT COUNT(*) FROM event_bookings b WHERE b.event_id = e.id AND b.state = 'booked') AS booked, \
     (SELECT COUNT(*) FROM event_bookings b WHERE b.event_id = e.id AND b.state = 'waiting') AS waiting";

const BOOKING_COLUMNS: &str = "id, event_id, name, email, token, state, booked_at";

pub async fn create_event(
    db: &Db,
    organiser: &str,
    now: i64,
    event: &NewEvent,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (title, description, format, starts_at, ends_at, location, joining, capacity, organiser, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&event.title)
    .bind(&event.description)
    .bind(event.format.code())
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.location)
    .bind(&event.joining)
    .bind(event.capacity)
    .bind(organiser)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: organiser,
            organisation: None,
            action: "event.create",
            detail: &format!("Created event {id}: {}", event.title),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn event_in<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    id: i64,
) -> Result<Event, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(e)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no event {id}")))
}

pub async fn get_event(db: &Db, id: i64) -> Result<Event, StoreError> {
    event_in(db.pool(), id).await
}

/// Events that have not finished, soonest first.
pub async fn upcoming(db: &Db, now: i64) -> Result<Vec<Event>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.ends_at >= $1 ORDER BY e.starts_at, e.id"
    ))
    .bind(now)
    .fetch_all(db.pool())
    .await?)
}

/// Takes the event's turn: until this transaction ends, no other booking or cancellation
/// of the same event can run (PostgreSQL locks the row; SQLite has one writer).
async fn take_turn(conn: &mut sqlx::AnyConnection, event_id: i64) -> Result<(), StoreError> {
    let locked = sqlx::query("UPDATE events SET changes = changes + 1 WHERE id = $1")
        .bind(event_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if locked == 0 {
        return Err(StoreError::NotFound(format!(
            "There is no event {event_id}"
        )));
    }
    Ok(())
}

/// A fresh token for a booking's links: 256 random bits (the one token maker, in `dignity_crypto`).
fn token() -> String {
    dignity_crypto::token::random_token()
}

/// What a booking request led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    New(Booking),
    /// The address already had a place or was waiting. Nothing changes; its owner gets
    /// the booking's email again at most once a day.
    Again {
        booking: Booking,
        /// What a new booking would have got now: all the page may say, so that typing
        /// someone else's address cannot tell whether or how they booked.
        as_new: Place,
    },
}

impl Booked {
    /// What the page shows: the same for a new booking and one made again.
    pub fn shown_place(&self) -> Place {
        match self {
            Booked::New(booking) => booking.place,
            Booked::Again { as_new, .. } => *as_new,
        }
    }
}

/// The start of the UTC day `now` falls in.
fn day_of(now: i64) -> i64 {
    now - now.rem_euclid(86_400)
}

/// Books a place, or a waiting-list place when the event is full, and writes the email
/// (made by `mail_for`; none when it makes none, as where no email can be sent) in the
/// same transaction.
pub async fn book(
    db: &Db,
    event_id: i64,
    name: &str,
    email: &str,
    now: i64,
    mail_for: &(dyn Fn(&Event, &Booking) -> Option<NewMail> + Sync),
) -> Result<Booked, StoreError> {
    let mut tx = db.begin_write().await?;
    take_turn(&mut tx, event_id).await?;
    let event = event_in(&mut *tx, event_id).await?;
    if event.fields.starts_at <= now {
        return Err(StoreError::Conflict(
            "This event has started, so it can no longer be booked".into(),
        ));
    }
    let existing: Option<Booking> = sqlx::query_as(&format!(
        "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE event_id = $1 AND email = $2"
    ))
    .bind(event_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let place = if event.booked < event.fields.capacity {
        Place::Booked
    } else {
        Place::Waiting
    };
    if let Some(booking) = existing {
        let resent_today = sqlx::query(
            "UPDATE event_bookings SET resent_on = $1 WHERE id = $2 AND (resent_on IS NULL OR resent_on < $1)",
        )
        .bind(day_of(now))
        .bind(booking.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if resent_today == 1 {
            mail::enqueue(&mut tx, now, mail_for(&event, &booking).as_slice()).await?;
        }
        tx.commit().await?;
        return Ok(Booked::Again {
            booking,
            as_new: place,
        });
    }
    let token = token();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO event_bookings (event_id, name, email, token, state, booked_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(event_id)
    .bind(name)
    .bind(email)
    .bind(&token)
    .bind(place.code())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let booking = Booking {
        id,
        event_id,
        name: name.to_owned(),
        email: email.to_owned(),
        token,
        place,
        booked_at: now,
    };
    let event = event_in(&mut *tx, event_id).await?;
    mail::enqueue(&mut tx, now, mail_for(&event, &booking).as_slice()).await?;
    tx.commit().await?;
    Ok(Booked::New(booking))
}

/// The booking a link's token belongs to, with its event.
pub async fn booking(db: &Db, token: &str) -> Result<Option<(Booking, Event)>, StoreError> {
    let found: Option<Booking> = sqlx::query_as(&format!(
        "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE token = $1"
    ))
    .bind(token)
    .fetch_optional(db.pool())
    .await?;
    match found {
        Some(booking) => {
            let event = get_event(db, booking.event_id).await?;
            Ok(Some((booking, event)))
        }
        None => Ok(None),
    }
}

/// Cancels a booking (deleting the address). When it held a place, the first person
/// waiting gets it, with the email `promoted` makes (if any). Returns the cancelled booking, or
/// None for an unknown token.
pub async fn cancel(
    db: &Db,
    token: &str,
    now: i64,
    promoted: &(dyn Fn(&Event, &Booking) -> Option<NewMail> + Sync),
) -> Result<Option<Booking>, StoreError> {
    let Some((found, _)) = booking(db, token).await? else {
        return Ok(None);
    };
    let mut tx = db.begin_write().await?;
    take_turn(&mut tx, found.event_id).await?;
    // Read again in our turn: another cancellation may have got there first.
    let cancelled: Option<Booking> = sqlx::query_as(&format!(
        "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE token = $1"
    ))
    .bind(token)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(cancelled) = cancelled else {
        return Ok(None);
    };
    sqlx::query("DELETE FROM event_bookings WHERE id = $1")
        .bind(cancelled.id)
        .execute(&mut *tx)
        .await?;
    let event = event_in(&mut *tx, cancelled.event_id).await?;
    if cancelled.place == Place::Booked
        && event.fields.starts_at > now
        && event.booked < event.fields.capacity
    {
        let next: Option<Booking> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE event_id = $1 AND state = 'waiting' ORDER BY booked_at, id LIMIT 1"
        ))
        .bind(cancelled.event_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(mut next) = next {
            sqlx::query("UPDATE event_bookings SET state = 'booked' WHERE id = $1")
                .bind(next.id)
                .execute(&mut *tx)
                .await?;
            next.place = Place::Booked;
            let event = event_in(&mut *tx, cancelled.event_id).await?;
            mail::enqueue(&mut tx, now, promoted(&event, &next).as_slice()).await?;
        }
    }
    tx.commit().await?;
    Ok(Some(cancelled))
}

/// Writes a reminder for each place on an event that starts within a day, once. Returns
/// how many were written.
pub async fn send_reminders(
    db: &Db,
    now: i64,
    reminder: &(dyn Fn(&Event, &Booking) -> NewMail + Sync),
) -> Result<usize, StoreError> {
    let soon: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT b.event_id FROM event_bookings b JOIN events e ON e.id = b.event_id \
         WHERE b.state = 'booked' AND b.reminded = 0 AND e.starts_at > $1 AND e.starts_at <= $2",
    )
    .bind(now)
    .bind(now + 86_400)
    .fetch_all(db.pool())
    .await?;
    let mut written = 0;
    for event_id in soon {
        let mut tx = db.begin_write().await?;
        let event = event_in(&mut *tx, event_id).await?;
        let due: Vec<Booking> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE event_id = $1 AND state = 'booked' AND reminded = 0 ORDER BY id"
        ))
        .bind(event_id)
        .fetch_all(&mut *tx)
        .await?;
        for b in due {
            // Marked in the same transaction, so a reminder is written once even with
            // several servers.
            let marked = sqlx::query(
                "UPDATE event_bookings SET reminded = 1 WHERE id = $1 AND reminded = 0",
            )
            .bind(b.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if marked == 1 {
                mail::enqueue(&mut tx, now, &[reminder(&event, &b)]).await?;
                written += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(written)
}

/// Everyone with a place or waiting, in the order they booked.
pub async fn attendees(db: &Db, event_id: i64) -> Result<Vec<Booking>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {BOOKING_COLUMNS} FROM event_bookings WHERE event_id = $1 ORDER BY booked_at, id"
    ))
    .bind(event_id)
    .fetch_all(db.pool())
    .await?)
}
