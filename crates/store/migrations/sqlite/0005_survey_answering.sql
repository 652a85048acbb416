-- Answering a survey: a count that tells every server when its in-memory results are out
-- of date, answers kept between pages, and free-text comments kept apart from responses.

-- Bumped in the same transaction as each stored response. Servers compare it with what
-- they loaded, so results stay current on every node without counting the responses.
ALTER TABLE survey_campaigns ADD COLUMN responses INTEGER NOT NULL DEFAULT 0;

-- An unfinished response, keyed by the digest of its invitation code (or the keyed digest
-- of a signed-in person). Deleted in the transaction that stores the response. No time.
CREATE TABLE survey_drafts (
    holder_digest TEXT PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id),
    answers BLOB NOT NULL,
    groupings BLOB NOT NULL,
    comments TEXT NOT NULL
) WITHOUT ROWID;

-- Free-text answers, each under its own random key with no link to the response it came
-- with, so words cannot be joined to a person's staff group, team or other answers.
CREATE TABLE survey_comments (
    id TEXT PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES survey_campaigns(id),
    question_key TEXT NOT NULL,
    body TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX survey_responses_campaign ON survey_responses (campaign_id);

-- An organisation's own mapping of the NHS Constitution staff pledges to survey questions
-- (TOML, checked against the survey before it is saved). No row: Dignity's default.
CREATE TABLE survey_pledge_maps (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    mapping TEXT NOT NULL
);
