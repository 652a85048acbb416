-- Published figures about each organisation (care rating, sickness absence, turnover...),
-- by measure and period (a year such as 2026 or a quarter such as 2026-Q3), read beside
-- its culture. Figures about organisations, not people.
CREATE TABLE outcomes (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    value REAL NOT NULL,
    rated_on TEXT,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, measure, period)
);
