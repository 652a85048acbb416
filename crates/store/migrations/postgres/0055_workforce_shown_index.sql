-- The snapshots shown to readers, listed from an index alone (issue 17). PostgreSQL keeps
-- large values apart from their rows, so it needs this less than SQLite does, where the
-- lists otherwise walk every page of each snapshot's sealed rows; kept the same on both.
CREATE INDEX workforce_snapshots_shown ON workforce_snapshots
    (organisation_id, as_at DESC, kind, id, imported_on, row_count, version)
    WHERE held_beside IS NULL;
