//! What a campaign must be before it is set up: named, asking a survey, closing on or
//! after the day it opens, and answered through the open link only where the
//! installation can tell who has answered. The survey year it counts in follows from its
//! closing day, the same for every way a campaign is made.

use crate::identity::Organisation;
use dignity_domain::speakup::Day;
use dignity_domain::survey::Participation;
use dignity_store::survey::Campaign;

/// Longest name, in characters.
const LONGEST_TITLE: usize = 120;

/// A campaign as an administrator set it out, read as far as the page could. A date is
/// `None` where the page could not read it (the page says why; nothing is checked
/// against it); a survey or a way of taking part is `None` where none of those offered
/// was chosen.
#[derive(Debug, Clone, Copy)]
pub struct CampaignDraft<'a> {
    pub title: &'a str,
    pub survey_id: Option<i64>,
    pub opens_on: Option<Day>,
    pub closes_on: Option<Day>,
    pub participation: Option<Participation>,
    /// Whether this installation has the key that open-link answering needs
    /// (`answering::by_open_link`).
    pub open_links_on: bool,
}

/// A campaign that passed [`check`]: the only thing `campaigns::create` and
/// `Operator::create_campaign` set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    survey_id: i64,
    title: String,
    opens_on: Day,
    closes_on: Day,
    participation: Participation,
}

impl NewCampaign {
    /// A campaign set up by the operator's commands, which have no form (nor the pages'
    /// open-link key, so an open-link campaign is theirs to judge): the first problem,
    /// if any.
    pub fn new(
        survey_id: i64,
        title: &str,
        opens_on: Day,
        closes_on: Day,
        participation: Participation,
    ) -> Result<NewCampaign, CampaignProblem> {
        let draft = CampaignDraft {
            title,
            survey_id: Some(survey_id),
            opens_on: Some(opens_on),
            closes_on: Some(closes_on),
            participation: Some(participation),
            open_links_on: true,
        };
        match problems(&draft).first() {
            Some(problem) => Err(*problem),
            None => Ok(NewCampaign {
                survey_id,
                title: title.trim().to_owned(),
                opens_on,
                closes_on,
                participation,
            }),
        }
    }

    /// The survey year the campaign counts in, which last year's figures and the
    /// national comparison are found by: the year it closes, so a campaign from November
    /// to January is the new year's.
    pub fn year(&self) -> i64 {
        self.closes_on.ymd().0
    }

    /// The campaign to store for `organisation`.
    pub(crate) fn for_organisation(&self, organisation: &Organisation) -> Campaign {
        Campaign {
            id: 0,
            survey_id: self.survey_id,
            organisation_id: organisation.id,
            title: self.title.clone(),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            year: self.year(),
            participation: self.participation,
        }
    }
}

/// Why a campaign was refused. The text is for the administrator;
/// [`CampaignProblem::field`] names the form field it is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CampaignProblem {
    #[error("Enter a name for the survey of 120 characters or fewer")]
    Title,
    #[error("Choose which questions to ask")]
    NoSurvey,
    #[error("The closing date must be the same as or after the opening date")]
    ClosesBeforeItOpens,
    #[error("Choose how people take part")]
    NoParticipation,
    #[error(
        "Open links are turned off on this installation. Ask the people who run Dignity to set survey_participation_key, or use invitation codes"
    )]
    OpenLinksOff,
}

impl CampaignProblem {
    /// The form field the problem is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            CampaignProblem::Title => "title",
            CampaignProblem::NoSurvey => "survey",
            CampaignProblem::ClosesBeforeItOpens => "closes-day",
            CampaignProblem::NoParticipation | CampaignProblem::OpenLinksOff => "participation",
        }
    }
}

/// Checks a campaign against the rules: the campaign to set up, or every problem found,
/// in the order the form shows its fields. The list is empty when only the dates were
/// missing, which the page has said.
pub fn check(draft: &CampaignDraft<'_>) -> Result<NewCampaign, Vec<CampaignProblem>> {
    let problems = problems(draft);
    match (
        draft.survey_id,
        draft.opens_on,
        draft.closes_on,
        draft.participation,
        problems.is_empty(),
    ) {
        (Some(survey_id), Some(opens_on), Some(closes_on), Some(participation), true) => {
            Ok(NewCampaign {
                survey_id,
                title: draft.title.trim().to_owned(),
                opens_on,
                closes_on,
                participation,
            })
        }
        _ => Err(problems),
    }
}

fn problems(draft: &CampaignDraft<'_>) -> Vec<CampaignProblem> {
    let mut problems = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > LONGEST_TITLE {
        problems.push(CampaignProblem::Title);
    }
    if draft.survey_id.is_none() {
        problems.push(CampaignProblem::NoSurvey);
    }
    if let (Some(opens_on), Some(closes_on)) = (draft.opens_on, draft.closes_on)
        && closes_on < opens_on
    {
        problems.push(CampaignProblem::ClosesBeforeItOpens);
    }
    match draft.participation {
        None => problems.push(CampaignProblem::NoParticipation),
        Some(Participation::OpenLink) if !draft.open_links_on => {
            problems.push(CampaignProblem::OpenLinksOff);
        }
        Some(_) => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::organisation;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn draft<'a>(title: &'a str, opens: &str, closes: &str) -> CampaignDraft<'a> {
        CampaignDraft {
            title,
            survey_id: Some(1),
            opens_on: Some(day(opens)),
            closes_on: Some(day(closes)),
            participation: Some(Participation::Tokens),
            open_links_on: false,
        }
    }

    #[test]
    fn a_campaign_is_named_and_closes_on_or_after_the_day_it_opens() {
        let good = check(&draft("  Pulse survey ", "2026-09-01", "2026-09-01")).unwrap();
        assert_eq!(good.title, "Pulse survey");
        for title in ["", "   ", &"x".repeat(121)] {
            let refused = check(&draft(title, "2026-09-01", "2026-10-31")).unwrap_err();
            assert_eq!(refused, [CampaignProblem::Title]);
            assert_eq!(refused[0].field(), "title");
        }
        assert!(check(&draft(&"x".repeat(120), "2026-09-01", "2026-10-31")).is_ok());
        let backwards = check(&draft("Pulse", "2026-09-02", "2026-09-01")).unwrap_err();
        assert_eq!(backwards, [CampaignProblem::ClosesBeforeItOpens]);
        assert_eq!(backwards[0].field(), "closes-day");
        assert_eq!(
            backwards[0].to_string(),
            "The closing date must be the same as or after the opening date"
        );
        assert_eq!(
            NewCampaign::new(
                1,
                "Pulse",
                day("2026-09-02"),
                day("2026-09-01"),
                Participation::Tokens
            ),
            Err(CampaignProblem::ClosesBeforeItOpens),
            "the operator's campaigns keep the same rules"
        );
    }

    #[test]
    fn every_problem_is_found_at_once_in_the_order_of_the_form() {
        let nothing = CampaignDraft {
            title: "",
            survey_id: None,
            opens_on: Some(day("2026-09-02")),
            closes_on: Some(day("2026-09-01")),
            participation: None,
            open_links_on: true,
        };
        assert_eq!(
            check(&nothing).unwrap_err(),
            [
                CampaignProblem::Title,
                CampaignProblem::NoSurvey,
                CampaignProblem::ClosesBeforeItOpens,
                CampaignProblem::NoParticipation,
            ]
        );
        // Dates the page could not read: it has said so, and nothing is set up.
        let unread = CampaignDraft {
            opens_on: None,
            ..draft("Pulse", "2026-09-01", "2026-09-30")
        };
        assert_eq!(check(&unread).unwrap_err(), []);
    }

    #[test]
    fn an_open_link_campaign_needs_the_installations_key() {
        let open_link = CampaignDraft {
            participation: Some(Participation::OpenLink),
            ..draft("Pulse", "2026-09-01", "2026-09-30")
        };
        let refused = check(&open_link).unwrap_err();
        assert_eq!(refused, [CampaignProblem::OpenLinksOff]);
        assert_eq!(refused[0].field(), "participation");
        assert!(
            check(&CampaignDraft {
                open_links_on: true,
                ..open_link
            })
            .is_ok()
        );
    }

    #[test]
    fn a_campaign_counts_in_the_year_it_closes() {
        let rj1 = organisation(1, "RJ1");
        let winter = NewCampaign::new(
            1,
            "Winter pulse",
            day("2026-11-15"),
            day("2027-01-14"),
            Participation::Tokens,
        )
        .unwrap();
        assert_eq!(winter.year(), 2027);
        let stored = winter.for_organisation(&rj1);
        assert_eq!((stored.year, stored.organisation_id), (2027, 1));
        let autumn = check(&draft("Culture survey", "2026-09-01", "2026-10-31")).unwrap();
        assert_eq!(autumn.year(), 2026);
    }
}
