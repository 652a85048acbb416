-- An organisation's own values for the price-of-fear estimate's assumptions (issue 18).
-- Each change is a new row and none is ever altered, so the page shows who changed what,
-- when and why; the newest row of a key is its value, and a key without a row takes the
-- published value (dignity_engine::price::Assumption::published).
CREATE TABLE price_assumptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    assumption TEXT NOT NULL,
    value REAL NOT NULL,
    reason TEXT NOT NULL,
    changed_by INTEGER NOT NULL REFERENCES people(id),
    changed_on TEXT NOT NULL
);
CREATE INDEX price_assumptions_by_organisation ON price_assumptions (organisation_id, id);
