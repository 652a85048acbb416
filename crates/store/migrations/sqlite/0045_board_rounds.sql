-- The yearly fit and proper round (issue 21, docs/leadership.md). The company secretary
-- opens a round; each member holding a seat that day is in it; the chair concludes for
-- each and then signs the organisation's annual return. Signing freezes what the public
-- register shows for the organisation (`published`), so the register says only what a
-- signed return said.
CREATE TABLE board_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    year INTEGER NOT NULL,
    opened_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    opened_by INTEGER NOT NULL REFERENCES people(id),
    signed_on TEXT,
    signed_by INTEGER REFERENCES people(id),
    -- The public register's lines for this organisation, as JSON, written when signed.
    published TEXT,
    -- The annual return's rows as they stood when signed, as JSON: the return never
    -- changes after it is signed, whatever happens to the records.
    return_rows TEXT,
    -- Bumped by every conclusion, so a signature made while a conclusion changed is
    -- refused rather than publishing what the return does not say.
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (organisation_id, year)
);

CREATE TABLE board_assessments (
    round_id INTEGER NOT NULL REFERENCES board_rounds(id),
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    conclusion TEXT CHECK (conclusion IN ('fit', 'not_fit')),
    -- A finding of serious misconduct or mismanagement, recorded with the conclusion.
    serious_misconduct INTEGER NOT NULL DEFAULT 0 CHECK (serious_misconduct IN (0, 1)),
    -- Whether the chair concluded with a check or the declaration missing or out of date.
    without_everything INTEGER NOT NULL DEFAULT 0 CHECK (without_everything IN (0, 1)),
    concluded_on TEXT,
    concluded_by INTEGER REFERENCES people(id),
    -- The chair's words (why without every check, the action taken, any dispute), sealed
    -- to the member's record key.
    notes BLOB,
    PRIMARY KEY (round_id, member_id)
);
