-- Sign-offs of the quarterly Speak Up return (issue 16): which guardian signed off an
-- organisation's return for a quarter and on what day, then who marked it as sent to the
-- National Guardian's Office and on what day. Days only, like every other date of Speak Up.
-- `figures_digest` is the SHA-256 of the return's CSV as it was signed off, so the page can
-- say when the figures have changed since (a case recorded late, say). A sign-off withdrawn
-- before it was sent is deleted; the audit log keeps the history.
CREATE TABLE speakup_return_signoffs (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    year BIGINT NOT NULL,
    quarter BIGINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    signed_off_by BIGINT NOT NULL REFERENCES people(id),
    signed_off_on TEXT NOT NULL,
    figures_digest TEXT NOT NULL,
    sent_by BIGINT REFERENCES people(id),
    sent_on TEXT,
    CHECK ((sent_by IS NULL) = (sent_on IS NULL)),
    PRIMARY KEY (organisation_id, year, quarter)
);
