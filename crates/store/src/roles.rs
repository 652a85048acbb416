//! Roles given and taken away, sessions ended and accounts turned off or on: what the
//! administrators' pages and the command line change about people. Each change is audited
//! in its own transaction, with the reason given, and any mail it sends is written in the
//! same transaction.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::{Membership, Organisation, Person};
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::identity::{InvalidValue, Region, Role, RoleScope};

/// Where a role is held.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    Organisation(&'a Organisation),
    Region(Region),
    /// Across the installation (platform roles).
    Installation,
}

/// One role given to or taken from one person, and why.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub person: &'a Person,
    pub role: Role,
    pub place: Place<'a>,
    /// Why, in the administrator's words; the command line gives none.
    pub reason: Option<&'a str>,
}

impl Change<'_> {
    /// The role must be one held in that kind of place.
    fn check(&self) -> Result<(), StoreError> {
        let refuse = |message| Err(StoreError::Invalid(InvalidValue::Message(message)));
        match (self.role.scope(), self.place) {
            (RoleScope::Organisation, Place::Organisation(org)) => match self.role.held_only_in() {
                Some(kind) if org.org_type != kind => Err(StoreError::Conflict(format!(
                    "{} is held only in an organisation of the type {}, and {} is not one",
                    self.role.label(),
                    kind.label().to_lowercase(),
                    org.name
                ))),
                _ => Ok(()),
            },
            (RoleScope::Platform, Place::Installation) | (RoleScope::Region, Place::Region(_)) => {
                Ok(())
            }
            (RoleScope::Organisation, _) => {
                refuse("This role is held in one organisation: say which")
            }
            (RoleScope::Platform, _) => {
                refuse("This role covers the whole installation: do not name an organisation")
            }
            (RoleScope::Region, _) => {
                refuse("This role is held in one region: say which, not an organisation")
            }
        }
    }

    /// " in the London region", or nothing: an organisation is named by the audit entry's
    /// own column.
    fn where_words(&self) -> String {
        match self.place {
            Place::Region(region) => format!(" in the {} region", region.label()),
            _ => String::new(),
        }
    }

    fn organisation_code(&self) -> Option<&str> {
        match self.place {
            Place::Organisation(org) => Some(org.ods_code.as_str()),
            _ => None,
        }
    }

    fn because(&self) -> String {
        self.reason
            .map(|reason| format!(". Reason: {reason}"))
            .unwrap_or_default()
    }
}

/// Gives a person a role, audited with the reason, and writes `mails` with it. A role
/// they already hold there is a `Conflict`.
pub async fn grant(
    db: &Db,
    actor: &str,
    now: i64,
    change: &Change<'_>,
    mails: &[NewMail],
) -> Result<(), StoreError> {
    change.check()?;
    let person = change.person;
    let role = change.role;
    let already = format!("{} already has the role {}", person.email, role.label());
    let mut tx = db.begin_write().await?;
    match change.place {
        Place::Organisation(org) => {
            sqlx::query(
                "INSERT INTO memberships (person_id, organisation_id, role, granted_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(person.id)
            .bind(org.id)
            .bind(role.code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, format!("{already} in {}", org.name)))?;
        }
        Place::Region(region) => {
            sqlx::query(
                "INSERT INTO region_roles (person_id, region, role, granted_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(person.id)
            .bind(region.code())
            .bind(role.code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, format!("{already} in the {} region", region.label())))?;
        }
        Place::Installation => {
            sqlx::query(
                "INSERT INTO platform_roles (person_id, role, granted_at) VALUES ($1, $2, $3)",
            )
            .bind(person.id)
            .bind(role.code())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, already.clone()))?;
        }
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: change.organisation_code(),
            action: "role.grant",
            detail: &format!(
                "Gave {} the role {}{}{}",
                person.email,
                role.label(),
                change.where_words(),
                change.because()
            ),
        },
    )
    .await?;
    mail::enqueue(&mut tx, now, mails).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a role away, audited with the reason, and writes `mails` with it. A role they do
/// not hold there is `NotFound`; the last administrator of an organisation or of the
/// installation keeps the role (`Conflict`), so nobody is left to manage it. Returns the
/// digests of the person's sessions, so any case key they unlocked can be dropped.
pub async fn revoke(
    db: &Db,
    actor: &str,
    now: i64,
    change: &Change<'_>,
    mails: &[NewMail],
) -> Result<Vec<String>, StoreError> {
    change.check()?;
    let person = change.person;
    let role = change.role;
    let mut tx = db.begin_write().await?;
    let (removed, left) = match change.place {
        Place::Organisation(org) => {
            let removed = sqlx::query(
                "DELETE FROM memberships WHERE person_id = $1 AND organisation_id = $2 AND role = $3",
            )
            .bind(person.id)
            .bind(org.id)
            .bind(role.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let (left,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND role = $2",
            )
            .bind(org.id)
            .bind(role.code())
            .fetch_one(&mut *tx)
            .await?;
            (removed, left)
        }
        Place::Region(region) => {
            let removed = sqlx::query(
                "DELETE FROM region_roles WHERE person_id = $1 AND region = $2 AND role = $3",
            )
            .bind(person.id)
            .bind(region.code())
            .bind(role.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            (removed, 1)
        }
        Place::Installation => {
            let removed =
                sqlx::query("DELETE FROM platform_roles WHERE person_id = $1 AND role = $2")
                    .bind(person.id)
                    .bind(role.code())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            let (left,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM platform_roles WHERE role = $1")
                    .bind(role.code())
                    .fetch_one(&mut *tx)
                    .await?;
            (removed, left)
        }
    };
    if removed == 0 {
        return Err(StoreError::NotFound(format!(
            "{} does not have the role {} there",
            person.email,
            role.label()
        )));
    }
    if left == 0 && matches!(role, Role::OrgAdmin | Role::PlatformAdmin) {
        // Dropping the transaction undoes the removal.
        return Err(StoreError::Conflict(format!(
            "{} is the only {} there, and nobody would be left to manage it. Give someone else the role first",
            person.email,
            role.label().to_lowercase()
        )));
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: change.organisation_code(),
            action: "role.revoke",
            detail: &format!(
                "Took the role {}{} from {}{}",
                role.label(),
                change.where_words(),
                person.email,
                change.because()
            ),
        },
    )
    .await?;
    mail::enqueue(&mut tx, now, mails).await?;
    let sessions: Vec<(String,)> =
        sqlx::query_as("SELECT token_digest FROM sessions WHERE person_id = $1")
            .bind(person.id)
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(sessions.into_iter().map(|(digest,)| digest).collect())
}

/// Ends every session of a person, audited with the reason (in `organisation`'s log when
/// an organisation's administrator did it). Returns the digests of the sessions ended. The
/// log does not say how many there were: that would tell an administrator when someone
/// was using Dignity.
pub async fn end_sessions(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    organisation: Option<&Organisation>,
    reason: &str,
) -> Result<Vec<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    let sessions: Vec<(String,)> =
        sqlx::query_as("DELETE FROM sessions WHERE person_id = $1 RETURNING token_digest")
            .bind(person.id)
            .fetch_all(&mut *tx)
            .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: organisation.map(|o| o.ods_code.as_str()),
            action: "person.sessions_end",
            detail: &format!("Signed {} out everywhere. Reason: {reason}", person.email),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(sessions.into_iter().map(|(digest,)| digest).collect())
}

/// Turns an account off (it cannot sign in, and every session ends) or on again, audited
/// with the reason. Roles are kept, so turning it on again restores what they had.
/// Returns the digests of the sessions ended.
pub async fn set_account_on(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    on: bool,
    reason: &str,
) -> Result<Vec<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET disabled = $1 WHERE id = $2")
        .bind(i64::from(!on))
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    let sessions: Vec<(String,)> = if on {
        Vec::new()
    } else {
        sqlx::query_as("DELETE FROM sessions WHERE person_id = $1 RETURNING token_digest")
            .bind(person.id)
            .fetch_all(&mut *tx)
            .await?
    };
    let (action, what) = if on {
        ("person.enable", "Turned on the account of")
    } else {
        ("person.disable", "Turned off the account of")
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action,
            detail: &format!("{what} {}. Reason: {reason}", person.email),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(sessions.into_iter().map(|(digest,)| digest).collect())
}

const PERSON_COLUMNS: &str =
    "p.id, p.email, p.display_name, p.passphrase_hash, p.totp_secret, p.totp_last_step, p.disabled";

/// The people an organisation's administrators look after: those holding a role in it,
/// and those its identity provider made or keeps in step.
const IN_ORGANISATION: &str = "(p.id IN (SELECT person_id FROM memberships WHERE organisation_id = $1) \
     OR p.id IN (SELECT person_id FROM provisioned_people WHERE organisation_id = $1))";

/// `text` for a `LIKE ... ESCAPE '\'` pattern that finds it anywhere, lower case.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A page of people whose name or email address contains `query` (all, when it is
/// empty), by name; only those of `organisation` when one is given. Also how many match
/// in all.
pub async fn search(
    db: &Db,
    organisation_id: Option<i64>,
    query: &str,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Person>), StoreError> {
    let scope = if organisation_id.is_some() {
        IN_ORGANISATION
    } else {
        "$1 = $1"
    };
    let matching =
        "(LOWER(p.display_name) LIKE $2 ESCAPE '\\' OR LOWER(p.email) LIKE $2 ESCAPE '\\')";
    let pattern = contains_pattern(query);
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM people p WHERE {scope} AND {matching}"
    ))
    .bind(organisation_id.unwrap_or_default())
    .bind(&pattern)
    .fetch_one(db.pool())
    .await?;
    let people: Vec<Person> = sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people p WHERE {scope} AND {matching} \
         ORDER BY LOWER(p.display_name), p.id LIMIT $3 OFFSET $4"
    ))
    .bind(organisation_id.unwrap_or_default())
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((total, people))
}

/// The person, if the organisation's administrators look after them (see [`search`]).
pub async fn find_in_organisation(
    db: &Db,
    organisation_id: i64,
    person_id: i64,
) -> Result<Option<Person>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $2 AND {IN_ORGANISATION}"
    ))
    .bind(organisation_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?)
}

/// A role held, and whether the organisation's identity provider gave it (so it comes
/// back at their next sign-in while the provider still says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub membership: Membership,
    pub from_provider: bool,
}

/// Every role a person holds, as [`crate::identity::memberships`] lists them, each with
/// whether a provider gave it.
pub async fn held(db: &Db, person_id: i64) -> Result<Vec<Held>, StoreError> {
    let memberships = crate::identity::memberships(db, person_id).await?;
    let given: Vec<(i64, String)> = sqlx::query_as(
        "SELECT organisation_id, role FROM memberships WHERE person_id = $1 AND from_provider = 1",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    Ok(memberships
        .into_iter()
        .map(|membership| Held {
            from_provider: membership.organisation.as_ref().is_some_and(|org| {
                given
                    .iter()
                    .any(|(id, role)| *id == org.id && role == membership.role.code())
            }),
            membership,
        })
        .collect())
}

/// The issuers of the identity providers whose accounts open this person's.
pub async fn linked_issuers(db: &Db, person_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT issuer FROM external_identities WHERE person_id = $1 ORDER BY issuer",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(issuer,)| issuer).collect())
}

/// The addresses of everyone holding `role` in the organisation (or, with `None`, across
/// the installation), except `except`: who is told when such a role changes hands.
pub async fn holders(
    db: &Db,
    role: Role,
    organisation_id: Option<i64>,
    except: i64,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = match organisation_id {
        Some(organisation_id) => {
            sqlx::query_as(
                "SELECT p.email FROM memberships m JOIN people p ON p.id = m.person_id \
                 WHERE m.organisation_id = $1 AND m.role = $2 AND p.id <> $3 AND p.disabled = 0 \
                 ORDER BY p.email",
            )
            .bind(organisation_id)
            .bind(role.code())
            .bind(except)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT p.email FROM platform_roles r JOIN people p ON p.id = r.person_id \
                 WHERE r.role = $1 AND p.id <> $2 AND p.disabled = 0 ORDER BY p.email",
            )
            .bind(role.code())
            .bind(except)
            .fetch_all(db.pool())
            .await?
        }
    };
    Ok(rows.into_iter().map(|(email,)| email).collect())
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn search_patterns_match_wildcards_literally() {
        assert_eq!(contains_pattern(" Ann "), "%ann%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
