-- Roles held in one of NHS England's regions rather than in an organisation: a regional
-- director sees the fit and proper person returns of the boards in their region.
CREATE TABLE region_roles (
    person_id BIGINT NOT NULL REFERENCES people(id),
    region TEXT NOT NULL,
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, region, role)
);

-- Every sign-in asks whether the person is on a board.
CREATE INDEX board_members_person ON board_members (person_id);

-- The national register lists board members in name order, a page at a time.
CREATE INDEX people_by_name ON people (display_name, id);
