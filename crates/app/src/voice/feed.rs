//! A challenge's ideas as an Atom feed, for a feed reader that cannot sign in. Each person
//! has one key in their feed addresses; the database keeps only its SHA-256, so a copy of
//! the database opens no one's feeds. The key opens only what its holder may read today:
//! someone who leaves an organisation, or whose account is closed, loses its feeds too.

use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_crypto::token::{random_token, token_digest};
use dignity_domain::speakup::Day;
use dignity_domain::voice::IdeaOrder;
use dignity_store::identity;
use dignity_store::voice::follow as store;
use dignity_store::voice::{self as voice_store, Challenge, Idea};

/// Ideas a feed holds, newest first.
pub const FEED_LENGTH: usize = 50;

/// A key is this long (256 bits, URL-safe); anything longer is not one.
const KEY_LENGTH: usize = 43;

fn no_feed() -> Error {
    Error::NotFound("There is no such feed".into())
}

/// Makes `session`'s feed key, replacing (and so stopping) any old one. The key is
/// returned once, to be shown once.
pub async fn make_key(ctx: &Context, session: &CurrentSession) -> Result<String, Error> {
    let key = random_token();
    store::set_feed_key(
        &ctx.db,
        session.person.id,
        &token_digest(&key),
        ctx.clock.now(),
    )
    .await?;
    Ok(key)
}

/// Stops `session`'s feed key working; false if they had none.
pub async fn drop_key(ctx: &Context, session: &CurrentSession) -> Result<bool, Error> {
    Ok(store::drop_feed_key(&ctx.db, session.person.id).await?)
}

/// When `session` made their feed key, if they have one.
pub async fn key_made(ctx: &Context, session: &CurrentSession) -> Result<Option<i64>, Error> {
    Ok(store::feed_key_made(&ctx.db, session.person.id).await?)
}

/// A challenge and its newest shown ideas, for the holder of `key`; not found for a key
/// that is not live or a challenge its holder may not read.
pub async fn challenge_feed(
    ctx: &Context,
    key: &str,
    challenge_id: i64,
) -> Result<(Challenge, Vec<Idea>), Error> {
    if key.len() != KEY_LENGTH {
        return Err(no_feed());
    }
    let Some(person_id) = store::feed_key_owner(&ctx.db, &token_digest(key)).await? else {
        return Err(no_feed());
    };
    let person = identity::get_person(&ctx.db, person_id).await?;
    if person.disabled {
        return Err(no_feed());
    }
    let challenge = voice_store::challenge(&ctx.db, challenge_id)
        .await
        .map_err(|_| no_feed())?;
    if let Some(org) = challenge.fields.organisation_id {
        let member = identity::memberships(&ctx.db, person_id)
            .await?
            .iter()
            .any(|m| m.organisation.as_ref().is_some_and(|o| o.id == org));
        if !member {
            return Err(no_feed());
        }
    }
    // No viewer: a feed shows only what everyone sees, never its holder's held ideas.
    let ideas = voice_store::ideas(
        &ctx.db,
        challenge.id,
        IdeaOrder::Newest,
        None,
        (0, FEED_LENGTH),
    )
    .await?;
    Ok((challenge, ideas))
}

/// When an idea last changed as a feed sees it: posted, or answered.
pub fn updated_at(idea: &Idea) -> i64 {
    let answered = idea
        .answered_on
        .map_or(0, |d| d.days_since(Day::from_unix_seconds(0)) * 86_400);
    idea.posted_at.max(answered)
}
