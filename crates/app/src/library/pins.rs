//! An organisation's own policies and contacts, shown above the national catalogue when
//! its staff open the library from their home page. Its administrators add and remove
//! them; each change is audited under the organisation.

use super::Pin;
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::library::check_link;
use dignity_store::library as store;

/// Longest title, in characters.
const LONGEST_TITLE: usize = 200;
/// Longest text, in characters.
const LONGEST_BODY: usize = 2_000;

/// An item to pin as its administrator typed it: a title, some text and a link (either
/// may be empty).
#[derive(Debug, Clone, Copy)]
pub struct PinDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

/// An item that passed [`check`], trimmed, its link made safe: the only thing [`add`]
/// pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPin {
    title: String,
    body: String,
    link: String,
}

impl CheckedPin {
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn body(&self) -> &str {
        &self.body
    }
    pub fn link(&self) -> &str {
        &self.link
    }
}

/// Why an item was refused. The text is for the administrator; [`PinProblem::field`]
/// names the form field it is shown beside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinProblem {
    #[error("Enter a title of 200 characters or fewer")]
    Title,
    #[error("The text must be 2,000 characters or fewer")]
    BodyTooLong,
    /// The link's own mistake, in the words of [`check_link`].
    #[error("{0}")]
    Link(String),
}

impl PinProblem {
    /// The form field the problem is shown beside.
    pub fn field(&self) -> &'static str {
        match self {
            PinProblem::Title => "title",
            PinProblem::BodyTooLong => "body",
            PinProblem::Link(_) => "link",
        }
    }
}

/// Checks an item against the rules: the item to pin, or every problem found, in the
/// order of the form.
pub fn check(draft: &PinDraft<'_>) -> Result<CheckedPin, Vec<PinProblem>> {
    let mut problems = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > LONGEST_TITLE {
        problems.push(PinProblem::Title);
    }
    if draft.body.chars().count() > LONGEST_BODY {
        problems.push(PinProblem::BodyTooLong);
    }
    let link = check_link(draft.link)
        .map_err(|e| problems.push(PinProblem::Link(e.to_string())))
        .ok();
    match link {
        Some(link) if problems.is_empty() => Ok(CheckedPin {
            title: title.into(),
            body: draft.body.trim().into(),
            link,
        }),
        _ => Err(problems),
    }
}

/// The organisation's pinned items, in the order they were added.
pub async fn pins(ctx: &Context, organisation: &Organisation) -> Result<Vec<Pin>, Error> {
    Ok(store::pins(&ctx.db, organisation.id).await?)
}

pub async fn add(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    pin: &CheckedPin,
) -> Result<(), Error> {
    store::add_pin(
        &ctx.db,
        &session.person.email,
        organisation,
        ctx.clock.now(),
        pin.title(),
        pin.body(),
        pin.link(),
    )
    .await?;
    Ok(())
}

/// Removes one of the organisation's pinned items; another organisation's is `NotFound`.
pub async fn remove(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    pin: i64,
) -> Result<(), Error> {
    store::remove_pin(
        &ctx.db,
        &session.person.email,
        organisation,
        ctx.clock.now(),
        pin,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin() -> PinDraft<'static> {
        PinDraft {
            title: " Our dignity at work policy ",
            body: "Read this first.",
            link: "https://example.nhs.uk/policy",
        }
    }

    #[test]
    fn a_pin_has_a_title_of_1_to_200_characters_and_at_most_2000_of_text() {
        let checked = check(&pin()).unwrap();
        assert_eq!(checked.title(), "Our dignity at work policy");
        let title = "x".repeat(LONGEST_TITLE);
        assert!(
            check(&PinDraft {
                title: &title,
                ..pin()
            })
            .is_ok()
        );
        let long_title = "x".repeat(LONGEST_TITLE + 1);
        for title in ["  ", long_title.as_str()] {
            assert_eq!(
                check(&PinDraft { title, ..pin() }),
                Err(vec![PinProblem::Title])
            );
        }
        let body = "x".repeat(LONGEST_BODY + 1);
        let found = check(&PinDraft {
            body: &body,
            ..pin()
        })
        .unwrap_err();
        assert_eq!(found, [PinProblem::BodyTooLong]);
        assert_eq!(
            found
                .iter()
                .map(|p| (p.field(), p.to_string()))
                .collect::<Vec<_>>(),
            [(
                "body",
                "The text must be 2,000 characters or fewer".to_owned()
            )]
        );
    }

    #[test]
    fn every_problem_is_found_at_once_with_the_links_own_words() {
        let body = "x".repeat(LONGEST_BODY + 1);
        let found = check(&PinDraft {
            title: "",
            body: &body,
            link: "javascript:alert(1)",
        })
        .unwrap_err();
        let fields: Vec<&str> = found.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["title", "body", "link"]);
        assert_eq!(
            found.last().map(ToString::to_string).as_deref(),
            Some("The web address must start with https:// or http://")
        );
    }
}
