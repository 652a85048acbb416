//! A real Dignity app on a fresh database, driven request by request like a browser:
//! cookies are kept, and forms carry the CSRF token the way a page would.

#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use dignity_crypto::passphrase::{self, HashCost};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, Region, Role, RoleScope};
use dignity_store::identity::{self, NewOrganisation, Organisation, Person};
use dignity_store::scratch::ScratchDb;
use dignity_store::{Backend, Db, sessions};
use dignity_web::{AppState, RouteSpec, Settings, build_app};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use tower::ServiceExt;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub struct TestApp {
    pub router: Router,
    /// The app's state, for checking what it holds in memory.
    pub state: AppState,
    pub routes: Vec<RouteSpec>,
    pub db: Db,
    pub org: Organisation,
    pub other_org: Organisation,
    test_db: ScratchDb,
}

pub fn settings() -> Settings {
    Settings {
        app: dignity_app::Settings {
            passphrase_cost: HashCost::FAST_FOR_TESTS,
            // One secret for every server of a test, as an installation's servers share
            // theirs.
            secret: dignity_crypto::secret::InstallationSecret::from_hex(&"cd".repeat(32))
                .expect("a valid test secret"),
            ..dignity_app::Settings::default()
        },
        web_dir: "/nonexistent".into(),
        survey_key: dignity_crypto::survey::ParticipationKey::from_hex(&"ab".repeat(32)),
        // Mail is sent by the tests themselves (dignity_web::mail::send_due), to a sink.
        mail: Some(dignity_web::mail::MailSettings {
            host: "127.0.0.1".into(),
            port: 9,
            from: "Dignity <no-reply@dignity.test>".into(),
        }),
        ..Settings::default()
    }
}

/// An acute trust in London named "Trust {code}", in the benchmark group "Acute".
pub async fn organisation(db: &Db, code: &str) -> Result<Organisation, Box<dyn std::error::Error>> {
    Ok(identity::create_organisation(
        db,
        "test",
        1,
        &NewOrganisation {
            ods_code: OdsCode::parse(code)?,
            name: Name::parse(&format!("Trust {code}"), "n")?,
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: Name::parse("Acute", "g")?,
        },
    )
    .await?)
}

impl TestApp {
    pub async fn start(backend: Backend) -> Result<TestApp, Box<dyn std::error::Error>> {
        Self::start_with(backend, settings()).await
    }

    pub async fn start_with(
        backend: Backend,
        settings: Settings,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let test_db = ScratchDb::new(backend).await?;
        let db = test_db.db.clone();
        let org = organisation(&db, "RJ1").await?;
        let other_org = organisation(&db, "RJ2").await?;
        let state = AppState::new(db.clone(), settings)?;
        let (router, routes) = build_app(state.clone());
        Ok(TestApp {
            router,
            state,
            routes,
            db,
            org,
            other_org,
            test_db,
        })
    }

    pub fn test_db_url(&self) -> &str {
        &self.test_db.url
    }

    pub async fn finish(self) {
        self.test_db.finish().await;
    }

    /// A person holding `role` (in RJ1 unless it is platform-wide), with a second-step
    /// secret when the role needs one.
    pub async fn person(
        &self,
        email: &str,
        role: Option<Role>,
    ) -> Result<Person, Box<dyn std::error::Error>> {
        self.person_in(email, role, &self.org).await
    }

    /// The integrated care board whose area holds `org` (Q and the rest of its code: QJ1
    /// for RJ1), made on first use.
    pub async fn icb_of(
        &self,
        org: &Organisation,
    ) -> Result<Organisation, Box<dyn std::error::Error>> {
        let code = OdsCode::parse(&format!("Q{}", &org.ods_code[1..]))?;
        if let Ok(board) = identity::get_organisation(&self.db, &code).await {
            return Ok(board);
        }
        let board = identity::create_organisation(
            &self.db,
            "test",
            1,
            &NewOrganisation {
                ods_code: code.clone(),
                name: Name::parse(&format!("Board {code}"), "n")?,
                org_type: OrgType::Icb,
                region: Region::London,
                benchmark_group: Name::parse("Integrated care boards", "g")?,
            },
        )
        .await?;
        identity::set_icb(&self.db, "test", 1, org, Some(&board)).await?;
        Ok(board)
    }

    /// A person holding `role` in `region` (a regional director's), with a second step.
    pub async fn person_in_region(
        &self,
        email: &str,
        role: Role,
        region: Region,
    ) -> Result<Person, Box<dyn std::error::Error>> {
        let person = self.person_in(email, None, &self.org).await?;
        identity::grant_region_role(&self.db, "test", 1, &person, role, region).await?;
        identity::set_totp(&self.db, "test", 1, &person, Some(TOTP_SECRET), None).await?;
        Ok(identity::get_person(&self.db, person.id).await?)
    }

    pub async fn person_in(
        &self,
        email: &str,
        role: Option<Role>,
        org: &Organisation,
    ) -> Result<Person, Box<dyn std::error::Error>> {
        let hash = passphrase::hash(PASSPHRASE, HashCost::FAST_FOR_TESTS)?;
        let person = identity::create_person(
            &self.db,
            "test",
            1,
            &Email::parse(email)?,
            &Name::parse(email, "n")?,
            &hash,
        )
        .await?;
        // A system lead is held in the integrated care board whose area holds `org`.
        let board;
        let org = match role.and_then(Role::held_only_in) {
            Some(_) => {
                board = self.icb_of(org).await?;
                &board
            }
            None => org,
        };
        if let Some(role) = role {
            let place = (role.scope() == RoleScope::Organisation).then_some(org);
            if role.scope() == RoleScope::Region {
                // A regional director of the organisation's region.
                identity::grant_region_role(&self.db, "test", 1, &person, role, org.region).await?;
            } else {
                identity::grant_role(&self.db, "test", 1, &person, role, place).await?;
            }
            if role.needs_second_factor() {
                identity::set_totp(&self.db, "test", 1, &person, Some(TOTP_SECRET), None).await?;
            }
        }
        Ok(identity::get_person(&self.db, person.id).await?)
    }

    /// A browser already fully signed in as `person`, without going through the forms
    /// (the sign-in tests do that). Lets one test act as many people quickly.
    pub async fn signed_in_browser(
        &self,
        person: &Person,
    ) -> Result<Browser, Box<dyn std::error::Error>> {
        let token = dignity_crypto::token::random_token();
        let digest = dignity_crypto::token::token_digest(&token);
        let now = dignity_web::now();
        sessions::create(&self.db, &digest, person.id, now, now + 3600).await?;
        sessions::mark_second_factor_done(&self.db, &digest).await?;
        let mut browser = self.browser();
        browser.cookies.insert("dignity_session".into(), token);
        Ok(browser)
    }

    /// A browser talking to a second server on the same database, with its own memory
    /// (caches, search index), as behind a load balancer.
    pub fn browser_on_another_server(&self) -> Result<Browser, Box<dyn std::error::Error>> {
        let state = AppState::new(self.db.clone(), settings())?;
        let (router, _) = build_app(state);
        Ok(Browser {
            router,
            cookies: BTreeMap::new(),
            peer: "192.0.2.2:5000".parse().ok(),
        })
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            peer: "192.0.2.1:5000".parse().ok(),
        }
    }
}

/// A response read into memory.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for downloads that are not text.
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn redirects_to(&self, prefix: &str) -> bool {
        self.status.is_redirection()
            && self
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with(prefix))
    }
}

#[derive(Clone)]
pub struct Browser {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    pub peer: Option<SocketAddr>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(
        &mut self,
        request: Request<Body>,
    ) -> Result<Page, Box<dyn std::error::Error>> {
        let mut request = request;
        if !self.cookies.is_empty() {
            request
                .headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse()?);
        }
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        let response = self.router.clone().oneshot(request).await?;
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str()?;
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = to_bytes(response.into_body(), 10 * 1024 * 1024).await?;
        Ok(Page {
            status,
            location,
            content_type,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Page, Box<dyn std::error::Error>> {
        self.send(Request::get(path).body(Body::empty())?).await
    }

    /// Where a browser lands after `page`: the page a redirect points to, or `page` itself.
    pub async fn follow(&mut self, page: Page) -> Result<Page, Box<dyn std::error::Error>> {
        match (&page.location, page.status.is_redirection()) {
            (Some(location), true) => self.get(&location.clone()).await,
            _ => Ok(page),
        }
    }

    /// The CSRF token a page would have put in its forms (fetching a page first if needed).
    pub async fn csrf(&mut self) -> Result<String, Box<dyn std::error::Error>> {
        // Behind HTTPS the cookie carries the `__Host-` prefix.
        let named = |cookies: &std::collections::BTreeMap<String, String>| {
            cookies
                .get("dignity_csrf")
                .or_else(|| cookies.get("__Host-dignity_csrf"))
                .cloned()
        };
        if named(&self.cookies).is_none() {
            self.get("/").await?;
        }
        Ok(named(&self.cookies).unwrap_or_default())
    }

    /// Posts a form as a page would, with the CSRF token.
    pub async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Page, Box<dyn std::error::Error>> {
        let token = self.csrf().await?;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_raw(path, &encode(&all)).await
    }

    pub async fn post_raw(
        &mut self,
        path: &str,
        body: &str,
    ) -> Result<Page, Box<dyn std::error::Error>> {
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_owned()))?,
        )
        .await
    }

    pub async fn sign_in(
        &mut self,
        email: &str,
        passphrase: &str,
    ) -> Result<Page, Box<dyn std::error::Error>> {
        self.post(
            "/sign-in",
            &[
                ("email", email),
                ("passphrase", passphrase),
                ("next", "/home"),
            ],
        )
        .await
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The SQLite file behind a test app, if it uses SQLite.
pub fn sqlite_path(app: &TestApp) -> Option<String> {
    app.test_db_url()
        .strip_prefix("sqlite://")
        .map(str::to_owned)
}

/// The current second-step code for the shared test secret.
pub fn current_code() -> Result<String, Box<dyn std::error::Error>> {
    Ok(dignity_crypto::totp::code_at(
        TOTP_SECRET,
        dignity_web::now() as u64,
    )?)
}

/// Runs a test body on a fresh app on `backend` (for `dignity_store::on_both_backends!`).
pub async fn run(backend: Backend, body: impl AsyncFnOnce(&TestApp) -> TestResult) -> TestResult {
    run_with(backend, settings(), body).await
}

/// Runs a test body on a fresh app made with `settings`.
pub async fn run_with(
    backend: Backend,
    settings: dignity_web::Settings,
    body: impl AsyncFnOnce(&TestApp) -> TestResult,
) -> TestResult {
    let app = TestApp::start_with(backend, settings).await?;
    let outcome = body(&app).await;
    app.finish().await;
    outcome
}

/// A multipart/form-data body as a browser sends it, with `files` under `file_field`.
pub fn multipart(
    fields: &[(&str, &str)],
    file_field: &str,
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----dignity-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (filename, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A local SMTP server that accepts every message and keeps it, so tests can read the mail
/// Dignity sends. It speaks just enough SMTP for a client that sends plain messages.
pub struct SmtpSink {
    pub port: u16,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Result<SmtpSink, Box<dyn std::error::Error>> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = messages.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ready\r\n").await;
                    let mut in_data = false;
                    let mut message = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let reply: &[u8] = if in_data {
                            if line == "." {
                                in_data = false;
                                if let Ok(mut m) = kept.lock() {
                                    m.push(std::mem::take(&mut message));
                                }
                                b"250 kept\r\n"
                            } else {
                                message.push_str(&line);
                                message.push('\n');
                                continue;
                            }
                        } else {
                            match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                                "DATA" => {
                                    in_data = true;
                                    b"354 go on\r\n"
                                }
                                "QUIT" => {
                                    let _ = write.write_all(b"221 bye\r\n").await;
                                    break;
                                }
                                _ => b"250 ok\r\n",
                            }
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Ok(SmtpSink {
            port,
            messages,
            task,
        })
    }

    pub fn received(&self) -> Vec<String> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The token in a link in an email: the hex digits after `prefix`.
pub fn token_after(body: &str, prefix: &str) -> Result<String, Box<dyn std::error::Error>> {
    let at = body.find(prefix).ok_or("the link is in the email")? + prefix.len();
    Ok(body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect())
}

/// The error summary's list of links (empty when the page has none), to check that every
/// mistake is named at once and each link lands on its field.
pub fn error_summary(body: &str) -> &str {
    body.split_once("nhsuk-error-summary__list")
        .and_then(|(_, rest)| rest.split_once("</ul>"))
        .map(|(list, _)| list)
        .unwrap_or("")
}

/// Every text and binary value in every table, joined, as a thief with a copy of the
/// database could search it.
pub async fn everything_stored(app: &TestApp) -> Result<String, Box<dyn std::error::Error>> {
    use sqlx::{Column, Row};
    let mut all = String::new();
    for table in dignity_store::transfer::table_names() {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.db.pool())
            .await?;
        for row in &rows {
            for column in row.columns() {
                let text = row
                    .try_get::<Option<String>, _>(column.ordinal())
                    .ok()
                    .flatten()
                    .or_else(|| {
                        row.try_get::<Option<Vec<u8>>, _>(column.ordinal())
                            .ok()
                            .flatten()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    })
                    .unwrap_or_default();
                all.push_str(&text);
                all.push('\n');
            }
        }
    }
    Ok(all)
}
