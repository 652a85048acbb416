-- People who asked for email when an organisation's published plan moves on. An address
-- is kept only while it follows; stopping deletes it. The token is in every email, so the
-- link in it can confirm or stop following without signing in; it opens nothing else.
CREATE TABLE plan_followers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    email TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    confirmed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (organisation_id, email)
);

-- Changes of status or progress on a published plan, waiting to be gathered into one
-- email per follower (so a burst of edits sends one email, not many).
CREATE TABLE plan_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    old_status TEXT NOT NULL,
    old_progress INTEGER NOT NULL,
    new_status TEXT NOT NULL,
    new_progress INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX plan_notices_by_time ON plan_notices (at);
