-- Board members' fit and proper person records (issue 21, docs/leadership.md).
--
-- What a check found, its evidence, a member's qualifications and employment history, and
-- their declarations are age ciphertext under the record's own key, sealed in
-- board_member_seals to the organisation's chairs and company secretaries, to the member
-- and to the organisation's recovery key. Seats and the days checks were made stay plain:
-- they are what the registers and the yearly round are built from.
CREATE TABLE board_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    public_key TEXT NOT NULL,
    -- Qualifications, professional registration, jobs and the reasons for gaps, as one
    -- sealed JSON document, rewritten whole on each change.
    profile BLOB NOT NULL,
    -- Bumped on each change, so two people editing at once cannot overwrite each other.
    version INTEGER NOT NULL DEFAULT 1,
    added_on TEXT NOT NULL,
    UNIQUE (organisation_id, person_id)
);

CREATE TABLE board_member_seals (
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    holder TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (member_id, holder)
);

CREATE TABLE board_seats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    kind TEXT NOT NULL CHECK (kind IN ('executive', 'non_executive')),
    title TEXT NOT NULL,
    voting INTEGER NOT NULL CHECK (voting IN (0, 1)),
    interim INTEGER NOT NULL CHECK (interim IN (0, 1)),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX board_seats_member ON board_seats (member_id);

CREATE TABLE board_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    kind TEXT NOT NULL CHECK (kind IN ('criminal_records', 'insolvency', 'disqualified_directors', 'employment_tribunal', 'professional_register', 'social_media', 'references')),
    done_on TEXT NOT NULL,
    -- What it found and its evidence, sealed together: the result is a finding too.
    finding BLOB NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id)
);
CREATE INDEX board_checks_member ON board_checks (member_id, kind, done_on);

CREATE TABLE board_declarations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    made_on TEXT NOT NULL,
    words BLOB NOT NULL
);
CREATE INDEX board_declarations_member ON board_declarations (member_id, made_on);
