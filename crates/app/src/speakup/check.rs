//! What a person speaking up may send: the rules for the concern form, a reply and a
//! feedback comment. The pages and anything else that takes a concern check it here, so
//! the rules are written once.

use super::report::{Concern, Report};
use crate::identity::OrgUnit;
use dignity_domain::speakup::{CaseType, IdentityLevel, PatientSafety, parse_month};

/// The most characters in any one thing a person writes.
pub const MAX_TEXT: usize = 10_000;

/// The concern form as it was sent, every field as typed.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConcernForm<'a> {
    /// `grievance` for a grievance; anything else is a concern.
    pub kind: &'a str,
    pub identity: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub what_happened: &'a str,
    /// An org unit's id from the organisation's own list, or blank.
    pub org_unit: &'a str,
    pub when_month: &'a str,
    pub when_year: &'a str,
    pub who_affected: &'a str,
    pub patient_safety: &'a str,
    pub desired_outcome: &'a str,
}

/// A field of the concern form that can be too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongField {
    WhatHappened,
    WhoAffected,
    DesiredOutcome,
    Name,
    Contact,
}

impl LongField {
    fn label(self) -> &'static str {
        match self {
            LongField::WhatHappened => "What happened",
            LongField::WhoAffected => "Who was affected",
            LongField::DesiredOutcome => "What you would like to happen",
            LongField::Name => "Your name",
            LongField::Contact => "How to contact you",
        }
    }

    fn field(self) -> &'static str {
        match self {
            LongField::WhatHappened => "what_happened",
            LongField::WhoAffected => "who_affected",
            LongField::DesiredOutcome => "desired_outcome",
            LongField::Name => "name",
            LongField::Contact => "contact",
        }
    }
}

/// Why a concern form was refused. The text is for the person; [`Problem::field`] names
/// the form field it belongs beside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("Choose how you want to be known")]
    NoIdentityLevel,
    #[error("A grievance needs your name, so choose open or confidential")]
    AnonymousGrievance,
    #[error("Enter your name, or choose to stay anonymous")]
    NoName,
    /// Anonymous, with a name or contact details typed as well: nothing is sent until the
    /// person has seen that they will not be kept. The pages take them out of the form.
    #[error(
        "You chose to stay anonymous, so we have taken out the name and contact details you typed. Nothing has been sent yet. To stay anonymous, send your concern again. To give your name, choose open or confidential and type it"
    )]
    NamedButAnonymous,
    #[error("Tell us what happened")]
    NothingHappened,
    #[error("{} must be 10,000 characters or fewer", .0.label())]
    TooLong(LongField),
    #[error("Choose a place from the list, or leave it blank")]
    UnknownPlace,
    /// The month and year it happened, as the NHS date input words each mistake.
    #[error("The date it happened must include a month, or leave both boxes empty")]
    WhenNeedsMonth,
    #[error("The date it happened must include a year, or leave both boxes empty")]
    WhenNeedsYear,
    #[error("The date it happened must include a year with 4 numbers")]
    WhenYearNotFourNumbers,
    #[error("The date it happened must be a real month and year, like 10 and 2026")]
    WhenNotReal,
    #[error("Tell us whether patients could be at risk")]
    NoPatientSafety,
}

impl Problem {
    /// The form field the problem is shown beside.
    pub fn field(&self) -> &'static str {
        match self {
            Problem::NoIdentityLevel | Problem::AnonymousGrievance | Problem::NamedButAnonymous => {
                "identity"
            }
            Problem::NoName => "name",
            Problem::NothingHappened => "what_happened",
            Problem::TooLong(field) => field.field(),
            Problem::UnknownPlace => "org_unit",
            Problem::WhenNeedsMonth
            | Problem::WhenNeedsYear
            | Problem::WhenYearNotFourNumbers
            | Problem::WhenNotReal => "when_month",
            Problem::NoPatientSafety => "patient_safety",
        }
    }
}

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_TEXT
}

/// Checks a concern form against the organisation's places: the concern to send, or
/// every problem found, in the order the form shows its fields.
pub fn check(form: &ConcernForm<'_>, units: &[OrgUnit]) -> Result<Concern, Vec<Problem>> {
    let mut problems = Vec::new();
    // A concern unless the person asks for a grievance: most people come to speak up.
    let case_type = match form.kind {
        "grievance" => CaseType::Grievance,
        _ => CaseType::Concern,
    };
    let level = form.identity.parse::<IdentityLevel>().ok();
    if level.is_none() {
        problems.push(Problem::NoIdentityLevel);
    }
    if case_type == CaseType::Grievance && level == Some(IdentityLevel::Anonymous) {
        problems.push(Problem::AnonymousGrievance);
    }
    let name = form.name.trim();
    let anonymous = level == Some(IdentityLevel::Anonymous);
    if matches!(
        level,
        Some(IdentityLevel::Open | IdentityLevel::Confidential)
    ) && name.is_empty()
    {
        problems.push(Problem::NoName);
    }
    // A name typed while choosing anonymous is never kept, and never dropped unsaid.
    // (An anonymous grievance is refused above, which says what to choose instead.)
    let typed_who = !name.is_empty() || !form.contact.trim().is_empty();
    if anonymous && case_type == CaseType::Concern && typed_who {
        problems.push(Problem::NamedButAnonymous);
    }
    let what = form.what_happened.trim();
    if what.is_empty() {
        problems.push(Problem::NothingHappened);
    } else if too_long(what) {
        problems.push(Problem::TooLong(LongField::WhatHappened));
    }
    for (field, text) in [
        (LongField::WhoAffected, form.who_affected),
        (LongField::DesiredOutcome, form.desired_outcome),
        (LongField::Name, form.name),
        (LongField::Contact, form.contact),
    ] {
        let not_kept = anonymous && matches!(field, LongField::Name | LongField::Contact);
        if too_long(text) && !not_kept {
            problems.push(Problem::TooLong(field));
        }
    }
    let unit = match form.org_unit.trim() {
        "" => None,
        raw => {
            let found = raw
                .parse::<i64>()
                .ok()
                .and_then(|id| units.iter().find(|u| u.id == id).cloned());
            if found.is_none() {
                problems.push(Problem::UnknownPlace);
            }
            found
        }
    };
    let when = match (form.when_month.trim(), form.when_year.trim()) {
        ("", "") => None,
        ("", _) => {
            problems.push(Problem::WhenNeedsMonth);
            None
        }
        (_, "") => {
            problems.push(Problem::WhenNeedsYear);
            None
        }
        (_, year) if !(year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())) => {
            problems.push(Problem::WhenYearNotFourNumbers);
            None
        }
        (month, year) => parse_month(&format!("{year}-{month}")).unwrap_or_else(|_| {
            problems.push(Problem::WhenNotReal);
            None
        }),
    };
    let safety = form.patient_safety.parse::<PatientSafety>().ok();
    if safety.is_none() {
        problems.push(Problem::NoPatientSafety);
    }
    match (level, safety, problems.is_empty()) {
        (Some(level), Some(safety), true) => {
            let known = level != IdentityLevel::Anonymous;
            let report = Report {
                identity_level: level.code().into(),
                name: known.then(|| name.to_owned()),
                contact: known
                    .then(|| form.contact.trim().to_owned())
                    .filter(|c| !c.is_empty()),
                what_happened: what.to_owned(),
                place: unit.as_ref().map(|u| u.name.clone()),
                when,
                who_affected: form.who_affected.trim().to_owned(),
                patient_safety: safety.code().into(),
                desired_outcome: form.desired_outcome.trim().to_owned(),
            };
            Ok(Concern {
                case_type,
                level,
                safety,
                unit,
                report,
            })
        }
        _ => Err(problems),
    }
}

/// Why a message from the person who spoke up was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageProblem {
    #[error("Write your message")]
    Empty,
    #[error("Your message must be 10,000 characters or fewer")]
    TooLong,
}

/// A reply to the guardian, trimmed; it must say something.
pub fn check_message(message: &str) -> Result<&str, MessageProblem> {
    let message = message.trim();
    if message.is_empty() {
        Err(MessageProblem::Empty)
    } else if too_long(message) {
        Err(MessageProblem::TooLong)
    } else {
        Ok(message)
    }
}

/// A feedback comment was too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Your comment must be 10,000 characters or fewer")]
pub struct CommentTooLong;

/// An optional feedback comment, trimmed.
pub fn check_comment(comment: &str) -> Result<&str, CommentTooLong> {
    if too_long(comment) {
        Err(CommentTooLong)
    } else {
        Ok(comment.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<OrgUnit> {
        vec![OrgUnit {
            id: 7,
            organisation_id: 1,
            parent_id: None,
            kind: dignity_domain::identity::OrgUnitKind::Team,
            name: "Ward 7".into(),
        }]
    }

    fn anonymous() -> ConcernForm<'static> {
        ConcernForm {
            identity: "anonymous",
            what_happened: "  Shouted at in handover  ",
            patient_safety: "no",
            ..ConcernForm::default()
        }
    }

    fn problems(form: ConcernForm<'_>) -> Vec<Problem> {
        check(&form, &units()).err().unwrap_or_default()
    }

    #[test]
    fn an_anonymous_concern_with_a_name_or_contact_typed_is_not_sent() {
        for (name, contact) in [("Sam", ""), ("", "sam@example.org"), ("Sam", "ext 4410")] {
            let form = ConcernForm {
                name,
                contact,
                ..anonymous()
            };
            assert_eq!(problems(form), vec![Problem::NamedButAnonymous]);
        }
        let blank = ConcernForm {
            name: "  ",
            contact: " ",
            ..anonymous()
        };
        assert!(check(&blank, &units()).is_ok(), "blanks are not a name");
    }

    #[test]
    fn an_anonymous_concern_keeps_no_name_or_contact_and_trims_what_it_keeps() {
        let form = ConcernForm {
            org_unit: "7",
            when_month: "10",
            when_year: "2026",
            ..anonymous()
        };
        let concern = check(&form, &units()).unwrap();
        assert_eq!(concern.case_type, CaseType::Concern);
        assert_eq!(concern.level, IdentityLevel::Anonymous);
        assert_eq!(concern.report.name, None);
        assert_eq!(concern.report.contact, None);
        assert_eq!(concern.report.what_happened, "Shouted at in handover");
        assert_eq!(concern.report.place.as_deref(), Some("Ward 7"));
        assert_eq!(concern.report.when.as_deref(), Some("2026-10"));
        assert_eq!(concern.unit.map(|u| u.id), Some(7));
    }

    #[test]
    fn a_named_concern_needs_a_name_and_keeps_its_contact() {
        let open = ConcernForm {
            identity: "open",
            ..anonymous()
        };
        assert_eq!(problems(open), vec![Problem::NoName]);
        let concern = check(
            &ConcernForm {
                name: " Sam ",
                contact: " ext 4410 ",
                ..open
            },
            &units(),
        )
        .unwrap();
        assert_eq!(concern.report.name.as_deref(), Some("Sam"));
        assert_eq!(concern.report.contact.as_deref(), Some("ext 4410"));
    }

    #[test]
    fn a_grievance_cannot_be_anonymous() {
        let form = ConcernForm {
            kind: "grievance",
            ..anonymous()
        };
        assert_eq!(problems(form), vec![Problem::AnonymousGrievance]);
        let concern = check(
            &ConcernForm {
                identity: "confidential",
                name: "Sam",
                ..form
            },
            &units(),
        )
        .unwrap();
        assert_eq!(concern.case_type, CaseType::Grievance);
    }

    #[test]
    fn each_mistake_in_when_it_happened_is_named() {
        let when = |month: &'static str, year: &'static str| {
            problems(ConcernForm {
                when_month: month,
                when_year: year,
                ..anonymous()
            })
        };
        assert_eq!(when("", ""), vec![]);
        assert_eq!(when("10", "2026"), vec![]);
        assert_eq!(when("", "2026"), vec![Problem::WhenNeedsMonth]);
        assert_eq!(when("10", ""), vec![Problem::WhenNeedsYear]);
        assert_eq!(when("10", "26"), vec![Problem::WhenYearNotFourNumbers]);
        assert_eq!(when("13", "2026"), vec![Problem::WhenNotReal]);
        assert_eq!(when("October", "2026"), vec![Problem::WhenNotReal]);
    }

    #[test]
    fn every_problem_is_found_at_once_beside_its_field() {
        let long = "x".repeat(MAX_TEXT + 1);
        let form = ConcernForm {
            identity: "",
            what_happened: &long,
            contact: &long,
            org_unit: "8",
            when_month: "13",
            when_year: "2026",
            patient_safety: "maybe",
            ..ConcernForm::default()
        };
        let found = problems(form);
        assert_eq!(
            found,
            vec![
                Problem::NoIdentityLevel,
                Problem::TooLong(LongField::WhatHappened),
                Problem::TooLong(LongField::Contact),
                Problem::UnknownPlace,
                Problem::WhenNotReal,
                Problem::NoPatientSafety,
            ]
        );
        let fields: Vec<&str> = found.iter().map(Problem::field).collect();
        assert_eq!(
            fields,
            [
                "identity",
                "what_happened",
                "contact",
                "org_unit",
                "when_month",
                "patient_safety"
            ]
        );
        assert_eq!(
            Problem::TooLong(LongField::Contact).to_string(),
            "How to contact you must be 10,000 characters or fewer"
        );
        assert_eq!(
            problems(ConcernForm {
                what_happened: "   ",
                ..anonymous()
            }),
            vec![Problem::NothingHappened]
        );
    }

    #[test]
    fn exactly_the_limit_is_allowed() {
        let limit = "é".repeat(MAX_TEXT);
        let form = ConcernForm {
            what_happened: &limit,
            ..anonymous()
        };
        assert!(check(&form, &units()).is_ok());
        assert_eq!(check_message(&limit), Ok(limit.as_str()));
        assert_eq!(check_comment(&limit), Ok(limit.as_str()));
        let over = format!("{limit}x");
        assert_eq!(check_message(&over), Err(MessageProblem::TooLong));
        assert_eq!(check_comment(&over), Err(CommentTooLong));
        assert_eq!(check_message("  \n "), Err(MessageProblem::Empty));
        assert_eq!(check_comment(" fine "), Ok("fine"));
    }
}
