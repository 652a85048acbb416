use dignity_app::Db;
use dignity_crypto::passphrase::HashCost;
use metrics_exporter_prometheus::PrometheusHandle;
use std::path::PathBuf;
use std::sync::Arc;

/// Settings the web layer needs. The binary builds these from `dignity.toml` and the
/// environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address people use, such as `https://dignity.example.nhs.uk`. When it is https,
    /// cookies are marked Secure and HSTS is sent.
    pub public_url: String,
    /// Folder holding `node_modules/nhsuk-frontend` (installed by npm, not committed).
    pub web_dir: PathBuf,
    /// How long sessions last and how many wrong guesses are allowed.
    pub sign_in: dignity_app::identity::SignInRules,
    /// Use the first `X-Forwarded-For` address as the client, only when behind a proxy
    /// that sets it.
    pub trust_forwarded_for: bool,
    pub passphrase_cost: HashCost,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest body for forms that upload files (the Speak Up form), in bytes.
    pub max_upload_bytes: usize,
    /// New Speak Up concerns accepted per organisation per hour, per server, before the
    /// form asks browsers for a proof of work.
    pub speakup_max_per_hour: u32,
    /// argon2id runs (receipt codes, guardians' keys) at once, per server. Each holds
    /// `passphrase_cost` of memory; beyond this, requests wait briefly, then are told to
    /// try again in a moment.
    pub max_concurrent_key_derivations: usize,
    /// How long a request waits for a place for a key derivation or a picture.
    pub busy_wait: std::time::Duration,
    /// Each kind of data's smallest group that may be shown.
    pub minimums: dignity_engine::disclosure::Minimums,
    /// The professional groups guardians choose from and the return lists.
    pub professional_groups: Vec<String>,
    /// Turns on open-link surveys; see `dignity_crypto::survey::ParticipationKey`.
    pub survey_key: Option<dignity_crypto::survey::ParticipationKey>,
    /// Where mail is sent; without it, pages that would send mail say it is turned off.
    pub mail: Option<crate::mail::MailSettings>,
    /// Keys anything a database thief must not read or reverse; never in the database.
    pub secret: dignity_crypto::secret::InstallationSecret,
    /// The time: the system's, or one a test sets and moves on.
    pub clock: dignity_app::Clock,
}

impl Default for Settings {
    fn default() -> Self {
        let app = dignity_app::Settings::default();
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            web_dir: PathBuf::from("web"),
            sign_in: app.sign_in,
            trust_forwarded_for: false,
            passphrase_cost: app.passphrase_cost,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            speakup_max_per_hour: app.speakup_max_per_hour,
            max_concurrent_key_derivations: app.key_derivations,
            busy_wait: app.busy_wait,
            minimums: app.minimums,
            professional_groups: app.professional_groups,
            survey_key: None,
            mail: None,
            secret: app.secret,
            clock: app.clock,
        }
    }
}

impl Settings {
    pub fn uses_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What every request handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub settings: Settings,
    pub metrics: PrometheusHandle,
    /// Pictures being redrawn, a few at a time.
    pub pictures: dignity_app::work::Bounded,
    /// Failures on anonymous pages since the last report: counted, never logged one by one.
    pub anonymous_failures: Arc<std::sync::atomic::AtomicU64>,
    /// What the use-cases in `dignity-app` reach: the database, the secret, the minimums,
    /// the clock, the sign-in rules, key derivations, unlocked case keys and the caches.
    pub app: dignity_app::Context,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// How many anonymous requests failed since the last call. The server logs this once
    /// an hour, so no failure is dated more closely than that.
    pub fn take_anonymous_failures(&self) -> u64 {
        self.anonymous_failures
            .swap(0, std::sync::atomic::Ordering::Relaxed)
    }

    pub fn new(db: Db, settings: Settings) -> Result<AppState, dignity_crypto::CryptoError> {
        let app = dignity_app::Context::new(
            db,
            dignity_app::Settings {
                secret: settings.secret.clone(),
                minimums: settings.minimums,
                clock: settings.clock.clone(),
                sign_in: settings.sign_in,
                passphrase_cost: settings.passphrase_cost,
                key_derivations: settings.max_concurrent_key_derivations,
                busy_wait: settings.busy_wait,
                speakup_max_per_hour: settings.speakup_max_per_hour,
                professional_groups: settings.professional_groups.clone(),
            },
        )?;
        Ok(AppState(Arc::new(Inner {
            metrics: crate::telemetry::metrics_handle(),
            pictures: dignity_app::work::Bounded::new(
                "dignity-picture",
                crate::speakup::attachments::PICTURES_AT_ONCE,
                settings.busy_wait,
            ),
            anonymous_failures: Default::default(),
            app,
            settings,
        })))
    }
}
