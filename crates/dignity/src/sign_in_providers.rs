//! The `[[sign_in_providers]]` settings: each organisation's own identity provider
//! (OpenID Connect). docs/operations.md shows them filled in for Entra ID and for any
//! other provider.

use crate::config::ConfigError;
use dignity_app::identity::provider::ProviderSettings;
use dignity_domain::identity::{OdsCode, Role, RoleScope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// One provider as written in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The organisation's ODS code.
    pub organisation: String,
    /// What the button says after "Sign in with", such as "NHSmail".
    pub label: String,
    /// The provider's issuer, exactly as its discovery document gives it.
    pub issuer: String,
    pub client_id: String,
    /// A file holding the client secret (and nothing else but a final line break).
    #[serde(default)]
    pub client_secret_file: PathBuf,
    /// Or the name of an environment variable holding it.
    #[serde(default)]
    pub client_secret_env: String,
    #[serde(default = "email_claim")]
    pub email_claim: String,
    #[serde(default = "groups_claim")]
    pub groups_claim: String,
    /// The email domains the provider speaks for, such as `nhs.net`.
    pub email_domains: Vec<String>,
    /// `amr` values that mean the provider checked a second factor.
    #[serde(default)]
    pub mfa_amr: Vec<String>,
    /// `acr` values that mean the same.
    #[serde(default)]
    pub mfa_acr: Vec<String>,
    /// Group (as the groups claim gives it) to the Dignity role it gives.
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
    /// A file holding the bearer token the provider's provisioning (SCIM) sends, if it
    /// keeps people in step that way.
    #[serde(default)]
    pub scim_token_file: PathBuf,
    /// Or the name of an environment variable holding it.
    #[serde(default)]
    pub scim_token_env: String,
}

fn email_claim() -> String {
    "email".into()
}

fn groups_claim() -> String {
    "groups".into()
}

impl ProviderConfig {
    fn bad(&self, reason: impl Into<String>) -> ConfigError {
        ConfigError::BadValue {
            key: format!("sign_in_providers ({})", self.organisation),
            reason: reason.into(),
        }
    }

    /// Checks the settings and reads the client secret, naming what is wrong.
    pub fn resolve(&self) -> Result<ProviderSettings, ConfigError> {
        if OdsCode::parse(&self.organisation).is_err() {
            return Err(self.bad("organisation must be an ODS code, such as RX1"));
        }
        if self.label.trim().is_empty() || self.label.chars().count() > 60 {
            return Err(self.bad("label must be 1 to 60 characters, such as NHSmail"));
        }
        let issuer = url::Url::parse(&self.issuer)
            .map_err(|_| self.bad(format!("issuer '{}' is not a web address", self.issuer)))?;
        // Tokens and keys come over this address: only HTTPS, except a provider on this
        // machine (the tests' own).
        let loopback = matches!(issuer.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if issuer.scheme() != "https" && !(issuer.scheme() == "http" && loopback) {
            return Err(self.bad("issuer must start with https://"));
        }
        if self.client_id.trim().is_empty() {
            return Err(self.bad("client_id is missing"));
        }
        let secret = self.client_secret()?;
        if self.email_domains.is_empty()
            || self
                .email_domains
                .iter()
                .any(|d| d.trim().is_empty() || d.contains('@') || !d.contains('.'))
        {
            return Err(self.bad(
                "email_domains must list the domains this provider speaks for, such as [\"nhs.net\"]",
            ));
        }
        let mut group_roles = Vec::new();
        for (group, code) in &self.groups {
            let role: Role = code
                .parse()
                .map_err(|e: dignity_domain::identity::InvalidValue| self.bad(e.to_string()))?;
            if role.scope() != RoleScope::Organisation {
                return Err(self.bad(format!(
                    "the group '{group}' cannot give the role {}: it is not held in one organisation. Give it with dignity admin grant-role",
                    role.label()
                )));
            }
            group_roles.push((group.clone(), role));
        }
        let scim_token_digest = self.scim_token()?.map(|token| {
            use sha2::Digest as _;
            let digest: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
            digest
        });
        Ok(ProviderSettings {
            organisation: self.organisation.to_ascii_uppercase(),
            label: self.label.trim().to_owned(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: secret,
            email_claim: self.email_claim.clone(),
            groups_claim: self.groups_claim.clone(),
            group_roles,
            mfa_amr: self.mfa_amr.clone(),
            mfa_acr: self.mfa_acr.clone(),
            email_domains: self
                .email_domains
                .iter()
                .map(|d| d.trim().to_ascii_lowercase())
                .collect(),
            scim_token_digest,
        })
    }

    fn scim_token(&self) -> Result<Option<Zeroizing<String>>, ConfigError> {
        let token = match (
            !self.scim_token_file.as_os_str().is_empty(),
            !self.scim_token_env.is_empty(),
        ) {
            (false, false) => return Ok(None),
            (true, false) => std::fs::read_to_string(&self.scim_token_file).map_err(|e| {
                self.bad(format!(
                    "could not read scim_token_file {}: {e}",
                    self.scim_token_file.display()
                ))
            })?,
            (false, true) => std::env::var(&self.scim_token_env).map_err(|_| {
                self.bad(format!(
                    "the environment variable {} named by scim_token_env is not set",
                    self.scim_token_env
                ))
            })?,
            (true, true) => {
                return Err(self.bad("set only one of scim_token_file or scim_token_env"));
            }
        };
        let token = Zeroizing::new(token.trim_end_matches(['\r', '\n']).to_owned());
        // A token is the only thing that stands between the internet and every account
        // of the organisation: it must be too long to guess.
        if token.chars().count() < 32 {
            return Err(self.bad(
                "the SCIM token must be at least 32 characters; make one with: dignity admin generate-secret",
            ));
        }
        Ok(Some(token))
    }

    fn client_secret(&self) -> Result<Zeroizing<String>, ConfigError> {
        let from_file = !self.client_secret_file.as_os_str().is_empty();
        let from_env = !self.client_secret_env.is_empty();
        let secret = match (from_file, from_env) {
            (true, false) => std::fs::read_to_string(&self.client_secret_file).map_err(|e| {
                self.bad(format!(
                    "could not read client_secret_file {}: {e}",
                    self.client_secret_file.display()
                ))
            })?,
            (false, true) => std::env::var(&self.client_secret_env).map_err(|_| {
                self.bad(format!(
                    "the environment variable {} named by client_secret_env is not set",
                    self.client_secret_env
                ))
            })?,
            _ => {
                return Err(self.bad(
                    "set one of client_secret_file or client_secret_env, so the secret is not in this file",
                ));
            }
        };
        let secret = Zeroizing::new(secret.trim_end_matches(['\r', '\n']).to_owned());
        if secret.is_empty() {
            return Err(self.bad("the client secret is empty"));
        }
        Ok(secret)
    }
}
