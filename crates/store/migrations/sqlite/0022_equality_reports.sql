-- WRES and WDES reports (issue 17): an organisation's report on one standard for one
-- reporting year, in versions. Each version freezes the year's return as it was written
-- (`figures`, JSON lines of words as the download reads them: only figures the disclosure
-- rules let out) with the
-- organisation's own words about it and the partnership plan actions that answer it. A
-- version is published once an executive and a union partner have both signed it, as
-- plans are; a later version replaces it on the public page only once both sign that one.
CREATE TABLE equality_reports (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    standard TEXT NOT NULL CHECK (standard IN ('wres', 'wdes')),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    summary TEXT NOT NULL,
    figures TEXT NOT NULL,
    plan_actions TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES people(id),
    written_on TEXT NOT NULL,
    published_on TEXT,
    UNIQUE (organisation_id, standard, year, version)
);

CREATE TABLE equality_report_signatures (
    report_id INTEGER NOT NULL REFERENCES equality_reports(id),
    side TEXT NOT NULL CHECK (side IN ('employer', 'union')),
    person_id INTEGER NOT NULL REFERENCES people(id),
    signed_on TEXT NOT NULL,
    PRIMARY KEY (report_id, side)
);
