-- Every change to which ideas are shown, in order: posted and shown, released, hidden,
-- restored. Each server's similar-idea index applies the changes after the last one it
-- saw, so every server suggests the same ideas and never a held or hidden one.
CREATE TABLE voice_idea_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES voice_ideas(id)
);
