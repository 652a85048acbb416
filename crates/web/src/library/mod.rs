//! The knowledge hub: a searchable catalogue of tools, resources and case studies, and each
//! organisation's own pinned policies and contacts.

mod curate;
mod pins;
mod search;

use crate::access::Access;
use crate::error::AppError;
use crate::routes::Routes;
use dignity_domain::identity::Role;
use dignity_search::{Doc, LibraryIndex};
use dignity_store::Db;
use dignity_store::library::{self as store, Resource};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Curators of the national catalogue: any organisation's administrators and the
/// platform's.
const CURATORS: &[Role] = &[Role::OrgAdmin, Role::PlatformAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/library", Access::Public, search::search)
        .get(
            "/library/manage",
            Access::Anywhere(CURATORS),
            curate::manage,
        )
        .get("/library/new", Access::Anywhere(CURATORS), curate::new_form)
        .post("/library/new", Access::Anywhere(CURATORS), curate::create)
        .get("/library/{id}", Access::Public, search::resource)
        .get(
            "/library/{id}/edit",
            Access::Anywhere(CURATORS),
            curate::edit_form,
        )
        .post(
            "/library/{id}/edit",
            Access::Anywhere(CURATORS),
            curate::edit,
        )
        .post(
            "/library/{id}/retire",
            Access::Anywhere(CURATORS),
            curate::retire,
        )
        .post(
            "/library/{id}/reviewed",
            Access::Anywhere(CURATORS),
            curate::reviewed,
        )
        .get(
            "/orgs/{ods}/library",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::manage,
        )
        .post(
            "/orgs/{ods}/library",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::add,
        )
        .post(
            "/orgs/{ods}/library/{pin}/remove",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::remove,
        )
}

/// A resource as the search index sees it.
fn doc(r: &Resource) -> Doc {
    let f = &r.fields;
    let case = &f.case;
    Doc {
        id: u64::try_from(r.id).unwrap_or(0),
        title: f.title.clone(),
        summary: f.summary.clone(),
        // Kind, audiences and topics in words too, so "speaking up" finds everything about
        // speaking up, not only resources that say so in their summary.
        body: [
            f.publisher.as_str(),
            &case.organisation,
            &case.problem,
            &case.approach,
            &case.results,
            f.kind.label(),
            &f.audiences
                .iter()
                .map(|a| a.label())
                .collect::<Vec<_>>()
                .join(" "),
            &f.topics
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join(" "),
        ]
        .join(" "),
        kind: f.kind.code().to_owned(),
        audiences: f.audiences.iter().map(|a| a.code().to_owned()).collect(),
        topics: f.topics.iter().map(|t| t.code().to_owned()).collect(),
        year: f.published.map(|p| p.year),
        date: f.published.map_or(0, |p| {
            u64::try_from(p.year * 10_000).unwrap_or(0)
                + u64::from(p.month.unwrap_or(0)) * 100
                + u64::from(p.day.unwrap_or(0))
        }),
    }
}

/// Each server's search index, built from the database on first use and brought up to
/// date with the catalogue's change log before every search, so a change made on any
/// server is found on all of them.
#[derive(Default)]
pub struct LibraryHub {
    index: tokio::sync::Mutex<Option<Arc<LibraryIndex>>>,
    /// The last change the index holds.
    seen: AtomicI64,
}

fn search_failed(e: dignity_search::SearchError) -> AppError {
    AppError::Internal(e.to_string())
}

impl LibraryHub {
    /// The index, current with the database.
    pub async fn current(&self, db: &Db) -> Result<Arc<LibraryIndex>, AppError> {
        let last = store::last_change(db).await?;
        let mut slot = self.index.lock().await;
        match slot.as_ref() {
            Some(index) if last <= self.seen.load(Ordering::Acquire) => Ok(Arc::clone(index)),
            Some(index) => {
                let (newest, changed) =
                    store::changed_since(db, self.seen.load(Ordering::Acquire)).await?;
                let index = Arc::clone(index);
                let job = Arc::clone(&index);
                tokio::task::spawn_blocking(move || {
                    let removed: Vec<u64> = changed
                        .iter()
                        .filter(|r| r.retired)
                        .filter_map(|r| u64::try_from(r.id).ok())
                        .collect();
                    job.apply(changed.iter().filter(|r| !r.retired).map(doc), &removed)
                })
                .await
                .map_err(|e| AppError::Internal(format!("library index: {e}")))?
                .map_err(search_failed)?;
                self.seen.store(newest, Ordering::Release);
                Ok(index)
            }
            None => {
                let all = store::all_resources(db).await?;
                let index = tokio::task::spawn_blocking(move || {
                    LibraryIndex::build(all.iter().filter(|r| !r.retired).map(doc))
                })
                .await
                .map_err(|e| AppError::Internal(format!("library index: {e}")))?
                .map_err(search_failed)?;
                let index = Arc::new(index);
                *slot = Some(Arc::clone(&index));
                self.seen.store(last, Ordering::Release);
                Ok(index)
            }
        }
    }
}
