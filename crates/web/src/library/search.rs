//! The library's public pages: search with facets, and each resource's own page. Both work
//! without JavaScript; every search is a plain link that can be shared.

use crate::error::AppError;
use crate::forms::{PathData, QueryData};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::library::search::{self as library, Match};
use dignity_app::library::{Hit, Pin, Request, Resource, may_curate};
use dignity_domain::identity::OdsCode;
use dignity_domain::library::{Audience, Kind, Topic};
use serde::Deserialize;

/// Results on one page.
const PAGE_SIZE: usize = 20;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub kind: String,
    pub audience: String,
    pub topic: String,
    pub year: String,
    pub page: String,
    /// An organisation whose pinned items are shown first.
    pub org: String,
}

impl SearchQuery {
    /// This search's address with one parameter changed (empty removes it) and paging
    /// back to the start.
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut q = self.clone();
        q.page = String::new();
        match key {
            "kind" => q.kind = value.into(),
            "audience" => q.audience = value.into(),
            "topic" => q.topic = value.into(),
            "year" => q.year = value.into(),
            "q" => q.q = value.into(),
            "clear" => {
                q.kind.clear();
                q.audience.clear();
                q.topic.clear();
                q.year.clear();
            }
            _ => {}
        }
        q.href()
    }

    /// This search on another page of results.
    pub fn on_page(&self, page: usize) -> String {
        let mut q = self.clone();
        q.page = page.to_string();
        q.href()
    }

    fn href(&self) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("q", &self.q),
            ("kind", &self.kind),
            ("audience", &self.audience),
            ("topic", &self.topic),
            ("year", &self.year),
            ("org", &self.org),
            ("page", &self.page),
        ] {
            if !value.is_empty() {
                url.append_pair(key, value);
            }
        }
        let query = url.finish();
        if query.is_empty() {
            "/library".into()
        } else {
            format!("/library?{query}")
        }
    }

    pub fn filtered(&self) -> bool {
        !(self.kind.is_empty()
            && self.audience.is_empty()
            && self.topic.is_empty()
            && self.year.is_empty())
    }
}

/// A facet's choices: (code, label, count).
pub struct FacetView {
    pub name: &'static str,
    pub label: &'static str,
    pub chosen: String,
    pub choices: Vec<(String, String, u64)>,
}

impl FacetView {
    /// A chosen value that no result has (so it still shows as chosen, with 0).
    pub fn chosen_missing(&self) -> bool {
        !self.chosen.is_empty() && !self.choices.iter().any(|(c, _, _)| *c == self.chosen)
    }
}

/// A result as the page shows it.
pub struct ResultView {
    pub hit: Hit,
    pub resource: Resource,
}

#[derive(Template)]
#[template(path = "library/search.html")]
struct SearchPage {
    chrome: Chrome,
    query: SearchQuery,
    total: usize,
    results: Vec<ResultView>,
    facets: Vec<FacetView>,
    corrected: Option<String>,
    any_word: bool,
    page: usize,
    pages: usize,
    organisation: Option<Organisation>,
    pins: Vec<Pin>,
}

fn label_of<T: std::str::FromStr + Copy>(code: &str, label: fn(T) -> &'static str) -> String {
    code.parse::<T>()
        .map(|v| label(v).to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

pub async fn search(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<SearchQuery>,
) -> Result<Response, AppError> {
    // Unknown filter values match nothing rather than failing the page.
    let pick = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    let page = query.page.parse::<usize>().unwrap_or(1).clamp(1, 500);
    let request = Request {
        text: query.q.clone(),
        kind: pick(&query.kind),
        audience: pick(&query.audience),
        topic: pick(&query.topic),
        year: pick(&query.year).map(|y| y.parse::<i64>().unwrap_or(-1)),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let found = library::search(&state.app, request).await?;
    let results = found
        .results
        .into_iter()
        .map(|Match { hit, resource }| ResultView { hit, resource })
        .collect();
    let facets = vec![
        FacetView {
            name: "kind",
            label: "Kind",
            chosen: query.kind.clone(),
            choices: found
                .facets
                .kind
                .iter()
                .map(|(c, n)| (c.clone(), label_of::<Kind>(c, Kind::label), *n))
                .collect(),
        },
        FacetView {
            name: "audience",
            label: "Who it is for",
            chosen: query.audience.clone(),
            choices: found
                .facets
                .audience
                .iter()
                .map(|(c, n)| (c.clone(), label_of::<Audience>(c, Audience::label), *n))
                .collect(),
        },
        FacetView {
            name: "topic",
            label: "Topic",
            chosen: query.topic.clone(),
            choices: found
                .facets
                .topic
                .iter()
                .map(|(c, n)| (c.clone(), label_of::<Topic>(c, Topic::label), *n))
                .collect(),
        },
        FacetView {
            name: "year",
            label: "Year published",
            chosen: query.year.clone(),
            choices: found
                .facets
                .year
                .iter()
                .map(|(c, n)| (c.clone(), c.clone(), *n))
                .collect(),
        },
    ];
    let (organisation, pins) = match pick(&query.org).map(|ods| OdsCode::parse(&ods)) {
        Some(Ok(code)) => match library::pinned_by(&state.app, &code).await? {
            Some((organisation, pins)) => (Some(organisation), pins),
            None => (None, Vec::new()),
        },
        _ => (None, Vec::new()),
    };
    let title = if query.q.trim().is_empty() {
        "Library: tools, resources and case studies".to_owned()
    } else {
        format!("Library search: {}", query.q.trim())
    };
    Ok(render(&SearchPage {
        chrome: chrome.titled(title),
        pages: found.total.div_ceil(PAGE_SIZE),
        total: found.total,
        results,
        facets,
        corrected: found.corrected,
        any_word: found.any_word,
        page,
        query,
        organisation,
        pins,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "library/resource.html")]
struct ResourcePage {
    chrome: Chrome,
    resource: Resource,
    curator: bool,
}

pub async fn resource(
    State(state): State<AppState>,
    chrome: Chrome,
    user: Option<axum::Extension<crate::access::CurrentUser>>,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let resource = library::resource(&state.app, id).await?;
    let curator = user.is_some_and(|u| may_curate(&u));
    Ok(render(&ResourcePage {
        chrome: chrome.titled(resource.fields.title.clone()),
        resource,
        curator,
    })?
    .into_response())
}
