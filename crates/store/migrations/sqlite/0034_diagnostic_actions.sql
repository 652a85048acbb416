-- Actions a self-assessment round added to the organisation's partnership plan (issue 19),
-- one row per action, with the framework part it answers. The action itself lives in the
-- plan, so its progress is read from there.
CREATE TABLE diagnostic_actions (
    round_id INTEGER NOT NULL REFERENCES diagnostic_rounds(id),
    element TEXT NOT NULL,
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    PRIMARY KEY (round_id, action_id)
);
