-- Self-assessment frameworks (issue 19), as loaded from their TOML files. Each version of
-- a framework is its own row and is never changed, so a round keeps the version it
-- started with when a newer one is loaded.
CREATE TABLE diagnostic_frameworks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    UNIQUE (key, version)
);
