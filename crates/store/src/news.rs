//! News posts and the people who get them by email (confirmed opt-in, by topic). A post's
//! emails are written to the outbox in the same transaction as the post.

use crate::audit::{self, NewEntry};
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::identity::InvalidValue;
use dignity_domain::library::{Audience, Topic, parse_codes};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewPost {
    pub title: String,
    /// Markdown.
    pub body: String,
    #[sqlx(try_from = "Codes")]
    pub audiences: Vec<Audience>,
    #[sqlx(try_from = "Codes")]
    pub topics: Vec<Topic>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Post {
    pub id: i64,
    #[sqlx(flatten)]
    pub fields: NewPost,
    pub published_at: i64,
    pub author: String,
}

fn codes<T: Copy>(list: &[T], code: fn(T) -> &'static str) -> String {
    list.iter().map(|c| code(*c)).collect::<Vec<_>>().join(",")
}

/// Audiences or topics, stored as a comma list of codes.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct Codes(String);

impl<T: std::str::FromStr<Err = InvalidValue> + Copy + Ord> TryFrom<Codes> for Vec<T> {
    type Error = InvalidValue;
    fn try_from(list: Codes) -> Result<Vec<T>, InvalidValue> {
        parse_codes(&list.0)
    }
}

/// Confirmed subscribers who want news on any of `topics`: (email, token).
async fn readers(
    conn: &mut sqlx::AnyConnection,
    topics: &[Topic],
) -> Result<Vec<(String, String)>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT email, token, topics FROM news_subscribers WHERE confirmed_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (email, token, wanted) in rows {
        let wanted: Vec<Topic> = parse_codes(&wanted)
            .map_err(|e| StoreError::Corrupt(format!("subscriber topics: {e}")))?;
        if wanted.is_empty() || wanted.iter().any(|t| topics.contains(t)) {
            out.push((email, token));
        }
    }
    Ok(out)
}

/// Publishes a post, and writes an email for each subscriber to its topics (made by
/// `mail_for` from the post's id, the address and the subscriber's token).
pub async fn publish(
    db: &Db,
    author: &str,
    now: i64,
    post: &NewPost,
    mail_for: &(dyn Fn(i64, &str, &str) -> NewMail + Sync),
) -> Result<(i64, usize), StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO news_posts (title, body, audiences, topics, published_at, author) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&post.title)
    .bind(&post.body)
    .bind(codes(&post.audiences, Audience::code))
    .bind(codes(&post.topics, Topic::code))
    .bind(now)
    .bind(author)
    .fetch_one(&mut *tx)
    .await?;
    let mails: Vec<NewMail> = readers(&mut tx, &post.topics)
        .await?
        .iter()
        .map(|(email, token)| mail_for(id, email, token))
        .collect();
    mail::enqueue(&mut tx, now, &mails).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: author,
            organisation: None,
            action: "news.publish",
            detail: &format!("Published news {id}: {}", post.title),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, mails.len()))
}

const COLUMNS: &str = "id, title, body, audiences, topics, published_at, author";

/// Posts newest first, at most `limit`, optionally on one topic.
pub async fn posts(db: &Db, topic: Option<Topic>, limit: i64) -> Result<Vec<Post>, StoreError> {
    let pattern = topic.map_or("%".to_owned(), |t| format!("%{}%", t.code()));
    let all: Vec<Post> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM news_posts WHERE topics LIKE $1 ORDER BY published_at DESC, id DESC LIMIT $2"
    ))
    .bind(pattern)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    // LIKE finds the code inside a longer one too; keep only real matches.
    Ok(all
        .into_iter()
        .filter(|p| topic.is_none_or(|t| p.fields.topics.contains(&t)))
        .collect())
}

pub async fn get_post(db: &Db, id: i64) -> Result<Post, StoreError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM news_posts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no news post {id}")))
}

/// A fresh token for a subscriber's links: 256 random bits (the one token maker, in
/// `dignity_crypto`).
fn token() -> String {
    dignity_crypto::token::random_token()
}

/// Asks for news by email on `topics` (empty: all). A confirmation email is written unless
/// the address is already confirmed, in which case its topics are left as they are and
/// nothing is sent (the page says the same either way). Returns whether mail was written.
pub async fn subscribe(
    db: &Db,
    email: &str,
    topics: &[Topic],
    now: i64,
    confirm_mail: &(dyn Fn(&str) -> NewMail + Sync),
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let confirmed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT confirmed_at FROM news_subscribers WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    let token = token();
    match confirmed {
        Some(Some(_)) => return Ok(false),
        Some(None) => {
            sqlx::query("UPDATE news_subscribers SET token = $1, topics = $2 WHERE email = $3")
                .bind(&token)
                .bind(codes(topics, Topic::code))
                .bind(email)
                .execute(&mut *tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO news_subscribers (email, token, topics, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(email)
            .bind(&token)
            .bind(codes(topics, Topic::code))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    mail::enqueue(&mut tx, now, &[confirm_mail(&token)]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether a token belongs to a subscriber.
pub async fn subscriber_exists(db: &Db, token: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM news_subscribers WHERE token = $1")
        .bind(token)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// Confirms a subscriber; false for an unknown token.
pub async fn confirm(db: &Db, token: &str, now: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM news_subscribers WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut *tx)
        .await?;
    if found.is_some() {
        sqlx::query(
            "UPDATE news_subscribers SET confirmed_at = $1 WHERE token = $2 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(token)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(found.is_some())
}

/// Stops the emails and deletes the address; false for an unknown token.
pub async fn unsubscribe(db: &Db, token: &str) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM news_subscribers WHERE token = $1")
        .bind(token)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed > 0)
}
