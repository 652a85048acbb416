//! The knowledge hub's library: a searchable catalogue of tools, resources and case
//! studies (`search`), looked after by curators (`curate`), and each organisation's own
//! pinned policies and contacts (`pins`). Each server keeps a search index of the
//! catalogue in memory ([`LibraryHub`], in the [`Context`](crate::Context)).

pub mod curate;
mod index;
pub mod pins;
pub mod search;

pub use dignity_search::{Facets, Hit, Request};
pub use dignity_store::library::{CaseStudy, NewResource, Pin, Resource};
pub use index::LibraryHub;

use crate::identity::CurrentSession;
use dignity_domain::identity::Role;

/// Curators of the national catalogue: any organisation's administrators and the
/// platform's.
pub const CURATORS: &[Role] = &[Role::OrgAdmin, Role::PlatformAdmin];

/// Whether this person looks after the national catalogue.
pub fn may_curate(session: &CurrentSession) -> bool {
    session
        .memberships
        .iter()
        .any(|m| CURATORS.contains(&m.role))
}
