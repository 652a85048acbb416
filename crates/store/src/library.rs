//! The knowledge hub's catalogue: resources and case studies, the log of changes that
//! keeps every server's search index current, and organisations' own pinned items.

use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::library::{Audience, Kind, Published, Topic, link_site, parse_codes};
use dignity_domain::speakup::Day;

/// A case study's structure: who, what was wrong, what was done together, what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct CaseStudy {
    #[sqlx(rename = "case_organisation")]
    pub organisation: String,
    #[sqlx(rename = "case_problem")]
    pub problem: String,
    #[sqlx(rename = "case_approach")]
    pub approach: String,
    #[sqlx(rename = "case_results")]
    pub results: String,
    #[sqlx(rename = "case_contacts")]
    pub contacts: String,
}

/// A resource as written by a curator (already checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResource {
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub publisher: String,
    /// Empty when the publisher's name is all we can point to; a site's home page when
    /// that is all we know (see `link_is_site_home`).
    pub link: String,
    pub audiences: Vec<Audience>,
    pub topics: Vec<Topic>,
    /// None when the source does not say.
    pub published: Option<Published>,
    pub review_on: Day,
    pub case: CaseStudy,
}

impl NewResource {
    /// The site its address points into, as people read it; empty without an address.
    pub fn link_site(&self) -> &str {
        link_site(&self.link).map_or("", |(site, _)| site)
    }

    /// Whether the address is only a website's home page, not the resource's own page:
    /// people are told to look for it there, and curators to find its own address.
    pub fn link_is_site_home(&self) -> bool {
        link_site(&self.link).is_some_and(|(_, home)| home)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: i64,
    pub fields: NewResource,
    pub retired: bool,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, kind, title, summary, publisher, link, audiences, topics, published, review_on, case_organisation, case_problem, case_approach, case_results, case_contacts, retired_at, updated_at";

fn corrupt(what: &'static str) -> impl Fn(dignity_domain::identity::InvalidValue) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

/// A stored resource: code lists are comma-separated, an unknown date is empty.
#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: i64,
    #[sqlx(try_from = "String")]
    kind: Kind,
    title: String,
    summary: String,
    publisher: String,
    link: String,
    audiences: String,
    topics: String,
    published: String,
    #[sqlx(try_from = "String")]
    review_on: Day,
    #[sqlx(flatten)]
    case: CaseStudy,
    retired_at: Option<i64>,
    updated_at: i64,
}

impl TryFrom<ResourceRow> for Resource {
    type Error = StoreError;
    fn try_from(row: ResourceRow) -> Result<Resource, StoreError> {
        let published = match row.published.as_str() {
            "" => None,
            text => Some(Published::parse(text).map_err(corrupt("date"))?),
        };
        Ok(Resource {
            id: row.id,
            fields: NewResource {
                kind: row.kind,
                title: row.title,
                summary: row.summary,
                publisher: row.publisher,
                link: row.link,
                audiences: parse_codes(&row.audiences).map_err(corrupt("audiences"))?,
                topics: parse_codes(&row.topics).map_err(corrupt("topics"))?,
                published,
                review_on: row.review_on,
                case: row.case,
            },
            retired: row.retired_at.is_some(),
            updated_at: row.updated_at,
        })
    }
}

fn codes<T: Copy>(list: &[T], code: fn(T) -> &'static str) -> String {
    list.iter().map(|c| code(*c)).collect::<Vec<_>>().join(",")
}

/// An update that touched no row means there is no such (live) resource.
fn found(changed: u64, id: i64) -> Result<(), StoreError> {
    if changed == 0 {
        return Err(StoreError::NotFound(format!(
            "There is no resource {id} in the catalogue"
        )));
    }
    Ok(())
}

async fn log_change(conn: &mut sqlx::AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO library_changes (resource_id) VALUES ($1)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    now: i64,
    r: &NewResource,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO library_resources (kind, title, summary, publisher, link, audiences, topics, published, review_on, case_organisation, case_problem, case_approach, case_results, case_contacts, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16) RETURNING id",
    )
    .bind(r.kind.code())
    .bind(&r.title)
    .bind(&r.summary)
    .bind(&r.publisher)
    .bind(&r.link)
    .bind(codes(&r.audiences, Audience::code))
    .bind(codes(&r.topics, Topic::code))
    .bind(r.published.map(|p| p.to_string()).unwrap_or_default())
    .bind(r.review_on.to_string())
    .bind(&r.case.organisation)
    .bind(&r.case.problem)
    .bind(&r.case.approach)
    .bind(&r.case.results)
    .bind(&r.case.contacts)
    .bind(now)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await?;
    log_change(conn, id).await?;
    Ok(id)
}

/// Adds resources in one transaction (the starter catalogue, or a curator's one). Each
/// addition is audited.
pub async fn add_resources(
    db: &Db,
    actor: &str,
    organisation: Option<&str>,
    now: i64,
    resources: &[NewResource],
) -> Result<Vec<i64>, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(resources.len());
    for r in resources {
        let id = insert(&mut tx, actor, now, r).await?;
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor,
                organisation,
                action: "library.add",
                detail: &format!("Added {} {id}: {}", r.kind.label().to_lowercase(), r.title),
            },
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Changes a resource. A retired one cannot be changed.
pub async fn update_resource(
    db: &Db,
    actor: &str,
    organisation: Option<&str>,
    now: i64,
    id: i64,
    r: &NewResource,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE library_resources SET kind = $1, title = $2, summary = $3, publisher = $4, link = $5, audiences = $6, topics = $7, published = $8, review_on = $9, \
         case_organisation = $10, case_problem = $11, case_approach = $12, case_results = $13, case_contacts = $14, updated_at = $15, updated_by = $16 \
         WHERE id = $17 AND retired_at IS NULL",
    )
    .bind(r.kind.code())
    .bind(&r.title)
    .bind(&r.summary)
    .bind(&r.publisher)
    .bind(&r.link)
    .bind(codes(&r.audiences, Audience::code))
    .bind(codes(&r.topics, Topic::code))
    .bind(r.published.map(|p| p.to_string()).unwrap_or_default())
    .bind(r.review_on.to_string())
    .bind(&r.case.organisation)
    .bind(&r.case.problem)
    .bind(&r.case.approach)
    .bind(&r.case.results)
    .bind(&r.case.contacts)
    .bind(now)
    .bind(actor)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    found(changed, id)?;
    log_change(&mut tx, id).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation,
            action: "library.change",
            detail: &format!("Changed resource {id}: {}", r.title),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Retires a resource: it leaves search, and its page says it was retired.
pub async fn retire_resource(
    db: &Db,
    actor: &str,
    organisation: Option<&str>,
    now: i64,
    id: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE library_resources SET retired_at = $1, updated_at = $1, updated_by = $2 WHERE id = $3 AND retired_at IS NULL",
    )
    .bind(now)
    .bind(actor)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    found(changed, id)?;
    log_change(&mut tx, id).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation,
            action: "library.retire",
            detail: &format!("Retired resource {id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that a resource was checked and still stands, with its next review date.
pub async fn mark_reviewed(
    db: &Db,
    actor: &str,
    organisation: Option<&str>,
    now: i64,
    id: i64,
    next: Day,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE library_resources SET review_on = $1, updated_at = $2, updated_by = $3 WHERE id = $4 AND retired_at IS NULL",
    )
    .bind(next.to_string())
    .bind(now)
    .bind(actor)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    found(changed, id)?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation,
            action: "library.review",
            detail: &format!("Checked resource {id}; next check {next}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get_resource(db: &Db, id: i64) -> Result<Resource, StoreError> {
    sqlx::query_as::<_, ResourceRow>(&format!(
        "SELECT {COLUMNS} FROM library_resources WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no resource {id}")))?
    .try_into()
}

/// Every resource in the catalogue (retired too), in id order: what a search index is
/// built from.
pub async fn all_resources(db: &Db) -> Result<Vec<Resource>, StoreError> {
    sqlx::query_as::<_, ResourceRow>(&format!(
        "SELECT {COLUMNS} FROM library_resources ORDER BY id"
    ))
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(Resource::try_from)
    .collect()
}

/// The newest change's number (0 when there are none).
pub async fn last_change(db: &Db) -> Result<i64, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM library_changes")
        .fetch_one(db.pool())
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Resources changed after change `after`, as they are now, and the newest change's number.
pub async fn changed_since(db: &Db, after: i64) -> Result<(i64, Vec<Resource>), StoreError> {
    let ids: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, resource_id FROM library_changes WHERE id > $1 ORDER BY id")
            .bind(after)
            .fetch_all(db.pool())
            .await?;
    let newest = ids.last().map_or(after, |(seq, _)| *seq);
    let mut wanted: Vec<i64> = ids.into_iter().map(|(_, id)| id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut resources = Vec::with_capacity(wanted.len());
    for id in wanted {
        resources.push(get_resource(db, id).await?);
    }
    Ok((newest, resources))
}

/// Resources whose review date has come, oldest first.
pub async fn due_for_review(db: &Db, today: Day) -> Result<Vec<Resource>, StoreError> {
    sqlx::query_as::<_, ResourceRow>(&format!(
        "SELECT {COLUMNS} FROM library_resources WHERE retired_at IS NULL AND review_on <= $1 ORDER BY review_on, id"
    ))
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(Resource::try_from)
    .collect()
}

/// An organisation's own item, shown above the national catalogue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pin {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
}

pub async fn add_pin(
    db: &Db,
    actor: &str,
    organisation: &crate::identity::Organisation,
    now: i64,
    title: &str,
    body: &str,
    link: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO library_pins (organisation_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(organisation.id)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "library.pin",
            detail: &format!("Pinned {title}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_pin(
    db: &Db,
    actor: &str,
    organisation: &crate::identity::Organisation,
    now: i64,
    id: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM library_pins WHERE id = $1 AND organisation_id = $2")
        .bind(id)
        .bind(organisation.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(StoreError::NotFound(format!(
            "There is no pinned item {id}"
        )));
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "library.unpin",
            detail: &format!("Removed pinned item {id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An organisation's pinned items, in the order they were added.
pub async fn pins(db: &Db, organisation_id: i64) -> Result<Vec<Pin>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, title, body, link FROM library_pins WHERE organisation_id = $1 ORDER BY id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}
