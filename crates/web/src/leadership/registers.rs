//! The registers' pages: the public register of boards, from signed annual returns only,
//! and the national register for NHS England's analysts.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::Download;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::identity::ANALYSTS;
use dignity_app::leadership::registers::{self, NationalLine, PublishedBoard};
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/boards", Access::Public, public_register)
        .get("/boards/{ods}", Access::Public, public_board)
        .get(
            "/national/boards",
            Access::Platform(ANALYSTS),
            national_register,
        )
        .get(
            "/national/boards.csv",
            Access::Platform(ANALYSTS),
            national_csv,
        )
}

#[derive(Template)]
#[template(path = "leadership/public_register.html")]
struct PublicRegister {
    chrome: Chrome,
    boards: Vec<PublishedBoard>,
}

async fn public_register(
    State(state): State<AppState>,
    chrome: Chrome,
) -> Result<Response, AppError> {
    let boards = registers::public_register(&state.app).await?;
    Ok(render(&PublicRegister {
        chrome: chrome.titled("Register of NHS board members"),
        boards,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "leadership/public_board.html")]
struct PublicBoard {
    chrome: Chrome,
    board: PublishedBoard,
}

async fn public_board(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let Some(board) = registers::public_board(&state.app, &organisation).await? else {
        return Err(AppError::NotFound(format!(
            "{} has not published a signed fit and proper return yet",
            organisation.name
        )));
    };
    Ok(render(&PublicBoard {
        chrome: chrome
            .titled(format!("Board members: {}", organisation.name))
            .under("/boards", "Register of board members"),
        board,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Search {
    q: String,
    page: String,
}

#[derive(Template)]
#[template(path = "leadership/national.html")]
struct NationalPage {
    chrome: Chrome,
    lines: Vec<NationalLine>,
    /// How many match in all, across the pages.
    total: i64,
    page: i64,
    query: String,
    today: Day,
}

impl NationalPage {
    fn due_text(&self, line: &NationalLine) -> String {
        let mut due: Vec<&str> = line.checks_due.iter().map(|k| k.label()).collect();
        if !line.declaration_current(self.today) {
            due.push("Declaration");
        }
        if due.is_empty() {
            "None".into()
        } else {
            due.join(", ")
        }
    }
    fn regions(&self) -> &'static [dignity_domain::identity::Region] {
        dignity_domain::identity::Region::ALL
    }
    fn pages(&self) -> i64 {
        (self.total + registers::PAGE_SIZE - 1) / registers::PAGE_SIZE
    }
    fn page_href(&self, page: i64) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        if !self.query.trim().is_empty() {
            url.append_pair("q", self.query.trim());
        }
        url.append_pair("page", &page.to_string());
        format!("/national/boards?{}", url.finish())
    }
    fn csv_href(&self) -> String {
        if self.query.trim().is_empty() {
            "/national/boards.csv".into()
        } else {
            format!(
                "/national/boards.csv?q={}",
                form_urlencoded::byte_serialize(self.query.trim().as_bytes()).collect::<String>()
            )
        }
    }
}

async fn national_register(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(search): QueryData<Search>,
) -> Result<Response, AppError> {
    // A page number that cannot be read is the first page.
    let page = search.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let (lines, total) = registers::national_register(&state.app, &user, &search.q, page).await?;
    Ok(render(&NationalPage {
        chrome: chrome.titled("National register of board members"),
        lines,
        total,
        page,
        query: search.q,
        today: state.app.clock.today(),
    })?
    .into_response())
}

async fn national_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    QueryData(search): QueryData<Search>,
) -> Result<Response, AppError> {
    let lines = registers::national_register_all(&state.app, &user, &search.q).await?;
    Ok(registers::national_table(&lines, state.app.clock.today()).csv_response())
}
