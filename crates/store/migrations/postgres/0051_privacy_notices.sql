-- Each organisation's own privacy notice, written by its administrators and shown
-- beside Dignity's own on the privacy page.
CREATE TABLE privacy_notices (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
