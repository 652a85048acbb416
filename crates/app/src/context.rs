//! Everything a use-case may reach: the database, the installation secret, the disclosure
//! minimums, the clock, the sign-in rules, the bounded places for key derivations and for
//! redrawing pictures, the unlocked case keys, the caches and the Speak Up flood limit.
//! Cheap to clone.

use crate::Error;
use crate::clock::Clock;
use crate::identity::SignInRules;
use crate::identity::keyring::KeyRing;
use crate::library::LibraryHub;
use crate::speakup::flood::FloodGate;
use crate::survey::cache::SurveyCache;
use crate::survey::writer::AnswerWriter;
use crate::work::Bounded;
use dignity_crypto::passphrase::HashCost;
use dignity_crypto::secret::InstallationSecret;
use dignity_engine::disclosure::Minimums;
use dignity_store::Db;
use std::sync::Arc;
use std::time::Duration;

/// How hard a passphrase's hash is to work out: what servers check passphrases at, and
/// what the operator's commands hash new ones at.
pub const PASSPHRASE_COST: HashCost = HashCost::RECOMMENDED;

/// What a [`Context`] is made from: the settings the use-cases need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Keys anything a database thief must not read or reverse; never in the database.
    pub secret: InstallationSecret,
    /// Each kind of data's smallest group that may be shown.
    pub minimums: Minimums,
    pub clock: Clock,
    pub sign_in: SignInRules,
    pub passphrase_cost: HashCost,
    /// argon2id runs (passphrases, receipt codes, case keys) at once. Each holds
    /// `passphrase_cost` of memory; beyond this, work waits up to `busy_wait`, then is
    /// refused as busy.
    pub key_derivations: usize,
    pub busy_wait: Duration,
    /// New Speak Up concerns accepted per organisation per hour, per server, before a
    /// concern needs a proof of work (`speakup::flood`).
    pub speakup_max_per_hour: u32,
    /// The professional groups guardians choose from and the Speak Up returns list.
    pub professional_groups: Vec<String>,
    /// Organisations' identity providers, and Dignity's own address for them.
    pub single_sign_on: crate::identity::provider::SingleSignOn,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // A fresh one for tests and tools; the server reads its own from the settings.
            secret: InstallationSecret::generate(),
            minimums: Minimums::default(),
            clock: Clock::system(),
            sign_in: SignInRules::default(),
            passphrase_cost: PASSPHRASE_COST,
            key_derivations: 4,
            busy_wait: Duration::from_secs(3),
            speakup_max_per_hour: 60,
            professional_groups: dignity_domain::speakup::default_professional_groups(),
            single_sign_on: crate::identity::provider::SingleSignOn::default(),
        }
    }
}

#[derive(Clone)]
pub struct Context {
    /// The database: only this crate's use-cases reach it, so pages and the command line
    /// cannot go round them.
    pub(crate) db: Db,
    /// Keys anything a database thief must not read or reverse; never in the database.
    pub secret: InstallationSecret,
    /// Each kind of data's smallest group that may be shown.
    pub minimums: Minimums,
    pub clock: Clock,
    pub sign_in: SignInRules,
    pub passphrase_cost: HashCost,
    /// argon2id runs, a few at a time.
    pub derivations: Arc<Bounded>,
    /// Pictures sent with concerns being redrawn, a few at a time.
    pub pictures: Arc<Bounded>,
    /// Fairness figures (every settled year's disclosure decisions) and culture beside
    /// outcomes (every pair's bootstrap) being worked out, a few at a time and off the
    /// async threads, so one reader asking again and again cannot stall every other page.
    pub figures: Arc<Bounded>,
    /// Settled years' fairness figures, decided once and kept while what they come from
    /// stays the same.
    pub fairness: Arc<crate::workforce::fairness::kept::KeptFairness>,
    /// Culture beside outcomes across organisations, worked out once while nothing
    /// audited has changed.
    pub culture: Arc<crate::board::culture::KeptCulture>,
    /// Caseworkers' unlocked case keys, by session, in this server's memory only.
    pub keys: Arc<KeyRing>,
    /// Checked when an account does not exist, so that timing does not reveal which
    /// email addresses have accounts.
    dummy_hash: Arc<str>,
    /// Survey responses loaded into the engine.
    pub surveys: Arc<SurveyCache>,
    /// The library's search index, kept current with the catalogue.
    pub library: Arc<LibraryHub>,
    /// Staff voice's similar-idea index, kept current with the shown ideas.
    pub ideas: Arc<crate::voice::similar::IdeaHub>,
    /// New concerns in the last hour per organisation, and proofs of work used.
    pub flood: Arc<FloodGate>,
    /// The one-time marks of forms already sent (concerns, survey codes), so a reload
    /// sends nothing twice.
    pub sent_forms: Arc<crate::once::SentForms>,
    /// The professional groups guardians choose from and the Speak Up returns list.
    pub professional_groups: Arc<[String]>,
    /// Everyone's saved pages and sent survey answers, written together.
    pub answer_writer: Arc<AnswerWriter>,
    /// Organisations' identity providers.
    pub single_sign_on: Arc<crate::identity::provider::SingleSignOn>,
    /// Their discovery documents and signing keys, fetched when first needed.
    pub provider_cache: Arc<crate::identity::provider::ProviderCache>,
    /// For talking to identity providers.
    pub http: reqwest::Client,
}

/// Fairness decisions run at once: one a core on the machines Dignity runs on.
const FIGURES_AT_ONCE: usize = 2;

impl Context {
    pub fn new(db: Db, settings: Settings) -> Result<Context, Error> {
        let dummy_hash = dignity_crypto::passphrase::dummy_hash(settings.passphrase_cost)?;
        Ok(Context {
            db,
            secret: settings.secret,
            minimums: settings.minimums,
            clock: settings.clock,
            sign_in: settings.sign_in,
            passphrase_cost: settings.passphrase_cost,
            derivations: Arc::new(Bounded::new(
                "dignity-derive",
                settings.key_derivations,
                settings.busy_wait,
            )),
            pictures: Arc::new(Bounded::new(
                "dignity-picture",
                crate::speakup::attachment::PICTURES_AT_ONCE,
                settings.busy_wait,
            )),
            figures: Arc::new(Bounded::new(
                "dignity-figures",
                FIGURES_AT_ONCE,
                settings.busy_wait,
            )),
            fairness: Arc::default(),
            culture: Arc::default(),
            keys: Arc::default(),
            dummy_hash: dummy_hash.into(),
            surveys: Arc::default(),
            library: Arc::default(),
            ideas: Arc::default(),
            flood: Arc::new(FloodGate::new(settings.speakup_max_per_hour)),
            sent_forms: Arc::default(),
            professional_groups: settings.professional_groups.into(),
            answer_writer: Arc::default(),
            single_sign_on: Arc::new(settings.single_sign_on),
            provider_cache: Arc::default(),
            http: crate::identity::provider::http_client()?,
        })
    }

    /// Whether the database answers: the server can do useful work.
    pub async fn database_answers(&self) -> Result<(), Error> {
        Ok(self.db.ping().await?)
    }

    pub(crate) fn dummy_hash(&self) -> &str {
        &self.dummy_hash
    }
}
