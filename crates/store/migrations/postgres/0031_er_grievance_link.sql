-- An employee relations grievance case opened from a Speak Up grievance (issue 18). The
-- column holds a keyed digest of the Speak Up case, never its id: a copy of the database
-- then cannot tie the two cases together (the employee relations case's team and dates to
-- the Speak Up case), while the server, which holds the key, finds one from the other.
-- The server finds the grievance from the case by digesting each of the organisation's
-- grievances in turn.
ALTER TABLE er_cases ADD COLUMN grievance_link TEXT;
-- One employee relations case for each grievance.
CREATE UNIQUE INDEX er_cases_grievance_link ON er_cases (grievance_link);
