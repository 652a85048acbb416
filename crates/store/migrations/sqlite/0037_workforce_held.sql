-- Differencing between days (issue 17): two workforce pages a few days apart, or before and
-- after a corrected extract, would show what changed for the few people who changed. An
-- extract is shown only when, against every extract of its kind readers may have seen,
-- each table its figures come from moved by nobody or by at least the workforce minimum.
-- One that is not is kept but held: `held_beside` is the day of the extract it is too
-- close to. `sealed_tables` holds those tables' counts, sealed, so the check opens a small
-- record rather than every person's row.
ALTER TABLE workforce_snapshots ADD COLUMN held_beside TEXT;
ALTER TABLE workforce_snapshots ADD COLUMN sealed_tables BLOB;

-- A shown extract that a later import of its day replaced, sealed as it was (its tables'
-- counts and its rows): readers may remember its page, so later extracts are compared
-- with it too, person by person where it has people. Never read for figures.
CREATE TABLE workforce_remembered (
    version TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    as_at TEXT NOT NULL,
    sealed_tables BLOB,
    sealed_rows BLOB
);

-- Counts of staff entering formal processes are held the same way.
ALTER TABLE workforce_formal_sealed ADD COLUMN held_beside TEXT;
