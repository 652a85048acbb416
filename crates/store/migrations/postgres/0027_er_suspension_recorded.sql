-- The day each suspension or exclusion was written into Dignity, beside the day it says
-- it started. A year's fairness figures count only what was written by a month after
-- the year ended, as WRES 3 does with stages, so a figure, once shown, never moves when a
-- late or back-dated suspension is entered. Older rows take their start day.
ALTER TABLE er_suspensions ADD COLUMN recorded_on TEXT;
UPDATE er_suspensions SET recorded_on = started_on;
