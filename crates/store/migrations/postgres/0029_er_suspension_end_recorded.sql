-- The day each suspension's end was written into Dignity, beside the day it says it
-- ended. A settled year's cost of bullying counts a suspension whose end was written
-- after the year settled as still running, so ending it later with a back-dated day
-- does not move the figure (which would tell a reader the day one person's suspension
-- ended). Older rows take their end day.
ALTER TABLE er_suspensions ADD COLUMN end_recorded_on TEXT;
UPDATE er_suspensions SET end_recorded_on = ended_on WHERE ended_on IS NOT NULL;
