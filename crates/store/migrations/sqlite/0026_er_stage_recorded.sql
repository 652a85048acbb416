-- The day each stage was written into Dignity, beside the day it says it started. A
-- year's WRES 3 and WDES 3 from cases count only what was written by a month after the
-- year ended, so a figure, once shown, never moves when a late or back-dated stage is
-- entered: two pages a month apart cannot tell a reader who entered a formal process.
-- Stages written before this column existed take their start day.
ALTER TABLE er_case_stages ADD COLUMN recorded_on TEXT;
UPDATE er_case_stages SET recorded_on = started_on;
