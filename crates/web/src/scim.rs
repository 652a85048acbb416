//! SCIM 2.0 `/Users` for an organisation's identity provider (RFC 7644), answered in
//! `application/scim+json` with SCIM's own error bodies. The bearer token names the
//! organisation; without a right one, nothing is said about anyone.

use crate::error::AppError;
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use dignity_app::identity::scim::{self, Provisioned, ScimCaller, ScimRefused, UserInput};
use serde::Deserialize;
use serde_json::{Value, json};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

pub fn routes(routes: Routes) -> Routes {
    routes
        .bearer(Method::GET, "/scim/v2/Users", get(list))
        .bearer(Method::POST, "/scim/v2/Users", post(create))
        .bearer(Method::GET, "/scim/v2/Users/{id}", get(show))
        .bearer(Method::PUT, "/scim/v2/Users/{id}", put(replace))
        .bearer(Method::PATCH, "/scim/v2/Users/{id}", patch(change))
        .bearer(Method::DELETE, "/scim/v2/Users/{id}", delete(remove))
}

/// Sets a field of a JSON object (every body built here is one).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(fields) = object.as_object_mut() {
        fields.insert(key.to_owned(), value);
    }
}

fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/scim+json"),
    );
    response
}

fn error(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(kind) = scim_type {
        set(&mut body, "scimType", json!(kind));
    }
    scim_json(status, &body)
}

fn refused(refusal: &ScimRefused) -> Response {
    match refusal {
        ScimRefused::NotFound => error(StatusCode::NOT_FOUND, None, &refusal.to_string()),
        ScimRefused::Taken(detail) => error(StatusCode::CONFLICT, Some("uniqueness"), detail),
        ScimRefused::NotYours(detail) => error(StatusCode::BAD_REQUEST, Some("mutability"), detail),
        ScimRefused::Invalid(kind, detail) => error(StatusCode::BAD_REQUEST, Some(kind), detail),
    }
}

fn unauthorised() -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        None,
        "A valid bearer token is needed",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The organisation whose provisioning token came with the request.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<ScimCaller>, AppError> {
    let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    Ok(scim::caller(&state.app, bearer).await?)
}

fn resource(state: &AppState, user: &Provisioned) -> Value {
    let person = &user.person;
    let mut body = json!({
        "schemas": [USER_SCHEMA],
        "id": person.id.to_string(),
        "userName": person.email,
        "displayName": person.display_name,
        "name": { "formatted": person.display_name },
        "emails": [{ "value": person.email, "primary": true, "type": "work" }],
        "active": user.active_here,
        "meta": {
            "resourceType": "User",
            "location": format!("{}/scim/v2/Users/{}", state.settings.public_url, person.id),
        },
    });
    if let Some(external) = &user.external_id {
        set(&mut body, "externalId", json!(external));
    }
    body
}

fn user_id(raw: &str) -> Option<i64> {
    raw.parse().ok().filter(|id| *id > 0)
}

/// A user as SCIM sends it. `active` may come as a boolean or, from some providers, as
/// the text "True" or "False".
fn user_input(body: &Value) -> Result<UserInput, ScimRefused> {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let user_name = text(body.get("userName"))
        .or_else(|| {
            body.get("emails")
                .and_then(Value::as_array)
                .and_then(|emails| emails.first())
                .and_then(|e| text(e.get("value")))
        })
        .ok_or_else(|| ScimRefused::Invalid("invalidValue", "userName is required".into()))?;
    let display_name = text(body.get("displayName"))
        .or_else(|| text(body.get("name").and_then(|n| n.get("formatted"))))
        .or_else(|| {
            let name = body.get("name")?;
            let given = text(name.get("givenName")).unwrap_or_default();
            let family = text(name.get("familyName")).unwrap_or_default();
            let whole = format!("{given} {family}").trim().to_owned();
            (!whole.is_empty()).then_some(whole)
        });
    Ok(UserInput {
        user_name,
        display_name,
        external_id: text(body.get("externalId")),
        active: match body.get("active") {
            None | Some(Value::Null) => None,
            Some(value) => Some(flag(value)?),
        },
    })
}

fn flag(value: &Value) -> Result<bool, ScimRefused> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimRefused::Invalid(
            "invalidValue",
            "active must be true or false".into(),
        )),
    }
}

fn parse_body(body: &Bytes) -> Result<Value, ScimRefused> {
    serde_json::from_slice(body)
        .map_err(|_| ScimRefused::Invalid("invalidSyntax", "The body is not JSON".into()))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ListQuery {
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let Ok(Query(query)) = query else {
        return Ok(refused(&ScimRefused::Invalid(
            "invalidValue",
            "startIndex and count must be whole numbers".into(),
        )));
    };
    let start = query.start_index.unwrap_or(1).max(1);
    let answer = scim::list(
        &state.app,
        &caller,
        query.filter.as_deref(),
        start,
        query.count.unwrap_or(100),
    )
    .await?;
    let (total, users) = match answer {
        Ok(found) => found,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    let resources: Vec<Value> = users.iter().map(|u| resource(&state, u)).collect();
    Ok(scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    ))
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let Some(id) = user_id(&id) else {
        return Ok(refused(&ScimRefused::NotFound));
    };
    Ok(match scim::get(&state.app, &caller, id).await? {
        Ok(user) => scim_json(StatusCode::OK, &resource(&state, &user)),
        Err(refusal) => refused(&refusal),
    })
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let input = match parse_body(&body).and_then(|b| user_input(&b)) {
        Ok(input) => input,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    Ok(match scim::create(&state.app, &caller, &input).await? {
        Ok(user) => {
            let mut response = scim_json(StatusCode::CREATED, &resource(&state, &user));
            if let Ok(location) = HeaderValue::from_str(&format!(
                "{}/scim/v2/Users/{}",
                state.settings.public_url, user.person.id
            )) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(refusal) => refused(&refusal),
    })
}

async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let Some(id) = user_id(&id) else {
        return Ok(refused(&ScimRefused::NotFound));
    };
    let input = match parse_body(&body).and_then(|b| user_input(&b)) {
        Ok(input) => input,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    Ok(
        match scim::replace(&state.app, &caller, id, &input).await? {
            Ok(user) => scim_json(StatusCode::OK, &resource(&state, &user)),
            Err(refusal) => refused(&refusal),
        },
    )
}

/// PATCH: the operations providers send to keep a user in step (`replace` or `add` of
/// `active`, `userName`, `displayName`, `externalId`, `name.formatted`, with a path or
/// as an object of them), applied as one replacement.
async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let Some(id) = user_id(&id) else {
        return Ok(refused(&ScimRefused::NotFound));
    };
    let user = match scim::get(&state.app, &caller, id).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    let patched = parse_body(&body).and_then(|b| patched_user(&state, &user, &b));
    let input = match patched.and_then(|b| user_input(&b)) {
        Ok(input) => input,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    Ok(
        match scim::replace(&state.app, &caller, id, &input).await? {
            Ok(user) => scim_json(StatusCode::OK, &resource(&state, &user)),
            Err(refusal) => refused(&refusal),
        },
    )
}

/// The user as it stands, with the PatchOp's operations applied.
fn patched_user(state: &AppState, user: &Provisioned, body: &Value) -> Result<Value, ScimRefused> {
    let invalid = |detail: &str| ScimRefused::Invalid("invalidSyntax", detail.to_owned());
    let is_patch = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(PATCH_SCHEMA)));
    if !is_patch {
        return Err(invalid("A PATCH must be a PatchOp message"));
    }
    let operations = body
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("A PatchOp needs Operations"))?;
    let mut current = resource(state, user);
    for operation in operations {
        let op = operation
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if op != "replace" && op != "add" {
            return Err(invalid("Only replace and add operations are supported"));
        }
        let value = operation.get("value").cloned().unwrap_or(Value::Null);
        let changes: Vec<(String, Value)> = match operation.get("path").and_then(Value::as_str) {
            Some(path) => vec![(path.to_owned(), value)],
            None => value
                .as_object()
                .ok_or_else(|| invalid("An operation without a path needs an object value"))?
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        for (path, value) in changes {
            let text_field = ["userName", "displayName", "externalId", "name.formatted"]
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&path));
            if text_field && !value.is_string() {
                return Err(ScimRefused::Invalid(
                    "invalidValue",
                    format!("{path} must be text"),
                ));
            }
            match path.as_str() {
                p if p.eq_ignore_ascii_case("active") => set(&mut current, "active", value),
                p if p.eq_ignore_ascii_case("userName") => set(&mut current, "userName", value),
                p if p.eq_ignore_ascii_case("displayName") => {
                    set(&mut current, "displayName", value)
                }
                p if p.eq_ignore_ascii_case("externalId") => set(&mut current, "externalId", value),
                p if p.eq_ignore_ascii_case("name.formatted") => {
                    set(&mut current, "displayName", value);
                }
                // Addresses, names in parts and the like are not kept: left as they are.
                _ => {}
            }
        }
    }
    Ok(current)
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(caller) = caller(&state, &headers).await? else {
        return Ok(unauthorised());
    };
    let Some(id) = user_id(&id) else {
        return Ok(refused(&ScimRefused::NotFound));
    };
    Ok(match scim::delete(&state.app, &caller, id).await? {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => refused(&refusal),
    })
}
