//! Moderating staff voice: the queue of held and reported posts, decisions with a rule
//! and a reason, the audited step that says who wrote a post, stopping someone posting,
//! and the author's appeal. An organisation's moderators look after its challenges; the
//! platform's administrators look after the national ones.

use super::{LONGEST_REASON, Problem, Refused, comments, idea, text};
use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::voice::RULES;
use dignity_store::voice::Actor;
use dignity_store::voice::moderation as store;

pub use dignity_store::voice::moderation::{Action, Post, Waiting};

/// Who moderates an organisation's challenges.
pub const MODERATORS: &[Role] = &[Role::Moderator];
/// Who may reach the moderation pages at all: the national challenges' moderators too.
pub const ANY_MODERATOR: &[Role] = &[Role::Moderator, Role::PlatformAdmin];

/// One queue: an organisation's (its ODS code and name) or the national one.
#[derive(Debug, Clone)]
pub struct Queue {
    pub ods_code: Option<String>,
    pub name: String,
    pub waiting: Vec<Waiting>,
}

/// The organisations whose challenges `session` moderates: (id, ODS code, name).
fn moderated(session: &CurrentSession) -> Vec<(i64, String, String)> {
    let mut orgs: Vec<(i64, String, String)> = session
        .memberships
        .iter()
        .filter(|m| MODERATORS.contains(&m.role))
        .filter_map(|m| m.organisation.as_ref())
        .map(|o| (o.id, o.ods_code.clone(), o.name.clone()))
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

/// Whether `session` moderates the challenges of `organisation_id` (`None`: national).
pub fn may_moderate(session: &CurrentSession, organisation_id: Option<i64>) -> bool {
    match organisation_id {
        None => session.has_platform_role(super::NATIONAL),
        Some(org) => moderated(session).iter().any(|(id, ..)| *id == org),
    }
}

/// Every queue `session` looks after, oldest waiting post first in each.
pub async fn queues(ctx: &Context, session: &CurrentSession) -> Result<Vec<Queue>, Error> {
    let mut queues = Vec::new();
    for (id, ods, name) in moderated(session) {
        queues.push(Queue {
            waiting: store::queue(&ctx.db, Some(id)).await?,
            ods_code: Some(ods),
            name,
        });
    }
    if session.has_platform_role(super::NATIONAL) {
        queues.push(Queue {
            waiting: store::queue(&ctx.db, None).await?,
            ods_code: None,
            name: "National challenges".into(),
        });
    }
    Ok(queues)
}

/// The post, if `session` moderates it (not found otherwise, so another trust's posts are
/// not known to exist), and the actor to audit under.
async fn moderated_post(
    ctx: &Context,
    session: &CurrentSession,
    post: Post,
) -> Result<Option<String>, Error> {
    let organisation = store::organisation_of(&ctx.db, post).await?;
    if !may_moderate(session, organisation) {
        return Err(Error::NotFound("There is no such post".into()));
    }
    Ok(organisation.and_then(|org| {
        moderated(session)
            .into_iter()
            .find(|(id, ..)| *id == org)
            .map(|(_, ods, _)| ods)
    }))
}

/// The reason typed for a moderator's step: needed, and short.
pub(crate) fn reason(raw: &str) -> Result<String, Refused> {
    let mut problems = Vec::new();
    let reason = text(raw, LONGEST_REASON, Problem::Reason, &mut problems);
    if problems.is_empty() {
        Ok(reason)
    } else {
        Err(Refused::Problems(problems))
    }
}

/// Hides (naming the rule it breaks), restores or releases a post, with a reason.
pub async fn decide(
    ctx: &Context,
    session: &CurrentSession,
    post: Post,
    action: Action,
    rule: Option<i64>,
    why: &str,
) -> Result<(), Refused> {
    let ods = moderated_post(ctx, session, post).await?;
    let mut problems = Vec::new();
    let why = text(why, LONGEST_REASON, Problem::Reason, &mut problems);
    let rule = match (action, rule) {
        (Action::Hide, Some(n)) if (1..=RULES.len() as i64).contains(&n) => Some(n),
        (Action::Hide, _) => {
            problems.push(Problem::Rule);
            None
        }
        _ => None,
    };
    if !problems.is_empty() {
        return Err(Refused::Problems(problems));
    }
    // Closed challenges' figures are settled with the posts as they were.
    // Best effort: a failure here must not stop a moderator acting; housekeeping tries again.
    if let Err(e) = super::figures::settle_closed(ctx).await {
        tracing::warn!(cause = %e, "could not settle closed challenges' figures before a decision");
    }
    store::decide(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        post,
        action,
        rule,
        &why,
        ctx.clock.now(),
    )
    .await?;
    Ok(())
}

/// Who wrote a post (their account's email), given only with a reason, which the audit
/// log keeps before the answer is given.
pub async fn reveal(
    ctx: &Context,
    session: &CurrentSession,
    post: Post,
    why: &str,
) -> Result<String, Refused> {
    let ods = moderated_post(ctx, session, post).await?;
    let why = reason(why)?;
    Ok(store::author_of(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        post,
        &why,
        ctx.clock.now(),
    )
    .await?)
}

/// Stops the author of a post posting anywhere on staff voice, with a reason, without
/// telling the moderator who they are.
pub async fn block(
    ctx: &Context,
    session: &CurrentSession,
    post: Post,
    why: &str,
) -> Result<(), Refused> {
    let ods = moderated_post(ctx, session, post).await?;
    let why = reason(why)?;
    store::block_author(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: ods.as_deref(),
        },
        post,
        &why,
        ctx.clock.now(),
    )
    .await?;
    Ok(())
}

/// The author's appeal against their own held or hidden idea, or a comment on it.
pub async fn appeal(
    ctx: &Context,
    session: &CurrentSession,
    idea_id: i64,
    comment_id: Option<i64>,
    words: &str,
) -> Result<(), Refused> {
    let (idea, _) = idea(ctx, session, idea_id).await?;
    let post = match comment_id {
        None => Post::Idea(idea.id),
        Some(id) => {
            let seen = comments(ctx, session, &idea).await?;
            if !seen
                .iter()
                .any(|c| c.id == id && c.author_id == session.person.id)
            {
                return Err(Error::NotFound("There is no such comment".into()).into());
            }
            Post::Comment(id)
        }
    };
    let words = reason(words)?;
    store::appeal(&ctx.db, post, session.person.id, &words, ctx.clock.now()).await?;
    Ok(())
}
