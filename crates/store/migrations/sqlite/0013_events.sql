-- Webinars and in-person events with online booking. Times are UTC seconds (pages show UK
-- time). The joining details are sent only to people with a place. `changes` is bumped
-- at the start of every booking or cancellation, so two at once for the same event take
-- turns (a row lock on PostgreSQL; SQLite writes one at a time anyway).
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    format TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    location TEXT NOT NULL,
    joining TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    organiser TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_by_start ON events (starts_at);

-- A place or a waiting-list place. Cancelling deletes the row, so no address is kept.
CREATE TABLE event_bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    booked_at INTEGER NOT NULL,
    reminded INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, email)
);

-- Mail can carry one attachment (an event's calendar file).
ALTER TABLE mail_outbox ADD COLUMN attachment_name TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN attachment_type TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
