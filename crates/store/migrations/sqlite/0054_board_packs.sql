-- Each board pack as it was issued (issue 23): the PDF exactly as sent and the words of
-- every section as JSON (its page and workbook are drawn from them, so all three say the
-- same), each sealed under a key derived from the installation secret, as the workforce
-- records they summarise are; and the PDF's SHA-256, which the audit log also keeps.
-- Never changed once written.
CREATE TABLE board_packs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    quarter TEXT NOT NULL,
    -- 1 when the schedule issued it on the quarter's first working day.
    scheduled INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by TEXT NOT NULL,
    digest TEXT NOT NULL,
    pdf BLOB NOT NULL,
    content BLOB NOT NULL
);
-- The schedule issues one pack per organisation and quarter, however many servers run it.
CREATE UNIQUE INDEX board_packs_scheduled ON board_packs (organisation_id, quarter) WHERE scheduled = 1;
CREATE INDEX board_packs_by_organisation ON board_packs (organisation_id, id);
