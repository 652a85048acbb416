-- Speak Up: cases raised with Freedom to Speak Up Guardians. Content is age ciphertext;
-- dates are calendar days (YYYY-MM-DD), never times, because the anonymous routes must not
-- keep a precise time.

CREATE TABLE speakup_settings (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    recovery_public_key TEXT NOT NULL,
    acknowledge_working_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Key pairs of people who read cases (guardians). The private key is wrapped under the
-- person's passphrase.
CREATE TABLE caseworker_keys (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    public_key TEXT NOT NULL,
    wrapped_secret BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    case_type TEXT NOT NULL,
    identity_level TEXT NOT NULL,
    public_key TEXT NOT NULL,
    receipt_lookup TEXT NOT NULL UNIQUE,
    receipt_salt BLOB NOT NULL,
    receipt_verifier BLOB NOT NULL,
    status TEXT NOT NULL,
    org_unit_id INTEGER REFERENCES org_units(id),
    patient_safety TEXT NOT NULL,
    assigned_to INTEGER REFERENCES people(id),
    received_on TEXT NOT NULL,
    acknowledge_by TEXT NOT NULL,
    acknowledged_on TEXT,
    closed_on TEXT,
    elements TEXT NOT NULL DEFAULT '',
    professional_group TEXT,
    feedback TEXT,
    detriment_check_due TEXT,
    detriment_checked_on TEXT,
    detriment_found INTEGER
);
CREATE INDEX cases_by_organisation ON cases(organisation_id, status);

-- The case's private key, sealed to each holder: 'person:<id>', 'recovery' or 'receipt'.
CREATE TABLE case_seals (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    holder TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (case_id, holder)
);

CREATE TABLE case_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    author_person_id INTEGER REFERENCES people(id),
    written_on TEXT NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE INDEX case_entries_by_case ON case_entries(case_id, id);
