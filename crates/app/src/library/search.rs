//! Finding things in the library: searching the catalogue, a resource on its own, and an
//! organisation's pinned items shown above the results.

use super::{Pin, Resource};
use crate::identity::Organisation;
use crate::{Context, Error};
use dignity_domain::identity::OdsCode;
use dignity_search::{Facets, Hit, Request};
use dignity_store::library as store;
use dignity_store::{StoreError, identity};

/// A search's results, each with its resource as the catalogue holds it now.
pub struct Found {
    /// Every match, not only this page's.
    pub total: usize,
    pub results: Vec<Match>,
    pub facets: Facets,
    /// The search as corrected for typing mistakes, when that found more.
    pub corrected: Option<String>,
    /// No resource has every word, so these have any of them.
    pub any_word: bool,
}

/// One result: where the index found the words, and the resource.
pub struct Match {
    pub hit: Hit,
    pub resource: Resource,
}

/// Searches the catalogue, with the index first brought up to date with every server's
/// changes. A resource retired or removed since the index saw it is left out.
pub async fn search(ctx: &Context, request: Request) -> Result<Found, Error> {
    let index = ctx.library.current(&ctx.db).await?;
    let found = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| Error::Internal(format!("library search: {e}")))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut results = Vec::with_capacity(found.hits.len());
    for hit in found.hits {
        let id = i64::try_from(hit.id).unwrap_or(0);
        match store::get_resource(&ctx.db, id).await {
            Ok(resource) => results.push(Match { hit, resource }),
            // Retired or removed since the index saw it: leave it out.
            Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Found {
        total: found.total,
        results,
        facets: found.facets,
        corrected: found.corrected,
        any_word: found.any_word,
    })
}

/// Builds the search index now, so the first search is quick.
pub async fn warm_up(ctx: &Context) -> Result<(), Error> {
    ctx.library.current(&ctx.db).await.map(|_| ())
}

/// A resource, retired or not (a retired one's page says so).
pub async fn resource(ctx: &Context, id: i64) -> Result<Resource, Error> {
    Ok(store::get_resource(&ctx.db, id).await?)
}

/// The organisation with this code and its pinned items, shown first when its staff open
/// the library from their home page; `None` when there is no such organisation.
pub async fn pinned_by(
    ctx: &Context,
    code: &OdsCode,
) -> Result<Option<(Organisation, Vec<Pin>)>, Error> {
    let organisation = match identity::get_organisation(&ctx.db, code).await {
        Ok(o) => o,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let pins = store::pins(&ctx.db, organisation.id).await?;
    Ok(Some((organisation, pins)))
}
