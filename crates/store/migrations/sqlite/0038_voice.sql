-- Staff voice (issue 20): challenges set by an organisation (organisation_id) or nationally
-- (NULL), ideas under them by signed-in staff, support (one per person per idea, enforced
-- here), and comments with one level of replies. People are shown by a name they choose
-- (voice_names), never their real name. A post the check holds (personal data, or what
-- reads like a concern) waits for a moderator with moderation 'held'.

CREATE TABLE voice_names (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    display_name TEXT NOT NULL,
    -- The name's key (`screen::name_key`: folded, lower case, letters and digits): two
    -- people cannot choose names that differ only in how they are written.
    folded TEXT NOT NULL UNIQUE
);

CREATE TABLE voice_challenges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER REFERENCES organisations(id),
    question TEXT NOT NULL,
    description TEXT NOT NULL,
    topics TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    -- Support that gives an idea an answer-by date, and the days from then to it.
    support_threshold INTEGER NOT NULL,
    answer_within_days INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE voice_ideas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES voice_challenges(id),
    author_id INTEGER NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    moderation TEXT NOT NULL CHECK (moderation IN ('shown', 'held', 'hidden')),
    moderation_reason TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'considering', 'accepted', 'in_progress', 'done', 'not_taken')),
    answer TEXT,
    answered_on TEXT,
    answer_by TEXT,
    supporters INTEGER NOT NULL DEFAULT 0,
    comments INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX voice_ideas_by_challenge ON voice_ideas (challenge_id, moderation);

CREATE TABLE voice_supports (
    idea_id INTEGER NOT NULL REFERENCES voice_ideas(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    supported_at INTEGER NOT NULL,
    PRIMARY KEY (idea_id, person_id)
);

CREATE TABLE voice_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES voice_ideas(id),
    reply_to INTEGER REFERENCES voice_comments(id),
    author_id INTEGER NOT NULL REFERENCES people(id),
    body TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    moderation TEXT NOT NULL CHECK (moderation IN ('shown', 'held', 'hidden')),
    moderation_reason TEXT
);
CREATE INDEX voice_comments_by_idea ON voice_comments (idea_id);
