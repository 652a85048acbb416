-- Rows an anonymous reporter causes (cases, their entries and sealed keys) no longer get
-- counter ids: the store gives them random 63-bit ids, so an id cannot place a reply or a
-- new case between other writes (issue 13, item 4). An INTEGER PRIMARY KEY is the rowid,
-- so rows now sit in random order in the file too. Existing ids are kept.
--
-- The tables are rebuilt without AUTOINCREMENT. The new children refer to cases_new, which
-- SQLite renames to cases in their definitions when cases_new is renamed; so no row ever
-- refers to a table being dropped. case_seals becomes WITHOUT ROWID, because a hidden
-- rowid is a counter of its own.
--
-- case_entries gains `position`, the entry's place in its own case's conversation, so a
-- case still reads in order without an id that orders it against anything else.

CREATE TABLE cases_new (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    case_type TEXT NOT NULL,
    identity_level TEXT NOT NULL,
    public_key TEXT NOT NULL,
    receipt_lookup TEXT NOT NULL UNIQUE,
    receipt_salt BLOB NOT NULL,
    receipt_verifier BLOB NOT NULL,
    status TEXT NOT NULL,
    org_unit_id INTEGER REFERENCES org_units(id),
    patient_safety TEXT NOT NULL,
    assigned_to INTEGER REFERENCES people(id),
    received_on TEXT NOT NULL,
    acknowledge_by TEXT NOT NULL,
    acknowledged_on TEXT,
    closed_on TEXT,
    elements TEXT NOT NULL DEFAULT '',
    professional_group TEXT,
    feedback TEXT,
    detriment_check_due TEXT,
    detriment_checked_on TEXT,
    detriment_found INTEGER,
    stage TEXT,
    stage_due TEXT
);
INSERT INTO cases_new (id, organisation_id, case_type, identity_level, public_key, receipt_lookup,
    receipt_salt, receipt_verifier, status, org_unit_id, patient_safety, assigned_to, received_on,
    acknowledge_by, acknowledged_on, closed_on, elements, professional_group, feedback,
    detriment_check_due, detriment_checked_on, detriment_found, stage, stage_due)
SELECT id, organisation_id, case_type, identity_level, public_key, receipt_lookup,
    receipt_salt, receipt_verifier, status, org_unit_id, patient_safety, assigned_to, received_on,
    acknowledge_by, acknowledged_on, closed_on, elements, professional_group, feedback,
    detriment_check_due, detriment_checked_on, detriment_found, stage, stage_due
FROM cases;

CREATE TABLE case_seals_new (
    case_id INTEGER NOT NULL REFERENCES cases_new(id),
    holder TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (case_id, holder)
) WITHOUT ROWID;
INSERT INTO case_seals_new (case_id, holder, sealed) SELECT case_id, holder, sealed FROM case_seals;

CREATE TABLE case_entries_new (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases_new(id),
    kind TEXT NOT NULL,
    author_person_id INTEGER REFERENCES people(id),
    written_on TEXT NOT NULL,
    position INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
INSERT INTO case_entries_new (id, case_id, kind, author_person_id, written_on, position, ciphertext)
SELECT id, case_id, kind, author_person_id, written_on,
    ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY id), ciphertext
FROM case_entries;

DROP TABLE case_entries;
DROP TABLE case_seals;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
ALTER TABLE case_seals_new RENAME TO case_seals;
ALTER TABLE case_entries_new RENAME TO case_entries;
CREATE INDEX cases_by_organisation ON cases(organisation_id, status);
CREATE INDEX case_entries_by_case ON case_entries(case_id, position);

-- Plan comments keep their writer only while waiting (for the "at most five waiting"
-- rule), and only the day they were written or read, never the time. The writer must be
-- able to become NULL, so the table is rebuilt.
CREATE TABLE plan_comments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    person_id INTEGER REFERENCES people(id),
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    moderated_at INTEGER
);
INSERT INTO plan_comments_new (id, plan_id, action_id, person_id, body, state, written_at, moderated_at)
SELECT id, plan_id, action_id, CASE WHEN state = 'waiting' THEN person_id END, body, state,
    written_at - written_at % 86400, moderated_at - moderated_at % 86400
FROM plan_comments;
DROP TABLE plan_comments;
ALTER TABLE plan_comments_new RENAME TO plan_comments;
CREATE INDEX plan_comments_by_plan ON plan_comments (plan_id, state);

-- Booking an event again with an address already booked answers as a new booking does;
-- the address's owner gets their booking's email again at most once a day (the start of
-- the day it was last sent again), so the form cannot be used to flood them.
ALTER TABLE event_bookings ADD COLUMN resent_on INTEGER;
