-- Staff comments on a published plan's actions. An organisation administrator reads each
-- one before anyone else sees it ('waiting', then 'published' or 'declined'). The writer
-- is kept only so one person cannot flood the queue; no page shows who wrote a comment.
CREATE TABLE plan_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    moderated_at INTEGER
);
CREATE INDEX plan_comments_by_plan ON plan_comments (plan_id, state);
