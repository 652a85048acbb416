-- Employee relations cases (issue 18). Structured parts stay plain so the fairness
-- figures can count them without reading any words: the type, the person as the keyed
-- digest their decision guide records use (never a name or a number), the unit, each
-- stage with its dates, the outcome, the fast-track flag and the suspensions' dates.
-- Everything written in words (the person's name, the allegations, notes, findings,
-- letters, who represents or observes, why a suspension started, each review's note) is
-- age ciphertext under the case's own key, sealed in er_case_seals to the organisation's
-- employee relations leads and its recovery key, as decision guide records are.
CREATE TABLE er_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    org_unit_id INTEGER REFERENCES org_units(id),
    case_type TEXT NOT NULL CHECK (case_type IN ('conduct', 'capability_performance', 'capability_ill_health', 'bullying_complaint', 'grievance', 'sickness_absence')),
    person_digest TEXT,
    -- A conduct case comes from a decision guide record; its investigation needs that
    -- record's check to have agreed.
    guide_id INTEGER REFERENCES jc_guides(id),
    fast_track INTEGER NOT NULL CHECK (fast_track IN (0, 1)),
    opened_by INTEGER NOT NULL REFERENCES people(id),
    opened_on TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('informal', 'investigation', 'hearing', 'outcome', 'appeal', 'appeal_outcome', 'closed')),
    stage_since TEXT NOT NULL,
    investigator_id INTEGER REFERENCES people(id),
    outcome TEXT CHECK (outcome IN ('no_case_to_answer', 'informal_action', 'first_written_warning', 'final_written_warning', 'dismissal', 'other')),
    appeal_outcome TEXT CHECK (appeal_outcome IN ('upheld', 'partly_upheld', 'not_upheld')),
    closed_on TEXT,
    -- Each change adds one, so a lead whose page is out of date is told, not overwritten.
    version INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    details BLOB NOT NULL,
    CHECK ((case_type = 'conduct') = (guide_id IS NOT NULL)),
    CHECK ((stage = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX er_cases_by_organisation ON er_cases (organisation_id, stage);

-- Every stage a case entered, in order, with its day: durations and the figures come from here.
CREATE TABLE er_case_stages (
    case_id INTEGER NOT NULL REFERENCES er_cases(id),
    position INTEGER NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('informal', 'investigation', 'hearing', 'outcome', 'appeal', 'appeal_outcome', 'closed')),
    started_on TEXT NOT NULL,
    PRIMARY KEY (case_id, position)
);

CREATE TABLE er_case_seals (
    case_id INTEGER NOT NULL REFERENCES er_cases(id),
    holder TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (case_id, holder)
);

CREATE TABLE er_case_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES er_cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('note', 'allegation', 'finding', 'letter', 'correction')),
    written_on TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES people(id),
    record BLOB NOT NULL
);
CREATE INDEX er_case_entries_by_case ON er_case_entries (case_id);

CREATE TABLE er_suspensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES er_cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('suspension', 'exclusion', 'restricted_duties')),
    started_on TEXT NOT NULL,
    review_due TEXT,
    -- The review day a reminder was written for, so each is written once.
    reminded_for TEXT,
    ended_on TEXT,
    reason BLOB NOT NULL,
    -- An open suspension always has its next review day.
    CHECK (ended_on IS NOT NULL OR review_due IS NOT NULL)
);
CREATE INDEX er_suspensions_by_case ON er_suspensions (case_id);

CREATE TABLE er_suspension_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    suspension_id INTEGER NOT NULL REFERENCES er_suspensions(id),
    reviewed_on TEXT NOT NULL,
    wellbeing_checked INTEGER NOT NULL CHECK (wellbeing_checked IN (0, 1)),
    continues INTEGER NOT NULL CHECK (continues IN (0, 1)),
    note BLOB NOT NULL
);

-- An organisation's own time limits, in days; without a row the defaults apply
-- (dignity_domain::er_cases::Timescales). Each list holds six numbers, one a stage.
CREATE TABLE er_settings (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    standard_days TEXT NOT NULL,
    fast_track_days TEXT NOT NULL,
    review_every_days INTEGER NOT NULL CHECK (review_every_days BETWEEN 1 AND 90)
);
