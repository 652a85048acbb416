//! The daily email to people who follow challenges and ideas: what happened to what they
//! follow since the last one, at most once a day, and nothing they may no longer read.

use crate::{Context, Error};
use dignity_store::identity;
use dignity_store::mail::NewMail;
use dignity_store::voice::follow::{self as store, About, Event, EventKind};

/// A digest goes at most this often.
pub const EVERY_SECONDS: i64 = 86_400;
/// News told in one email at most; the rest is on the site.
const MOST_TOLD: i64 = 50;

/// Text on one line: a title someone typed cannot start lines of its own in the email,
/// where they would read as the service's words.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of the email for `event`.
fn line(event: &Event, base: &str) -> String {
    let link = match event.about {
        About::Idea(id) => format!("{base}/voice/ideas/{id}"),
        About::Update(id) => format!("{base}/voice/updates/{id}"),
    };
    let (title, question, detail) = (
        one_line(&event.title),
        one_line(&event.question),
        one_line(&event.detail),
    );
    // What staff typed goes on lines of its own after a label, never inside a sentence
    // of ours, so it cannot finish one (a title ending in a quote mark once did).
    match event.kind {
        EventKind::Idea => {
            format!("- A new idea.\n  Idea: {title}\n  Challenge: {question}\n  {link}")
        }
        EventKind::Answer => format!("- A new answer: {detail}.\n  Idea: {title}\n  {link}"),
        EventKind::Action => {
            format!("- Its plan action is now: {detail}.\n  Idea: {title}\n  {link}")
        }
        EventKind::Update => {
            format!(
                "- An update from leaders.\n  Update: {title}\n  Challenge: {question}\n  {link}"
            )
        }
    }
}

/// Writes each due follower's digest to the outbox. Returns how many were written.
pub async fn send_digests(ctx: &Context, base: &str, now: i64) -> Result<usize, Error> {
    let db = &ctx.db;
    let (due, newest) = store::due_digests(db, now, EVERY_SECONDS).await?;
    let mut written = 0;
    for follower in due {
        let person = identity::get_person(db, follower.person_id).await?;
        // Someone who has left an organisation no longer hears of its challenges (the
        // store leaves them out), and a closed account hears nothing.
        let mut events = Vec::new();
        if !person.disabled {
            events = store::events_for(
                db,
                person.id,
                (follower.told_through, newest),
                MOST_TOLD + 1,
            )
            .await?;
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
