use dignity_app::Db;
use metrics_exporter_prometheus::PrometheusHandle;
use std::path::PathBuf;
use std::sync::Arc;

/// Settings the web layer needs: the use-cases' own (`dignity_app::Settings`, reached
/// through `Deref`, so each is listed and defaulted once) and what only the pages use. The
/// binary builds these from `dignity.toml` and the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the use-cases need: the secret, the minimums, the clock, the sign-in rules,
    /// the passphrase cost, key derivations at once and how long to wait for one, the
    /// Speak Up flood limit and the professional groups.
    pub app: dignity_app::Settings,
    /// The address people use, such as `https://dignity.example.nhs.uk`. When it is https,
    /// cookies are marked Secure and HSTS is sent.
    pub public_url: String,
    /// Folder holding `node_modules/nhsuk-frontend` (installed by npm, not committed).
    pub web_dir: PathBuf,
    /// Use the first `X-Forwarded-For` address as the client, only when behind a proxy
    /// that sets it.
    pub trust_forwarded_for: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest body for forms that upload files (the Speak Up form), in bytes.
    pub max_upload_bytes: usize,
    /// Turns on open-link surveys; see `dignity_crypto::survey::ParticipationKey`.
    pub survey_key: Option<dignity_crypto::survey::ParticipationKey>,
    /// Where mail is sent; without it, pages that would send mail say it is turned off.
    pub mail: Option<crate::mail::MailSettings>,
}

impl std::ops::Deref for Settings {
    type Target = dignity_app::Settings;
    fn deref(&self) -> &dignity_app::Settings {
        &self.app
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            app: dignity_app::Settings::default(),
            public_url: "http://127.0.0.1:8080".into(),
            web_dir: PathBuf::from("web"),
            trust_forwarded_for: false,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            survey_key: None,
            mail: None,
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
    /// Failures on anonymous pages since the last report: counted, never logged one by one.
    pub anonymous_failures: Arc<std::sync::atomic::AtomicU64>,
    /// What the use-cases in `dignity-app` reach: the database, the secret, the minimums,
    /// the clock, the sign-in rules, key derivations, unlocked case keys and the caches.
    pub app: dignity_app::Context,
    /// The content security policy, with the identity providers' addresses among the
    /// places forms may lead (signing in and out go there by redirect).
    pub csp: axum::http::HeaderValue,
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

    pub fn new(db: Db, settings: Settings) -> Result<AppState, dignity_app::Error> {
        let app = dignity_app::Context::new(db, settings.app.clone())?;
        let csp = crate::headers::content_security_policy(&settings.app.single_sign_on);
        Ok(AppState(Arc::new(Inner {
            metrics: crate::telemetry::metrics_handle(),
            anonymous_failures: Default::default(),
            app,
            csp,
            settings,
        })))
    }
}
