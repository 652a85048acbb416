//! What a resource must be before it joins the catalogue or is changed: a kind, a title,
//! a summary and a publisher of bounded length, a safe link, who it is for and its
//! topics, and for a case study the parts that make it one. Checked here so every way of
//! curating keeps to it; the page only reads the form (and its dates).

use super::super::{CaseStudy, NewResource};
use dignity_domain::library::{Audience, Kind, Published, Topic, check_link};
use dignity_domain::speakup::Day;
use std::fmt;

/// Longest part of a case study, in characters.
const LONGEST_CASE_PART: usize = 3_000;

/// A resource as its curator typed it, read as far as the page could. A date is `None`
/// where the page could not read it (the page says why); `published` is `Some(None)`
/// when none was given.
#[derive(Debug, Clone, Copy)]
pub struct ResourceDraft<'a> {
    pub kind: Option<Kind>,
    pub title: &'a str,
    pub summary: &'a str,
    pub publisher: &'a str,
    pub link: &'a str,
    pub audiences: &'a [Audience],
    pub topics: &'a [Topic],
    pub published: Option<Option<Published>>,
    pub review_on: Option<Day>,
    pub case: &'a CaseStudy,
}

/// A resource that passed [`check`]: the only thing [`super::add`] and [`super::change`]
/// take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedResource(NewResource);

impl CheckedResource {
    pub fn resource(&self) -> &NewResource {
        &self.0
    }
}

/// The short text fields every resource has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Title,
    Summary,
    Publisher,
}

impl Text {
    fn longest(self) -> usize {
        match self {
            Text::Title => 300,
            Text::Summary => 1_500,
            Text::Publisher => 200,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Text::Title => "the title",
            Text::Summary => "a summary in your own words",
            Text::Publisher => "who published it",
        }
    }

    fn field(self) -> &'static str {
        match self {
            Text::Title => "title",
            Text::Summary => "summary",
            Text::Publisher => "publisher",
        }
    }
}

/// The parts of a case study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasePart {
    Organisation,
    Problem,
    Approach,
    Results,
    Contacts,
}

impl CasePart {
    const ALL: [CasePart; 5] = [
        CasePart::Organisation,
        CasePart::Problem,
        CasePart::Approach,
        CasePart::Results,
        CasePart::Contacts,
    ];

    fn of(self, case: &CaseStudy) -> &str {
        match self {
            CasePart::Organisation => &case.organisation,
            CasePart::Problem => &case.problem,
            CasePart::Approach => &case.approach,
            CasePart::Results => &case.results,
            CasePart::Contacts => &case.contacts,
        }
    }

    /// What a case study must say for this part, when it must say anything.
    fn required(self) -> Option<&'static str> {
        match self {
            CasePart::Organisation => Some("the organisation"),
            CasePart::Problem => Some("what was wrong"),
            CasePart::Approach => Some("what was done together"),
            CasePart::Results | CasePart::Contacts => None,
        }
    }

    fn field(self) -> &'static str {
        match self {
            CasePart::Organisation => "case_organisation",
            CasePart::Problem => "case_problem",
            CasePart::Approach => "case_approach",
            CasePart::Results => "case_results",
            CasePart::Contacts => "case_contacts",
        }
    }
}

/// Why a resource was refused. The text (its `Display`) is for the curator;
/// [`ResourceProblem::field`] names the form field it is shown beside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceProblem {
    NoKind,
    Missing(Text),
    TooLong(Text),
    /// The link's own mistake, in the words of [`check_link`].
    Link(String),
    NoAudience,
    NoTopic,
    CaseMissing(CasePart),
    CaseTooLong(CasePart),
}

impl ResourceProblem {
    /// The form field the problem is shown beside.
    pub fn field(&self) -> &'static str {
        match self {
            ResourceProblem::NoKind => "kind",
            ResourceProblem::Missing(text) | ResourceProblem::TooLong(text) => text.field(),
            ResourceProblem::Link(_) => "link",
            ResourceProblem::NoAudience => "audiences",
            ResourceProblem::NoTopic => "topics",
            ResourceProblem::CaseMissing(part) | ResourceProblem::CaseTooLong(part) => part.field(),
        }
    }
}

impl fmt::Display for ResourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceProblem::NoKind => f.write_str("Choose what kind of resource this is"),
            ResourceProblem::Missing(text) => write!(f, "Enter {}", text.what()),
            ResourceProblem::TooLong(text) => {
                write!(f, "This must be {} characters or fewer", text.longest())
            }
            ResourceProblem::Link(message) => f.write_str(message),
            ResourceProblem::NoAudience => f.write_str("Choose who it is for"),
            ResourceProblem::NoTopic => f.write_str("Choose at least one topic"),
            ResourceProblem::CaseMissing(part) => write!(
                f,
                "For a case study, enter {}",
                part.required().unwrap_or_default()
            ),
            ResourceProblem::CaseTooLong(_) => {
                f.write_str("This must be 3,000 characters or fewer")
            }
        }
    }
}

impl std::error::Error for ResourceProblem {}

/// Checks a resource against the rules: the resource to keep (trimmed; only a case study
/// keeps a case study's parts), or every problem found, in the order of the form. The
/// list is empty when only the dates were unread, which the page has said.
pub fn check(draft: &ResourceDraft<'_>) -> Result<CheckedResource, Vec<ResourceProblem>> {
    let mut problems = Vec::new();
    if draft.kind.is_none() {
        problems.push(ResourceProblem::NoKind);
    }
    for (text, value) in [
        (Text::Title, draft.title),
        (Text::Summary, draft.summary),
        (Text::Publisher, draft.publisher),
    ] {
        let n = value.trim().chars().count();
        if n == 0 {
            problems.push(ResourceProblem::Missing(text));
        } else if n > text.longest() {
            problems.push(ResourceProblem::TooLong(text));
        }
    }
    let link = check_link(draft.link)
        .map_err(|e| problems.push(ResourceProblem::Link(e.to_string())))
        .ok();
    if draft.audiences.is_empty() {
        problems.push(ResourceProblem::NoAudience);
    }
    if draft.topics.is_empty() {
        problems.push(ResourceProblem::NoTopic);
    }
    let case = CaseStudy {
        organisation: draft.case.organisation.trim().into(),
        problem: draft.case.problem.trim().into(),
        approach: draft.case.approach.trim().into(),
        results: draft.case.results.trim().into(),
        contacts: draft.case.contacts.trim().into(),
    };
    if draft.kind == Some(Kind::CaseStudy) {
        for part in CasePart::ALL {
            if part.required().is_some() && part.of(&case).is_empty() {
                problems.push(ResourceProblem::CaseMissing(part));
            }
        }
    }
    for part in CasePart::ALL {
        if part.of(&case).chars().count() > LONGEST_CASE_PART {
            problems.push(ResourceProblem::CaseTooLong(part));
        }
    }
    match (
        draft.kind,
        link,
        draft.published,
        draft.review_on,
        problems.is_empty(),
    ) {
        (Some(kind), Some(link), Some(published), Some(review_on), true) => {
            Ok(CheckedResource(NewResource {
                kind,
                title: draft.title.trim().into(),
                summary: draft.summary.trim().into(),
                publisher: draft.publisher.trim().into(),
                link,
                audiences: draft.audiences.to_vec(),
                topics: draft.topics.to_vec(),
                published,
                review_on,
                case: if kind == Kind::CaseStudy {
                    case
                } else {
                    CaseStudy::default()
                },
            }))
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(case: &CaseStudy) -> ResourceDraft<'_> {
        ResourceDraft {
            kind: Some(Kind::CaseStudy),
            title: " Listening to staff ",
            summary: "How one trust listened.",
            publisher: "NHS Employers",
            link: "https://example.nhs.uk/listening",
            audiences: &[Audience::Employers],
            topics: &[Topic::Prevention],
            published: Some(None),
            review_on: Day::parse("2030-01-01").ok(),
            case,
        }
    }

    fn case() -> CaseStudy {
        CaseStudy {
            organisation: "A trust".into(),
            problem: "Bullying on nights".into(),
            approach: "Listening sessions with the unions".into(),
            results: String::new(),
            contacts: String::new(),
        }
    }

    fn said(found: &[ResourceProblem]) -> Vec<(&'static str, String)> {
        found.iter().map(|p| (p.field(), p.to_string())).collect()
    }

    #[test]
    fn each_text_field_has_its_own_maximum_length() {
        let case = case();
        let checked = check(&draft(&case)).unwrap();
        assert_eq!(checked.resource().title, "Listening to staff");
        let title = "x".repeat(301);
        let summary = "x".repeat(1_501);
        let publisher = "x".repeat(201);
        let found = check(&ResourceDraft {
            title: &title,
            summary: &summary,
            publisher: &publisher,
            ..draft(&case)
        })
        .unwrap_err();
        assert_eq!(
            said(&found),
            [
                ("title", "This must be 300 characters or fewer".into()),
                ("summary", "This must be 1500 characters or fewer".into()),
                ("publisher", "This must be 200 characters or fewer".into()),
            ]
        );
        let just = "x".repeat(300);
        assert!(
            check(&ResourceDraft {
                title: &just,
                ..draft(&case)
            })
            .is_ok()
        );
        let found = check(&ResourceDraft {
            summary: " ",
            ..draft(&case)
        })
        .unwrap_err();
        assert_eq!(
            said(&found),
            [("summary", "Enter a summary in your own words".into())]
        );
    }

    #[test]
    fn a_case_study_says_who_what_and_how_in_at_most_3000_characters_each() {
        let long = CaseStudy {
            results: "x".repeat(3_001),
            ..case()
        };
        assert_eq!(
            said(&check(&draft(&long)).unwrap_err()),
            [(
                "case_results",
                "This must be 3,000 characters or fewer".into()
            )]
        );
        let empty = CaseStudy::default();
        assert_eq!(
            said(&check(&draft(&empty)).unwrap_err()),
            [
                (
                    "case_organisation",
                    "For a case study, enter the organisation".into()
                ),
                (
                    "case_problem",
                    "For a case study, enter what was wrong".into()
                ),
                (
                    "case_approach",
                    "For a case study, enter what was done together".into()
                ),
            ]
        );
        // Another kind keeps no case study, and needs none.
        let toolkit = check(&ResourceDraft {
            kind: Some(Kind::Toolkit),
            ..draft(&empty)
        })
        .unwrap();
        assert_eq!(toolkit.resource().case, CaseStudy::default());
        // Dates the page could not read: it has said so, and nothing is kept.
        let case = case();
        let unread = ResourceDraft {
            review_on: None,
            ..draft(&case)
        };
        assert_eq!(check(&unread), Err(Vec::new()));
    }
}
