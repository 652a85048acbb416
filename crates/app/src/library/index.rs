//! Each server's search index of the catalogue: a cache, built from the database on first
//! use and brought up to date with the catalogue's change log before every search, so a
//! change made on any server is found on all of them.

use crate::Error;
use dignity_search::{Doc, LibraryIndex};
use dignity_store::Db;
use dignity_store::library::{self as store, Resource};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

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
/// date with the catalogue's change log before every search.
#[derive(Default)]
pub struct LibraryHub {
    index: tokio::sync::Mutex<Option<Arc<LibraryIndex>>>,
    /// The last change the index holds.
    seen: AtomicI64,
}

fn search_failed(e: dignity_search::SearchError) -> Error {
    Error::Internal(e.to_string())
}

fn stopped(e: tokio::task::JoinError) -> Error {
    Error::Internal(format!("library index: {e}"))
}

impl LibraryHub {
    /// The index, current with the database.
    pub(crate) async fn current(&self, db: &Db) -> Result<Arc<LibraryIndex>, Error> {
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
                .map_err(stopped)?
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
                .map_err(stopped)?
                .map_err(search_failed)?;
                let index = Arc::new(index);
                *slot = Some(Arc::clone(&index));
                self.seen.store(last, Ordering::Release);
                Ok(index)
            }
        }
    }
}
