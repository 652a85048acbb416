-- Signing in with an organisation's identity provider (OpenID Connect).

-- Who a provider's account is in Dignity: the provider's issuer and its never-reused
-- subject identifier, not the email address, which a provider may hand to someone else.
CREATE TABLE external_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
-- One account with each provider per person: a second would be a second way in that
-- its owner never sees.
CREATE UNIQUE INDEX external_identities_one_per_person ON external_identities (person_id, issuer);

-- A sign-in that has gone to the provider and not yet come back. Found by the digest of
-- a random handle kept in the browser's cookie, and deleted when it comes back, so the
-- same answer cannot be used twice. Nothing here says who is signing in.
CREATE TABLE sign_in_requests (
    handle_digest TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    -- Set when someone signed in with their passphrase asked to join their work account:
    -- the answer links that account, and only in that same browser.
    link_person_id BIGINT REFERENCES people(id),
    expires_at BIGINT NOT NULL
);

-- A role given because of the provider's groups: the only kind a removed group takes
-- away. A role an administrator gave stays until an administrator removes it.
ALTER TABLE memberships ADD COLUMN from_provider BIGINT NOT NULL DEFAULT 0;

-- The provider a session signed in through, so signing out can end that session too.
ALTER TABLE sessions ADD COLUMN provider_organisation_id BIGINT;
