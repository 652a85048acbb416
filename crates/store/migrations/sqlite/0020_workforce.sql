-- Workforce extracts (issue 17): staff in post and leavers from payroll (ESR), shortlisted
-- applicants, non-mandatory training and board membership, each kept as a snapshot of one
-- organisation on one day. Importing the same kind and day again replaces the snapshot.
--
-- No names and no employee numbers: `person` is a keyed digest of the employee number whose
-- key is derived from the installation secret, which is never in the database, so a later
-- extract and the employee-relations cases can find the same person without the database
-- saying who they are. Codes are the stable codes of `dignity_domain::workforce`.
-- `wte` is the whole-time equivalent of the contract; `days_lost` the full-time-equivalent
-- days of sickness absence in the extract's period.
CREATE TABLE workforce_snapshots (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'leavers', 'recruitment', 'training', 'board')),
    as_at TEXT NOT NULL,
    imported_on TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    UNIQUE (organisation_id, kind, as_at)
);

-- Staff in post, and leavers (with `left_on` and `leaving_reason`).
CREATE TABLE workforce_staff (
    snapshot_id INTEGER NOT NULL REFERENCES workforce_snapshots(id),
    person TEXT NOT NULL,
    unit_id INTEGER REFERENCES org_units(id),
    staff_group TEXT NOT NULL,
    pay_grade TEXT NOT NULL,
    clinical INTEGER NOT NULL,
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    started_on TEXT,
    wte REAL,
    days_lost REAL,
    left_on TEXT,
    leaving_reason TEXT,
    PRIMARY KEY (snapshot_id, person)
);
CREATE INDEX workforce_staff_by_person ON workforce_staff(person);

-- Shortlisted applicants, counted by group: no one applicant is kept.
CREATE TABLE workforce_recruitment (
    snapshot_id INTEGER NOT NULL REFERENCES workforce_snapshots(id),
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    shortlisted INTEGER NOT NULL,
    appointed INTEGER NOT NULL,
    CHECK (appointed <= shortlisted),
    PRIMARY KEY (snapshot_id, ethnicity, disability)
);

-- Who accessed non-mandatory training or development, under the same keyed digest.
CREATE TABLE workforce_training (
    snapshot_id INTEGER NOT NULL REFERENCES workforce_snapshots(id),
    person TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    accessed INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, person)
);

-- Board members: whose seat, not who. `seat` is the line's place in the extract.
CREATE TABLE workforce_board (
    snapshot_id INTEGER NOT NULL REFERENCES workforce_snapshots(id),
    seat INTEGER NOT NULL,
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    voting INTEGER NOT NULL,
    executive INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, seat)
);
