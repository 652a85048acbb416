//! People kept in step with an organisation's identity provider (SCIM): made, changed,
//! turned off and removed by the provider, each change audited.

use crate::audit::{self, NewEntry};
use crate::identity::{Organisation, Person};
use crate::{Db, StoreError};
use dignity_domain::identity::{Email, Name, Role};

const PERSON_COLUMNS: &str =
    "p.id, p.email, p.display_name, p.passphrase_hash, p.totp_secret, p.totp_last_step, p.disabled";

/// Who the organisation's provider may see: people it provisioned, and people holding a
/// role in the organisation.
const IN_SCOPE: &str = "(p.id IN (SELECT person_id FROM provisioned_people WHERE organisation_id = $1) \
     OR p.id IN (SELECT person_id FROM memberships WHERE organisation_id = $1))";

/// A person as the provider sees them, with the id it gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    pub person: Person,
    pub external_id: Option<String>,
    /// Active in this organisation: the account is on and holds a role here.
    pub active_here: bool,
}

async fn provisioned(
    db: &Db,
    organisation_id: i64,
    person: Person,
) -> Result<Provisioned, StoreError> {
    let found: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT external_id FROM provisioned_people WHERE organisation_id = $1 AND person_id = $2",
    )
    .bind(organisation_id)
    .bind(person.id)
    .fetch_optional(db.pool())
    .await?;
    let roles_here: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND person_id = $2",
    )
    .bind(organisation_id)
    .bind(person.id)
    .fetch_one(db.pool())
    .await?;
    Ok(Provisioned {
        external_id: found.and_then(|(id,)| id),
        active_here: !person.disabled && roles_here.0 > 0,
        person,
    })
}

/// Whether the organisation's provider turned this person off there.
pub async fn turned_off_in(
    db: &Db,
    organisation_id: i64,
    person_id: i64,
) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT turned_off FROM provisioned_people WHERE organisation_id = $1 AND person_id = $2",
    )
    .bind(organisation_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some_and(|(off,)| off != 0))
}

/// One person, if the organisation's provider may see them.
pub async fn find(
    db: &Db,
    organisation_id: i64,
    person_id: i64,
) -> Result<Option<Provisioned>, StoreError> {
    let person: Option<Person> = sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $2 AND {IN_SCOPE}"
    ))
    .bind(organisation_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(person) = person else {
        return Ok(None);
    };
    Ok(Some(provisioned(db, organisation_id, person).await?))
}

/// A page of the people the provider may see, by id, optionally only the one with this
/// email address; and how many there are in all.
pub async fn list(
    db: &Db,
    organisation_id: i64,
    email: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Provisioned>), StoreError> {
    let email_filter = if email.is_some() {
        " AND p.email = $2"
    } else {
        " AND $2 = $2"
    };
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM people p WHERE {IN_SCOPE}{email_filter}"
    ))
    .bind(organisation_id)
    .bind(email.unwrap_or_default())
    .fetch_one(db.pool())
    .await?;
    let people: Vec<Person> = sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people p WHERE {IN_SCOPE}{email_filter} \
         ORDER BY p.id LIMIT $3 OFFSET $4"
    ))
    .bind(organisation_id)
    .bind(email.unwrap_or_default())
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(people.len());
    for person in people {
        out.push(provisioned(db, organisation_id, person).await?);
    }
    Ok((total, out))
}

async fn record(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    organisation: &Organisation,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        now,
        &NewEntry {
            actor: &format!("{}'s identity provider", organisation.ods_code.as_str()),
            organisation: Some(organisation.ods_code.as_str()),
            action,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Makes an account the provider asked for, with the staff role in the organisation
/// (given by the provider), and no passphrase: they sign in through the provider. An
/// address that already has an account is a `Conflict`.
pub async fn create(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    email: &Email,
    display_name: &Name,
    external_id: Option<&str>,
    active: bool,
) -> Result<Person, StoreError> {
    let mut tx = db.begin_write().await?;
    let person: Person = sqlx::query_as(
        "INSERT INTO people (email, display_name, passphrase_hash, disabled, created_at) \
         VALUES ($1, $2, '', $3, $4) RETURNING id, email, display_name, passphrase_hash, \
         totp_secret, totp_last_step, disabled",
    )
    .bind(email.as_str())
    .bind(display_name.as_str())
    .bind(i64::from(!active))
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| crate::error::conflict_or(e, format!("{email} already has an account")))?;
    sqlx::query(
        "INSERT INTO provisioned_people (organisation_id, person_id, external_id) VALUES ($1, $2, $3)",
    )
    .bind(organisation.id)
    .bind(person.id)
    .bind(external_id)
    .execute(&mut *tx)
    .await?;
    if active {
        crate::single_sign_on::grant_from_provider(
            &mut tx,
            person.id,
            organisation.id,
            Role::Staff,
            now,
        )
        .await?;
    }
    record(
        &mut tx,
        now,
        organisation,
        "person.create",
        &format!(
            "Created an account for {email} (person {}) for the identity provider",
            person.id
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// Changes a person's address, name and the provider's id for them.
pub async fn update(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    person: &Person,
    email: &Email,
    display_name: &Name,
    external_id: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET email = $1, display_name = $2 WHERE id = $3")
        .bind(email.as_str())
        .bind(display_name.as_str())
        .bind(person.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::error::conflict_or(e, format!("{email} already has an account")))?;
    sqlx::query(
        "INSERT INTO provisioned_people (organisation_id, person_id, external_id) VALUES ($1, $2, $3) \
         ON CONFLICT (organisation_id, person_id) DO UPDATE SET external_id = $3",
    )
    .bind(organisation.id)
    .bind(person.id)
    .bind(external_id)
    .execute(&mut *tx)
    .await?;
    if email.as_str() != person.email || display_name.as_str() != person.display_name {
        record(
            &mut tx,
            now,
            organisation,
            "person.update",
            &format!(
                "Changed the address or name of person {} (now {email})",
                person.id
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Turns someone off for this organisation, the same moment the provider says so: their
/// roles in it go and every session ends. The account itself is turned off unless they
/// hold a role somewhere else (another organisation's people are not this one's to stop).
/// Returns the digests of the sessions ended, so their unlocked keys can be dropped.
pub async fn deactivate(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    issuer: &str,
    person: &Person,
    remove: bool,
) -> Result<Vec<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    let (roles_here, elsewhere) =
        crate::roles::remove_roles_here(&mut tx, organisation.id, person.id).await?;
    if elsewhere == 0 {
        crate::roles::turn_off(&mut tx, person.id).await?;
    }
    // Sessions end when they leave this organisation; someone who had no role here any
    // more is not this provider's to sign out.
    let sessions = if roles_here > 0 || elsewhere == 0 {
        crate::roles::end_every_session(&mut tx, person.id).await?
    } else {
        Vec::new()
    };
    if remove {
        sqlx::query("DELETE FROM provisioned_people WHERE organisation_id = $1 AND person_id = $2")
            .bind(organisation.id)
            .bind(person.id)
            .execute(&mut *tx)
            .await?;
        // And their account with this provider no longer opens theirs.
        sqlx::query("DELETE FROM external_identities WHERE person_id = $1 AND issuer = $2")
            .bind(person.id)
            .bind(issuer)
            .execute(&mut *tx)
            .await?;
    } else {
        // Kept in the provider's sight, to turn on again; its sign-in gives them nothing
        // here meanwhile.
        sqlx::query(
            "INSERT INTO provisioned_people (organisation_id, person_id, turned_off) \
             VALUES ($1, $2, 1) ON CONFLICT (organisation_id, person_id) DO UPDATE SET turned_off = 1",
        )
        .bind(organisation.id)
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    }
    let what = if remove { "Removed" } else { "Turned off" };
    let account = if elsewhere == 0 {
        "the account is turned off"
    } else {
        "they keep their roles elsewhere"
    };
    record(
        &mut tx,
        now,
        organisation,
        if remove { "person.remove" } else { "person.disable" },
        &format!(
            "{what} {} in {} for the identity provider: roles there removed, {} sessions ended; {account}",
            person.email,
            organisation.name,
            sessions.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(sessions)
}

/// Turns someone on again: the account, and the staff role in the organisation.
pub async fn reactivate(
    db: &Db,
    now: i64,
    organisation: &Organisation,
    person: &Person,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET disabled = 0 WHERE id = $1")
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    crate::single_sign_on::grant_from_provider(
        &mut tx,
        person.id,
        organisation.id,
        Role::Staff,
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO provisioned_people (organisation_id, person_id, turned_off) VALUES ($1, $2, 0) \
         ON CONFLICT (organisation_id, person_id) DO UPDATE SET turned_off = 0",
    )
    .bind(organisation.id)
    .bind(person.id)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        now,
        organisation,
        "person.enable",
        &format!("Turned {} on again for the identity provider", person.email),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An account the provider may take back on: one no one set a passphrase for, turned off,
/// with no role anywhere (a leaver it removed, now rehired).
pub async fn adoptable(db: &Db, email: &Email) -> Result<Option<Person>, StoreError> {
    let person: Option<Person> = sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people p WHERE p.email = $1 AND p.passphrase_hash = '' \
         AND p.disabled = 1 \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id) \
         AND NOT EXISTS (SELECT 1 FROM platform_roles r WHERE r.person_id = p.id) \
         AND NOT EXISTS (SELECT 1 FROM region_roles r WHERE r.person_id = p.id)"
    ))
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    Ok(person)
}
