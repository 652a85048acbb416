-- Differencing between days (issue 17): two workforce pages a few days apart, or before and
-- after a corrected extract, would show what changed for the few people who changed. A
-- staff-in-post extract is shown only when, against every extract readers may have seen,
-- either nobody or at least the workforce minimum of people changed. One that is not is
-- kept but held: `held_beside` is the day of the extract it is too close to.
ALTER TABLE workforce_snapshots ADD COLUMN held_beside TEXT;

-- A shown staff-in-post extract that a later import of its day replaced, sealed as it was:
-- readers may remember its page, so later extracts are compared with it too. Never read
-- for figures.
CREATE TABLE workforce_remembered (
    version TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    as_at TEXT NOT NULL,
    sealed BLOB NOT NULL
);
