-- The snapshots shown to readers, listed without opening a row (issue 17). SQLite keeps a
-- row's columns in the order they were added, and `version` and `held_beside` came after
-- the sealed rows: listing snapshots walked every page of every snapshot's sealed rows to
-- reach them (reading every organisation's counts went from 147 to 692 ms). This index
-- holds every column the lists read, so they are read from it alone.
CREATE INDEX workforce_snapshots_shown ON workforce_snapshots
    (organisation_id, as_at DESC, kind, id, imported_on, row_count, version)
    WHERE held_beside IS NULL;
