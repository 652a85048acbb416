-- Rounds of a self-assessment (issue 19): an organisation rates itself against one version
-- of a framework. Assessors are invited by name and rate alone; the round's lead records
-- an agreed rating for each statement; an executive and a union partner sign it off.
-- `version` counts changes to the agreed ratings: a sign-off holds for the version it saw.
CREATE TABLE diagnostic_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    framework_id INTEGER NOT NULL REFERENCES diagnostic_frameworks(id),
    title TEXT NOT NULL,
    lead_id INTEGER NOT NULL REFERENCES people(id),
    opened_by INTEGER NOT NULL REFERENCES people(id),
    opened_on TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX diagnostic_rounds_by_organisation ON diagnostic_rounds (organisation_id, id);

CREATE TABLE diagnostic_assessors (
    round_id INTEGER NOT NULL REFERENCES diagnostic_rounds(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    assessor_role TEXT NOT NULL,
    invited_by INTEGER NOT NULL REFERENCES people(id),
    invited_on TEXT NOT NULL,
    -- The day they sent their ratings; empty until then.
    sent_on TEXT,
    PRIMARY KEY (round_id, person_id)
);

-- One assessor's rating of one statement, saved as they go. `rating` is empty until they
-- choose one; `links` holds one web address to a line.
CREATE TABLE diagnostic_ratings (
    round_id INTEGER NOT NULL REFERENCES diagnostic_rounds(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    statement TEXT NOT NULL,
    rating INTEGER,
    evidence TEXT NOT NULL,
    links TEXT NOT NULL,
    saved_on TEXT NOT NULL,
    PRIMARY KEY (round_id, person_id, statement)
);

CREATE TABLE diagnostic_agreed (
    round_id INTEGER NOT NULL REFERENCES diagnostic_rounds(id),
    statement TEXT NOT NULL,
    rating INTEGER NOT NULL,
    reason TEXT NOT NULL,
    agreed_by INTEGER NOT NULL REFERENCES people(id),
    agreed_on TEXT NOT NULL,
    PRIMARY KEY (round_id, statement)
);

CREATE TABLE diagnostic_signoffs (
    round_id INTEGER NOT NULL REFERENCES diagnostic_rounds(id),
    side TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    signed_on TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (round_id, side)
);
