//! The daily email to people who follow challenges and ideas: what happened to what they
//! follow since the last one, at most once a day, and nothing they may no longer read.

use crate::{Context, Error};
use dignity_store::identity;
use dignity_store::mail::NewMail;
use dignity_store::voice::follow::{self as store, Event, EventKind};

/// A digest goes at most this often.
pub const EVERY_SECONDS: i64 = 86_400;
/// News told in one email at most; the rest is on the site.
const MOST_TOLD: i64 = 50;

/// One line of the email for `event`.
fn line(event: &Event, base: &str) -> String {
    let link = format!("{base}/voice/ideas/{}", event.idea_id);
    match event.kind {
        EventKind::Idea => format!(
            "- New idea under \"{}\": {}\n  {link}",
            event.question, event.title
        ),
        EventKind::Answer => format!(
            "- \"{}\" has an answer: {}\n  {link}",
            event.title, event.detail
        ),
        EventKind::Action => format!(
            "- The plan action for \"{}\" is now: {}\n  {link}",
            event.title, event.detail
        ),
    }
}

/// Writes each due follower's digest to the outbox. Returns how many were written.
pub async fn send_digests(ctx: &Context, base: &str, now: i64) -> Result<usize, Error> {
    let db = &ctx.db;
    let (due, newest) = store::due_digests(db, now, EVERY_SECONDS).await?;
    let mut written = 0;
    for follower in due {
        let person = identity::get_person(db, follower.person_id).await?;
        let mut events = Vec::new();
        if !person.disabled {
            // Someone who has left an organisation no longer hears of its challenges.
            let member_of: Vec<i64> = identity::memberships(db, person.id)
                .await?
                .iter()
                .filter_map(|m| m.organisation.as_ref().map(|o| o.id))
                .collect();
            events = store::events_for(
                db,
                person.id,
                (follower.told_through, newest),
                MOST_TOLD + 1,
            )
            .await?
            .into_iter()
            .filter(|e| e.organisation_id.is_none_or(|o| member_of.contains(&o)))
            .collect();
        }
        let more = events.len() > MOST_TOLD as usize;
        events.truncate(MOST_TOLD as usize);
        let mail = (!events.is_empty()).then(|| NewMail {
            purpose: "voice-digest".into(),
            to: person.email.clone(),
            subject: "Staff voice: news on what you follow".into(),
            body: format!(
                "Hello,\n\nHere is what happened to the ideas and challenges you follow.\n\n{}\n{}\n\
                 To stop hearing about one, open it and choose Stop following.\n",
                events
                    .iter()
                    .map(|e| line(e, base))
                    .collect::<Vec<_>>()
                    .join("\n"),
                if more {
                    format!("There is more news on the site: {base}/voice\n")
                } else {
                    String::new()
                }
            ),
            attachment: None,
        });
        if store::deliver_digest(
            db,
            person.id,
            (follower.told_through, newest),
            mail.as_ref(),
            now,
        )
        .await?
            && mail.is_some()
        {
            written += 1;
        }
    }
    Ok(written)
}
