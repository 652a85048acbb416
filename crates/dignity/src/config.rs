//! Configuration: `dignity.toml` first, then `DIGNITY_*` environment variables, checked at
//! start so a mistake is reported by name before anything runs.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

use crate::secret_file::{self, SqliteFile, sqlite_file};
use dignity_crypto::secret::InstallationSecret;
use dignity_engine::disclosure::{Minimums, OutOfBounds};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("could not read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: {reason}")]
    BadFile { path: String, reason: String },
    #[error("{key}: {reason}")]
    BadValue { key: String, reason: String },
    #[error("{key} is not a setting Dignity knows. Known settings: {known}")]
    UnknownVariable { key: String, known: String },
}

/// A database URL. `Debug`, `Display` and serialising hide any password, so it can be
/// logged safely.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl Serialize for DatabaseUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&dignity_app::data::redact_url(&self.0))
    }
}

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }
    /// The real URL, password included. Only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", dignity_app::data::redact_url(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dignity_app::data::redact_url(&self.0))
    }
}

/// A secret setting: `Debug` never prints it, and it serialises as empty.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(unset)"
        } else {
            "Secret(****)"
        })
    }
}

/// The address and port to listen on, read as one when the settings are read.
fn address<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.trim().parse().map_err(|_| {
        D::Error::custom(format!(
            "'{text}' is not an address and port like 127.0.0.1:8080"
        ))
    })
}

/// Which log lines to write (`info`, `debug`, `dignity=debug,warn`, ...), checked when
/// the settings are read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LogLevel(String);

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LogLevel, D::Error> {
        let text = String::deserialize(d)?;
        // A bare word that is not a level ("inf") would be read as the name of a source of
        // log lines, and nothing would be logged at all.
        const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];
        let levels_known = !text.trim().is_empty()
            && text.split(',').all(|directive| {
                let level = directive.rsplit('=').next().unwrap_or_default().trim();
                LEVELS.contains(&level.to_ascii_lowercase().as_str())
            });
        match tracing_subscriber::EnvFilter::try_new(text.trim()) {
            Ok(_) if levels_known => Ok(LogLevel(text.trim().to_owned())),
            _ => Err(D::Error::custom(format!(
                "'{text}' is not a level such as info, debug or warn"
            ))),
        }
    }
}

impl LogLevel {
    pub fn filter(&self) -> tracing_subscriber::EnvFilter {
        tracing_subscriber::EnvFilter::try_new(&self.0)
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    }
}

/// The address people use, if it differs from the bind address over HTTP: an http or
/// https URL, checked when the settings are read. Empty means not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicUrl(Option<url::Url>);

impl Serialize for PublicUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_ref().map_or("", url::Url::as_str))
    }
}

impl<'de> Deserialize<'de> for PublicUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PublicUrl, D::Error> {
        let text = String::deserialize(d)?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(PublicUrl(None));
        }
        // It is the start of every link in Dignity's mail: no user, query or fragment.
        let usable = |url: &url::Url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty())
                && text.contains("://")
                && url.username().is_empty()
                && url.password().is_none()
                && url.query().is_none()
                && url.fragment().is_none()
        };
        match url::Url::parse(text) {
            Ok(url) if usable(&url) => Ok(PublicUrl(Some(url))),
            _ => Err(D::Error::custom(format!(
                "'{text}' must be a web address like https://dignity.example.nhs.uk, with no user name, query or fragment"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting, with its default: the one list of them. The file may set any of them,
/// and so may an environment variable named `DIGNITY_` and the setting in capitals;
/// unknown keys and variables are refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database_url: DatabaseUrl,
    #[serde(deserialize_with = "address")]
    pub bind: SocketAddr,
    pub public_url: PublicUrl,
    pub web_dir: PathBuf,
    pub log_format: LogFormat,
    pub log_level: LogLevel,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub trust_forwarded_for: bool,
    pub max_connections: u32,
    /// Counts from 1 to this are hidden in Speak Up returns and trends.
    pub speakup_small_number_threshold: u64,
    /// The smallest group of survey respondents whose results are shown (at least 11).
    pub survey_minimum_group: u64,
    /// The smallest group of staff whose count the workforce pages show (at least 5).
    pub workforce_minimum_group: u64,
    /// The smallest group of staff whose taking part in staff voice is shown (at least 10).
    pub voice_minimum_group: u64,
    /// New concerns accepted per organisation per hour, per server, before the form asks
    /// browsers for a proof of work.
    pub speakup_max_per_hour: u32,
    /// argon2id runs at once, per server (receipt codes, sign-in, guardians' keys).
    pub max_concurrent_key_derivations: usize,
    /// The professional groups guardians record; "Not known" is always added.
    pub speakup_professional_groups: Vec<String>,
    /// 64 hexadecimal characters. Turns on open-link surveys: who has answered is stored
    /// only as a digest under this key, which must never be kept in the database.
    pub survey_participation_key: Secret,
    /// 64 hexadecimal characters: the installation secret (see `dignity_crypto::secret`).
    /// Every server of one installation needs the same one. Never kept in the database.
    pub secret_key: Secret,
    /// Where the installation secret is kept when `secret_key` is not set, made on first
    /// start. It must not be in the database's folder. Empty: only `dignity demo` may then
    /// keep it beside its SQLite database (made-up data), as `<file>.secret`.
    pub secret_key_file: PathBuf,
    /// Set by `dignity demo` only (never a setting): the secret may sit beside the demo's
    /// SQLite database. A real installation keeps it away from the database's folder,
    /// because anyone with a copy of that folder and the secret could open the survey
    /// answers waiting for their batch.
    #[serde(skip)]
    pub secret_beside_database: bool,
    /// The SMTP relay mail goes to, as `smtp://host:port`. Empty: no mail is sent.
    pub smtp_url: String,
    /// The sender of Dignity's mail.
    pub mail_from: String,
    /// Organisations' own identity providers, as `[[sign_in_providers]]` tables (only in
    /// the file: see docs/operations.md).
    pub sign_in_providers: Vec<crate::sign_in_providers::ProviderConfig>,
}

impl Default for Config {
    /// What the server does with no settings: the use-cases' own defaults
    /// (`dignity_app::Settings::default`) and, for what only the pages use, the web
    /// layer's (`dignity_web::Settings::default`), so each default is written once.
    fn default() -> Self {
        let app = dignity_app::Settings::default();
        let web = dignity_web::Settings::default();
        let speakup = app.minimums.speakup();
        Config {
            database_url: DatabaseUrl::new("sqlite://dignity.db"),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: PublicUrl::default(),
            web_dir: PathBuf::from("web"),
            log_format: LogFormat::Text,
            log_level: LogLevel("info".into()),
            session_idle_minutes: app.sign_in.session_idle_seconds / 60,
            session_max_hours: app.sign_in.session_max_seconds / 3600,
            trust_forwarded_for: web.trust_forwarded_for,
            max_connections: 16,
            speakup_small_number_threshold: speakup.kind().setting_value(speakup.people()),
            survey_minimum_group: app.minimums.survey().people(),
            workforce_minimum_group: app.minimums.workforce().people(),
            voice_minimum_group: app.minimums.voice().people(),
            speakup_max_per_hour: app.speakup_max_per_hour,
            max_concurrent_key_derivations: app.key_derivations,
            speakup_professional_groups: app.professional_groups,
            survey_participation_key: Secret::default(),
            secret_key: Secret::default(),
            secret_key_file: PathBuf::new(),
            secret_beside_database: false,
            smtp_url: String::new(),
            mail_from: "Dignity <no-reply@localhost>".into(),
            sign_in_providers: Vec::new(),
        }
    }
}

/// One environment variable read as a setting.
struct FromEnvironment {
    variable: String,
    setting: String,
    value: toml::Value,
}

/// The `DIGNITY_*` variables as settings. Each value is
/// read as the kind of value its setting's default is (a whole number, true or false, a
/// list separated by semicolons, since group names can hold commas, or text), so the
/// settings are listed once, in `Config`.
fn environment(env: &BTreeMap<String, String>) -> Result<Vec<FromEnvironment>, ConfigError> {
    let defaults = toml::Table::try_from(Config::default()).map_err(|e| ConfigError::BadValue {
        key: "defaults".into(),
        reason: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (variable, raw) in env {
        // DIGNITY_TEST_* belong to the test suite, not to the server.
        let Some(name) = variable.strip_prefix("DIGNITY_") else {
            continue;
        };
        if name.starts_with("TEST_") {
            continue;
        }
        let setting = name.to_ascii_lowercase();
        if setting == "sign_in_providers" {
            return Err(ConfigError::BadValue {
                key: variable.clone(),
                reason: "identity providers are set in the settings file, as [[sign_in_providers]] tables; their secrets can come from the environment (client_secret_env)".into(),
            });
        }
        let Some(default) = defaults.get(&setting) else {
            return Err(ConfigError::UnknownVariable {
                key: variable.clone(),
                known: defaults
                    .keys()
                    .map(|k| format!("DIGNITY_{}", k.to_ascii_uppercase()))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let raw = raw.trim();
        let wrong = |wanted: &str| ConfigError::BadValue {
            key: variable.clone(),
            reason: format!("'{raw}' is not {wanted}"),
        };
        let value = match default {
            toml::Value::Integer(_) => {
                toml::Value::Integer(raw.parse().map_err(|_| wrong("a whole number"))?)
            }
            toml::Value::Boolean(_) => {
                toml::Value::Boolean(raw.parse().map_err(|_| wrong("true or false"))?)
            }
            toml::Value::Array(_) => toml::Value::Array(
                raw.split(';')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| toml::Value::String(item.to_owned()))
                    .collect(),
            ),
            _ => toml::Value::String(raw.to_owned()),
        };
        out.push(FromEnvironment {
            variable: variable.clone(),
            setting,
            value,
        });
    }
    Ok(out)
}

impl Config {
    /// Reads the file (if any) and then the environment. `explicit` is true when the person
    /// named the file, in which case it must exist.
    pub fn load(
        path: &Path,
        explicit: bool,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => String::new(),
            Err(e) => {
                return Err(ConfigError::Unreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        Config::from_text(&text, &path.display().to_string(), env)
    }

    /// Reads settings from a file's text (named `path` in messages) and then the
    /// environment. An empty text gives the defaults.
    pub fn from_text(
        text: &str,
        path: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let bad_file = |e: &dyn std::fmt::Display| ConfigError::BadFile {
            path: path.into(),
            reason: e.to_string(),
        };
        // Read as settings first, so a mistake in the file is reported with its line.
        toml::from_str::<Config>(text).map_err(|e| bad_file(&e))?;
        let file: toml::Table = toml::from_str(text).map_err(|e| bad_file(&e))?;
        let mut merged = file.clone();
        for FromEnvironment {
            variable,
            setting,
            value,
        } in environment(env)?
        {
            // Each variable on its own first, so a bad value is reported by its name.
            let mut alone = file.clone();
            alone.insert(setting.clone(), value.clone());
            Config::deserialize(toml::Value::Table(alone)).map_err(|e| ConfigError::BadValue {
                key: variable.clone(),
                reason: e.message().to_owned(),
            })?;
            merged.insert(setting, value);
        }
        let config = Config::deserialize(toml::Value::Table(merged)).map_err(|e| bad_file(&e))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, reason: String| {
            Err(ConfigError::BadValue {
                key: key.into(),
                reason,
            })
        };
        if let Err(e) = dignity_app::data::Backend::from_url(self.database_url.expose()) {
            return bad("database_url", e.to_string());
        }
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            return bad("session_idle_minutes", "must be between 1 and 1440".into());
        }
        if !(1..=24 * 7).contains(&self.session_max_hours) {
            return bad("session_max_hours", "must be between 1 and 168".into());
        }
        if !(1..=1000).contains(&self.max_connections) {
            return bad("max_connections", "must be between 1 and 1000".into());
        }
        // Each kind's floor is in `disclosure::Kind::floor`, with the reason for it.
        if let Err(e) = self.minimums() {
            return bad(e.kind.setting(), e.to_string());
        }
        if self.speakup_max_per_hour == 0 {
            return bad("speakup_max_per_hour", "must be at least 1".into());
        }
        if !(1..=256).contains(&self.max_concurrent_key_derivations) {
            return bad(
                "max_concurrent_key_derivations",
                "must be between 1 and 256".into(),
            );
        }
        if let Err(e) =
            dignity_domain::speakup::check_professional_groups(&self.speakup_professional_groups)
        {
            return bad("speakup_professional_groups", e.to_string());
        }
        if !self.survey_participation_key.0.is_empty()
            && dignity_crypto::survey::ParticipationKey::from_hex(&self.survey_participation_key.0)
                .is_none()
        {
            return bad(
                "survey_participation_key",
                "must be 64 hexadecimal characters (32 random bytes)".into(),
            );
        }
        if !self.secret_key.0.is_empty()
            && dignity_crypto::secret::InstallationSecret::from_hex(&self.secret_key.0).is_none()
        {
            return bad(
                "secret_key",
                "must be 64 hexadecimal characters (32 random bytes)".into(),
            );
        }
        let mut organisations = std::collections::BTreeSet::new();
        for provider in &self.sign_in_providers {
            provider.resolve()?;
            if !organisations.insert(provider.organisation.to_ascii_uppercase()) {
                return bad(
                    "sign_in_providers",
                    format!("{} has more than one provider", provider.organisation),
                );
            }
        }
        if let Err(e) = dignity_web::mail::sender(&self.mail_from) {
            return bad("mail_from", e);
        }
        if !self.smtp_url.is_empty() && self.smtp_relay().is_none() {
            return bad(
                "smtp_url",
                format!(
                    "'{}' must look like smtp://relay.example.nhs.uk:25",
                    self.smtp_url
                ),
            );
        }
        Ok(())
    }

    /// The address people use. Defaults to the bind address over HTTP.
    pub fn public_url(&self) -> String {
        match &self.public_url.0 {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// The relay's host and port, from `smtp_url`.
    fn smtp_relay(&self) -> Option<(String, u16)> {
        let url = url::Url::parse(&self.smtp_url).ok()?;
        if url.scheme() != "smtp" {
            return None;
        }
        Some((url.host_str()?.to_owned(), url.port().unwrap_or(25)))
    }

    /// The installation secret: `secret_key`, else the file `secret_key_file` (or the one
    /// beside a SQLite database), made with a fresh secret the first time. PostgreSQL
    /// installations run several servers, which must share one secret, so they must say
    /// where it is.
    pub fn installation_secret(&self) -> Result<InstallationSecret, ConfigError> {
        if !self.secret_key.0.is_empty() {
            return InstallationSecret::from_hex(&self.secret_key.0).ok_or_else(|| {
                ConfigError::BadValue {
                    key: "secret_key".into(),
                    reason: "must be 64 hexadecimal characters (32 random bytes)".into(),
                }
            });
        }
        let database = match sqlite_file(self.database_url.expose()) {
            Some(SqliteFile::Path(db)) => Some(db),
            Some(SqliteFile::InMemory) if self.secret_key_file.as_os_str().is_empty() => {
                return Ok(InstallationSecret::generate());
            }
            _ => None,
        };
        let path = if !self.secret_key_file.as_os_str().is_empty() {
            self.secret_key_file.clone()
        } else {
            match database.as_ref() {
                Some(db) if self.secret_beside_database => {
                    let mut name = db.clone().into_os_string();
                    name.push(".secret");
                    PathBuf::from(name)
                }
                Some(db) => {
                    let mut reason = "set secret_key_file (or secret_key) to keep the \
                                      installation secret outside the database's folder: with \
                                      the secret, a copy of that folder could open survey \
                                      answers waiting for their batch. Make one with: dignity \
                                      admin generate-secret"
                        .to_owned();
                    // A command run against the demo's database (an import, say) needs the
                    // secret the demo made beside it: say where it is.
                    let mut demo = db.clone().into_os_string();
                    demo.push(".secret");
                    let demo = PathBuf::from(demo);
                    if demo.exists() {
                        reason.push_str(&format!(
                            ". For the demo's database, give its secret: \
                             DIGNITY_SECRET_KEY=\"$(cat {})\"",
                            demo.display()
                        ));
                    }
                    return Err(ConfigError::BadValue {
                        key: "secret_key_file".into(),
                        reason,
                    });
                }
                None => {
                    return Err(ConfigError::BadValue {
                        key: "secret_key".into(),
                        reason:
                            "a PostgreSQL installation must set secret_key or secret_key_file, \
                                 the same on every server. Make one with: \
                                 dignity admin generate-secret"
                                .into(),
                    });
                }
            }
        };
        if !self.secret_beside_database
            && let Some(db) = &database
            && same_folder(db, &path)
        {
            return Err(ConfigError::BadValue {
                key: "secret_key_file".into(),
                reason: format!(
                    "{} is in the same folder as the database (or under it): keep the \
                     installation secret elsewhere, so a copy of the database's folder cannot \
                     open what it seals",
                    path.display()
                ),
            });
        }
        secret_file::read_or_create(&path)
    }
}

/// Whether `secret` is in the folder of `database`, or in a folder under it (as far as
/// the paths can be resolved), so that a copy of the database's folder would take it.
fn same_folder(database: &Path, secret: &Path) -> bool {
    let folder = |p: &Path| {
        let parent = p
            .parent()
            .filter(|f| !f.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // A folder that does not exist yet is judged by the nearest one that does.
        let mut known = parent.to_path_buf();
        let mut rest = Vec::new();
        while !known.exists() {
            match (known.file_name().map(|n| n.to_os_string()), known.parent()) {
                (Some(name), Some(up)) => {
                    rest.push(name);
                    known = up.to_path_buf();
                }
                _ => break,
            }
        }
        let mut resolved = std::fs::canonicalize(&known).unwrap_or(known);
        resolved.extend(rest.iter().rev());
        resolved
    };
    folder(secret).starts_with(folder(database))
}

impl Config {
    /// Each kind of data's smallest group that may be shown, checked against its floor.
    pub fn minimums(&self) -> Result<Minimums, OutOfBounds> {
        Minimums::from_settings(
            self.survey_minimum_group,
            self.speakup_small_number_threshold,
            self.workforce_minimum_group,
            self.voice_minimum_group,
        )
    }

    pub fn web_settings(&self) -> Result<dignity_web::Settings, ConfigError> {
        Ok(dignity_web::Settings {
            app: dignity_app::Settings {
                secret: self.installation_secret()?,
                sign_in: dignity_app::identity::SignInRules {
                    session_idle_seconds: self.session_idle_minutes * 60,
                    session_max_seconds: self.session_max_hours * 3600,
                    ..Default::default()
                },
                minimums: self.minimums().map_err(|e| ConfigError::BadValue {
                    key: e.kind.setting().into(),
                    reason: e.to_string(),
                })?,
                speakup_max_per_hour: self.speakup_max_per_hour,
                key_derivations: self.max_concurrent_key_derivations,
                professional_groups: dignity_domain::speakup::check_professional_groups(
                    &self.speakup_professional_groups,
                )
                .unwrap_or_else(|_| dignity_domain::speakup::default_professional_groups()),
                single_sign_on: dignity_app::identity::provider::SingleSignOn {
                    providers: self
                        .sign_in_providers
                        .iter()
                        .map(crate::sign_in_providers::ProviderConfig::resolve)
                        .collect::<Result<_, _>>()?,
                    base_url: self.public_url(),
                },
                ..dignity_app::Settings::default()
            },
            public_url: self.public_url(),
            web_dir: self.web_dir.clone(),
            trust_forwarded_for: self.trust_forwarded_for,
            survey_key: dignity_crypto::survey::ParticipationKey::from_hex(
                &self.survey_participation_key.0,
            ),
            mail: self
                .smtp_relay()
                .map(|(host, port)| dignity_web::mail::MailSettings {
                    host,
                    port,
                    from: self.mail_from.clone(),
                }),
            ..dignity_web::Settings::default()
        })
    }

    pub fn db_options(&self) -> dignity_app::data::DbOptions {
        dignity_app::data::DbOptions {
            max_connections: self.max_connections,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("temp file: {e}"));
        std::fs::write(file.path(), text).unwrap_or_else(|e| panic!("write: {e}"));
        file
    }

    #[test]
    fn defaults_without_a_file() {
        let config = Config::load(Path::new("/nonexistent/dignity.toml"), false, &env(&[]));
        assert_eq!(config, Ok(Config::default()));
        let config = Config::default();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url.expose(), "sqlite://dignity.db");
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn the_installation_secret_comes_from_the_setting_a_file_or_beside_sqlite() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("trust.db");
        let load = |pairs: &[(&str, &str)]| {
            Config::load(Path::new("/none"), false, &env(pairs)).unwrap_or_else(|e| panic!("{e}"))
        };
        let url = format!("sqlite://{}", db.display());
        // A real server will not keep it beside the database, by default or when told to.
        let refused = load(&[("DIGNITY_DATABASE_URL", &url)])
            .installation_secret()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(refused.starts_with("secret_key_file"), "{refused}");
        let next_to_it = dir.path().join("secret").display().to_string();
        let refused = load(&[
            ("DIGNITY_DATABASE_URL", &url),
            ("DIGNITY_SECRET_KEY_FILE", &next_to_it),
        ])
        .installation_secret()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(refused.contains("same folder"), "{refused}");
        let under_it = dir.path().join("keys/secret").display().to_string();
        let refused = load(&[
            ("DIGNITY_DATABASE_URL", &url),
            ("DIGNITY_SECRET_KEY_FILE", &under_it),
        ])
        .installation_secret()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            refused.contains("same folder"),
            "a folder under it: {refused}"
        );
        assert!(!dir.path().join("trust.db.secret").exists());
        assert!(!dir.path().join("secret").exists());
        assert!(!refused.contains("demo"), "{refused}");
        let elsewhere = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let kept = elsewhere
            .path()
            .join("dignity.secret")
            .display()
            .to_string();
        let own = load(&[
            ("DIGNITY_DATABASE_URL", &url),
            ("DIGNITY_SECRET_KEY_FILE", &kept),
        ]);
        assert!(own.installation_secret().is_ok());
        assert!(elsewhere.path().join("dignity.secret").exists());
        // The demo's made-up data may keep it beside its database.
        let mut beside = load(&[("DIGNITY_DATABASE_URL", &url)]);
        beside.secret_beside_database = true;
        let first = beside
            .installation_secret()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(dir.path().join("trust.db.secret").exists());
        let again = beside
            .installation_secret()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            *first.derive("p"),
            *again.derive("p"),
            "read back, not remade"
        );
        // A command on the demo's database is told where its secret is.
        let refused = load(&[("DIGNITY_DATABASE_URL", &url)])
            .installation_secret()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            refused.contains(&format!(
                "DIGNITY_SECRET_KEY=\"$(cat {})\"",
                dir.path().join("trust.db.secret").display()
            )),
            "{refused}"
        );

        let hex = "cd".repeat(32);
        let postgres = "postgres://postgres@127.0.0.1/x";
        let set = load(&[
            ("DIGNITY_DATABASE_URL", postgres),
            ("DIGNITY_SECRET_KEY", &hex),
        ]);
        let from_setting = set.installation_secret().unwrap_or_else(|e| panic!("{e}"));
        let expected = dignity_crypto::secret::InstallationSecret::from_hex(&hex)
            .unwrap_or_else(|| panic!("valid hex"));
        assert_eq!(*from_setting.derive("p"), *expected.derive("p"));

        let unset = load(&[("DIGNITY_DATABASE_URL", postgres)]);
        let refused = unset.installation_secret().err().map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|e| e.contains("generate-secret")),
            "PostgreSQL servers must be told the shared secret: {refused:?}"
        );
        let bad = Config::load(
            Path::new("/none"),
            false,
            &env(&[("DIGNITY_SECRET_KEY", "1234")]),
        );
        assert!(matches!(bad, Err(ConfigError::BadValue { ref key, .. }) if key == "secret_key"));
    }

    #[test]
    fn a_named_file_must_exist() {
        let err = Config::load(Path::new("/nonexistent/dignity.toml"), true, &env(&[]));
        assert!(matches!(err, Err(ConfigError::Unreadable { .. })));
    }

    #[test]
    fn file_then_environment() {
        let file = write("bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\n");
        let config = Config::load(
            file.path(),
            true,
            &env(&[("DIGNITY_BIND", "127.0.0.1:7000"), ("PATH", "/bin")]),
        );
        let config = config.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.bind.to_string(), "127.0.0.1:7000");
        assert_eq!(config.log_format, LogFormat::Json);
    }

    /// The settings are listed once (in `Config`): each can be set by its variable, and
    /// the demo's own flag by neither the file nor the environment.
    #[test]
    fn every_setting_has_its_variable_and_the_demo_flag_has_none() {
        let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
        assert!(
            defaults.contains_key("survey_minimum_group"),
            "{defaults:?}"
        );
        for (setting, value) in &defaults {
            // Identity providers are tables, set only in the file (tested below).
            if setting == "sign_in_providers" {
                continue;
            }
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                other => other.to_string(),
            };
            // The default database URL is SQLite's, which the demo flag does not cover.
            let variable = format!("DIGNITY_{}", setting.to_ascii_uppercase());
            let loaded = Config::load(Path::new("/none"), false, &env(&[(&variable, &text)]));
            assert!(loaded.is_ok(), "{variable}={text}: {loaded:?}");
        }
        let flag = Config::load(
            Path::new("/none"),
            false,
            &env(&[("DIGNITY_SECRET_BESIDE_DATABASE", "true")]),
        );
        assert!(
            matches!(flag, Err(ConfigError::UnknownVariable { .. })),
            "{flag:?}"
        );
        let file = write("secret_beside_database = true\n");
        assert!(Config::load(file.path(), true, &env(&[])).is_err());
    }

    #[test]
    fn unknown_keys_are_named() {
        let file = write("bind = \"127.0.0.1:1\"\ndatabse_url = \"sqlite://x.db\"\n");
        let err = Config::load(file.path(), true, &env(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("databse_url"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        let err = Config::load(Path::new("/none"), false, &env(&[("DIGNITY_BINDD", "x")]));
        assert!(
            matches!(err, Err(ConfigError::UnknownVariable { ref key, .. }) if key == "DIGNITY_BINDD")
        );
        // Test-suite settings are not the server's business.
        assert!(
            Config::load(
                Path::new("/none"),
                false,
                &env(&[("DIGNITY_TEST_POSTGRES_URL", "x")])
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            ("DIGNITY_BIND", "localhost", "DIGNITY_BIND"),
            ("DIGNITY_DATABASE_URL", "mysql://x", "database_url"),
            (
                "DIGNITY_SESSION_IDLE_MINUTES",
                "ten",
                "DIGNITY_SESSION_IDLE_MINUTES",
            ),
            ("DIGNITY_SESSION_IDLE_MINUTES", "0", "session_idle_minutes"),
            ("DIGNITY_PUBLIC_URL", "dignity.nhs.uk", "DIGNITY_PUBLIC_URL"),
            ("DIGNITY_LOG_FORMAT", "xml", "DIGNITY_LOG_FORMAT"),
            ("DIGNITY_LOG_LEVEL", "loud=[", "DIGNITY_LOG_LEVEL"),
            // A typo is a source name to the log filter, which then logs nothing.
            ("DIGNITY_LOG_LEVEL", "inf", "DIGNITY_LOG_LEVEL"),
            (
                "DIGNITY_PUBLIC_URL",
                "https://user:pw@x.nhs.uk/",
                "DIGNITY_PUBLIC_URL",
            ),
            (
                "DIGNITY_PUBLIC_URL",
                "https://x.nhs.uk/?a=b",
                "DIGNITY_PUBLIC_URL",
            ),
            ("DIGNITY_PUBLIC_URL", "http:x", "DIGNITY_PUBLIC_URL"),
            (
                "DIGNITY_SPEAKUP_SMALL_NUMBER_THRESHOLD",
                "0",
                "speakup_small_number_threshold",
            ),
            (
                "DIGNITY_SPEAKUP_SMALL_NUMBER_THRESHOLD",
                "2",
                "speakup_small_number_threshold",
            ),
            // Below the floor of 11, the national survey's own rule.
            ("DIGNITY_SURVEY_MINIMUM_GROUP", "10", "survey_minimum_group"),
            // Below the workforce floor of 5.
            (
                "DIGNITY_WORKFORCE_MINIMUM_GROUP",
                "4",
                "workforce_minimum_group",
            ),
            // Below the staff voice floor of 10.
            ("DIGNITY_VOICE_MINIMUM_GROUP", "9", "voice_minimum_group"),
            (
                "DIGNITY_SURVEY_MINIMUM_GROUP",
                "eleven",
                "DIGNITY_SURVEY_MINIMUM_GROUP",
            ),
            (
                "DIGNITY_SPEAKUP_PROFESSIONAL_GROUPS",
                "Nurses;nurses",
                "speakup_professional_groups",
            ),
            ("DIGNITY_MAIL_FROM", "Dignity at the trust", "mail_from"),
            ("DIGNITY_MAIL_FROM", "no-reply@", "mail_from"),
        ];
        for (key, value, named) in cases {
            let err = Config::load(Path::new("/none"), false, &env(&[(key, value)]));
            let text = err.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(text.starts_with(named), "{key}={value} gave: {text}");
        }
    }

    #[test]
    fn database_passwords_never_print() {
        let url = DatabaseUrl::new("postgres://dignity:hunter2@db/dignity");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(!format!("{url}").contains("hunter2"));
    }

    fn provider_settings(secret_file: &Path, extra: &str) -> String {
        format!(
            "[[sign_in_providers]]\norganisation = \"RX1\"\nlabel = \"NHSmail\"\n\
             issuer = \"https://login.example.org/tenant/v2.0\"\nclient_id = \"dignity\"\n\
             client_secret_file = \"{}\"\nemail_domains = [\"nhs.net\"]\n{extra}",
            secret_file.display()
        )
    }

    #[test]
    fn an_identity_provider_is_read_with_its_secret_from_a_file() {
        let secret = write("a-client-secret\n");
        let text = provider_settings(
            secret.path(),
            "[sign_in_providers.groups]\n\"abc-123\" = \"guardian\"\n",
        );
        let config =
            Config::from_text(&text, "dignity.toml", &env(&[])).unwrap_or_else(|e| panic!("{e}"));
        let provider = config.sign_in_providers[0]
            .resolve()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(provider.client_secret.as_str(), "a-client-secret");
        assert_eq!(
            provider.group_roles,
            vec![(
                "abc-123".to_owned(),
                dignity_domain::identity::Role::Guardian
            )]
        );
        assert!(!format!("{provider:?}").contains("a-client-secret"));
    }

    #[test]
    fn a_wrong_identity_provider_is_named() {
        let secret = write("s\n");
        let cases = [
            ("issuer = \"http://login.example.org\"", "https://"),
            (
                "[sign_in_providers.groups]\nadmins = \"platform_admin\"",
                "not held in one organisation",
            ),
            ("[sign_in_providers.groups]\nadmins = \"wizard\"", "wizard"),
        ];
        for (extra, named) in cases {
            let text = provider_settings(secret.path(), extra).replace(
                "issuer = \"https://login.example.org/tenant/v2.0\"\n",
                if extra.starts_with("issuer") {
                    ""
                } else {
                    "issuer = \"https://login.example.org/tenant/v2.0\"\n"
                },
            );
            let err = Config::from_text(&text, "dignity.toml", &env(&[]))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(named), "{extra} gave: {err}");
        }
        let no_secret = provider_settings(Path::new(""), "");
        let err = Config::from_text(&no_secret, "dignity.toml", &env(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("client_secret_file or client_secret_env"),
            "{err}"
        );
        let err = Config::load(
            Path::new("/none"),
            false,
            &env(&[("DIGNITY_SIGN_IN_PROVIDERS", "x")]),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("settings file"), "{err}");
    }
}
