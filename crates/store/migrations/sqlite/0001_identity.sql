-- Organisations, their structure, people, roles, sessions, sign-in throttling and the audit log.
-- Times are UTC seconds since the Unix epoch. Flags are INTEGER 0/1 (sqlx's Any driver cannot
-- read SQLite BOOLEAN).

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ods_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    org_type TEXT NOT NULL,
    region TEXT NOT NULL,
    benchmark_group TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE org_units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    parent_id INTEGER REFERENCES org_units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX org_units_by_organisation ON org_units(organisation_id, parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    passphrase_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_last_step INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    person_id INTEGER NOT NULL REFERENCES people(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (person_id, organisation_id, role)
);
CREATE INDEX memberships_by_organisation ON memberships(organisation_id);

CREATE TABLE platform_roles (
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    second_factor_done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_person ON sessions(person_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures(throttle_key, at);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    organisation TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_organisation ON audit_log(organisation, seq);

-- Append-only: the application never changes or removes an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
