-- Survey answers that a copy of the database cannot link to a person (issue 13).
--
-- A sent response first waits here, sealed under a key derived from the installation
-- secret (never in the database), with a random key. Once a campaign has enough waiting
-- (or has closed) they are opened, shuffled and written as plain responses together, so
-- no write holds one person's answers beside their used code or participation digest.
CREATE TABLE survey_pending (
    id TEXT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES survey_campaigns(id),
    sealed BYTEA NOT NULL
);

CREATE INDEX survey_pending_campaign ON survey_pending (campaign_id);

-- Drafts are now sealed too: under a key from the invitation code (which only the
-- respondent holds) or from the installation secret and the person's digest. Drafts kept
-- in plain text until now are dropped rather than left readable.
DROP TABLE survey_drafts;
CREATE TABLE survey_drafts (
    holder_digest TEXT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES survey_campaigns(id),
    sealed BYTEA NOT NULL
);
