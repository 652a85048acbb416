-- Staff voice participation by staff group (issue 20). Accounts hold no staff group, and
-- the workforce extract's rows are kept apart from accounts on purpose, so each person may
-- give one here, from the list the staff survey asks with, or none. It is read only when a
-- closed challenge's final figures are worked out, and never shown beside a name. A group
-- given at or after a challenge's close counts as not given in its figures (given_at), so
-- changing it after the close cannot shape figures not yet worked out.
CREATE TABLE voice_staff_groups (
    person_id BIGINT PRIMARY KEY REFERENCES people(id),
    staff_group TEXT NOT NULL,
    given_at BIGINT NOT NULL
);
