//! SCIM 2.0 /Users as an identity provider's provisioning uses it (issue 22): the
//! requests and answers of RFC 7644, and the PATCH Entra ID sends. A leaver turned off
//! loses their roles and every session at once; one organisation's token reaches no one
//! else's people.

use crate::support::{TestApp, TestResult};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_app::identity::provider::{ProviderSettings, SingleSignOn};
use dignity_domain::identity::{Email, Role};
use serde_json::{Value, json};
use sha2::Digest as _;

dignity_store::on_both_backends!(
    crate::support::run_with [crate::scim::with_provisioning()];
    a_provider_makes_finds_changes_and_removes_a_user,
    a_leaver_turned_off_loses_roles_and_sessions_at_once,
    no_token_or_another_organisations_token_reaches_nobody,
);

const RJ1_TOKEN: &str = "rj1-provisioning-token-long-enough-to-be-unguessable";
const RJ2_TOKEN: &str = "rj2-provisioning-token-long-enough-to-be-unguessable";

fn provider(ods: &str, token: &str) -> ProviderSettings {
    ProviderSettings {
        organisation: ods.into(),
        label: "the trust's account".into(),
        issuer: format!("https://login.example.org/{ods}"),
        client_id: "dignity".into(),
        client_secret: zeroize::Zeroizing::new("s".into()),
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        group_roles: Vec::new(),
        mfa_amr: Vec::new(),
        mfa_acr: Vec::new(),
        email_domains: vec![format!("{}.nhs.uk", ods.to_lowercase())],
        scim_token_digest: Some(sha2::Sha256::digest(token.as_bytes()).into()),
    }
}

pub(crate) fn with_provisioning() -> dignity_web::Settings {
    let mut settings = crate::support::settings();
    settings.app.single_sign_on = SingleSignOn {
        providers: vec![provider("RJ1", RJ1_TOKEN), provider("RJ2", RJ2_TOKEN)],
        base_url: "http://127.0.0.1:8080".into(),
    };
    settings
}

async fn scim(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Value, axum::http::HeaderMap), Box<dyn std::error::Error>> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/scim+json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request.body(match body {
        Some(body) => Body::from(body.to_string()),
        None => Body::empty(),
    })?;
    let page = app.browser().send(request).await?;
    let json = if page.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&page.body).unwrap_or(Value::String(page.body.clone()))
    };
    Ok((page.status, json, page.headers))
}

/// RFC 7643's example user, as a provider sends it.
fn new_user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "externalId": "701984",
        "userName": user_name,
        "name": { "givenName": "Barbara", "familyName": "Jensen" },
        "emails": [{ "value": user_name, "type": "work", "primary": true }],
        "active": true,
    })
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn a_provider_makes_finds_changes_and_removes_a_user(app: &TestApp) -> TestResult {
    let token = Some(RJ1_TOKEN);
    let (status, made, headers) = scim(
        app,
        token,
        "POST",
        "/scim/v2/Users",
        Some(new_user("Barbara.Jensen@RJ1.nhs.uk")),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/scim+json")
    );
    let id = text(&made, "id");
    assert!(
        headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.ends_with(&format!("/scim/v2/Users/{id}"))),
        "{headers:?}"
    );
    assert_eq!(text(&made, "userName"), "barbara.jensen@rj1.nhs.uk");
    assert_eq!(text(&made, "displayName"), "Barbara Jensen");
    assert_eq!(text(&made, "externalId"), "701984");
    assert_eq!(made["active"], json!(true));
    assert_eq!(made["meta"]["resourceType"], json!("User"));

    // They have the staff role in RJ1 and no passphrase: they sign in through the
    // provider.
    let person = dignity_store::identity::get_person_by_email(
        &app.db,
        &Email::parse("barbara.jensen@rj1.nhs.uk")?,
    )
    .await?;
    assert!(person.passphrase_hash.is_empty());
    let roles = dignity_store::identity::memberships(&app.db, person.id).await?;
    assert_eq!(
        roles.iter().map(|m| m.role).collect::<Vec<_>>(),
        vec![Role::Staff]
    );

    // The same address again is a uniqueness error.
    let (status, error, _) = scim(
        app,
        token,
        "POST",
        "/scim/v2/Users",
        Some(new_user("barbara.jensen@rj1.nhs.uk")),
    )
    .await?;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["scimType"], json!("uniqueness"));
    assert_eq!(error["status"], json!("409"));

    // Found by the filter providers use before making someone.
    let filter = "/scim/v2/Users?filter=userName%20eq%20%22Barbara.Jensen%40rj1.nhs.uk%22";
    let (status, list, _) = scim(app, token, "GET", filter, None).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["totalResults"], json!(1), "{list}");
    assert_eq!(list["Resources"][0]["id"], json!(id));
    let (_, none, _) = scim(
        app,
        token,
        "GET",
        "/scim/v2/Users?filter=userName%20eq%20%22nobody%40rj1.nhs.uk%22",
        None,
    )
    .await?;
    assert_eq!(none["totalResults"], json!(0));
    let (status, error, _) = scim(
        app,
        token,
        "GET",
        "/scim/v2/Users?filter=name.familyName%20co%20%22J%22",
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["scimType"], json!("invalidFilter"));

    // Replaced, then patched as Entra ID patches.
    let mut replacement = new_user("barbara.jensen@rj1.nhs.uk");
    replacement["displayName"] = json!("Babs Jensen");
    let (status, replaced, _) = scim(
        app,
        token,
        "PUT",
        &format!("/scim/v2/Users/{id}"),
        Some(replacement),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(text(&replaced, "displayName"), "Babs Jensen");
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "Replace", "path": "displayName", "value": "Barbara J" },
            { "op": "Add", "value": { "externalId": "701985" } },
        ],
    });
    let (status, patched, _) = scim(
        app,
        token,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(patch),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(text(&patched, "displayName"), "Barbara J");
    assert_eq!(text(&patched, "externalId"), "701985");

    // Mistakes are named in SCIM's terms.
    for (body, kind) in [
        (
            json!({ "userName": "someone@elsewhere.nhs.uk" }),
            "invalidValue",
        ),
        (json!({ "displayName": "No address" }), "invalidValue"),
        (
            json!({ "userName": "x@rj1.nhs.uk", "active": "perhaps" }),
            "invalidValue",
        ),
    ] {
        let (status, error, _) = scim(app, token, "POST", "/scim/v2/Users", Some(body)).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["scimType"], json!(kind), "{error}");
    }
    let junk = Request::builder()
        .method("POST")
        .uri("/scim/v2/Users")
        .header(header::AUTHORIZATION, format!("Bearer {RJ1_TOKEN}"))
        .body(Body::from("{not json"))?;
    let page = app.browser().send(junk).await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("invalidSyntax"), "{}", page.body);
    let (status, error, _) = scim(
        app,
        token,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(json!({ "Operations": [] })),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");

    // Look-alike letters and hidden characters make look-alike accounts: refused.
    for user_name in ["b\u{0430}rbara@rj1.nhs.uk", "barbara\u{200b}@rj1.nhs.uk"] {
        let (status, error, _) = scim(
            app,
            token,
            "POST",
            "/scim/v2/Users",
            Some(new_user(user_name)),
        )
        .await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{user_name}: {error}");
    }

    // Removed: gone from the provider's sight, the account turned off.
    let (status, _, _) = scim(app, token, "DELETE", &format!("/scim/v2/Users/{id}"), None).await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, error, _) = scim(app, token, "GET", &format!("/scim/v2/Users/{id}"), None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["status"], json!("404"));
    let person = dignity_store::identity::get_person(&app.db, person.id).await?;
    assert!(person.disabled);

    // Rehired: the provider makes them again, and their old account is taken back on.
    let (status, back, _) = scim(
        app,
        token,
        "POST",
        "/scim/v2/Users",
        Some(new_user("barbara.jensen@rj1.nhs.uk")),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{back}");
    assert_eq!(text(&back, "id"), id);
    assert_eq!(back["active"], json!(true));
    Ok(())
}

async fn a_leaver_turned_off_loses_roles_and_sessions_at_once(app: &TestApp) -> TestResult {
    // A guardian given the role by hand, signed in now.
    let guardian = app.person("gill@rj1.nhs.uk", Some(Role::Guardian)).await?;
    let mut browser = app.signed_in_browser(&guardian).await?;
    assert_eq!(browser.get("/home").await?.status, StatusCode::OK);

    // The provider finds them (they hold a role in RJ1) and turns them off.
    let (_, list, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "GET",
        "/scim/v2/Users?filter=userName%20eq%20%22gill%40rj1.nhs.uk%22",
        None,
    )
    .await?;
    let id = list["Resources"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id, guardian.id.to_string(), "{list}");
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Replace", "path": "active", "value": "False" }],
    });
    let (status, off, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(patch),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{off}");
    assert_eq!(off["active"], json!(false));

    // At once: the session is over, the roles gone, the account off.
    assert!(browser.get("/home").await?.redirects_to("/sign-in"));
    assert!(
        dignity_store::identity::memberships(&app.db, guardian.id)
            .await?
            .is_empty()
    );
    let audit: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_log WHERE action = 'person.disable' ORDER BY seq")
            .fetch_all(app.db.pool())
            .await?;
    assert_eq!(audit.len(), 1);

    // Asked again, and with only a name change, nothing moves: they stay off, and a new
    // session of theirs (say for another organisation) is not ended.
    let mut again = app.signed_in_browser(&guardian).await?;
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Replace", "path": "active", "value": false }],
    });
    let (_, still, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(patch),
    )
    .await?;
    assert_eq!(still["active"], json!(false));
    let rename = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Replace", "path": "displayName", "value": "Gill" }],
    });
    let (_, renamed, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(rename),
    )
    .await?;
    assert_eq!(
        renamed["active"],
        json!(false),
        "a name change turns no one on"
    );
    assert!(
        dignity_store::identity::memberships(&app.db, guardian.id)
            .await?
            .is_empty()
    );
    drop(again.get("/home").await?);

    // Turned on again: the account and the staff role come back, not the guardian role
    // (an administrator gives that again).
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "value": { "active": true } }],
    });
    let (status, on, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(patch),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{on}");
    assert_eq!(on["active"], json!(true));
    let roles = dignity_store::identity::memberships(&app.db, guardian.id).await?;
    assert_eq!(
        roles.iter().map(|m| m.role).collect::<Vec<_>>(),
        vec![Role::Staff]
    );

    // Someone with a role in another organisation too: RJ1's provider removes their
    // RJ1 roles but does not turn their account off, nor change their address.
    let both = app.person("sam@rj1.nhs.uk", Some(Role::Staff)).await?;
    dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &both,
        Role::Guardian,
        Some(&app.other_org),
    )
    .await?;
    let mut moved = new_user("sam.new@rj1.nhs.uk");
    moved["active"] = json!(true);
    let (status, error, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "PUT",
        &format!("/scim/v2/Users/{}", both.id),
        Some(moved),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["scimType"], json!("mutability"));
    let (status, _, _) = scim(
        app,
        Some(RJ1_TOKEN),
        "DELETE",
        &format!("/scim/v2/Users/{}", both.id),
        None,
    )
    .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let kept = dignity_store::identity::get_person(&app.db, both.id).await?;
    assert!(!kept.disabled);
    let roles = dignity_store::identity::memberships(&app.db, both.id).await?;
    assert_eq!(
        roles.iter().map(|m| m.role).collect::<Vec<_>>(),
        vec![Role::Guardian]
    );
    Ok(())
}

async fn no_token_or_another_organisations_token_reaches_nobody(app: &TestApp) -> TestResult {
    let rj1 = app.person("ann@rj1.nhs.uk", Some(Role::Staff)).await?;
    let path = format!("/scim/v2/Users/{}", rj1.id);
    for (method, path) in [
        ("GET", "/scim/v2/Users"),
        ("POST", "/scim/v2/Users"),
        ("GET", path.as_str()),
        ("PUT", path.as_str()),
        ("PATCH", path.as_str()),
        ("DELETE", path.as_str()),
    ] {
        for token in [None, Some("wrong"), Some("")] {
            let (status, body, headers) =
                scim(app, token, method, path, Some(new_user("x@rj1.nhs.uk"))).await?;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} {token:?}"
            );
            assert_eq!(
                headers
                    .get(header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer")
            );
            assert!(!body.to_string().contains("ann@"), "{body}");
        }
    }
    // RJ2's token: RJ1's people do not exist for it, and its list holds none of them.
    let (status, _, _) = scim(app, Some(RJ2_TOKEN), "GET", &path, None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = scim(app, Some(RJ2_TOKEN), "DELETE", &path, None).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list, _) = scim(app, Some(RJ2_TOKEN), "GET", "/scim/v2/Users", None).await?;
    assert_eq!(list["totalResults"], json!(0), "{list}");
    // Nor can it make someone in RJ1's domain.
    let (status, _, _) = scim(
        app,
        Some(RJ2_TOKEN),
        "POST",
        "/scim/v2/Users",
        Some(new_user("new@rj1.nhs.uk")),
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        !dignity_store::identity::get_person(&app.db, rj1.id)
            .await?
            .disabled
    );
    Ok(())
}
