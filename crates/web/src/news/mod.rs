//! News from the knowledge hub: posts written in Markdown (shown safely), an Atom feed, and
//! email by topic with confirmed opt-in and a one-click stop in every email.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::mail::NewMail;
use dignity_app::news::{self, CheckedPost, NewPost, Post, PostDraft, WRITERS, may_write};
use dignity_domain::identity::Email;
use dignity_domain::library::{Audience, Topic};
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/news", Access::Public, list)
        .get("/news/feed.atom", Access::Public, feed)
        .get("/news/new", Access::Anywhere(WRITERS), new_form)
        .post("/news/new", Access::Anywhere(WRITERS), publish)
        .get("/news/subscribe", Access::Public, asked)
        .post("/news/subscribe", Access::Public, subscribe)
        .get("/news/subscribe/confirm", Access::Public, confirm_page)
        .post("/news/subscribe/confirm", Access::Public, confirm)
        .get("/news/unsubscribe", Access::Public, unsubscribe)
        .get("/news/{id}", Access::Public, show)
}

/// A post as pages show it: its body already made safe.
pub struct PostView {
    pub post: Post,
    pub html: String,
    pub day: String,
}

fn view(post: Post) -> PostView {
    PostView {
        html: crate::markdown::to_html(&post.fields.body),
        day: Day::from_unix_seconds(post.published_at).long(),
        post,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    topic: String,
}

#[derive(Template)]
#[template(path = "news/list.html")]
struct ListPage {
    chrome: Chrome,
    posts: Vec<PostView>,
    topics: &'static [Topic],
    chosen: String,
    writer: bool,
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    user: Option<Extension<CurrentUser>>,
    QueryData(query): QueryData<ListQuery>,
) -> Result<Response, AppError> {
    let topic = query.topic.parse::<Topic>().ok();
    let posts = news::latest(&state.app, topic)
        .await?
        .into_iter()
        .map(view)
        .collect();
    Ok(render(&ListPage {
        chrome: chrome
            .titled("News")
            .with_feed("/news/feed.atom", "News from Dignity"),
        posts,
        topics: Topic::ALL,
        chosen: topic.map(|t| t.code().to_owned()).unwrap_or_default(),
        writer: user.is_some_and(|u| may_write(&u)),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "news/post.html")]
struct PostPage {
    chrome: Chrome,
    view: PostView,
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(id): PathData<i64>,
) -> Result<Response, AppError> {
    let post = news::post(&state.app, id).await?;
    Ok(render(&PostPage {
        chrome: chrome.titled(post.fields.title.clone()),
        view: view(post),
    })?
    .into_response())
}

/// The news as an Atom feed; each entry's content is the post made safe.
pub async fn feed(State(state): State<AppState>) -> Result<Response, AppError> {
    use atom_syndication::{Content, Entry, Feed, Link, Text};
    let base = state.settings.public_url.clone();
    let posts = news::latest(&state.app, None).await?;
    let time = crate::feeds::time;
    let entries = posts
        .iter()
        .map(|p| Entry {
            title: Text::plain(p.fields.title.clone()),
            id: format!("{base}/news/{}", p.id),
            updated: time(p.published_at),
            published: Some(time(p.published_at)),
            links: vec![Link {
                href: format!("{base}/news/{}", p.id),
                ..Link::default()
            }],
            content: Some(Content {
                value: Some(crate::markdown::to_html(&p.fields.body)),
                content_type: Some("html".into()),
                ..Content::default()
            }),
            ..Entry::default()
        })
        .collect();
    let feed = Feed {
        // Atom needs an author for the feed (or for every entry).
        authors: vec![atom_syndication::Person {
            name: "Dignity".into(),
            uri: Some(format!("{base}/news")),
            ..atom_syndication::Person::default()
        }],
        title: Text::plain("Dignity: news on tackling bullying in the NHS"),
        id: format!("{base}/news"),
        updated: time(posts.first().map_or(0, |p| p.published_at)),
        links: vec![
            Link {
                href: format!("{base}/news"),
                ..Link::default()
            },
            Link {
                href: format!("{base}/news/feed.atom"),
                rel: "self".into(),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        feed.to_string(),
    )
        .into_response())
}

/// The post form's fields, as typed (checkbox groups as lists of codes).
#[derive(Default, Clone)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub audiences: Vec<String>,
    pub topics: Vec<String>,
}

impl PostForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> PostForm {
        let mut form = PostForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "title" => form.title = value,
                "body" => form.body = value,
                "audiences" => form.audiences.push(value),
                "topics" => form.topics.push(value),
                _ => {}
            }
        }
        form
    }

    pub fn has(&self, list: &str, code: &str) -> bool {
        let list = if list == "audiences" {
            &self.audiences
        } else {
            &self.topics
        };
        list.iter().any(|c| c == code)
    }

    /// The post the form describes, or what is wrong with it. The page only reads the
    /// codes; every rule is the app's (`news::check`).
    fn read(&self) -> Result<CheckedPost, Vec<FieldError>> {
        let audiences: Vec<Audience> = self
            .audiences
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect();
        let topics: Vec<Topic> = self.topics.iter().filter_map(|c| c.parse().ok()).collect();
        news::check(&PostDraft {
            title: &self.title,
            body: &self.body,
            audiences: &audiences,
            topics: &topics,
        })
        .map_err(|problems| {
            problems
                .into_iter()
                .map(|p| FieldError {
                    field: p.field().into(),
                    message: p.to_string(),
                })
                .collect()
        })
    }
}

#[derive(Template)]
#[template(path = "news/form.html")]
struct FormPage {
    chrome: Chrome,
    form: PostForm,
    audiences: &'static [Audience],
    topics: &'static [Topic],
}

fn form_page(chrome: Chrome, form: PostForm) -> Result<Response, AppError> {
    Ok(render(&FormPage {
        chrome: chrome.titled("Write news"),
        form,
        audiences: Audience::ALL,
        topics: Topic::ALL,
    })?
    .into_response())
}

pub async fn new_form(chrome: Chrome) -> Result<Response, AppError> {
    form_page(chrome, PostForm::default())
}

/// The start of a post's text for an email, at a word.
fn excerpt(markdown: &str) -> String {
    let text: String = markdown.chars().take(600).collect();
    if markdown.chars().count() <= 600 {
        return text;
    }
    let at = text.rfind(' ').unwrap_or(text.len());
    format!("{} ...", &text[..at])
}

/// The news emails, in this server's words, with links to its public address.
struct Letters {
    base: String,
}

fn letters(state: &AppState) -> Letters {
    Letters {
        base: state.settings.public_url.clone(),
    }
}

impl news::Letters for Letters {
    fn post(&self, id: i64, post: &NewPost, to: &str, token: &str) -> NewMail {
        let base = &self.base;
        let (title, text) = (&post.title, excerpt(&post.body));
        NewMail {
            purpose: "news".into(),
            to: to.to_owned(),
            subject: format!("News: {title}"),
            body: format!(
                "Hello,\n\n{title}\n\n{text}\n\nRead it all: {base}/news/{id}\n\n\
                 You get this email because you asked for news from Dignity. To stop these emails, use this link:\n{base}/news/unsubscribe?token={token}\n"
            ),
            attachment: None,
        }
    }

    fn confirm(&self, to: &str, token: &str) -> NewMail {
        let base = &self.base;
        NewMail {
            purpose: "news".into(),
            to: to.to_owned(),
            subject: "Confirm: news from Dignity by email".into(),
            body: format!(
                "Hello,\n\nSomeone, we hope you, asked for news from Dignity about tackling bullying in the NHS.\n\n\
                 To start getting it, confirm here:\n{base}/news/subscribe/confirm?token={token}\n\n\
                 If this was not you, you can ignore this email. We will not email you again.\n"
            ),
            attachment: None,
        }
    }
}

pub async fn publish(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = PostForm::from_pairs(pairs);
    let post = match form.read() {
        Ok(post) => post,
        Err(errors) => return form_page(chrome.with_errors(errors), form),
    };
    let id = news::publish(&state.app, &user, &post, &letters(&state)).await?;
    Ok(Redirect::to(&format!("/news/{id}")).into_response())
}

/// What the subscription pages say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    CheckEmail,
    NoEmailHere,
    Confirm,
    Subscribed,
    Stopped,
    UnknownLink,
}

#[derive(Template)]
#[template(path = "news/subscribe.html")]
struct SubscribePage {
    chrome: Chrome,
    outcome: Outcome,
    token: String,
}

fn outcome_page(chrome: Chrome, outcome: Outcome, token: String) -> Result<Response, AppError> {
    let title = match outcome {
        Outcome::CheckEmail => "Check your email",
        Outcome::NoEmailHere => "Email is not set up here",
        Outcome::Confirm => "Confirm you want news by email",
        Outcome::Subscribed => "You will get news by email",
        Outcome::Stopped => "You will not get any more news emails",
        Outcome::UnknownLink => "This link does not work",
    };
    Ok(render(&SubscribePage {
        chrome: chrome.titled(title),
        outcome,
        token,
    })?
    .into_response())
}

/// Asks for news by email. The page says the same whether or not the address already
/// gets news.
pub async fn subscribe(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // First: without email the news page has no form to send back to with its errors.
    if state.settings.mail.is_none() {
        return outcome_page(chrome, Outcome::NoEmailHere, String::new());
    }
    let email = pairs
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let topics: Vec<Topic> = pairs
        .iter()
        .filter(|(k, _)| k == "topics")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let Ok(email) = Email::parse(email) else {
        let chrome = chrome.with_errors(vec![FieldError {
            field: "email".into(),
            message: "Enter an email address, like name@example.com".into(),
        }]);
        let posts = news::latest(&state.app, None)
            .await?
            .into_iter()
            .map(view)
            .collect();
        return Ok(render(&ListPage {
            chrome: chrome
                .titled("News")
                .with_feed("/news/feed.atom", "News from Dignity"),
            posts,
            topics: Topic::ALL,
            chosen: String::new(),
            writer: false,
        })?
        .into_response());
    };
    news::subscribe(&state.app, &email, &topics, &letters(&state)).await?;
    // Post-redirect-get: a reload does not send another email.
    Ok(Redirect::to("/news/subscribe").into_response())
}

/// The page after asking for news, which [`subscribe`] redirects to.
pub async fn asked(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    let outcome = if state.settings.mail.is_some() {
        Outcome::CheckEmail
    } else {
        Outcome::NoEmailHere
    };
    outcome_page(chrome, outcome, String::new())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

pub async fn confirm_page(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<TokenQuery>,
) -> Result<Response, AppError> {
    if news::is_subscriber(&state.app, &query.token).await? {
        outcome_page(chrome, Outcome::Confirm, query.token)
    } else {
        outcome_page(chrome, Outcome::UnknownLink, String::new())
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response, AppError> {
    if news::confirm(&state.app, &form.token).await? {
        outcome_page(chrome, Outcome::Subscribed, String::new())
    } else {
        outcome_page(chrome, Outcome::UnknownLink, String::new())
    }
}

/// The link in every news email: stops them in one click and deletes the address.
pub async fn unsubscribe(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<TokenQuery>,
) -> Result<Response, AppError> {
    if news::unsubscribe(&state.app, &query.token).await? {
        outcome_page(chrome, Outcome::Stopped, String::new())
    } else {
        outcome_page(chrome, Outcome::UnknownLink, String::new())
    }
}
