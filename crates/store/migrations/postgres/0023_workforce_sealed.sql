-- Workforce snapshots kept sealed (issue 17). A snapshot's rows hold a row per person: no
-- name or employee number, but band, unit, ethnicity, disability, sex and age, which is
-- enough for someone who knows a ward to pick out a colleague in a copy of the files. So a
-- snapshot is now one sealed record (XChaCha20-Poly1305 under a key derived from the
-- installation secret, which is never in the database), with a second sealed record of the
-- counts the equality standards read, made at import, so the measures read a few hundred
-- bytes a snapshot instead of a row per person.
--
-- Snapshots imported before this version still have their rows in the tables below, and
-- `sealed` empty: the first start with the installation secret seals them and deletes
-- their rows (`dignity_app::workforce::seal_earlier_imports`). New imports write nothing to
-- those tables.
--
-- The counts come first in each row: SQLite stores a row's columns in order, so reading a
-- column after a large one walks that one's overflow pages (reading a trust's counts after
-- its rows record read megabytes to get a few kilobytes).
ALTER TABLE workforce_snapshots ADD COLUMN sealed_counts BYTEA;
ALTER TABLE workforce_snapshots ADD COLUMN sealed BYTEA;

-- Counts of staff entering formal processes, sealed the same way, one record for an
-- organisation and day: a count of one is one person's organisation, year, process,
-- ethnicity and disability. Counts imported before this version stay in workforce_formal
-- until the first start with the secret seals them and deletes them there.
CREATE TABLE workforce_formal_sealed (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    as_at TEXT NOT NULL,
    imported_on TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (organisation_id, as_at)
);
