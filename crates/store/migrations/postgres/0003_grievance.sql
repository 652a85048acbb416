-- Grievances share the Speak Up inbox, with stages of their own and a due date per stage.
ALTER TABLE cases ADD COLUMN stage TEXT;
ALTER TABLE cases ADD COLUMN stage_due TEXT;
