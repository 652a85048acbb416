//! News from the knowledge hub: posts, written by organisations' and the platform's
//! administrators, and email by topic with confirmed opt-in and a one-click stop in every
//! email. A post's emails, and a subscriber's confirmation, are written to the outbox in
//! the same transaction as the change they tell of; the pages word them ([`Letters`]).

pub mod check;

pub use check::{CheckedPost, PostDraft, PostProblem, check};
pub use dignity_store::news::{NewPost, Post};

use crate::identity::CurrentSession;
use crate::mail::NewMail;
use crate::{Context, Error};
use dignity_domain::identity::{Email, Role};
use dignity_domain::library::Topic;
use dignity_store::news as store;

/// Who may write news: any organisation's administrators and the platform's.
pub const WRITERS: &[Role] = &[Role::OrgAdmin, Role::PlatformAdmin];

/// The most posts a list or the feed shows.
const LATEST: i64 = 50;

/// Whether this person may write news.
pub fn may_write(session: &CurrentSession) -> bool {
    session
        .memberships
        .iter()
        .any(|m| WRITERS.contains(&m.role))
}

/// The words of the news emails.
pub trait Letters: Sync {
    /// A new post (`id`), to a subscriber, whose `token` makes the link that stops them.
    fn post(&self, id: i64, post: &NewPost, to: &str, token: &str) -> NewMail;
    /// Asks whoever asked for news at `to` to confirm, with the link that `token` makes.
    fn confirm(&self, to: &str, token: &str) -> NewMail;
}

/// The latest posts, newest first, optionally on one topic.
pub async fn latest(ctx: &Context, topic: Option<Topic>) -> Result<Vec<Post>, Error> {
    Ok(store::posts(&ctx.db, topic, LATEST).await?)
}

pub async fn post(ctx: &Context, id: i64) -> Result<Post, Error> {
    Ok(store::get_post(&ctx.db, id).await?)
}

/// Publishes a checked post ([`check`]) under the writer's name, audited, and writes an
/// email for each confirmed subscriber to any of its topics. Returns the post's id.
pub async fn publish(
    ctx: &Context,
    session: &CurrentSession,
    post: &CheckedPost,
    letters: &impl Letters,
) -> Result<i64, Error> {
    let post = post.post();
    let mail_for = |id: i64, email: &str, token: &str| letters.post(id, post, email, token);
    let (id, _) = store::publish(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        post,
        &mail_for,
    )
    .await?;
    Ok(id)
}

/// Asks for news by email on `topics` (none: all). A confirmation email is written unless
/// the address already gets news; either way the caller says the same, so nobody learns
/// whether an address gets news.
pub async fn subscribe(
    ctx: &Context,
    email: &Email,
    topics: &[Topic],
    letters: &impl Letters,
) -> Result<(), Error> {
    let mut topics = topics.to_vec();
    topics.sort();
    topics.dedup();
    let confirm = |token: &str| letters.confirm(email.as_str(), token);
    store::subscribe(&ctx.db, email.as_str(), &topics, ctx.clock.now(), &confirm).await?;
    Ok(())
}

/// Whether a subscription link's token belongs to anyone.
pub async fn is_subscriber(ctx: &Context, token: &str) -> Result<bool, Error> {
    Ok(store::subscriber_exists(&ctx.db, token).await?)
}

/// Confirms a subscription; false for a token that is no one's.
pub async fn confirm(ctx: &Context, token: &str) -> Result<bool, Error> {
    Ok(store::confirm(&ctx.db, token, ctx.clock.now()).await?)
}

/// Stops news to the subscriber and deletes their address; false for a token that is no
/// one's.
pub async fn unsubscribe(ctx: &Context, token: &str) -> Result<bool, Error> {
    Ok(store::unsubscribe(&ctx.db, token).await?)
}
