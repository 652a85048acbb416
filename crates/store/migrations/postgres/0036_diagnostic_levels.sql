-- Each part's level in a round both sides signed off (issue 19): the median of its agreed
-- ratings, kept when the second side signs, one line a part ("key<TAB>level"). A signed-off
-- round never changes, so its levels are worked out once, and a system view setting
-- hundreds of organisations side by side reads one row a round rather than every agreed
-- rating.
CREATE TABLE diagnostic_levels (
    round_id BIGINT PRIMARY KEY REFERENCES diagnostic_rounds(id),
    levels TEXT NOT NULL
);
