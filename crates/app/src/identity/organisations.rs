//! Organisations, their structure, their people and their audit log.

use super::{OrgUnit, Organisation};
use crate::{Context, Error};
use dignity_domain::identity::{Email, Name, OdsCode, OrgUnitKind};
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

/// Each entry's detail as people read it: anyone it names by email address (such as the
/// person given a role) is named by their name instead, and by their address only when no
/// name is known. The log itself keeps the address it recorded.
pub async fn audit_in_words(
    ctx: &Context,
    entries: &[ListedAuditEntry],
) -> Result<Vec<String>, Error> {
    let mut names: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for listed in entries {
        let detail = &listed.entry.detail;
        let mut said = String::with_capacity(detail.len());
        for (i, word) in detail.split(' ').enumerate() {
            if i > 0 {
                said.push(' ');
            }
            // An address may end a sentence or sit in brackets.
            let trimmed =
                word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | '.' | ':' | ';'));
            let name = match (trimmed.contains('@'), Email::parse(trimmed)) {
                (true, Ok(email)) => {
                    let key = email.as_str().to_owned();
                    if !names.contains_key(&key) {
                        let found = identity::find_person_by_email(&ctx.db, &email)
                            .await?
                            .map(|p| p.display_name.trim().to_owned())
                            .filter(|n| !n.is_empty());
                        names.insert(key.clone(), found);
                    }
                    names.get(&key).cloned().flatten()
                }
                _ => None,
            };
            match name {
                Some(name) => said.push_str(&word.replacen(trimmed, &name, 1)),
                None => said.push_str(word),
            }
        }
        out.push(said);
    }
    Ok(out)
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

/// The longest privacy notice an organisation may write, in characters.
pub const MOST_NOTICE_CHARS: usize = 20_000;

/// An organisation's own privacy notice (Markdown), if it wrote one.
pub async fn privacy_notice(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Option<dignity_store::privacy::Notice>, Error> {
    Ok(dignity_store::privacy::notice(&ctx.db, organisation.id).await?)
}

/// The organisations with their own notice: (ODS code, name).
pub async fn organisations_with_notices(ctx: &Context) -> Result<Vec<(String, String)>, Error> {
    Ok(dignity_store::privacy::organisations_with_notices(&ctx.db).await?)
}

/// Writes an organisation's privacy notice (empty removes it), audited. Too long, or
/// with hidden control characters, is `Invalid`.
pub async fn save_privacy_notice(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    body: &str,
) -> Result<(), Error> {
    let body = body.trim().replace("\r\n", "\n");
    if body.chars().count() > MOST_NOTICE_CHARS {
        return Err(dignity_domain::identity::InvalidValue::Message(
            "The notice must be 20,000 characters or fewer",
        )
        .into());
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(dignity_domain::identity::InvalidValue::Message(
            "The notice has hidden characters in it. Type it again, or paste it as plain text",
        )
        .into());
    }
    Ok(dignity_store::privacy::save(&ctx.db, actor, ctx.clock.now(), organisation, &body).await?)
}
