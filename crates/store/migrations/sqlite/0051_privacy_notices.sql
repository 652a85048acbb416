-- Each organisation's own privacy notice, written by its administrators and shown
-- beside Dignity's own on the privacy page.
CREATE TABLE privacy_notices (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
