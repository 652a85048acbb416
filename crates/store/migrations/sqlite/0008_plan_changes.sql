-- Changing a plan after it was written. Removed groups, actions, measures and milestones
-- are kept (their history and updates point at them) and marked with the version that
-- removed them.
ALTER TABLE plan_groups ADD COLUMN removed_in_version INTEGER;
ALTER TABLE plan_actions ADD COLUMN removed_in_version INTEGER;
ALTER TABLE plan_indicators ADD COLUMN removed_in_version INTEGER;
ALTER TABLE plan_milestones ADD COLUMN removed_in_version INTEGER;

-- What each published version promised (JSON: groups, actions, measures, milestones), so
-- the public page shows what both sides signed even while the next version is drafted.
CREATE TABLE plan_signed (
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);
