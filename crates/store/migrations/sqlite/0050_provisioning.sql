-- People an organisation's identity provider keeps in step through SCIM: whom its
-- provisioning token may see and change, even after their roles there have gone.
CREATE TABLE provisioned_people (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    external_id TEXT,
    -- The provider turned them off here: its sign-in gives them nothing here until it
    -- turns them on again.
    turned_off INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX provisioned_people_by_person ON provisioned_people (person_id);
