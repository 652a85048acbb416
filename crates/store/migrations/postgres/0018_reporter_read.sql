-- Whether the person who spoke up has seen the latest reply (issue 16). Dates only, as for
-- everything an anonymous person causes: `last_reply_on` is the day a caseworker last wrote
-- something the person reads (a message or the outcome), and `reporter_read_on` the day the
-- person first opened their conversation after it, cleared by the next reply. Pages show a
-- read only from the day after, so no one watching can tell the time of the visit
-- (docs/threat-model.md).
ALTER TABLE cases ADD COLUMN last_reply_on TEXT;
ALTER TABLE cases ADD COLUMN reporter_read_on TEXT;
UPDATE cases SET last_reply_on = (
    SELECT MAX(e.written_on) FROM case_entries e
    WHERE e.case_id = cases.id AND e.kind IN ('to_reporter', 'closure')
);
