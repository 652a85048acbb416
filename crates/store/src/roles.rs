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
    // A role that needs a second step: a session that has not taken it ends, so that the
    // second step is set up only after the passphrase is typed again (outside attack,
    // December 2026: a stolen cookie of a staff session enrolled its own authenticator).
    if role.needs_second_factor() {
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND second_factor_done = 0")
            .bind(person.id)
            .execute(&mut *tx)
            .await?;
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
    lock_administrators(db, &mut tx).await?;
    let removed = match change.place {
        Place::Organisation(org) => sqlx::query(
            "DELETE FROM memberships WHERE person_id = $1 AND organisation_id = $2 AND role = $3",
        )
        .bind(person.id)
        .bind(org.id)
        .bind(role.code()),
        Place::Region(region) => sqlx::query(
            "DELETE FROM region_roles WHERE person_id = $1 AND region = $2 AND role = $3",
        )
        .bind(person.id)
        .bind(region.code())
        .bind(role.code()),
        Place::Installation => {
            sqlx::query("DELETE FROM platform_roles WHERE person_id = $1 AND role = $2")
                .bind(person.id)
                .bind(role.code())
        }
    }
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(StoreError::NotFound(format!(
            "{} does not have the role {} there",
            person.email,
            role.label()
        )));
    }
    let last = match (role, change.place) {
        (Role::OrgAdmin, Place::Organisation(org)) => {
            active_administrators(&mut tx, Some(org.id)).await? == 0
        }
        (Role::PlatformAdmin, _) => active_administrators(&mut tx, None).await? == 0,
        _ => false,
    };
    if last && !person.disabled {
        // Dropping the transaction undoes the removal.
        return Err(StoreError::Conflict(nobody_left(person, change.place)));
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
    let sessions = end_every_session(&mut tx, person.id).await?;
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
    Ok(sessions)
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
    lock_administrators(db, &mut tx).await?;
    sqlx::query("UPDATE people SET disabled = $1 WHERE id = $2")
        .bind(i64::from(!on))
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    // Where they hold a role: each organisation's log says so too.
    let places: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT DISTINCT o.id, o.ods_code, o.name FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.person_id = $1 ORDER BY o.ods_code",
    )
    .bind(person.id)
    .fetch_all(&mut *tx)
    .await?;
    if !on {
        // Nobody is left to manage an organisation or the installation: the last active
        // administrator stays on (outside attack, December 2026: two platform
        // administrators turned each other off at the same moment).
        let (platform,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM platform_roles WHERE person_id = $1 AND role = $2",
        )
        .bind(person.id)
        .bind(Role::PlatformAdmin.code())
        .fetch_one(&mut *tx)
        .await?;
        if platform > 0 && active_administrators(&mut tx, None).await? == 0 {
            return Err(StoreError::Conflict(nobody_left(
                person,
                Place::Installation,
            )));
        }
        let administered: Vec<(i64, String)> = sqlx::query_as(
            "SELECT o.id, o.name FROM memberships m JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.person_id = $1 AND m.role = $2",
        )
        .bind(person.id)
        .bind(Role::OrgAdmin.code())
        .fetch_all(&mut *tx)
        .await?;
        for (id, name) in administered {
            if active_administrators(&mut tx, Some(id)).await? == 0 {
                return Err(StoreError::Conflict(format!(
                    "{} is the only organisation administrator of {name} whose account is on, and nobody would be left to manage it. Give someone else the role first",
                    person.email
                )));
            }
        }
    }
    for (_, ods_code, _) in &places {
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor,
                organisation: Some(ods_code),
                action: if on {
                    "person.enable"
                } else {
                    "person.disable"
                },
                detail: &format!(
                    "{} the account of {}, who has a role here. Reason: {reason}",
                    if on { "Turned on" } else { "Turned off" },
                    person.email
                ),
            },
        )
        .await?;
    }
    let sessions = if on {
        Vec::new()
    } else {
        end_every_session(&mut tx, person.id).await?
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
    Ok(sessions)
}

/// Ends someone's time in an organisation, as a workforce extract says: their roles there
/// go, and their sessions end; the account is turned off when they hold no role anywhere
/// else (another organisation's roles are not this one's to stop). Any leaving day kept
/// for them there goes too. Returns the digests of the sessions ended.
pub async fn leave_organisation(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    person: &Person,
    detail: &str,
) -> Result<Left, StoreError> {
    let mut tx = db.begin_write().await?;
    lock_administrators(db, &mut tx).await?;
    sqlx::query("DELETE FROM leaving_accounts WHERE person_id = $1 AND organisation_id = $2")
        .bind(person.id)
        .bind(organisation.id)
        .execute(&mut *tx)
        .await?;
    let (roles_here, elsewhere) = remove_roles_here(&mut tx, organisation.id, person.id).await?;
    if roles_here == 0 {
        // Nothing of this organisation's to end.
        tx.commit().await?;
        return Ok(Left::default());
    }
    if elsewhere == 0 {
        turn_off(&mut tx, person.id).await?;
    }
    let sessions = end_every_session(&mut tx, person.id).await?;
    let account = if elsewhere == 0 {
        "the account is turned off"
    } else {
        "they keep their roles elsewhere"
    };
    // A leaver goes even if they were its last administrator: access ends the day they
    // leave. The log and whoever imported the extract are told plainly.
    let no_administrator_left = active_administrators(&mut tx, Some(organisation.id)).await? == 0;
    let warning = if no_administrator_left {
        ". The organisation now has no administrator whose account is on: a platform administrator must give someone the role"
    } else {
        ""
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(organisation.ods_code.as_str()),
            action: "person.left",
            detail: &format!(
                "{} left: {detail}. Their roles here were removed and their sessions ended; {account}{warning}",
                person.email
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Left {
        sessions,
        no_administrator_left,
    })
}

/// What a leaver's going did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Left {
    /// The digests of the sessions ended.
    pub sessions: Vec<String>,
    /// The organisation has no administrator whose account is on any more.
    pub no_administrator_left: bool,
}

/// Removes a person's roles in an organisation. Returns how many went, and how many roles
/// they still hold anywhere (other organisations, regions, the installation).
pub(crate) async fn remove_roles_here(
    tx: &mut sqlx::AnyConnection,
    organisation_id: i64,
    person_id: i64,
) -> Result<(u64, i64), StoreError> {
    let roles_here =
        sqlx::query("DELETE FROM memberships WHERE person_id = $1 AND organisation_id = $2")
            .bind(person_id)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let (elsewhere,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM platform_roles WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM region_roles WHERE person_id = $1)",
    )
    .bind(person_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok((roles_here, elsewhere))
}

pub(crate) async fn turn_off(
    tx: &mut sqlx::AnyConnection,
    person_id: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET disabled = 1 WHERE id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Ends every session of a person. Returns their digests, so the case keys they unlocked
/// can be dropped.
pub(crate) async fn end_every_session(
    tx: &mut sqlx::AnyConnection,
    person_id: i64,
) -> Result<Vec<String>, StoreError> {
    let sessions: Vec<(String,)> =
        sqlx::query_as("DELETE FROM sessions WHERE person_id = $1 RETURNING token_digest")
            .bind(person_id)
            .fetch_all(&mut *tx)
            .await?;
    Ok(sessions.into_iter().map(|(digest,)| digest).collect())
}

/// Keeps the day a person leaves an organisation, to end their time there then
/// ([`due_leavers`]); `None` calls off a day kept before. Audited when it changes; returns
/// whether it did.
pub async fn set_leaving_day(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    person: &Person,
    leaves_on: Option<dignity_domain::speakup::Day>,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let kept: Option<(String,)> = sqlx::query_as(
        "SELECT leaves_on FROM leaving_accounts WHERE organisation_id = $1 AND person_id = $2",
    )
    .bind(organisation.id)
    .bind(person.id)
    .fetch_optional(&mut *tx)
    .await?;
    let wanted = leaves_on.map(|d| d.to_string());
    if kept.as_ref().map(|(d,)| d) == wanted.as_ref() {
        return Ok(false);
    }
    let detail = match &leaves_on {
        Some(day) => {
            sqlx::query(
                "INSERT INTO leaving_accounts (organisation_id, person_id, leaves_on) VALUES ($1, $2, $3) \
                 ON CONFLICT (organisation_id, person_id) DO UPDATE SET leaves_on = $3",
            )
            .bind(organisation.id)
            .bind(person.id)
            .bind(day.to_string())
            .execute(&mut *tx)
            .await?;
            format!(
                "{} leaves on {}: their roles here go and their sessions end that day",
                person.email,
                day.long()
            )
        }
        None => {
            sqlx::query(
                "DELETE FROM leaving_accounts WHERE organisation_id = $1 AND person_id = $2",
            )
            .bind(organisation.id)
            .bind(person.id)
            .execute(&mut *tx)
            .await?;
            format!("{} is no longer leaving", person.email)
        }
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(organisation.ods_code.as_str()),
            action: "person.leaving_day",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The leaving days that have come, on or before `today`: (organisation, person, day).
pub async fn due_leavers(
    db: &Db,
    today: dignity_domain::speakup::Day,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT organisation_id, person_id, leaves_on FROM leaving_accounts \
         WHERE leaves_on <= $1 ORDER BY leaves_on, organisation_id, person_id",
    )
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Whether a person holds a role in the organisation.
pub async fn holds_role_in(
    db: &Db,
    organisation_id: i64,
    person_id: i64,
) -> Result<bool, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND person_id = $2",
    )
    .bind(organisation_id)
    .bind(person_id)
    .fetch_one(db.pool())
    .await?;
    Ok(count > 0)
}

/// Locks every administrator's role until the transaction ends, so two changes that would
/// each leave one administrator cannot both go through (on PostgreSQL; SQLite's write
/// transaction already holds the whole database).
async fn lock_administrators(db: &Db, tx: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    let lock = db.lock_rows();
    sqlx::query(&format!(
        "SELECT person_id FROM platform_roles WHERE role = $1{lock}"
    ))
    .bind(Role::PlatformAdmin.code())
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "SELECT person_id FROM memberships WHERE role = $1{lock}"
    ))
    .bind(Role::OrgAdmin.code())
    .fetch_all(&mut *tx)
    .await?;
    Ok(())
}

/// How many administrators whose accounts are on an organisation has, or (with `None`)
/// the installation.
async fn active_administrators(
    tx: &mut sqlx::AnyConnection,
    organisation_id: Option<i64>,
) -> Result<i64, StoreError> {
    let (count,): (i64,) = match organisation_id {
        Some(id) => {
            sqlx::query_as(
                "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id \
                 WHERE m.organisation_id = $1 AND m.role = $2 AND p.disabled = 0",
            )
            .bind(id)
            .bind(Role::OrgAdmin.code())
            .fetch_one(&mut *tx)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT COUNT(*) FROM platform_roles r JOIN people p ON p.id = r.person_id \
                 WHERE r.role = $1 AND p.disabled = 0",
            )
            .bind(Role::PlatformAdmin.code())
            .fetch_one(&mut *tx)
            .await?
        }
    };
    Ok(count)
}

fn nobody_left(person: &Person, place: Place<'_>) -> String {
    let what = match place {
        Place::Organisation(org) => format!("organisation administrator of {}", org.name),
        _ => "platform administrator".to_owned(),
    };
    format!(
        "{} is the only {what} whose account is on, and nobody would be left to manage it. Give someone else the role first",
        person.email
    )
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
