//! Each way a provider's answer can be wrong, performed against a provider on loopback
//! that hands out whatever ID token the test makes: every one is refused and makes no
//! account. The happy path, the group rules and key rotation are here too.

use super::*;
use crate::admin::Operator;
use crate::data::Backend;
use crate::test_fixtures::stored_organisation;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dignity_domain::identity::Email;
use dignity_store::scratch::ScratchDb;
use openidconnect::core::{CoreHmacKey, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

type Outcome = Result<(), Box<dyn std::error::Error>>;
/// One wrong thing done to otherwise good claims.
type ChangeClaims = dyn Fn(&mut serde_json::Value);

/// Test-only keys, made with `openssl genrsa`; nothing else trusts them.
const KEY_A: &str = include_str!("test_key_a.pem");
const KEY_B: &str = include_str!("test_key_b.pem");
const CLIENT: &str = "dignity-test";
const CLIENT_SECRET: &str = "a-test-only-client-secret";

/// What the provider publishes and hands out, changed by the test as it goes.
#[derive(Default)]
struct Published {
    keys: Mutex<Vec<CoreJsonWebKey>>,
    next_id_token: Mutex<Option<String>>,
    key_fetches: AtomicUsize,
}

struct FakeProvider {
    issuer: String,
    published: Arc<Published>,
}

async fn start_provider() -> Result<FakeProvider, Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let issuer = format!("http://{}", listener.local_addr()?);
    let published = Arc::new(Published::default());
    published
        .keys
        .lock()
        .map_err(|_| "lock")?
        .push(rsa_key(KEY_A, "a")?.as_verification_key());
    let discovery = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let serving = published.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let published = serving.clone();
            let discovery = discovery.clone();
            tokio::spawn(async move { answer(stream, &published, &discovery).await });
        }
    });
    Ok(FakeProvider { issuer, published })
}

/// One HTTP/1.1 request, answered and the connection closed: the stand-in provider needs
/// no more (the use-cases crate keeps no web framework, even in tests).
async fn answer(
    mut stream: tokio::net::TcpStream,
    published: &Published,
    discovery: &serde_json::Value,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    // The head, then as much body as Content-Length says.
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        request.extend_from_slice(buffer.get(..read).unwrap_or_default());
        let text = String::from_utf8_lossy(&request);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .and_then(|n| n.trim().parse::<usize>().ok())
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or_default();
    let (status, body) = if path.starts_with("/.well-known/openid-configuration") {
        ("200 OK", discovery.clone())
    } else if path.starts_with("/jwks") {
        published.key_fetches.fetch_add(1, Ordering::SeqCst);
        let keys = published.keys.lock().map(|k| k.clone()).unwrap_or_default();
        ("200 OK", json!({ "keys": keys }))
    } else if path.starts_with("/token") {
        match published
            .next_id_token
            .lock()
            .ok()
            .and_then(|mut t| t.take())
        {
            Some(id_token) => (
                "200 OK",
                json!({
                    "access_token": "an-access-token",
                    "token_type": "Bearer",
                    "id_token": id_token,
                }),
            ),
            // The code was used already.
            None => ("400 Bad Request", json!({ "error": "invalid_grant" })),
        }
    } else {
        ("404 Not Found", json!({}))
    };
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

fn rsa_key(pem: &str, kid: &str) -> Result<CoreRsaPrivateSigningKey, String> {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned())))
}

fn encode(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A JWT with this header and these claims, signed with `key` as `alg`.
fn signed(
    header: &serde_json::Value,
    claims: &serde_json::Value,
    key: &dyn Fn(&[u8]) -> Vec<u8>,
) -> String {
    let input = format!("{}.{}", encode(header), encode(claims));
    let signature = key(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn rs256(pem: &'static str, kid: &'static str) -> impl Fn(&[u8]) -> Vec<u8> {
    move |message| {
        rsa_key(pem, kid)
            .and_then(|k| {
                k.sign(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, message)
                    .map_err(|e| e.to_string())
            })
            .unwrap_or_default()
    }
}

fn header(kid: &str) -> serde_json::Value {
    json!({ "alg": "RS256", "kid": kid, "typ": "JWT" })
}

fn claims(issuer: &str, nonce: &str, email: &str, groups: &[&str]) -> serde_json::Value {
    let now = crate::clock::system_now();
    json!({
        "iss": issuer,
        "aud": CLIENT,
        "sub": format!("subject-{email}"),
        "exp": now + 300,
        "iat": now,
        "nonce": nonce,
        "email": email,
        "name": "Pat Provider",
        "groups": groups,
    })
}

fn settings(issuer: &str) -> crate::Settings {
    let provider = |ods: &str, issuer: &str| ProviderSettings {
        organisation: ods.to_owned(),
        label: "the trust's account".into(),
        issuer: issuer.to_owned(),
        client_id: CLIENT.into(),
        client_secret: Zeroizing::new(CLIENT_SECRET.into()),
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        group_roles: vec![("g-guardians".into(), Role::Guardian)],
        mfa_amr: vec!["mfa".into()],
        mfa_acr: Vec::new(),
        email_domains: vec!["example.nhs.uk".into()],
        scim_token_digest: None,
    };
    crate::Settings {
        single_sign_on: SingleSignOn {
            // RJ1's provider is down: nothing listens on port 9 of this machine.
            providers: vec![
                provider("RX1", issuer),
                provider("RJ1", "http://127.0.0.1:9"),
            ],
            base_url: "http://127.0.0.1:8080".into(),
        },
        ..crate::Settings::default()
    }
}

fn start(ods: &'static str) -> Start<'static> {
    Start {
        ods,
        next: "/home",
        client: "192.0.2.1",
        joining: None,
    }
}

/// Starts a sign-in, lets the provider hand out the token `make` gives for the nonce it
/// was sent, and finishes it with the state it was sent.
async fn sign_in_with(
    ctx: &Context,
    fake: &FakeProvider,
    make: impl FnOnce(&str) -> Option<String>,
) -> Result<Result<ProviderSignIn, ProviderRefused>, Box<dyn std::error::Error>> {
    let begun = begin(ctx, &start("RX1"))
        .await?
        .map_err(|e| e.to_string())?;
    let url = url::Url::parse(&begun.url)?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    assert_eq!(param("code_challenge_method"), "S256", "PKCE is asked for");
    *fake.published.next_id_token.lock().map_err(|_| "lock")? = make(&param("nonce"));
    let state = param("state");
    Ok(finish(
        ctx,
        &Callback {
            handle: Some(&begun.handle),
            state: Some(&state),
            code: Some("a-code"),
            error: None,
            previous_token: None,
        },
    )
    .await?)
}

async fn account_exists(ctx: &Context, email: &str) -> Result<bool, Box<dyn std::error::Error>> {
    Ok(people::find_person_by_email(&ctx.db, &Email::parse(email)?)
        .await?
        .is_some())
}

fn refused_token(answer: &Result<ProviderSignIn, ProviderRefused>) -> bool {
    matches!(answer, Err(ProviderRefused::TokenRefused(_)))
}

async fn every_bad_answer_is_refused_and_makes_nothing(backend: Backend) -> Outcome {
    let test_db = ScratchDb::new(backend).await?;
    let fake = start_provider().await?;
    let ctx = Context::new(test_db.db.clone(), settings(&fake.issuer))?;
    let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
    stored_organisation(&operator, "RX1").await?;
    stored_organisation(&operator, "RJ1").await?;
    let issuer = fake.issuer.clone();
    let who = "pat@example.nhs.uk";
    let good = |nonce: &str| claims(&issuer, nonce, who, &[]);
    let sign_a = rs256(KEY_A, "a");

    let now = crate::clock::system_now();
    let cases: Vec<(&str, Box<ChangeClaims>)> = vec![
        (
            "wrong audience",
            Box::new(|c| c["aud"] = json!("another-service")),
        ),
        (
            "wrong issuer",
            Box::new(|c| c["iss"] = json!("https://login.example.org")),
        ),
        ("expired", Box::new(move |c| c["exp"] = json!(now - 120))),
        (
            "issued in the future",
            Box::new(move |c| c["iat"] = json!(now + 600)),
        ),
        (
            "not valid yet",
            Box::new(move |c| c["nbf"] = json!(now + 600)),
        ),
        (
            "no nonce",
            Box::new(|c| drop(c.as_object_mut().map(|o| o.remove("nonce")))),
        ),
        (
            "another sign-in's nonce",
            Box::new(|c| c["nonce"] = json!("an-earlier-nonce")),
        ),
    ];
    for (what, change) in &cases {
        let answer = sign_in_with(&ctx, &fake, |nonce| {
            let mut body = claims(&issuer, nonce, who, &[]);
            change(&mut body);
            Some(signed(&header("a"), &body, &sign_a))
        })
        .await?;
        assert!(refused_token(&answer), "{what}: {:?}", answer.err());
    }

    // Signatures: a key the provider never published under a known key id, the
    // algorithm `none`, and HS256 with the client secret (which Dignity also holds).
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(&header("a"), &good(n), &rs256(KEY_B, "a")))
    })
    .await?;
    assert!(refused_token(&answer), "bad signature");
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(
            &json!({ "alg": "none", "typ": "JWT" }),
            &good(n),
            &|_| Vec::new(),
        ))
    })
    .await?;
    assert!(refused_token(&answer), "alg none");
    let answer = sign_in_with(&ctx, &fake, |n| {
        let hmac = CoreHmacKey::new(CLIENT_SECRET.as_bytes().to_vec());
        Some(signed(
            &json!({ "alg": "HS256", "typ": "JWT" }),
            &good(n),
            &|m| {
                hmac.sign(&CoreJwsSigningAlgorithm::HmacSha256, m)
                    .unwrap_or_default()
            },
        ))
    })
    .await?;
    assert!(refused_token(&answer), "HS256 with the client secret");

    // A key id never published: the keys are fetched once more, then it is refused.
    let fetched = fake.published.key_fetches.load(Ordering::SeqCst);
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(&header("b"), &good(n), &rs256(KEY_B, "b")))
    })
    .await?;
    assert!(refused_token(&answer), "unknown key id");
    assert_eq!(
        fake.published.key_fetches.load(Ordering::SeqCst),
        fetched + 1,
        "one refetch, no more"
    );

    // The provider's answer without a token (the code was used), and one refused by it.
    let answer = sign_in_with(&ctx, &fake, |_| None).await?;
    assert!(refused_token(&answer), "code already used at the provider");

    // The state must be the one sent, and a waiting sign-in is used once, right or wrong.
    let begun = begin(&ctx, &start("RX1"))
        .await?
        .map_err(|e| e.to_string())?;
    let url = url::Url::parse(&begun.url)?;
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let nonce = url
        .query_pairs()
        .find(|(k, _)| k == "nonce")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    *fake.published.next_id_token.lock().map_err(|_| "lock")? =
        Some(signed(&header("a"), &good(&nonce), &sign_a));
    let callback = |state: &'static str| Callback {
        handle: Some(&begun.handle),
        state: Some(state),
        code: Some("a-code"),
        error: None,
        previous_token: None,
    };
    assert!(matches!(
        finish(&ctx, &callback("not-the-state")).await?,
        Err(ProviderRefused::StartAgain)
    ));
    let right_state: &'static str = Box::leak(state.into_boxed_str());
    assert!(
        matches!(
            finish(&ctx, &callback(right_state)).await?,
            Err(ProviderRefused::StartAgain)
        ),
        "the right state after a wrong one is refused: the sign-in was used"
    );
    // No cookie at all.
    assert!(matches!(
        finish(
            &ctx,
            &Callback {
                handle: None,
                ..callback(right_state)
            }
        )
        .await?,
        Err(ProviderRefused::StartAgain)
    ));

    // An address outside the provider's domains.
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(
            &header("a"),
            &claims(&issuer, n, "pat@elsewhere.example.com", &[]),
            &sign_a,
        ))
    })
    .await?;
    assert!(matches!(answer, Err(ProviderRefused::EmailNotAllowed)));

    // A provider that is down: a clear refusal, not an error.
    assert!(matches!(
        begin(&ctx, &start("RJ1")).await?,
        Err(ProviderRefused::Unreachable)
    ));

    assert!(
        !account_exists(&ctx, who).await?,
        "no refused answer made an account"
    );
    assert!(!account_exists(&ctx, "pat@elsewhere.example.com").await?);

    // And the same sign-in, done right, works: the refusals were about the answers.
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(&header("a"), &good(n), &sign_a))
    })
    .await?;
    let done = answer.map_err(|e| e.to_string())?;
    assert_eq!(done.next, "/home");
    assert!(account_exists(&ctx, who).await?);
    test_db.finish().await;
    Ok(())
}

async fn groups_give_and_take_roles_and_keys_can_rotate(backend: Backend) -> Outcome {
    let test_db = ScratchDb::new(backend).await?;
    let fake = start_provider().await?;
    let ctx = Context::new(test_db.db.clone(), settings(&fake.issuer))?;
    let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
    let rx1 = stored_organisation(&operator, "RX1").await?;
    let issuer = fake.issuer.clone();
    let who = "lee@example.nhs.uk";
    let roles_of = |done: &ProviderSignIn| -> Vec<Role> {
        done.signed_in
            .session
            .memberships
            .iter()
            .map(|m| m.role)
            .collect()
    };

    // First sign-in, in the guardians' group, with the provider's second factor.
    let first = sign_in_with(&ctx, &fake, |n| {
        let mut body = claims(&issuer, n, who, &["g-guardians", "unknown-group"]);
        body["amr"] = json!(["pwd", "mfa"]);
        Some(signed(&header("a"), &body, &rs256(KEY_A, "a")))
    })
    .await?
    .map_err(|e| e.to_string())?;
    assert_eq!(roles_of(&first), vec![Role::Guardian, Role::Staff]);
    assert!(first.signed_in.session.second_factor_done, "amr mfa counts");
    assert_eq!(first.signed_in.session.person.display_name, "Pat Provider");

    // An administrator gives a role by hand; it is not the provider's to take away.
    let person = first.signed_in.session.person.clone();
    operator
        .grant_role(&person, Role::UnionPartner, Some(&rx1))
        .await?;

    // The provider rotates to key B. Out of the group, no second factor this time.
    fake.published
        .keys
        .lock()
        .map_err(|_| "lock")?
        .push(rsa_key(KEY_B, "b")?.as_verification_key());
    let second = sign_in_with(&ctx, &fake, |n| {
        Some(signed(
            &header("b"),
            &claims(&issuer, n, who, &[]),
            &rs256(KEY_B, "b"),
        ))
    })
    .await?
    .map_err(|e| e.to_string())?;
    assert_eq!(
        second.signed_in.session.person.id, person.id,
        "the same account"
    );
    let mut roles = roles_of(&second);
    roles.sort();
    let mut expected = vec![Role::Staff, Role::UnionPartner];
    expected.sort();
    assert_eq!(
        roles, expected,
        "the group's role went; the hand-given one stayed"
    );
    assert!(!second.signed_in.session.second_factor_done);

    // Linked now, their passphrase (they have none) cannot sign them in, and signing out
    // leads to the provider's end-session address.
    assert!(passphrase_closed(&ctx, &person).await?);
    let end = end_session_url(&ctx, &second.signed_in.session.session_digest)
        .await?
        .unwrap_or_default();
    assert!(end.starts_with(&format!("{issuer}/logout?")), "{end}");
    assert!(end.contains("client_id=dignity-test"), "{end}");

    // Someone whose roles are elsewhere (here the whole installation) is not linked by
    // their address: a trust's provider cannot sign in as a platform administrator.
    let admin = operator
        .create_person(
            &Email::parse("boss@example.nhs.uk")?,
            &dignity_domain::identity::Name::parse("Boss", "name")?,
            "x",
        )
        .await?;
    operator
        .grant_role(&admin, Role::PlatformAdmin, None)
        .await?;
    let answer = sign_in_with(&ctx, &fake, |n| {
        let mut body = claims(&issuer, n, "boss@example.nhs.uk", &[]);
        body["amr"] = json!(["mfa"]);
        Some(signed(&header("a"), &body, &rs256(KEY_A, "a")))
    })
    .await?;
    assert!(matches!(answer, Err(ProviderRefused::LinkedElsewhere)));
    assert!(!store::is_linked(&ctx.db, admin.id).await?);

    // Someone of this organisation with a passphrase is not joined by address either:
    // they join it themselves, signed in (the web tests do that in a browser).
    let guardian = operator
        .create_person(
            &Email::parse("gwen@example.nhs.uk")?,
            &dignity_domain::identity::Name::parse("Gwen", "name")?,
            &operator.hash_passphrase("a long passphrase here")?,
        )
        .await?;
    operator
        .grant_role(&guardian, Role::Guardian, Some(&rx1))
        .await?;
    let answer = sign_in_with(&ctx, &fake, |n| {
        let mut body = claims(&issuer, n, "gwen@example.nhs.uk", &[]);
        body["amr"] = json!(["mfa"]);
        Some(signed(&header("a"), &body, &rs256(KEY_A, "a")))
    })
    .await?;
    assert!(matches!(answer, Err(ProviderRefused::JoinWhileSignedIn)));
    assert!(!store::is_linked(&ctx.db, guardian.id).await?);

    // Joining is for the provider's own organisation's people: someone with no role in
    // RX1 cannot join their account to RX1's provider.
    let outsider = operator
        .create_person(
            &Email::parse("olly@example.nhs.uk")?,
            &dignity_domain::identity::Name::parse("Olly", "name")?,
            "x",
        )
        .await?;
    let outsider_session = CurrentSession {
        person: outsider.clone(),
        memberships: Vec::new(),
        session_digest: "a-session".into(),
        second_factor_done: true,
        expires_at: crate::clock::system_now() + 600,
    };
    let joining = Start {
        joining: Some(&outsider_session),
        ..start("RX1")
    };
    assert!(matches!(
        begin(&ctx, &joining).await?,
        Err(ProviderRefused::LinkedElsewhere)
    ));

    // A turned-off account is refused even with a good token.
    sqlx::query("UPDATE people SET disabled = 1 WHERE id = $1")
        .bind(person.id)
        .execute(ctx.db.pool())
        .await?;
    let answer = sign_in_with(&ctx, &fake, |n| {
        Some(signed(
            &header("a"),
            &claims(&issuer, n, who, &[]),
            &rs256(KEY_A, "a"),
        ))
    })
    .await?;
    assert!(matches!(answer, Err(ProviderRefused::AccountTurnedOff)));
    test_db.finish().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_answer_is_refused_and_makes_nothing_on_sqlite() -> Outcome {
    every_bad_answer_is_refused_and_makes_nothing(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_answer_is_refused_and_makes_nothing_on_postgres() -> Outcome {
    every_bad_answer_is_refused_and_makes_nothing(Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_give_and_take_roles_and_keys_can_rotate_on_sqlite() -> Outcome {
    groups_give_and_take_roles_and_keys_can_rotate(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_give_and_take_roles_and_keys_can_rotate_on_postgres() -> Outcome {
    groups_give_and_take_roles_and_keys_can_rotate(Backend::Postgres).await
}
