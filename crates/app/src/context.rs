//! Everything a use-case may reach: the database, the installation secret, the disclosure
//! minimums, the clock and the caches. Cheap to clone.

use crate::clock::Clock;
use crate::survey::cache::SurveyCache;
use dignity_crypto::secret::InstallationSecret;
use dignity_engine::disclosure::Minimums;
use dignity_store::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    /// Keys anything a database thief must not read or reverse; never in the database.
    pub secret: InstallationSecret,
    /// Each kind of data's smallest group that may be shown.
    pub minimums: Minimums,
    pub clock: Clock,
    /// Survey responses loaded into the engine.
    pub surveys: Arc<SurveyCache>,
}

impl Context {
    pub fn new(db: Db, secret: InstallationSecret, minimums: Minimums, clock: Clock) -> Context {
        Context {
            db,
            secret,
            minimums,
            clock,
            surveys: Arc::default(),
        }
    }
}
