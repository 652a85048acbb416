//! Each server's similar-idea index (`dignity_search::ideas`): built from the database on
//! first use and brought up to date with the log of shown ideas before every lookup, so
//! an idea released or hidden on any server is suggested, or not, on all of them. Only
//! shown ideas are ever in it: a held idea is never suggested to anyone.

use crate::Error;
use dignity_search::ideas::{IdeaDoc, IdeaIndex};
use dignity_store::Db;
use dignity_store::voice::{self as store, Indexed};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

fn doc(idea: &Indexed) -> IdeaDoc {
    IdeaDoc {
        id: u64::try_from(idea.id).unwrap_or(0),
        challenge: u64::try_from(idea.challenge_id).unwrap_or(0),
        title: idea.title.clone(),
        body: idea.body.clone(),
    }
}

fn failed(e: dignity_search::SearchError) -> Error {
    Error::Internal(e.to_string())
}

fn stopped(e: tokio::task::JoinError) -> Error {
    Error::Internal(format!("similar-idea index: {e}"))
}

#[derive(Default)]
pub struct IdeaHub {
    index: tokio::sync::Mutex<Option<Arc<IdeaIndex>>>,
    /// The last change the index holds.
    seen: AtomicI64,
}

impl IdeaHub {
    /// The index, current with the database.
    async fn current(&self, db: &Db) -> Result<Arc<IdeaIndex>, Error> {
        let last = store::last_idea_change(db).await?;
        let mut slot = self.index.lock().await;
        match slot.as_ref() {
            Some(index) if last <= self.seen.load(Ordering::Acquire) => Ok(Arc::clone(index)),
            Some(index) => {
                let (newest, shown, gone) =
                    store::ideas_changed_since(db, self.seen.load(Ordering::Acquire)).await?;
                let index = Arc::clone(index);
                let job = Arc::clone(&index);
                tokio::task::spawn_blocking(move || {
                    let removed: Vec<u64> = gone
                        .iter()
                        .filter_map(|id| u64::try_from(*id).ok())
                        .collect();
                    job.apply(shown.iter().map(doc), &removed)
                })
                .await
                .map_err(stopped)?
                .map_err(failed)?;
                self.seen.store(newest, Ordering::Release);
                Ok(index)
            }
            None => {
                let (newest, all) = store::shown_ideas(db).await?;
                let index =
                    tokio::task::spawn_blocking(move || IdeaIndex::build(all.iter().map(doc)))
                        .await
                        .map_err(stopped)?
                        .map_err(failed)?;
                let index = Arc::new(index);
                *slot = Some(Arc::clone(&index));
                self.seen.store(newest, Ordering::Release);
                Ok(index)
            }
        }
    }

    /// The ids of up to `limit` shown ideas of `challenge` most like `title`.
    pub(crate) async fn similar(
        &self,
        db: &Db,
        challenge: i64,
        title: &str,
        limit: usize,
    ) -> Result<Vec<i64>, Error> {
        let index = self.current(db).await?;
        let challenge = u64::try_from(challenge).unwrap_or(0);
        let title = title.to_owned();
        let found = tokio::task::spawn_blocking(move || index.similar(challenge, &title, limit))
            .await
            .map_err(stopped)?
            .map_err(failed)?;
        Ok(found
            .into_iter()
            .filter_map(|id| i64::try_from(id).ok())
            .collect())
    }
}
