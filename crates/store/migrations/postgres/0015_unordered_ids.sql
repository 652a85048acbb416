-- Rows an anonymous reporter causes (cases and their entries) no longer get counter ids:
-- the store gives them random 63-bit ids, so an id cannot place a reply or a new case
-- between other writes (issue 13, item 4). Existing ids are kept. Heap order and
-- transaction numbers still follow the order of writes: see docs/threat-model.md.
--
-- case_entries gains `position`, the entry's place in its own case's conversation, so a
-- case still reads in order without an id that orders it against anything else.

ALTER TABLE cases ALTER COLUMN id DROP IDENTITY;
ALTER TABLE case_entries ALTER COLUMN id DROP IDENTITY;

ALTER TABLE case_entries ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE case_entries e SET position = n.position
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY id) AS position FROM case_entries) n
WHERE n.id = e.id;
ALTER TABLE case_entries ALTER COLUMN position DROP DEFAULT;
DROP INDEX case_entries_by_case;
CREATE INDEX case_entries_by_case ON case_entries(case_id, position);

-- Plan comments keep their writer only while waiting (for the "at most five waiting"
-- rule), and only the day they were written or read, never the time.
ALTER TABLE plan_comments ALTER COLUMN person_id DROP NOT NULL;
UPDATE plan_comments SET person_id = CASE WHEN state = 'waiting' THEN person_id END,
    written_at = written_at - written_at % 86400,
    moderated_at = moderated_at - moderated_at % 86400;

-- Booking an event again with an address already booked answers as a new booking does;
-- the address's owner gets their booking's email again at most once a day (the start of
-- the day it was last sent again), so the form cannot be used to flood them.
ALTER TABLE event_bookings ADD COLUMN resent_on BIGINT;
