//! What a news post must be before it is published: a title of at most 200 characters,
//! some news of at most 20,000, and at least one audience and one topic. Checked here so
//! every way of publishing keeps to it; the page only reads the form.

use super::NewPost;
use dignity_domain::library::{Audience, Topic};

/// Longest title, in characters.
const LONGEST_TITLE: usize = 200;
/// Longest news, in characters: as long as any Markdown the pages take.
const LONGEST_BODY: usize = 20_000;

/// A post as its writer typed it, its audiences and topics as far as the page could read
/// them (codes that read as none are left out).
#[derive(Debug, Clone, Copy)]
pub struct PostDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub audiences: &'a [Audience],
    pub topics: &'a [Topic],
}

/// A post that passed [`check`]: the only thing [`super::publish`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPost(NewPost);

impl CheckedPost {
    pub fn post(&self) -> &NewPost {
        &self.0
    }
}

/// Why a post was refused. The text is for the writer; [`PostProblem::field`] names the
/// form field it is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostProblem {
    #[error("Enter a title of 200 characters or fewer")]
    Title,
    #[error("Enter the news")]
    NoBody,
    #[error("The news must be 20,000 characters or fewer")]
    BodyTooLong,
    #[error("Choose who it is for")]
    NoAudience,
    #[error("Choose at least one topic")]
    NoTopic,
}

impl PostProblem {
    /// The form field the problem is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            PostProblem::Title => "title",
            PostProblem::NoBody | PostProblem::BodyTooLong => "body",
            PostProblem::NoAudience => "audiences",
            PostProblem::NoTopic => "topics",
        }
    }
}

/// Checks a post against the rules: the post to publish (trimmed, its audiences and
/// topics sorted once each), or every problem found, in the order of the form.
pub fn check(draft: &PostDraft<'_>) -> Result<CheckedPost, Vec<PostProblem>> {
    let mut problems = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > LONGEST_TITLE {
        problems.push(PostProblem::Title);
    }
    let body = draft.body.trim();
    if body.is_empty() {
        problems.push(PostProblem::NoBody);
    } else if body.chars().count() > LONGEST_BODY {
        problems.push(PostProblem::BodyTooLong);
    }
    if draft.audiences.is_empty() {
        problems.push(PostProblem::NoAudience);
    }
    if draft.topics.is_empty() {
        problems.push(PostProblem::NoTopic);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut audiences = draft.audiences.to_vec();
    audiences.sort();
    audiences.dedup();
    let mut topics = draft.topics.to_vec();
    topics.sort();
    topics.dedup();
    Ok(CheckedPost(NewPost {
        title: title.into(),
        body: body.into(),
        audiences,
        topics,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> PostDraft<'static> {
        PostDraft {
            title: "  New guidance on civility  ",
            body: "Read it **today**.",
            audiences: &[Audience::Staff, Audience::Employers, Audience::Staff],
            topics: &[Topic::Prevention],
        }
    }

    #[test]
    fn a_post_has_a_short_title_and_some_news_of_at_most_20000_characters() {
        let checked = check(&post()).unwrap();
        assert_eq!(checked.post().title, "New guidance on civility");
        assert_eq!(
            checked.post().audiences,
            [Audience::Employers, Audience::Staff]
        );
        let title = "x".repeat(LONGEST_TITLE);
        assert!(
            check(&PostDraft {
                title: &title,
                ..post()
            })
            .is_ok()
        );
        let long_title = "x".repeat(LONGEST_TITLE + 1);
        for title in [" ", long_title.as_str()] {
            assert_eq!(
                check(&PostDraft { title, ..post() }),
                Err(vec![PostProblem::Title])
            );
        }
        let body = "x".repeat(LONGEST_BODY + 1);
        assert_eq!(
            check(&PostDraft {
                body: &body,
                ..post()
            }),
            Err(vec![PostProblem::BodyTooLong])
        );
        assert_eq!(
            PostProblem::BodyTooLong.to_string(),
            "The news must be 20,000 characters or fewer"
        );
        assert_eq!(PostProblem::BodyTooLong.field(), "body");
    }

    #[test]
    fn every_problem_is_found_at_once_in_the_order_of_the_form() {
        let nothing = PostDraft {
            title: "",
            body: "\n",
            audiences: &[],
            topics: &[],
        };
        let found = check(&nothing).unwrap_err();
        assert_eq!(
            found,
            [
                PostProblem::Title,
                PostProblem::NoBody,
                PostProblem::NoAudience,
                PostProblem::NoTopic
            ]
        );
        let fields: Vec<&str> = found.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["title", "body", "audiences", "topics"]);
        assert_eq!(
            PostProblem::Title.to_string(),
            "Enter a title of 200 characters or fewer"
        );
    }
}
