//! Organisations, org units, people and their roles. Every change is audited in the same
//! transaction.

use crate::audit::{self, NewEntry};
use crate::column::Flag;
use crate::error::conflict_or;
use crate::roles::{Change, Place};
use crate::{Db, StoreError};
use dignity_domain::identity::{
    Email, Name, OdsCode, OrgType, OrgUnitKind, Region, Role, RoleScope,
};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Organisation {
    pub id: i64,
    pub ods_code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub org_type: OrgType,
    #[sqlx(try_from = "String")]
    pub region: Region,
    pub benchmark_group: String,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub ods_code: OdsCode,
    pub name: Name,
    pub org_type: OrgType,
    pub region: Region,
    pub benchmark_group: Name,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgUnit {
    pub id: i64,
    pub organisation_id: i64,
    pub parent_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: OrgUnitKind,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub passphrase_hash: String,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub disabled: bool,
}

/// A role a person holds, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    /// `None` for roles held in a region or across the installation.
    pub organisation: Option<OrgRef>,
    /// The region a region role is held in; `None` for every other role.
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: i64,
    pub ods_code: String,
    pub name: String,
}

fn parse_code<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown stored code '{raw}'")))
}

const ORG_COLUMNS: &str = "id, ods_code, name, org_type, region, benchmark_group";
const PERSON_COLUMNS: &str =
    "id, email, display_name, passphrase_hash, totp_secret, totp_last_step, disabled";

pub async fn create_organisation(
    db: &Db,
    actor: &str,
    now: i64,
    new: &NewOrganisation,
) -> Result<Organisation, StoreError> {
    let mut tx = db.begin_write().await?;
    let organisation: Organisation = sqlx::query_as(&format!(
        "INSERT INTO organisations (ods_code, name, org_type, region, benchmark_group, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ORG_COLUMNS}"
    ))
    .bind(new.ods_code.as_str())
    .bind(new.name.as_str())
    .bind(new.org_type.code())
    .bind(new.region.code())
    .bind(new.benchmark_group.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        conflict_or(
            e,
            format!(
                "An organisation with ODS code {} already exists",
                new.ods_code
            ),
        )
    })?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(new.ods_code.as_str()),
            action: "organisation.create",
            detail: &format!(
                "Created {} ({}, {}, {})",
                organisation.name,
                organisation.org_type.label(),
                organisation.region.label(),
                organisation.benchmark_group
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(organisation)
}

pub async fn find_organisation(
    db: &Db,
    code: &OdsCode,
) -> Result<Option<Organisation>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations WHERE ods_code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(db.pool())
    .await?)
}

pub async fn organisation_by_id(db: &Db, id: i64) -> Result<Option<Organisation>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Like [`find_organisation`], but a missing organisation is an error that names the code.
pub async fn get_organisation(db: &Db, code: &OdsCode) -> Result<Organisation, StoreError> {
    find_organisation(db, code).await?.ok_or_else(|| {
        StoreError::NotFound(format!("There is no organisation with ODS code {code}"))
    })
}

pub async fn list_organisations(db: &Db) -> Result<Vec<Organisation>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations ORDER BY name"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// These organisations, by id, in no order (a page of a register names a few of them).
pub async fn organisations_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Organisation>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id IN ({list})");
    let mut query = sqlx::query_as::<_, Organisation>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(db.pool()).await?)
}

pub async fn create_org_unit(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    parent_id: Option<i64>,
    kind: OrgUnitKind,
    name: &Name,
) -> Result<OrgUnit, StoreError> {
    let mut tx = db.begin_write().await?;
    let parent_kind = match parent_id {
        None => None,
        Some(pid) => {
            let kind: String = sqlx::query_scalar(
                "SELECT kind FROM org_units WHERE id = $1 AND organisation_id = $2",
            )
            .bind(pid)
            .bind(organisation.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!("There is no unit {pid} in {}", organisation.name))
            })?;
            Some(parse_code::<OrgUnitKind>(&kind)?)
        }
    };
    kind.check_parent(parent_kind)?;
    let clash: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_units WHERE organisation_id = $1 \
         AND COALESCE(parent_id, 0) = $2 AND LOWER(name) = LOWER($3)",
    )
    .bind(organisation.id)
    .bind(parent_id.unwrap_or(0))
    .bind(name.as_str())
    .fetch_one(&mut *tx)
    .await?;
    if clash > 0 {
        return Err(StoreError::Conflict(format!(
            "There is already a unit called {name} in that place"
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO org_units (organisation_id, parent_id, kind, name, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(organisation.id)
    .bind(parent_id)
    .bind(kind.code())
    .bind(name.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "org_unit.create",
            detail: &format!("Added {} {name} (unit {id})", kind.label().to_lowercase()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OrgUnit {
        id,
        organisation_id: organisation.id,
        parent_id,
        kind,
        name: name.as_str().to_owned(),
    })
}

/// All units of an organisation, parents before children, siblings by name.
pub async fn list_org_units(db: &Db, organisation_id: i64) -> Result<Vec<OrgUnit>, StoreError> {
    let units: Vec<OrgUnit> = sqlx::query_as(
        "SELECT id, organisation_id, parent_id, kind, name FROM org_units \
         WHERE organisation_id = $1 ORDER BY name",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    // Order as a tree walk so a page can indent it without knowing the tree.
    let mut ordered = Vec::with_capacity(units.len());
    fn walk(units: &[OrgUnit], parent: Option<i64>, out: &mut Vec<OrgUnit>) {
        for unit in units.iter().filter(|u| u.parent_id == parent) {
            out.push(unit.clone());
            walk(units, Some(unit.id), out);
        }
    }
    walk(&units, None, &mut ordered);
    Ok(ordered)
}

pub async fn create_person(
    db: &Db,
    actor: &str,
    now: i64,
    email: &Email,
    display_name: &Name,
    passphrase_hash: &str,
) -> Result<Person, StoreError> {
    let mut tx = db.begin_write().await?;
    let person: Person = sqlx::query_as(&format!(
        "INSERT INTO people (email, display_name, passphrase_hash, disabled, created_at) \
         VALUES ($1, $2, $3, 0, $4) RETURNING {PERSON_COLUMNS}"
    ))
    .bind(email.as_str())
    .bind(display_name.as_str())
    .bind(passphrase_hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        conflict_or(
            e,
            format!("Someone with the email {email} already has an account"),
        )
    })?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "person.create",
            detail: &format!("Created an account for {email} (person {})", person.id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

pub async fn find_person_by_email(db: &Db, email: &Email) -> Result<Option<Person>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE email = $1"
    ))
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?)
}

pub async fn get_person_by_email(db: &Db, email: &Email) -> Result<Person, StoreError> {
    find_person_by_email(db, email)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no account for {email}")))
}

pub async fn get_person(db: &Db, id: i64) -> Result<Person, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no person {id}")))
}

/// Replaces a passphrase and ends every session of that person, so a reset locks out
/// whoever knew the old one.
pub async fn set_passphrase(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    passphrase_hash: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET passphrase_hash = $1 WHERE id = $2")
        .bind(passphrase_hash)
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    // Their case key was wrapped under the old passphrase, which nobody here knows, so it
    // and every case sealed to it go. Another guardian or the recovery key re-seals.
    sqlx::query("DELETE FROM case_seals WHERE holder = $1")
        .bind(format!("person:{}", person.id))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM caseworker_keys WHERE person_id = $1")
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    // A feed key made by whoever had the account before the reset stops too.
    sqlx::query("DELETE FROM voice_feed_keys WHERE person_id = $1")
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "person.passphrase_reset",
            detail: &format!(
                "Set a new passphrase for {} and ended their sessions and feed key; any case key was removed",
                person.email
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a confirmed second-factor secret, with the step of the code that confirmed it.
pub async fn set_totp(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    secret: Option<&str>,
    confirmed_step: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
        .bind(secret)
        .bind(confirmed_step)
        .bind(person.id)
        .execute(&mut *tx)
        .await?;
    // Clearing the second step is how a lost or taken account is recovered: a feed key
    // made before it stops, as it does when the passphrase is reset.
    if secret.is_none() {
        sqlx::query("DELETE FROM voice_feed_keys WHERE person_id = $1")
            .bind(person.id)
            .execute(&mut *tx)
            .await?;
    }
    let (action, detail) = match secret {
        Some(_) => ("person.totp_set", "Set up the second sign-in step"),
        None => ("person.totp_clear", "Removed the second sign-in step"),
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action,
            detail: &format!("{detail} for {}", person.email),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that a code's time step has been used. Fails (returns false) if a later or
/// equal step was already used, so two racing requests cannot both use one code.
pub async fn use_totp_step(db: &Db, person_id: i64, step: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE people SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(person_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a person a role in an organisation, or (for platform roles, `None`) across the
/// installation, audited. A role they already hold is a `Conflict`.
pub async fn grant_role(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    role: Role,
    organisation: Option<&Organisation>,
) -> Result<(), StoreError> {
    let place = match organisation {
        Some(org) => Place::Organisation(org),
        None if role.scope() == RoleScope::Region => {
            return Err(StoreError::Invalid(
                dignity_domain::identity::InvalidValue::Message(
                    "This role is held in one region: say which, not an organisation",
                ),
            ));
        }
        None => Place::Installation,
    };
    let change = Change {
        person,
        role,
        place,
        reason: None,
    };
    crate::roles::grant(db, actor, now, &change, &[]).await
}

/// Gives a person a role held in a region, audited. A role they already hold there is a
/// `Conflict`; a role not held in a region is refused.
pub async fn grant_region_role(
    db: &Db,
    actor: &str,
    now: i64,
    person: &Person,
    role: Role,
    region: Region,
) -> Result<(), StoreError> {
    if role.scope() != RoleScope::Region {
        return Err(StoreError::Invalid(
            dignity_domain::identity::InvalidValue::Message(
                "This role is not held in a region: name an organisation, or nothing",
            ),
        ));
    }
    let change = Change {
        person,
        role,
        place: Place::Region(region),
        reason: None,
    };
    crate::roles::grant(db, actor, now, &change, &[]).await
}

/// Every role a person holds, platform roles first, then by organisation name.
/// Platform roles first (by role), then roles in organisations (by organisation name and
/// role), in one query: every signed-in request reads them.
pub async fn memberships(db: &Db, person_id: i64) -> Result<Vec<Membership>, StoreError> {
    type Row = (
        i64,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT 0 AS place, role, CAST(NULL AS BIGINT) AS id, CAST(NULL AS TEXT) AS ods_code, \
         CAST(NULL AS TEXT) AS name, CAST(NULL AS TEXT) AS region FROM platform_roles \
         WHERE person_id = $1 \
         UNION ALL \
         SELECT 1, role, NULL, NULL, region, region FROM region_roles WHERE person_id = $1 \
         UNION ALL \
         SELECT 2, m.role, o.id, o.ods_code, o.name, NULL FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.person_id = $1 \
         ORDER BY 1, 5, 2",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(_, role, id, ods_code, name, region)| {
            Ok(Membership {
                role: parse_code(&role)?,
                organisation: match (id, ods_code, name) {
                    (Some(id), Some(ods_code), Some(name)) => Some(OrgRef { id, ods_code, name }),
                    _ => None,
                },
                region: region.as_deref().map(parse_code).transpose()?,
            })
        })
        .collect()
}

/// A person in an organisation, with the roles they hold there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub person_id: i64,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

pub async fn list_members(db: &Db, organisation_id: i64) -> Result<Vec<Member>, StoreError> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.email, p.display_name, m.role FROM memberships m \
         JOIN people p ON p.id = m.person_id WHERE m.organisation_id = $1 \
         ORDER BY p.display_name, p.id, m.role",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut members: Vec<Member> = Vec::new();
    for (person_id, email, display_name, role) in rows {
        let role: Role = parse_code(&role)?;
        match members.last_mut() {
            Some(last) if last.person_id == person_id => last.roles.push(role),
            _ => members.push(Member {
                person_id,
                email,
                display_name,
                roles: vec![role],
            }),
        }
    }
    Ok(members)
}

/// Puts `organisation` in the area of the integrated care board `icb` (issue 19's system
/// view), or takes it out of any (`None`); audited.
pub async fn set_icb(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    icb: Option<&Organisation>,
) -> Result<(), StoreError> {
    if let Some(icb) = icb {
        if icb.org_type != OrgType::Icb {
            return Err(StoreError::Conflict(format!(
                "{} is not an integrated care board, so it has no area",
                icb.name
            )));
        }
        if organisation.org_type == OrgType::Icb {
            return Err(StoreError::Conflict(format!(
                "{} is an integrated care board itself. An area holds other organisations",
                organisation.name
            )));
        }
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM organisation_systems WHERE organisation_id = $1")
        .bind(organisation.id)
        .execute(&mut *tx)
        .await?;
    if let Some(icb) = icb {
        sqlx::query("INSERT INTO organisation_systems (organisation_id, icb_id) VALUES ($1, $2)")
            .bind(organisation.id)
            .bind(icb.id)
            .execute(&mut *tx)
            .await?;
    }
    crate::audit::append(
        &mut tx,
        now,
        &crate::audit::NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "organisation.icb_set",
            detail: &match icb {
                Some(icb) => format!("In the area of {}", icb.ods_code),
                None => "In no integrated care board's area".to_owned(),
            },
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The organisations in the area of the integrated care board `icb_id`, by name.
pub async fn organisations_in_icb(db: &Db, icb_id: i64) -> Result<Vec<Organisation>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.ods_code, o.name, o.org_type, o.region, o.benchmark_group \
         FROM organisations o JOIN organisation_systems s ON s.organisation_id = o.id \
         WHERE s.icb_id = $1 ORDER BY o.name",
    )
    .bind(icb_id)
    .fetch_all(db.pool())
    .await?)
}

/// The integrated care boards on this installation, by name.
pub async fn integrated_care_boards(db: &Db) -> Result<Vec<Organisation>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, ods_code, name, org_type, region, benchmark_group FROM organisations \
         WHERE org_type = $1 ORDER BY name",
    )
    .bind(OrgType::Icb.code())
    .fetch_all(db.pool())
    .await?)
}
