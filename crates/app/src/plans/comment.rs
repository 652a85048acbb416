//! What a staff comment on an action must be before it waits for moderation: some text,
//! and no more than an administrator can fairly read. Checked here so every way of
//! commenting keeps to it; the page only reads the form.

/// Longest comment, in characters.
pub const LONGEST: usize = 1_000;

/// A comment that passed [`check`], trimmed: the only thing [`super::add_comment`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedComment(String);

impl CheckedComment {
    pub fn text(&self) -> &str {
        &self.0
    }
}

/// Why a comment was refused. The text is for whoever wrote it; [`CommentProblem::field`]
/// names the form field it is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommentProblem {
    #[error("Enter your comment")]
    Empty,
    #[error("Your comment must be {LONGEST} characters or fewer. It has {length}")]
    TooLong { length: usize },
}

impl CommentProblem {
    /// The form field the problem is shown beside.
    pub fn field(self) -> &'static str {
        "comment"
    }
}

/// Checks a comment as typed: the trimmed comment, or what is wrong with it.
pub fn check(comment: &str) -> Result<CheckedComment, CommentProblem> {
    let comment = comment.trim();
    let length = comment.chars().count();
    if length == 0 {
        Err(CommentProblem::Empty)
    } else if length > LONGEST {
        Err(CommentProblem::TooLong { length })
    } else {
        Ok(CheckedComment(comment.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_has_some_text_and_at_most_1000_characters() {
        assert_eq!(check("  Thank you  ").unwrap().text(), "Thank you");
        assert!(check(&"x".repeat(LONGEST)).is_ok());
        assert_eq!(check(" \n "), Err(CommentProblem::Empty));
        assert_eq!(CommentProblem::Empty.to_string(), "Enter your comment");
        let long = check(&"x".repeat(LONGEST + 1)).unwrap_err();
        assert_eq!(long, CommentProblem::TooLong { length: 1_001 });
        assert_eq!(
            long.to_string(),
            "Your comment must be 1000 characters or fewer. It has 1001"
        );
        assert_eq!(long.field(), "comment");
    }
}
