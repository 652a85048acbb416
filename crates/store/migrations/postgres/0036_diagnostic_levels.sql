-- Each part's level in a round both sides signed off (issue 19): the median of its agreed
-- ratings, kept when the second side signs. A signed-off round never changes, so the
-- level is worked out once rather than from every agreed rating each time a system view
-- sets hundreds of organisations side by side.
CREATE TABLE diagnostic_levels (
    round_id BIGINT NOT NULL REFERENCES diagnostic_rounds(id),
    element TEXT NOT NULL,
    level DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (round_id, element)
);
