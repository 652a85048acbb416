-- Culture surveys. Responses carry no link to a person or token, no time and no
-- insertion order: their key is random and, on SQLite, the table is ordered by that key
-- (WITHOUT ROWID), so storage order says nothing about when anyone answered.

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE survey_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    participation TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Single-use invitations: only a digest of each token, deleted when used. Addresses are
-- never stored.
CREATE TABLE survey_tokens (
    token_digest TEXT PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id)
) WITHOUT ROWID;

-- Who has answered an open-link campaign, as keyed digests (the key is not in the
-- database), so a copy of the database does not say who took part.
CREATE TABLE survey_participants (
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id),
    person_digest TEXT NOT NULL,
    PRIMARY KEY (campaign_id, person_digest)
) WITHOUT ROWID;

-- One byte per question in survey order (0 = no answer), and the grouping values as
-- little-endian u16s: what the engine loads, with nothing else.
CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id),
    answers BLOB NOT NULL,
    groupings BLOB NOT NULL
) WITHOUT ROWID;
