-- A random version for each sealed workforce record, new whenever the record is written.
-- The fairness figures of a settled year are decided once and kept in the server's
-- memory; they are decided again only when something they are worked out from changes,
-- and these versions say so without reading or opening the sealed records. An id or the
-- day of import would not: a corrected extract imported the same day can take the old
-- row's id (SQLite reuses the highest) and the same number of rows.
ALTER TABLE workforce_snapshots ADD COLUMN version TEXT;
UPDATE workforce_snapshots SET version = md5(random()::text || clock_timestamp()::text);
ALTER TABLE workforce_formal_sealed ADD COLUMN version TEXT;
UPDATE workforce_formal_sealed SET version = md5(random()::text || clock_timestamp()::text);
