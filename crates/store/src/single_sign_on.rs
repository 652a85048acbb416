//! Signing in through an organisation's identity provider: sign-ins waiting for the
//! provider's answer, the provider accounts linked to people, and the roles the
//! provider's groups give.

use crate::audit::{self, NewEntry};
use crate::column::Flag;
use crate::identity::{Organisation, Person};
use crate::{Db, StoreError};
use dignity_domain::identity::{Email, Name, Role};

const PERSON_COLUMNS: &str =
    "p.id, p.email, p.display_name, p.passphrase_hash, p.totp_secret, p.totp_last_step, p.disabled";

/// A sign-in sent to the provider, kept until it comes back or ten minutes pass.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInRequest {
    pub organisation_id: i64,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    /// Someone signed in with a passphrase who asked to join their work account.
    pub link_person_id: Option<i64>,
    pub expires_at: i64,
}

pub async fn save_request(
    db: &Db,
    handle_digest: &str,
    request: &SignInRequest,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sign_in_requests (handle_digest, organisation_id, state, nonce, \
         pkce_verifier, next_path, link_person_id, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(handle_digest)
    .bind(request.organisation_id)
    .bind(&request.state)
    .bind(&request.nonce)
    .bind(&request.pkce_verifier)
    .bind(&request.next_path)
    .bind(request.link_person_id)
    .bind(request.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Takes a waiting sign-in out, so that it can be used once only, whatever the answer.
/// One past its time is taken out and not returned.
pub async fn take_request(
    db: &Db,
    handle_digest: &str,
    now: i64,
) -> Result<Option<SignInRequest>, StoreError> {
    let taken: Option<SignInRequest> = sqlx::query_as(
        "DELETE FROM sign_in_requests WHERE handle_digest = $1 RETURNING organisation_id, \
         state, nonce, pkce_verifier, next_path, link_person_id, expires_at",
    )
    .bind(handle_digest)
    .fetch_optional(db.pool())
    .await?;
    Ok(taken.filter(|request| request.expires_at > now))
}

/// How many sign-ins are waiting for their provider's answer.
pub async fn waiting_requests(db: &Db) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_requests")
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}

/// Removes sign-ins that never came back.
pub async fn purge_requests(db: &Db, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sign_in_requests WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// The person a provider's account is linked to.
pub async fn linked_person(
    db: &Db,
    issuer: &str,
    subject: &str,
) -> Result<Option<Person>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM external_identities e JOIN people p ON p.id = e.person_id \
         WHERE e.issuer = $1 AND e.subject = $2"
    ))
    .bind(issuer)
    .bind(subject)
    .fetch_optional(db.pool())
    .await?)
}

/// Whether a person has any provider account linked: such a person signs in through the
/// provider, so that leaving it, or losing a group, is felt in Dignity.
pub async fn is_linked(db: &Db, person_id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT person_id FROM external_identities WHERE person_id = $1 LIMIT 1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Links a provider's account to someone who already has an account, audited.
pub async fn link(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    issuer: &str,
    subject: &str,
    person: &Person,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    // One account with each provider per person: a second would be a second way in that
    // its owner never sees.
    let already: Option<(String,)> = sqlx::query_as(
        "SELECT subject FROM external_identities WHERE issuer = $1 AND person_id = $2",
    )
    .bind(issuer)
    .bind(person.id)
    .fetch_optional(&mut *tx)
    .await?;
    if already.is_some() {
        return Err(StoreError::Conflict(
            "This person already has an account with this provider".into(),
        ));
    }
    insert_identity(&mut tx, issuer, subject, person.id, now).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: &person.email,
            organisation: Some(organisation.ods_code.as_str()),
            action: "person.link",
            detail: &format!(
                "Linked {} to their account with {}'s sign-in service (its account {})",
                person.email,
                organisation.name,
                subject_reference(subject)
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_identity(
    tx: &mut sqlx::AnyConnection,
    issuer: &str,
    subject: &str,
    person_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO external_identities (issuer, subject, person_id, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(person_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| crate::error::conflict_or(e, "This account is already linked"))?;
    Ok(())
}

/// Gives a role in an organisation as the provider's: the kind a removed group (or the
/// provider turning someone off) takes away. One already held is left as it is.
pub(crate) async fn grant_from_provider(
    tx: &mut sqlx::AnyConnection,
    person_id: i64,
    organisation_id: i64,
    role: Role,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO memberships (person_id, organisation_id, role, granted_at, from_provider) \
         VALUES ($1, $2, $3, $4, 1) ON CONFLICT (person_id, organisation_id, role) DO NOTHING",
    )
    .bind(person_id)
    .bind(organisation_id)
    .bind(role.code())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A short, stable reference to a provider's account for the audit log: the start of the
/// SHA-256 of its subject, so two links can be told apart without the log holding the
/// provider's identifier.
fn subject_reference(subject: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(subject.as_bytes());
    hex::encode(digest.get(..6).unwrap_or_default())
}

/// Makes an account at a first sign-in through the provider: the person, the link and the
/// staff role in the organisation, together or not at all. The account has no passphrase
/// (an empty hash matches none).
pub async fn create_linked_person(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    issuer: &str,
    subject: &str,
    email: &Email,
    display_name: &Name,
) -> Result<Person, StoreError> {
    let mut tx = db.begin_write().await?;
    let person: Person = sqlx::query_as(
        "INSERT INTO people (email, display_name, passphrase_hash, disabled, created_at) \
         VALUES ($1, $2, '', 0, $3) RETURNING id, email, display_name, passphrase_hash, \
         totp_secret, totp_last_step, disabled",
    )
    .bind(email.as_str())
    .bind(display_name.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        crate::error::conflict_or(
            e,
            format!("Someone with the email {email} already has an account"),
        )
    })?;
    insert_identity(&mut tx, issuer, subject, person.id, now).await?;
    grant_from_provider(&mut tx, person.id, organisation.id, Role::Staff, now).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: email.as_str(),
            organisation: Some(organisation.ods_code.as_str()),
            action: "person.create",
            detail: &format!(
                "Created an account for {email} (person {}) at their first sign-in with {}'s \
                 sign-in service",
                person.id, organisation.name
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// A role held in one organisation, and whether the provider's groups gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldRole {
    pub role: Role,
    pub from_provider: bool,
}

pub async fn roles_in(
    db: &Db,
    person_id: i64,
    organisation_id: i64,
) -> Result<Vec<HeldRole>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        role: String,
        #[sqlx(try_from = "Flag")]
        from_provider: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT role, from_provider FROM memberships WHERE person_id = $1 \
         AND organisation_id = $2 ORDER BY role",
    )
    .bind(person_id)
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let role = row
                .role
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("unknown stored role '{}'", row.role)))?;
            Ok(HeldRole {
                role,
                from_provider: row.from_provider,
            })
        })
        .collect()
}

/// What a sign-in changed in someone's roles, to match the provider's groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleChanges {
    pub granted: Vec<Role>,
    pub removed: Vec<Role>,
}

impl RoleChanges {
    pub fn is_empty(&self) -> bool {
        self.granted.is_empty() && self.removed.is_empty()
    }
}

/// Gives and takes away roles in one organisation, together, each change audited.
/// Only roles the provider gave are ever taken away here.
pub async fn apply_role_changes(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    person: &Person,
    changes: &RoleChanges,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    for role in &changes.granted {
        grant_from_provider(&mut tx, person.id, organisation.id, *role, now).await?;
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor: &person.email,
                organisation: Some(organisation.ods_code.as_str()),
                action: "role.grant",
                detail: &format!(
                    "Gave {} the role {} because of their groups in {}'s sign-in service",
                    person.email,
                    role.label(),
                    organisation.name
                ),
            },
        )
        .await?;
    }
    for role in &changes.removed {
        sqlx::query(
            "DELETE FROM memberships WHERE person_id = $1 AND organisation_id = $2 \
             AND role = $3 AND from_provider = 1",
        )
        .bind(person.id)
        .bind(organisation.id)
        .bind(role.code())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor: &person.email,
                organisation: Some(organisation.ods_code.as_str()),
                action: "role.remove",
                detail: &format!(
                    "Took the role {} from {}: their groups in {}'s sign-in service no longer give it",
                    role.label(),
                    person.email,
                    organisation.name
                ),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The organisation whose provider a session signed in through, if any.
pub async fn session_provider(db: &Db, token_digest: &str) -> Result<Option<i64>, StoreError> {
    let found: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT provider_organisation_id FROM sessions WHERE token_digest = $1")
            .bind(token_digest)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.and_then(|(id,)| id))
}

/// Starts a session for a sign-in through a provider; `second_factor_done` when the
/// provider said it checked a second factor.
pub async fn create_session(
    db: &Db,
    token_digest: &str,
    person_id: i64,
    now: i64,
    expires_at: i64,
    organisation_id: i64,
    second_factor_done: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_digest, person_id, created_at, last_seen_at, expires_at, \
         second_factor_done, provider_organisation_id) VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(token_digest)
    .bind(person_id)
    .bind(now)
    .bind(expires_at)
    .bind(i64::from(second_factor_done))
    .bind(organisation_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Sets the passphrase of someone who has none (an account made through a provider), who
/// needs one to lock their case key. Returns false, changing nothing, if one is already
/// set: choosing it again would be a reset, which has its own path.
pub async fn set_first_passphrase(
    db: &Db,
    now: i64,
    person: &Person,
    passphrase_hash: &str,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE people SET passphrase_hash = $1 WHERE id = $2 AND passphrase_hash = ''",
    )
    .bind(passphrase_hash)
    .bind(person.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: &person.email,
            organisation: None,
            action: "person.case_passphrase",
            detail: &format!(
                "{} chose the passphrase that locks their case key",
                person.email
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether every role the person holds is in this organisation (or they hold none): only
/// then may this organisation's provider vouch for them by their address, or change it.
/// A provider speaks for its own staff, not for someone's roles elsewhere.
pub async fn roles_only_in(
    db: &Db,
    person_id: i64,
    organisation_id: i64,
) -> Result<bool, StoreError> {
    let (elsewhere,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND organisation_id <> $2) \
         + (SELECT COUNT(*) FROM platform_roles WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM region_roles WHERE person_id = $1)",
    )
    .bind(person_id)
    .bind(organisation_id)
    .fetch_one(db.pool())
    .await?;
    Ok(elsewhere == 0)
}

/// Whether a person has an account with this provider linked.
pub async fn is_linked_to(db: &Db, issuer: &str, person_id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT person_id FROM external_identities WHERE issuer = $1 AND person_id = $2",
    )
    .bind(issuer)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}
