-- The board member reference (issue 21). When a member leaves a board, the organisation
-- writes its reference once, sealed to that member's record key (so its chairs, company
-- secretaries and the member read it). Another organisation that appoints the same
-- person asks for it from their new record; the leaving organisation releases it by
-- sealing the words to the asking record's key. Only a request can be released, so a
-- reference cannot reach a board that did not ask for it.
CREATE TABLE board_references (
    member_id INTEGER PRIMARY KEY REFERENCES board_members(id),
    written_on TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES people(id),
    words BLOB NOT NULL
);

CREATE TABLE board_reference_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The asking organisation's record of the person.
    for_member_id INTEGER NOT NULL REFERENCES board_members(id),
    -- The record whose reference is asked for, at the leaving organisation.
    of_member_id INTEGER NOT NULL REFERENCES board_members(id),
    requested_on TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES people(id),
    released_on TEXT,
    released_by INTEGER REFERENCES people(id),
    -- The reference, sealed to the asking record's key, once released.
    words BLOB,
    UNIQUE (for_member_id, of_member_id),
    CHECK ((released_on IS NULL) = (words IS NULL))
);
CREATE INDEX board_reference_requests_of ON board_reference_requests (of_member_id);
