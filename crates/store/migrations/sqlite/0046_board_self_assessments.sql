-- A board member's yearly self-assessment against the six areas of the leadership
-- competency framework, sealed to their record's key as declarations are (the ratings
-- and what they want to develop are theirs and their chair's), and the day of their
-- last appraisal, which the company secretary records and the yearly round shows.
CREATE TABLE board_self_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id INTEGER NOT NULL REFERENCES board_members(id),
    made_on TEXT NOT NULL,
    words BLOB NOT NULL
);
CREATE INDEX board_self_assessments_member ON board_self_assessments (member_id, made_on);

ALTER TABLE board_members ADD COLUMN appraised_on TEXT;
