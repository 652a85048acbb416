-- The just culture decision guide (issue 18). A manager answers five questions about an
-- incident before taking it further about a member of staff; the guide recommends a route
-- and the manager records their own decision. A formal process waits for an independent
-- check by an employee relations lead outside the manager's line.
--
-- Structured parts stay plain for the fairness figures: the answers (five characters,
-- 'y', 'n' or '-' for a question not asked, in the guide's order), the routes, the unit
-- and the person as the keyed digest of their employee number (the same digest as the
-- workforce extracts, key never in the database). Everything written in words (who the
-- person is, what happened, each reason, the reviewer's reason) is age ciphertext under the
-- record's own key, sealed in jc_guide_seals to the organisation's employee relations leads
-- and its recovery key, as Speak Up cases are.
CREATE TABLE jc_guides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    org_unit_id INTEGER REFERENCES org_units(id),
    manager_id INTEGER NOT NULL REFERENCES people(id),
    person_digest TEXT,
    started_on TEXT NOT NULL,
    answers TEXT NOT NULL CHECK (length(answers) = 5),
    recommended TEXT NOT NULL CHECK (recommended IN ('support_and_learning', 'occupational_health', 'system_fix', 'informal', 'formal')),
    decided TEXT NOT NULL CHECK (decided IN ('support_and_learning', 'occupational_health', 'system_fix', 'informal', 'formal')),
    public_key TEXT NOT NULL,
    record BLOB NOT NULL,
    check_state TEXT NOT NULL CHECK (check_state IN ('not_needed', 'waiting', 'agreed', 'not_agreed')),
    checked_by INTEGER REFERENCES people(id),
    checked_on TEXT,
    check_reason BLOB,
    CHECK ((checked_by IS NULL) = (checked_on IS NULL)),
    CHECK ((checked_by IS NULL) = (check_reason IS NULL)),
    CHECK ((checked_by IS NULL) = (check_state IN ('not_needed', 'waiting'))),
    CHECK ((check_state = 'not_needed') = (decided <> 'formal'))
);
CREATE INDEX jc_guides_by_organisation ON jc_guides (organisation_id, check_state);

CREATE TABLE jc_guide_seals (
    guide_id INTEGER NOT NULL REFERENCES jc_guides(id),
    holder TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (guide_id, holder)
);
