-- Staff voice participation (issue 20): a national challenge's count of the people who
-- took part, by organisation, worked out once when the challenge has closed and kept, so it
-- is published once and never moves: two releases side by side would tell what the few
-- people between them did, and a membership changed between them would say whether someone
-- took part. While a challenge is open, only totals are shown, and those are not kept.
CREATE TABLE voice_final_figures (
    challenge_id INTEGER PRIMARY KEY REFERENCES voice_challenges(id),
    -- The moment the counts stop at: the end of the closing day.
    counted_before INTEGER NOT NULL,
    -- The counts: {table: {group: people}}, as JSON.
    tables TEXT NOT NULL
);

-- Whether a post was ever shown to everyone. A post the check held and a moderator then
-- hid was only ever its author's: others must not learn it existed (outside attack,
-- 2026-12-06: its "hidden by a moderator" line told every reader where and why).
ALTER TABLE voice_ideas ADD COLUMN was_shown INTEGER NOT NULL DEFAULT 1;
ALTER TABLE voice_comments ADD COLUMN was_shown INTEGER NOT NULL DEFAULT 1;
UPDATE voice_ideas SET was_shown = 0 WHERE moderation = 'held';
UPDATE voice_comments SET was_shown = 0 WHERE moderation = 'held';
