-- Staff entering formal processes (WRES indicator 3: the disciplinary process, by
-- ethnicity; WDES metric 3: the capability process on grounds of performance, by
-- disability), imported from a file until employee-relations cases are kept in Dignity.
--
-- Unused, and it slows every import: no query reads through it (a snapshot's rows are read
-- by `snapshot_id`, the start of the primary key, and the same person in another snapshot
-- can be found through that key too), while its keys are random digests across every
-- organisation, so each import rewrote pages all over it. Through `dignity import
-- workforce`, a national import ran at about 24,000 rows a second with it and 93,000
-- without (docs/benchmarks.md).
DROP INDEX workforce_staff_by_person;

-- Counts only, by process, ethnicity and disability, for one organisation and the last day
-- of the period they cover. No row per person: a list of who entered a disciplinary process
-- is exactly what must not sit in a copy of the database. Importing the same day again
-- replaces that day's counts. A table of its own rather than another snapshot kind: the
-- kind's CHECK on workforce_snapshots cannot be changed on SQLite without rebuilding the
-- table and every table that refers to it.
CREATE TABLE workforce_formal (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    as_at TEXT NOT NULL,
    imported_on TEXT NOT NULL,
    process TEXT NOT NULL CHECK (process IN ('disciplinary', 'capability')),
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    entered INTEGER NOT NULL CHECK (entered > 0),
    PRIMARY KEY (organisation_id, as_at, process, ethnicity, disability)
);
