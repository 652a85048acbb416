-- Which integrated care board's area an organisation is in (issue 19's system view). Kept
-- apart from organisations so the many queries that read an organisation are unchanged.
CREATE TABLE organisation_systems (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    icb_id BIGINT NOT NULL REFERENCES organisations(id)
);
CREATE INDEX organisation_systems_by_icb ON organisation_systems (icb_id);
