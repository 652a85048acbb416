-- Partnership action plans. A plan's `version` counts content changes; `published_version`
-- is the version both the employer and the union side signed (NULL: not published).
-- Times are UTC seconds; dates are YYYY-MM-DD text.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    summary TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    published_version INTEGER,
    published_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX plans_by_organisation ON plans (organisation_id);

-- The commitments actions are grouped under (editable per plan).
CREATE TABLE plan_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL
);

CREATE TABLE plan_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    group_id INTEGER NOT NULL REFERENCES plan_groups(id),
    parent_id INTEGER REFERENCES plan_actions(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    employer_lead TEXT NOT NULL,
    union_lead TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL,
    progress INTEGER NOT NULL,
    weight INTEGER,
    position INTEGER NOT NULL,
    -- The plan version that added it: the public page shows only what was signed.
    added_in_version INTEGER NOT NULL
);
CREATE INDEX plan_actions_by_plan ON plan_actions (plan_id);

-- Both sides' approvals, one per side per version.
CREATE TABLE plan_approvals (
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    side TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    approved_at INTEGER NOT NULL,
    PRIMARY KEY (plan_id, version, side)
);

-- Every change, with what the plan or action looked like after it (JSON), so the
-- history of a plan and of each action can be read.
CREATE TABLE plan_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER REFERENCES plan_actions(id),
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE INDEX plan_history_by_plan ON plan_history (plan_id, id);

-- Dated progress updates on an action, with links to evidence (one per line).
CREATE TABLE plan_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    written_on TEXT NOT NULL,
    at INTEGER NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    links TEXT NOT NULL
);
CREATE INDEX plan_updates_by_plan ON plan_updates (plan_id, id);

-- Measures an action is meant to move: a survey question's key, with a baseline and a
-- target (per cent). The latest figure comes from the organisation's newest closed survey
-- when there is one; until then it can be typed in with its source.
CREATE TABLE plan_indicators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    code TEXT NOT NULL,
    baseline REAL NOT NULL,
    target REAL NOT NULL,
    latest REAL,
    source TEXT NOT NULL,
    added_in_version INTEGER NOT NULL
);
CREATE INDEX plan_indicators_by_plan ON plan_indicators (plan_id);

-- Milestones on the way to an action's end: a promise when added, ticked off as progress.
CREATE TABLE plan_milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    added_in_version INTEGER NOT NULL
);
CREATE INDEX plan_milestones_by_plan ON plan_milestones (plan_id);
