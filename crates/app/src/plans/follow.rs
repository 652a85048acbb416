//! Following an organisation's plan by email: asking, confirming, stopping, and the
//! gathered emails about progress.

use crate::{Context, Error};
use dignity_store::mail::NewMail;
use dignity_store::plans::{self as store, Followed, Notice, SignedPlan};

/// How long changes are gathered before followers are told: a burst of edits makes one
/// email.
pub const GATHER_SECONDS: i64 = 600;

/// Asks to follow an organisation's plan. Nothing is sent until the person confirms from
/// the email `confirm_mail` writes for the new token.
pub async fn follow(
    ctx: &Context,
    organisation_id: i64,
    email: &str,
    confirm_mail: &(dyn Fn(&str) -> NewMail + Sync),
) -> Result<Followed, Error> {
    Ok(store::follow(
        &ctx.db,
        organisation_id,
        email,
        ctx.clock.now(),
        confirm_mail,
    )
    .await?)
}

/// The organisation a follow token is for, if the token is live.
pub async fn follower_organisation(ctx: &Context, token: &str) -> Result<Option<i64>, Error> {
    Ok(store::follower_organisation(&ctx.db, token).await?)
}

/// Confirms a follow from the link in the email; the organisation's id if the token was good.
pub async fn confirm(ctx: &Context, token: &str) -> Result<Option<i64>, Error> {
    Ok(store::confirm_follower(&ctx.db, token, ctx.clock.now()).await?)
}

/// Stops the emails at once, from the link in any of them.
pub async fn unfollow(ctx: &Context, token: &str) -> Result<Option<i64>, Error> {
    Ok(store::unfollow(&ctx.db, token).await?)
}

/// One line of a follower's email for each action that moved (first and last state of a
/// burst of changes), or None when the action is not in the signed plan.
fn lines(notices: &[&Notice], signed: &SignedPlan) -> Vec<String> {
    let mut out = Vec::new();
    let mut told: Vec<i64> = Vec::new();
    for n in notices {
        if told.contains(&n.action_id) {
            continue;
        }
        told.push(n.action_id);
        let Some(action) = signed.actions.iter().find(|a| a.id == n.action_id) else {
            continue;
        };
        let same: Vec<&&Notice> = notices
            .iter()
            .filter(|m| m.action_id == n.action_id)
            .collect();
        let first = same.first().map_or(n.before, |m| m.before);
        let last = same.last().map_or(n.after, |m| m.after);
        if first == last {
            continue;
        }
        out.push(format!(
            "- {}: now {}, {}% done (it was {}, {}% done).",
            action.title,
            last.0.label().to_lowercase(),
            last.1.value(),
            first.0.label().to_lowercase(),
            first.1.value()
        ));
    }
    out
}

/// Tells followers about changes gathered for long enough: one email per follower per
/// organisation. Returns how many emails were written to the outbox.
pub async fn send_notices(ctx: &Context, base: &str, now: i64) -> Result<usize, Error> {
    let db = &ctx.db;
    let notices = store::due_notices(db, now, GATHER_SECONDS).await?;
    let mut organisations: Vec<i64> = notices.iter().map(|n| n.organisation_id).collect();
    organisations.sort_unstable();
    organisations.dedup();
    let all = dignity_store::identity::list_organisations(db).await?;
    let mut written = 0;
    for organisation_id in organisations {
        let mine: Vec<&Notice> = notices
            .iter()
            .filter(|n| n.organisation_id == organisation_id)
            .collect();
        let ids: Vec<i64> = mine.iter().map(|n| n.id).collect();
        let mut body_lines = Vec::new();
        let mut plan_ids: Vec<i64> = mine.iter().map(|n| n.plan_id).collect();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        for plan_id in plan_ids {
            let plan = store::get_plan(db, plan_id).await?;
            if let Some(signed) = store::signed_plan(db, &plan).await? {
                let of_plan: Vec<&Notice> = mine
                    .iter()
                    .copied()
                    .filter(|n| n.plan_id == plan_id)
                    .collect();
                body_lines.extend(lines(&of_plan, &signed));
            }
        }
        let mut mails = Vec::new();
        if let (Some(organisation), false) = (
            all.iter().find(|o| o.id == organisation_id),
            body_lines.is_empty(),
        ) {
            for (email, token) in store::followers(db, organisation_id).await? {
                mails.push(NewMail {
                    purpose: "plan-follow".into(),
                    to: email,
                    subject: format!("{}: progress on the plan to tackle bullying", organisation.name),
                    body: format!(
                        "Hello,\n\n{} has reported progress on its plan to tackle bullying.\n\n{}\n\n\
                         Read the plan: {base}/plans/{}\n\n\
                         To stop these emails, use this link:\n{base}/follow/stop?token={token}\n",
                        organisation.name,
                        body_lines.join("\n"),
                        organisation.ods_code
                    ),
                    attachment: None,
                });
            }
        }
        if store::deliver_notices(db, &ids, &mails, now).await? {
            written += mails.len();
        }
    }
    Ok(written)
}
