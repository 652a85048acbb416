-- People a workforce extract says will leave an organisation on a later day: on that day
-- their roles there go and their sessions end. A row goes once it is done.
CREATE TABLE leaving_accounts (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    leaves_on TEXT NOT NULL,
    PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX leaving_accounts_by_day ON leaving_accounts (leaves_on);
