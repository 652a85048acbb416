-- Staff voice participation (issue 20): each week's count of the people who took part
-- under a challenge, by organisation, as of the Monday it was worked out for. A week's
-- counts are shown only if they moved from the last shown week's by nothing or by at
-- least the minimum group in every table (`published`), so setting two weeks side by
-- side never tells what one or two people did.
CREATE TABLE voice_figures (
    challenge_id BIGINT NOT NULL REFERENCES voice_challenges(id),
    as_of BIGINT NOT NULL,
    -- The counts: {table: {group: people}}, as JSON.
    tables TEXT NOT NULL,
    published INTEGER NOT NULL CHECK (published IN (0, 1)),
    PRIMARY KEY (challenge_id, as_of)
);

-- Whether a post was ever shown to everyone. A post the check held and a moderator then
-- hid was only ever its author's: others must not learn it existed (outside attack,
-- 2026-12-06: its "hidden by a moderator" line told every reader where and why).
ALTER TABLE voice_ideas ADD COLUMN was_shown INTEGER NOT NULL DEFAULT 1;
ALTER TABLE voice_comments ADD COLUMN was_shown INTEGER NOT NULL DEFAULT 1;
UPDATE voice_ideas SET was_shown = 0 WHERE moderation = 'held';
UPDATE voice_comments SET was_shown = 0 WHERE moderation = 'held';
