//! Organisations, their structure, their people and their audit log.

use super::{Member, OrgUnit, Organisation};
use crate::{Context, Error};
use dignity_domain::identity::{Name, OdsCode, OrgUnitKind};
use dignity_store::{audit, identity};

pub use dignity_store::audit::Entry as AuditEntry;
pub use dignity_store::audit::Filter as AuditFilter;
pub use dignity_store::audit::Listed as ListedAuditEntry;

/// The organisation with this ODS code; `NotFound` for a code that is not one, or is
/// not here.
pub async fn organisation(ctx: &Context, ods: &str) -> Result<Organisation, Error> {
    let code = OdsCode::parse(ods).map_err(|e| Error::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&ctx.db, &code).await?)
}

/// Every organisation on this installation.
pub async fn organisations(ctx: &Context) -> Result<Vec<Organisation>, Error> {
    Ok(identity::list_organisations(&ctx.db).await?)
}

pub async fn members(ctx: &Context, organisation: &Organisation) -> Result<Vec<Member>, Error> {
    Ok(identity::list_members(&ctx.db, organisation.id).await?)
}

/// The organisation's places (sites, directorates, wards, teams), as a tree.
pub async fn units(ctx: &Context, organisation: &Organisation) -> Result<Vec<OrgUnit>, Error> {
    Ok(identity::list_org_units(&ctx.db, organisation.id).await?)
}

/// Adds a place under `parent` (or at the top), audited. A unit of a kind that cannot sit
/// there is `Invalid`, a name already used there is a `Conflict`, and a parent that is
/// not this organisation's is `NotFound`.
pub async fn add_unit(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    parent: Option<i64>,
    kind: OrgUnitKind,
    name: &Name,
) -> Result<OrgUnit, Error> {
    Ok(identity::create_org_unit(
        &ctx.db,
        actor,
        ctx.clock.now(),
        organisation,
        parent,
        kind,
        name,
    )
    .await?)
}

/// One page of the organisation's audit log that a filter keeps, and how many it keeps.
pub struct AuditPage {
    /// Newest first, each with who did it by name where known.
    pub entries: Vec<ListedAuditEntry>,
    /// How many entries the filter keeps, on every page.
    pub total: i64,
}

/// Page `page` (from 1) of the organisation's audit log that `filter` keeps, `page_size`
/// entries a page, newest first.
pub async fn audit_page(
    ctx: &Context,
    organisation: &Organisation,
    filter: &AuditFilter<'_>,
    page: i64,
    page_size: i64,
) -> Result<AuditPage, Error> {
    let ods = &organisation.ods_code;
    let total = audit::count_for_organisation(&ctx.db, ods, filter).await?;
    let offset = page.saturating_sub(1).max(0).saturating_mul(page_size);
    let entries = audit::page_for_organisation(&ctx.db, ods, filter, offset, page_size).await?;
    Ok(AuditPage { entries, total })
}

/// The kinds of action in the organisation's log, for choosing one.
pub async fn audit_kinds(ctx: &Context, organisation: &Organisation) -> Result<Vec<String>, Error> {
    Ok(audit::kinds_for_organisation(&ctx.db, &organisation.ods_code).await?)
}

/// One page of the organisation's audit log, newest first, before entry `before`.
pub async fn audit_log(
    ctx: &Context,
    organisation: &Organisation,
    before: Option<i64>,
    page_size: i64,
) -> Result<Vec<AuditEntry>, Error> {
    Ok(audit::list_for_organisation(&ctx.db, &organisation.ods_code, before, page_size).await?)
}
