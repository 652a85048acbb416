//! Leaders' updates on a challenge: those who answer its ideas say what they have heard
//! and what they are doing, under their own name, and staff comment on it. Comments on an
//! update pass the same check, limits and moderation as comments on an idea.

use super::moderation::reason;
use super::{
    Challenge, LONGEST_REASON, LONGEST_TITLE, Posted, Problem, Refused, challenge, comment_on,
    has_web_address, may_answer, one_line, organisation_code, problems_or, text,
};
use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::voice::Moderation;
use dignity_store::voice::moderation::{self as moderating, Post};
use dignity_store::voice::updates::{self as store, NewUpdate};
use dignity_store::voice::{self as voice_store, Actor, Comment, On};

pub use dignity_store::voice::updates::Update;

/// The longest update: room for a full account of what was done, as a short blog post.
pub const LONGEST_UPDATE: usize = 10_000;
/// Updates a challenge's page lists, newest first.
pub const LISTED: i64 = 20;

/// Posts a leader's update on a challenge `session` answers for. Open or closed: leaders
/// report back after a challenge closes too.
pub async fn post_update(
    ctx: &Context,
    session: &CurrentSession,
    challenge_id: i64,
    (title, body): (&str, &str),
) -> Result<i64, Refused> {
    let challenge = challenge(ctx, session, challenge_id).await?;
    if !may_answer(session, &challenge) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let title = one_line(title);
    let title = text(&title, LONGEST_TITLE, Problem::Title, &mut problems);
    if has_web_address(&title) {
        problems.push(Problem::TitleAddress);
    }
    let body = text(body, LONGEST_UPDATE, Problem::Update, &mut problems);
    let (title, body) = problems_or(problems, (title, body))?;
    let ods = organisation_code(session, &challenge);
    Ok(store::post_update(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        ctx.clock.now(),
        &NewUpdate {
            challenge_id: challenge.id,
            author_id: session.person.id,
            title,
            body,
        },
    )
    .await?)
}

/// An update with its challenge, if `session` may read the challenge; not found
/// otherwise, as for ideas.
pub async fn update(
    ctx: &Context,
    session: &CurrentSession,
    id: i64,
) -> Result<(Update, Challenge), Error> {
    let update = store::update(&ctx.db, id).await?;
    let challenge = challenge(ctx, session, update.challenge_id)
        .await
        .map_err(|_| Error::NotFound("There is no such update".into()))?;
    Ok((update, challenge))
}

/// A challenge's newest updates, for a page that has already checked `session` may read
/// it.
pub async fn updates(ctx: &Context, challenge: &Challenge) -> Result<Vec<Update>, Error> {
    Ok(store::updates(&ctx.db, challenge.id, LISTED).await?)
}

pub async fn comments(
    ctx: &Context,
    session: &CurrentSession,
    update: &Update,
) -> Result<Vec<Comment>, Error> {
    Ok(voice_store::comments(&ctx.db, On::Update(update.id), Some(session.person.id)).await?)
}

/// Comments on an update, or replies to a comment on it.
pub async fn comment(
    ctx: &Context,
    session: &CurrentSession,
    update_id: i64,
    reply_to: Option<i64>,
    body: &str,
) -> Result<Posted, Refused> {
    let (update, challenge) = update(ctx, session, update_id).await?;
    comment_on(
        ctx,
        session,
        &challenge,
        On::Update(update.id),
        reply_to,
        body,
    )
    .await
}

/// A comment on `update_id` that `session` may act on: for a report, one shown to
/// everyone (a hidden one has been decided); for an appeal, their own.
async fn seen_comment(
    ctx: &Context,
    session: &CurrentSession,
    update_id: i64,
    comment_id: i64,
    own: bool,
) -> Result<Post, Error> {
    let (update, _) = update(ctx, session, update_id).await?;
    let seen = comments(ctx, session, &update).await?;
    if seen.iter().any(|c| {
        c.id == comment_id
            && if own {
                c.author_id == session.person.id
            } else {
                c.moderation == Moderation::Shown
            }
    }) {
        Ok(Post::Comment(comment_id))
    } else {
        Err(Error::NotFound("There is no such comment".into()))
    }
}

/// Reports a comment on an update to the moderators with a reason. True if this added a
/// report.
pub async fn report(
    ctx: &Context,
    session: &CurrentSession,
    update_id: i64,
    comment_id: i64,
    why: &str,
) -> Result<bool, Refused> {
    let post = seen_comment(ctx, session, update_id, comment_id, false).await?;
    let mut problems = Vec::new();
    let why = text(why, LONGEST_REASON, Problem::Reason, &mut problems);
    let why = problems_or(problems, why)?;
    Ok(moderating::report(&ctx.db, post, session.person.id, &why, ctx.clock.now()).await?)
}

/// The author's appeal against their own held or hidden comment on an update.
pub async fn appeal(
    ctx: &Context,
    session: &CurrentSession,
    update_id: i64,
    comment_id: i64,
    words: &str,
) -> Result<(), Refused> {
    let post = seen_comment(ctx, session, update_id, comment_id, true).await?;
    let words = reason(words)?;
    moderating::appeal(&ctx.db, post, session.person.id, &words, ctx.clock.now()).await?;
    Ok(())
}
