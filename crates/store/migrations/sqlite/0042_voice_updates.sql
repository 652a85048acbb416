-- Leaders' updates on a challenge (issue 20): what an organisation's leaders (or the
-- platform, on a national challenge) have heard and are doing, posted under their own
-- name because they speak for the organisation, with comments from staff.
CREATE TABLE voice_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES voice_challenges(id),
    author_id INTEGER NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    -- Shown comments, kept with each change as an idea's are.
    comments INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX voice_updates_by_challenge ON voice_updates (challenge_id, posted_at, id);

-- A comment is on an idea or on an update, exactly one; moderation still names it
-- 'comment' by its id. SQLite cannot loosen NOT NULL in place, so the table is rebuilt.
-- The new table refers to itself by its new name: renaming it rewrites that reference,
-- and no other table refers to the old one when it is dropped.
CREATE TABLE voice_comments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER REFERENCES voice_ideas(id),
    update_id INTEGER REFERENCES voice_updates(id),
    reply_to INTEGER REFERENCES voice_comments_new(id),
    author_id INTEGER NOT NULL REFERENCES people(id),
    body TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    moderation TEXT NOT NULL CHECK (moderation IN ('shown', 'held', 'hidden')),
    moderation_reason TEXT,
    CHECK ((idea_id IS NULL) <> (update_id IS NULL))
);
INSERT INTO voice_comments_new (id, idea_id, reply_to, author_id, body, posted_at, moderation,
    moderation_reason)
    SELECT id, idea_id, reply_to, author_id, body, posted_at, moderation, moderation_reason
    FROM voice_comments ORDER BY id;
DROP TABLE voice_comments;
ALTER TABLE voice_comments_new RENAME TO voice_comments;
CREATE INDEX voice_comments_by_idea ON voice_comments (idea_id);
CREATE INDEX voice_comments_by_update ON voice_comments (update_id);

-- A challenge's followers hear of its leaders' updates too: an event names an idea or an
-- update. Rebuilt for the same reason.
CREATE TABLE voice_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES voice_challenges(id),
    idea_id INTEGER REFERENCES voice_ideas(id),
    update_id INTEGER REFERENCES voice_updates(id),
    kind TEXT NOT NULL CHECK (kind IN ('idea', 'answer', 'action', 'update')),
    detail TEXT NOT NULL,
    at INTEGER NOT NULL,
    CHECK ((idea_id IS NULL) <> (update_id IS NULL))
);
INSERT INTO voice_events_new (id, challenge_id, idea_id, kind, detail, at)
    SELECT id, challenge_id, idea_id, kind, detail, at FROM voice_events ORDER BY id;
DROP TABLE voice_events;
ALTER TABLE voice_events_new RENAME TO voice_events;
CREATE INDEX voice_events_by_challenge ON voice_events (challenge_id, id);
CREATE INDEX voice_events_by_idea ON voice_events (idea_id, id);
