-- Staff voice moderation (issue 20): anyone can report a post with a reason; moderators
-- hide, restore or release (a post the check held) with a reason and the rule broken, each
-- decision kept and shown on the post; an author may appeal once a post; a moderator may
-- stop someone posting. A post is named by its kind ('idea' or 'comment') and id.

CREATE TABLE voice_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_kind TEXT NOT NULL CHECK (post_kind IN ('idea', 'comment')),
    post_id INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    settled_at INTEGER
);
-- One report a person a post.
CREATE UNIQUE INDEX voice_reports_once ON voice_reports (post_kind, post_id, reporter_id);

CREATE TABLE voice_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_kind TEXT NOT NULL CHECK (post_kind IN ('idea', 'comment')),
    post_id INTEGER NOT NULL,
    moderator TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('hide', 'restore', 'release', 'keep')),
    rule INTEGER,
    reason TEXT NOT NULL,
    decided_at INTEGER NOT NULL
);

CREATE TABLE voice_appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_kind TEXT NOT NULL CHECK (post_kind IN ('idea', 'comment')),
    post_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES people(id),
    words TEXT NOT NULL,
    made_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX voice_appeals_once ON voice_appeals (post_kind, post_id);

CREATE TABLE voice_blocks (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    blocked_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    blocked_at INTEGER NOT NULL
);
