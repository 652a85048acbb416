-- The knowledge hub's national catalogue. Lists of codes (audiences, topics) are
-- comma-separated; a case study also fills the case_ columns. Retired resources are kept
-- (retired_at set) so links to them can say so.
CREATE TABLE library_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    publisher TEXT NOT NULL,
    link TEXT NOT NULL,
    audiences TEXT NOT NULL,
    topics TEXT NOT NULL,
    published TEXT NOT NULL,
    review_on TEXT NOT NULL,
    case_organisation TEXT NOT NULL,
    case_problem TEXT NOT NULL,
    case_approach TEXT NOT NULL,
    case_results TEXT NOT NULL,
    case_contacts TEXT NOT NULL,
    retired_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX library_resources_by_review ON library_resources (review_on);

-- Every change to the catalogue, in order. Each server's search index applies the
-- changes after the last one it saw, so all servers stay current.
CREATE TABLE library_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER NOT NULL REFERENCES library_resources(id)
);

-- An organisation's own items shown above the national catalogue: its policies and the
-- people to contact (guardians, union representatives).
CREATE TABLE library_pins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX library_pins_by_organisation ON library_pins (organisation_id);
