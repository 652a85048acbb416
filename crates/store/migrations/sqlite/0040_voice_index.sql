-- Every change to which ideas are shown, in order: posted and shown, released, hidden,
-- restored. Each server's similar-idea index applies the changes after the last one it
-- saw, so every server suggests the same ideas and never a held or hidden one.
CREATE TABLE voice_idea_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES voice_ideas(id)
);

-- An accepted idea can be linked to an action of its organisation's partnership plan, so
-- the idea shows the action's status and progress.
ALTER TABLE voice_ideas ADD COLUMN plan_id BIGINT REFERENCES plans(id);
ALTER TABLE voice_ideas ADD COLUMN plan_action_id BIGINT;
