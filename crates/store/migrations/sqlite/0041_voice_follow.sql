-- Staff voice (issue 20): an idea may name one of its challenge's topics, so a challenge's
-- ideas can be shown by topic.
ALTER TABLE voice_ideas ADD COLUMN topic TEXT;

-- An idea's place in the trending order, kept with its counts so a page of a challenge is
-- read in order from an index, however many ideas it has. Trending ranks by support and
-- comments halved every week of age (`trending_score`); its logarithm, less a constant for
-- the time now, is log2(support + comments + 1) x a week in seconds + posted_at, which does
-- not change as time passes, so it can be stored.
ALTER TABLE voice_ideas ADD COLUMN trend_key REAL NOT NULL DEFAULT 0;
UPDATE voice_ideas SET trend_key = posted_at;
-- One index for each order a list is read in, holding every column it sorts by, so a page
-- is read in order without sorting a challenge's ideas.
CREATE INDEX voice_ideas_trending ON voice_ideas (challenge_id, trend_key, id);
CREATE INDEX voice_ideas_newest ON voice_ideas (challenge_id, posted_at, id);
CREATE INDEX voice_ideas_supported ON voice_ideas (challenge_id, supporters, posted_at, id);
CREATE INDEX voice_ideas_discussed ON voice_ideas (challenge_id, comments, posted_at, id);

-- Following a challenge (its new ideas and every answer under it) or one idea (its
-- answers and its plan action's progress). Exactly one of the two is set.
CREATE TABLE voice_follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES people(id),
    challenge_id INTEGER REFERENCES voice_challenges(id),
    idea_id INTEGER REFERENCES voice_ideas(id),
    -- The newest event when they started: they hear only of what comes after.
    since_event INTEGER NOT NULL DEFAULT 0,
    CHECK ((challenge_id IS NULL) <> (idea_id IS NULL))
);
CREATE INDEX voice_follows_by_person ON voice_follows (person_id);
CREATE UNIQUE INDEX voice_follows_challenge ON voice_follows (person_id, challenge_id) WHERE challenge_id IS NOT NULL;
CREATE UNIQUE INDEX voice_follows_idea ON voice_follows (person_id, idea_id) WHERE idea_id IS NOT NULL;

-- What followers hear of, in order: an idea first shown, an official answer, a linked
-- plan action's new status. `detail` is what the digest says of it then.
CREATE TABLE voice_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES voice_challenges(id),
    idea_id INTEGER NOT NULL REFERENCES voice_ideas(id),
    kind TEXT NOT NULL CHECK (kind IN ('idea', 'answer', 'action')),
    detail TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX voice_events_by_challenge ON voice_events (challenge_id, id);
CREATE INDEX voice_events_by_idea ON voice_events (idea_id, id);
-- The newest event of each challenge, and of each idea (its answers and plan action), so
-- finding who has news reads each follow once rather than every event since.
ALTER TABLE voice_challenges ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_ideas ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;

-- Each follower's place in the events: told of everything up to `told_through`, last
-- emailed at `emailed_at`, so a digest goes at most once a day.
CREATE TABLE voice_digests (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    told_through INTEGER NOT NULL,
    emailed_at INTEGER NOT NULL
);

-- A person's key to their challenge feeds, for a feed reader that cannot sign in. Only its
-- SHA-256 is kept, so a copy of the database cannot read anyone's feeds.
CREATE TABLE voice_feed_keys (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    digest TEXT NOT NULL UNIQUE,
    made_at INTEGER NOT NULL
);
