//! Signing in with an organisation's identity provider (OpenID Connect): the
//! authorization code flow with PKCE, `state` and `nonce`, and the ID token checked by the
//! `openidconnect` crate (issuer, audience, expiry, signature from an allow-list of
//! algorithms, nonce). Dignity writes no token checking of its own; it adds only what the
//! crate leaves to the caller: the clock skew, `nbf`, refetching the signing keys once when
//! a token names a key it has not seen, and what the claims mean here.

use super::{CurrentSession, SignedIn, record};
use crate::{Context, Error};
use dignity_crypto::token::{random_token, token_digest};
use dignity_domain::identity::{Email, Name, Role, RoleScope};
use dignity_store::identity::{self as people, Organisation, Person};
use dignity_store::single_sign_on::{self as store, RoleChanges, SignInRequest};
use dignity_store::{StoreError, sessions};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, JsonWebKeySet, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// How long a sign-in may spend at the provider before it must start again.
const REQUEST_SECONDS: i64 = 10 * 60;
/// Sign-ins waiting at once, beyond which new ones are turned away: starting one needs no
/// account, so without a limit a script could fill the table.
const MOST_WAITING: i64 = 20_000;
/// How far the provider's clock may be from ours.
const CLOCK_SKEW_SECONDS: i64 = 60;
/// How long discovery and signing keys are kept before they are fetched again.
const METADATA_SECONDS: i64 = 60 * 60;
/// The signing algorithms accepted. Never `none`; no shared-secret (HS) algorithms, which
/// would let anyone holding the client secret make tokens.
const ALGORITHMS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
];

/// One organisation's identity provider, from the settings.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// The organisation's ODS code.
    pub organisation: String,
    /// What staff call it, such as "NHSmail".
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Zeroizing<String>,
    /// The claim with the person's email address (`email`, or `preferred_username` for
    /// Entra ID).
    pub email_claim: String,
    /// The claim with the person's groups (`groups`, or `roles` for app roles).
    pub groups_claim: String,
    /// Which group gives which role in the organisation. Checked again at every sign-in.
    pub group_roles: Vec<(String, Role)>,
    /// `amr` values that mean the provider checked a second factor (such as `mfa`).
    pub mfa_amr: Vec<String>,
    /// `acr` values that mean the same.
    pub mfa_acr: Vec<String>,
    /// The email domains this provider speaks for. Only addresses in them sign in, and
    /// only they are linked to an account that already exists.
    pub email_domains: Vec<String>,
    /// The SHA-256 of the bearer token the provider's provisioning (SCIM) uses, if it
    /// keeps people in step that way. The token itself is not kept.
    pub scim_token_digest: Option<[u8; 32]>,
}

impl ProviderSettings {
    /// Whether an address is in one of the domains this provider speaks for.
    pub fn speaks_for(&self, email: &Email) -> bool {
        let domain = email.as_str().rsplit('@').next().unwrap_or_default();
        self.email_domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(domain))
    }
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("organisation", &self.organisation)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"****")
            .finish_non_exhaustive()
    }
}

/// Every provider, and the address the provider sends people back to.
#[derive(Debug, Clone, Default)]
pub struct SingleSignOn {
    pub providers: Vec<ProviderSettings>,
    /// The start of Dignity's own address, such as `https://dignity.example.nhs.uk`.
    pub base_url: String,
}

/// Every claim in the ID token, so the settings can name the ones that carry the email
/// address and the groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AllClaims(serde_json::Map<String, serde_json::Value>);
impl AdditionalClaims for AllClaims {}

type IdFields = IdTokenFields<
    AllClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    AllClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through a provider did not happen. Each says, for a person, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderRefused {
    #[error("This organisation does not sign in with its own service")]
    NotConfigured,
    #[error("The sign-in service did not answer. Try again in a few minutes")]
    Unreachable,
    #[error("This sign-in has ended or was already used. Start again")]
    StartAgain,
    #[error("Too many people are signing in at once. Try again in a few minutes")]
    Busy,
    #[error("The sign-in service did not sign you in. Start again, or ask your IT service desk")]
    ProviderSaidNo,
    /// The provider's answer failed a check. The reason goes to the log, not the page.
    #[error("We could not check who you are with the sign-in service. Start again")]
    TokenRefused(String),
    #[error(
        "Your account with the sign-in service has no email address that this organisation uses. Ask your IT service desk"
    )]
    EmailNotAllowed,
    #[error("Your Dignity account is turned off. Ask your organisation's Dignity administrator")]
    AccountTurnedOff,
    #[error(
        "Your Dignity account cannot be joined to this sign-in service by its email address. Ask your organisation's Dignity administrator"
    )]
    LinkedElsewhere,
    /// An account with this address has a passphrase: its owner joins it themselves.
    #[error(
        "You already have a Dignity account with this email address. Sign in with your passphrase, then choose \"Use my work account to sign in\" on your home page"
    )]
    JoinWhileSignedIn,
    #[error("You have started signing in too many times. Wait {0} minutes, then try again")]
    TooManyStarts(i64),
}

/// Discovery documents and signing keys, fetched when first needed and kept an hour.
#[derive(Default)]
pub struct ProviderCache {
    metadata: Mutex<HashMap<String, (Arc<ProviderMetadataWithLogout>, i64)>>,
}

impl std::fmt::Debug for ProviderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderCache")
    }
}

impl ProviderCache {
    fn get(&self, issuer: &str, now: i64) -> Option<Arc<ProviderMetadataWithLogout>> {
        let kept = self.metadata.lock().ok()?;
        kept.get(issuer)
            .filter(|(_, at)| now - at < METADATA_SECONDS)
            .map(|(metadata, _)| metadata.clone())
    }

    fn put(&self, issuer: &str, metadata: Arc<ProviderMetadataWithLogout>, now: i64) {
        if let Ok(mut kept) = self.metadata.lock() {
            kept.insert(issuer.to_owned(), (metadata, now));
        }
    }
}

/// The HTTP client for talking to providers: short time limits, so a provider that is
/// down gives a clear page quickly, and no redirects followed (a redirect could point the
/// server at an address inside the network).
pub fn http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Error::Internal(format!("could not make the HTTP client: {e}")))
}

/// The providers people can choose on the sign-in page: organisation code and label.
pub fn choices(ctx: &Context) -> Vec<(String, String)> {
    ctx.single_sign_on
        .providers
        .iter()
        .map(|p| (p.organisation.clone(), p.label.clone()))
        .collect()
}

fn provider_for<'a>(ctx: &'a Context, ods: &str) -> Option<&'a ProviderSettings> {
    ctx.single_sign_on
        .providers
        .iter()
        .find(|p| p.organisation.eq_ignore_ascii_case(ods))
}

async fn metadata(
    ctx: &Context,
    provider: &ProviderSettings,
) -> Result<Arc<ProviderMetadataWithLogout>, ProviderRefused> {
    let now = ctx.clock.now();
    if let Some(kept) = ctx.provider_cache.get(&provider.issuer, now) {
        return Ok(kept);
    }
    let issuer =
        IssuerUrl::new(provider.issuer.clone()).map_err(|_| ProviderRefused::NotConfigured)?;
    let fetched = ProviderMetadataWithLogout::discover_async(issuer, &ctx.http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer = %provider.issuer, error = %e, "provider discovery failed");
            ProviderRefused::Unreachable
        })?;
    let fetched = Arc::new(fetched);
    ctx.provider_cache
        .put(&provider.issuer, fetched.clone(), now);
    Ok(fetched)
}

fn client(
    ctx: &Context,
    provider: &ProviderSettings,
    metadata: &ProviderMetadataWithLogout,
) -> Result<OidcClient, ProviderRefused> {
    let redirect =
        RedirectUrl::new(callback_url(ctx)).map_err(|_| ProviderRefused::NotConfigured)?;
    Ok(OidcClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.to_string())),
    )
    .set_redirect_uri(redirect))
}

fn callback_url(ctx: &Context) -> String {
    format!(
        "{}/sign-in/callback",
        ctx.single_sign_on.base_url.trim_end_matches('/')
    )
}

/// A sign-in sent to the provider: the address to send the browser to, and the handle to
/// keep in its cookie until it comes back.
pub struct Begun {
    pub handle: Zeroizing<String>,
    pub url: String,
}

/// Sign-ins one client may start in the throttle window: enough for a ward computer
/// shared by a shift, few enough that one client cannot fill the waiting list.
const MOST_STARTS_PER_CLIENT: i64 = 30;

/// What starting a sign-in needs.
pub struct Start<'a> {
    /// The organisation's ODS code.
    pub ods: &'a str,
    pub next: &'a str,
    /// The address the request came from, kept only as a keyed digest, for throttling.
    pub client: &'a str,
    /// Someone signed in with their passphrase who asks to join their work account.
    pub joining: Option<&'a CurrentSession>,
}

/// Starts a sign-in with an organisation's provider.
pub async fn begin(
    ctx: &Context,
    start: &Start<'_>,
) -> Result<Result<Begun, ProviderRefused>, Error> {
    let Some(provider) = provider_for(ctx, start.ods) else {
        return Ok(Err(ProviderRefused::NotConfigured));
    };
    let window = ctx.sign_in.throttle_window_seconds;
    let client_key = format!("start-{}", super::client_throttle_key(ctx, start.client));
    let now = ctx.clock.now();
    if dignity_store::throttle::recent_failures(&ctx.db, &client_key, now, window).await?
        >= MOST_STARTS_PER_CLIENT
    {
        return Ok(Err(ProviderRefused::TooManyStarts(
            ctx.sign_in.wait_minutes(),
        )));
    }
    dignity_store::throttle::record_failure(&ctx.db, &[&client_key], now, window).await?;
    let Some(organisation) = find_organisation(ctx, &provider.organisation).await? else {
        return Ok(Err(ProviderRefused::NotConfigured));
    };
    if store::waiting_requests(&ctx.db).await? >= MOST_WAITING {
        store::purge_requests(&ctx.db, now).await?;
        if store::waiting_requests(&ctx.db).await? >= MOST_WAITING {
            tracing::warn!("too many sign-ins waiting for identity providers");
            return Ok(Err(ProviderRefused::Busy));
        }
    }
    // Joining is for someone of this organisation: a provider speaks for its own staff.
    if let Some(session) = start.joining
        && !session.memberships.iter().any(|m| {
            m.organisation
                .as_ref()
                .is_some_and(|o| o.id == organisation.id)
        })
    {
        return Ok(Err(ProviderRefused::LinkedElsewhere));
    }
    let metadata = match metadata(ctx, provider).await {
        Ok(metadata) => metadata,
        Err(refused) => return Ok(Err(refused)),
    };
    let client = match client(ctx, provider, &metadata) {
        Ok(client) => client,
        Err(refused) => return Ok(Err(refused)),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let handle = Zeroizing::new(random_token());
    store::save_request(
        &ctx.db,
        &token_digest(&handle),
        &SignInRequest {
            organisation_id: organisation.id,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next_path: start.next.to_owned(),
            link_person_id: start.joining.map(|s| s.person.id),
            expires_at: now + REQUEST_SECONDS,
        },
    )
    .await?;
    Ok(Ok(Begun {
        handle,
        url: url.to_string(),
    }))
}

async fn find_organisation(ctx: &Context, ods: &str) -> Result<Option<Organisation>, Error> {
    let Ok(code) = dignity_domain::identity::OdsCode::parse(ods) else {
        return Ok(None);
    };
    Ok(people::find_organisation(&ctx.db, &code).await?)
}

/// What the provider sent the browser back with.
pub struct Callback<'a> {
    /// The handle from the browser's cookie.
    pub handle: Option<&'a str>,
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    /// Set when the provider refused (the person cancelled, say).
    pub error: Option<&'a str>,
    /// A session token the browser already held, ended so a planted one is worthless.
    pub previous_token: Option<&'a str>,
}

/// A finished sign-in through a provider, and where to go next.
pub struct ProviderSignIn {
    pub signed_in: SignedIn,
    pub next: String,
}

/// Finishes a sign-in: takes the waiting request (so it is used once), checks `state`,
/// exchanges the code with the PKCE verifier, checks the ID token, and then finds, links
/// or makes the person and brings their roles in line with their groups.
pub async fn finish(
    ctx: &Context,
    callback: &Callback<'_>,
) -> Result<Result<ProviderSignIn, ProviderRefused>, Error> {
    let now = ctx.clock.now();
    let Some(handle) = callback.handle.filter(|h| !h.is_empty()) else {
        return Ok(Err(ProviderRefused::StartAgain));
    };
    let Some(request) = store::take_request(&ctx.db, &token_digest(handle), now).await? else {
        return Ok(Err(ProviderRefused::StartAgain));
    };
    let state_matches = callback
        .state
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(request.state.as_bytes())));
    if !state_matches {
        return Ok(Err(ProviderRefused::StartAgain));
    }
    if callback.error.is_some() {
        return Ok(Err(ProviderRefused::ProviderSaidNo));
    }
    let Some(code) = callback.code.filter(|c| !c.is_empty()) else {
        return Ok(Err(ProviderRefused::ProviderSaidNo));
    };
    let Some(organisation) = people::organisation_by_id(&ctx.db, request.organisation_id).await?
    else {
        return Ok(Err(ProviderRefused::NotConfigured));
    };
    let Some(provider) = provider_for(ctx, organisation.ods_code.as_str()) else {
        return Ok(Err(ProviderRefused::NotConfigured));
    };
    let claims = match checked_claims(ctx, provider, &request, code).await {
        Ok(claims) => claims,
        Err(refused) => {
            if let ProviderRefused::TokenRefused(reason) = &refused {
                tracing::warn!(issuer = %provider.issuer, %reason, "provider sign-in refused");
            }
            return Ok(Err(refused));
        }
    };
    // When joining, the session that asked: its person, and whether it gave the second
    // step (the new session keeps that, as it is the same person in the same browser).
    let mut joined_with_second_factor = false;
    let joining = match request.link_person_id {
        None => None,
        Some(person_id) => {
            // The answer joins the account of the person who asked, only in the browser
            // still signed in as them.
            let asking = match callback.previous_token {
                Some(token) => {
                    sessions::find_live(
                        &ctx.db,
                        &token_digest(token),
                        now,
                        ctx.sign_in.session_idle_seconds,
                    )
                    .await?
                }
                None => None,
            };
            match asking {
                Some(session) if session.person_id == person_id => {
                    joined_with_second_factor = session.second_factor_done;
                }
                _ => return Ok(Err(ProviderRefused::StartAgain)),
            }
            Some(people::get_person(&ctx.db, person_id).await?)
        }
    };
    let person = match person_for(ctx, provider, &organisation, &claims, joining).await? {
        Ok(person) => person,
        Err(refused) => return Ok(Err(refused)),
    };
    // Turned off here by the provider's provisioning: its sign-in gives them nothing here.
    if dignity_store::provisioning::turned_off_in(&ctx.db, organisation.id, person.id).await? {
        return Ok(Err(ProviderRefused::AccountTurnedOff));
    }
    sync_roles(ctx, provider, &organisation, &person, &claims.groups).await?;

    let second_factor = claims.second_factor || joined_with_second_factor;
    // A case key opened in the joining session stays open: the same person, the same
    // browser. Any other session's key is dropped with it.
    let mut carried_key = None;
    if let Some(old) = callback.previous_token {
        let old = token_digest(old);
        if joined_with_second_factor {
            carried_key = ctx.keys.get(&old, now);
        }
        ctx.keys.remove(&old);
        sessions::delete(&ctx.db, &old).await?;
    }
    let token = Zeroizing::new(random_token());
    let digest = token_digest(&token);
    let expires_at = now + ctx.sign_in.session_max_seconds;
    store::create_session(
        &ctx.db,
        &digest,
        person.id,
        now,
        expires_at,
        organisation.id,
        second_factor,
    )
    .await?;
    if let Some(key) = carried_key {
        ctx.keys.insert(&digest, key, expires_at, now);
    }
    let how = if second_factor {
        "with a second factor"
    } else {
        "without a second factor"
    };
    record(
        ctx,
        &person.email,
        Some(organisation.ods_code.as_str()),
        "session.sign_in",
        &format!(
            "Signed in with {}'s sign-in service, {how}",
            organisation.name
        ),
    )
    .await?;
    let memberships = people::memberships(&ctx.db, person.id).await?;
    let session = CurrentSession {
        second_factor_done: second_factor,
        person,
        memberships,
        session_digest: digest,
        expires_at,
    };
    Ok(Ok(ProviderSignIn {
        signed_in: SignedIn { token, session },
        next: request.next_path,
    }))
}

/// What Dignity takes from a checked ID token.
struct Claims {
    subject: String,
    email: Email,
    name: Option<String>,
    groups: BTreeSet<String>,
    second_factor: bool,
}

async fn checked_claims(
    ctx: &Context,
    provider: &ProviderSettings,
    request: &SignInRequest,
    code: &str,
) -> Result<Claims, ProviderRefused> {
    let metadata = metadata(ctx, provider).await?;
    let oidc = client(ctx, provider, &metadata)?;
    let exchange = oidc
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| ProviderRefused::TokenRefused(format!("no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(request.pkce_verifier.clone()));
    let tokens = exchange.request_async(&ctx.http).await.map_err(|e| match e {
        openidconnect::RequestTokenError::ServerResponse(answer) => {
            ProviderRefused::TokenRefused(format!("the token endpoint said {}", answer.error()))
        }
        openidconnect::RequestTokenError::Request(e) => {
            tracing::warn!(issuer = %provider.issuer, error = %e, "token endpoint did not answer");
            ProviderRefused::Unreachable
        }
        other => ProviderRefused::TokenRefused(format!("the token endpoint's answer: {other}")),
    })?;
    let Some(id_token) = tokens.id_token() else {
        return Err(ProviderRefused::TokenRefused("no ID token".into()));
    };
    let nonce = Nonce::new(request.nonce.clone());
    let now = ctx.clock.now();
    let verify = |client: &OidcClient| {
        let skewed =
            chrono::DateTime::from_timestamp(now - CLOCK_SKEW_SECONDS, 0).unwrap_or_default();
        let latest_issue =
            chrono::DateTime::from_timestamp(now + CLOCK_SKEW_SECONDS, 0).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(ALGORITHMS.iter().cloned())
            .set_time_fn(move || skewed)
            .set_issue_time_verifier_fn(move |issued| {
                if issued > latest_issue {
                    Err("issued in the future".to_owned())
                } else {
                    Ok(())
                }
            });
        id_token.claims(&verifier, &nonce).cloned()
    };
    let claims = match verify(&oidc) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            // The provider may have rotated its keys since they were fetched: fetch them
            // once more and try again; a key still unknown is refused.
            let fresh = refetch_keys(ctx, provider, &metadata).await?;
            verify(&client(ctx, provider, &fresh)?)
        }
        checked => checked,
    }
    .map_err(|e| ProviderRefused::TokenRefused(e.to_string()))?;

    let extra = &claims.additional_claims().0;
    if let Some(not_before) = extra.get("nbf") {
        match not_before.as_i64() {
            Some(nbf) if nbf <= now + CLOCK_SKEW_SECONDS => {}
            _ => return Err(ProviderRefused::TokenRefused("not valid yet (nbf)".into())),
        }
    }
    // The crate reads the standard claims into fields of their own; any other is in
    // `extra`.
    let text_claim = |name: &str| -> Option<String> {
        match name {
            "email" => claims.email().map(|e| e.as_str().to_owned()),
            "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_owned()),
            "name" => claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            other => extra
                .get(other)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        }
    };
    let email_text = text_claim(&provider.email_claim).unwrap_or_default();
    // Only plain ASCII addresses: folding others to lower case can turn a foreign domain
    // into one of ours (the Kelvin sign becomes k), and look-alike letters make
    // look-alike accounts.
    if !email_text.is_ascii() || claims.email_verified() == Some(false) {
        return Err(ProviderRefused::EmailNotAllowed);
    }
    let email = Email::parse(&email_text).map_err(|_| ProviderRefused::EmailNotAllowed)?;
    if !provider.speaks_for(&email) {
        return Err(ProviderRefused::EmailNotAllowed);
    }
    let groups = match extra.get(&provider.groups_claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => BTreeSet::from([one.clone()]),
        _ => BTreeSet::new(),
    };
    let by_amr = claims.auth_method_refs().is_some_and(|methods| {
        methods
            .iter()
            .any(|m| provider.mfa_amr.iter().any(|want| want == m.as_str()))
    });
    let by_acr = claims
        .auth_context_ref()
        .is_some_and(|acr| provider.mfa_acr.iter().any(|want| want == acr.as_str()));
    let name = text_claim("name");
    Ok(Claims {
        subject: claims.subject().as_str().to_owned(),
        email,
        name,
        groups,
        second_factor: by_amr || by_acr,
    })
}

async fn refetch_keys(
    ctx: &Context,
    provider: &ProviderSettings,
    metadata: &ProviderMetadataWithLogout,
) -> Result<ProviderMetadataWithLogout, ProviderRefused> {
    let keys = JsonWebKeySet::fetch_async(metadata.jwks_uri(), &ctx.http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer = %provider.issuer, error = %e, "signing keys could not be fetched");
            ProviderRefused::Unreachable
        })?;
    let fresh = metadata.clone().set_jwks(keys);
    ctx.provider_cache
        .put(&provider.issuer, Arc::new(fresh.clone()), ctx.clock.now());
    Ok(fresh)
}

/// The person for a provider's account: the one it is linked to; else someone with the
/// same address (the provider speaks for its domain), linked now; else a new account.
async fn person_for(
    ctx: &Context,
    provider: &ProviderSettings,
    organisation: &Organisation,
    claims: &Claims,
    joining: Option<Person>,
) -> Result<Result<Person, ProviderRefused>, Error> {
    let now = ctx.clock.now();
    let linked = store::linked_person(&ctx.db, &provider.issuer, &claims.subject).await?;
    if let Some(person) = joining {
        // Joining: the provider's account must carry the same address and be no one
        // else's already.
        if linked.as_ref().is_some_and(|l| l.id != person.id)
            || claims.email.as_str() != person.email
        {
            return Ok(Err(ProviderRefused::LinkedElsewhere));
        }
        if linked.is_none() {
            match store::link(
                &ctx.db,
                now,
                organisation,
                &provider.issuer,
                &claims.subject,
                &person,
            )
            .await
            {
                Ok(()) => {}
                Err(StoreError::Conflict(_)) => return Ok(Err(ProviderRefused::LinkedElsewhere)),
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(if person.disabled {
            Err(ProviderRefused::AccountTurnedOff)
        } else {
            Ok(person)
        });
    }
    let person = match linked {
        Some(person) => person,
        None => match people::find_person_by_email(&ctx.db, &claims.email).await? {
            // Someone with roles elsewhere (another organisation, a region, the whole
            // installation) is not this provider's to vouch for by address: otherwise any
            // trust's provider could sign in as a platform administrator.
            Some(existing)
                if !store::roles_only_in(&ctx.db, existing.id, organisation.id).await? =>
            {
                return Ok(Err(ProviderRefused::LinkedElsewhere));
            }
            // Someone with a passphrase proves it before their account is joined: the
            // provider's word on an address is not enough to take over an account its
            // owner set up (and a provider can claim it checked a second factor).
            Some(existing) if !existing.passphrase_hash.is_empty() => {
                return Ok(Err(ProviderRefused::JoinWhileSignedIn));
            }
            Some(existing) => {
                match store::link(
                    &ctx.db,
                    now,
                    organisation,
                    &provider.issuer,
                    &claims.subject,
                    &existing,
                )
                .await
                {
                    Ok(()) => existing,
                    Err(StoreError::Conflict(_)) => {
                        return Ok(Err(ProviderRefused::LinkedElsewhere));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => {
                let name = claims
                    .name
                    .as_deref()
                    .and_then(|n| Name::parse(n, "name").ok())
                    .or_else(|| {
                        let local = claims.email.as_str().split('@').next().unwrap_or_default();
                        Name::parse(local, "name").ok()
                    });
                let Some(name) = name else {
                    return Ok(Err(ProviderRefused::EmailNotAllowed));
                };
                store::create_linked_person(
                    &ctx.db,
                    now,
                    organisation,
                    &provider.issuer,
                    &claims.subject,
                    &claims.email,
                    &name,
                )
                .await?
            }
        },
    };
    if person.disabled {
        return Ok(Err(ProviderRefused::AccountTurnedOff));
    }
    Ok(Ok(person))
}

/// The roles in the organisation that the groups give: staff, and each mapped role.
pub fn roles_from_groups(provider: &ProviderSettings, groups: &BTreeSet<String>) -> BTreeSet<Role> {
    let mut roles = BTreeSet::from([Role::Staff]);
    for (group, role) in &provider.group_roles {
        if groups.contains(group) && role.scope() == RoleScope::Organisation {
            roles.insert(*role);
        }
    }
    roles
}

async fn sync_roles(
    ctx: &Context,
    provider: &ProviderSettings,
    organisation: &Organisation,
    person: &Person,
    groups: &BTreeSet<String>,
) -> Result<(), Error> {
    let wanted = roles_from_groups(provider, groups);
    let held = store::roles_in(&ctx.db, person.id, organisation.id).await?;
    let changes = RoleChanges {
        granted: wanted
            .iter()
            .filter(|role| !held.iter().any(|h| h.role == **role))
            .copied()
            .collect(),
        removed: held
            .iter()
            .filter(|h| h.from_provider && !wanted.contains(&h.role))
            .map(|h| h.role)
            .collect(),
    };
    store::apply_role_changes(&ctx.db, ctx.clock.now(), organisation, person, &changes).await?;
    Ok(())
}

/// The provider a signed-in person could join their account to: the first organisation
/// they hold a role in that has one, when they are not linked to it yet. (ODS code, label.)
pub async fn joinable(
    ctx: &Context,
    session: &CurrentSession,
) -> Result<Option<(String, String)>, Error> {
    for membership in &session.memberships {
        let Some(org) = &membership.organisation else {
            continue;
        };
        let Some(provider) = provider_for(ctx, &org.ods_code) else {
            continue;
        };
        let linked = store::is_linked_to(&ctx.db, &provider.issuer, session.person.id).await?;
        return Ok((!linked).then(|| (provider.organisation.clone(), provider.label.clone())));
    }
    Ok(None)
}

/// Whether passphrase sign-in is closed to this person: someone linked to a provider signs
/// in through it (so leaving it, or losing a group, is felt here), except platform
/// administrators, who keep the passphrase to get in when a provider is down.
pub(crate) async fn passphrase_closed(ctx: &Context, person: &Person) -> Result<bool, Error> {
    if !store::is_linked(&ctx.db, person.id).await? {
        return Ok(false);
    }
    let memberships = people::memberships(&ctx.db, person.id).await?;
    Ok(!memberships.iter().any(|m| m.role == Role::PlatformAdmin))
}

/// Where to send the browser after Dignity's session has ended, to end the provider's
/// too: its end-session address, when the session came through a provider that has one.
pub async fn end_session_url(ctx: &Context, session_digest: &str) -> Result<Option<String>, Error> {
    let Some(organisation_id) = store::session_provider(&ctx.db, session_digest).await? else {
        return Ok(None);
    };
    let Some(organisation) = people::organisation_by_id(&ctx.db, organisation_id).await? else {
        return Ok(None);
    };
    let Some(provider) = provider_for(ctx, organisation.ods_code.as_str()) else {
        return Ok(None);
    };
    let Ok(metadata) = metadata(ctx, provider).await else {
        return Ok(None);
    };
    let Some(end_session) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return Ok(None);
    };
    let back = format!(
        "{}/signed-out",
        ctx.single_sign_on.base_url.trim_end_matches('/')
    );
    let mut logout =
        LogoutRequest::from(end_session).set_client_id(ClientId::new(provider.client_id.clone()));
    if let Ok(back) = PostLogoutRedirectUrl::new(back) {
        logout = logout.set_post_logout_redirect_uri(back);
    }
    Ok(Some(logout.http_get_url().to_string()))
}

#[cfg(test)]
mod tests;
