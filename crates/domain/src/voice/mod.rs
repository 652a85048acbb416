//! Staff voice (issue 20): challenges set by an organisation or nationally, staff ideas
//! under them, support, comments and official answers. The rules that need no database.

pub mod screen;

code_list!(
    /// Where an idea stands, as its official answer says. Every state but `Open` is an
    /// answer, given on a day; `NotTaken` needs a reason.
    IdeaState, "idea state", {
        Open => "open", "Waiting for an answer";
        Considering => "considering", "Under consideration";
        Accepted => "accepted", "Accepted";
        InProgress => "in_progress", "In progress";
        Done => "done", "Done";
        NotTaken => "not_taken", "Not taken forward";
    }
);

code_list!(
    /// Whether a post is up for everyone, waiting for a moderator, or taken down by one.
    Moderation, "moderation", {
        Shown => "shown", "Shown";
        Held => "held", "Waiting for a moderator";
        Hidden => "hidden", "Hidden by a moderator";
    }
);

code_list!(
    /// How a challenge's ideas are listed.
    IdeaOrder, "order", {
        Newest => "newest", "Newest";
        MostSupported => "supported", "Most supported";
        MostDiscussed => "discussed", "Most discussed";
        Trending => "trending", "Trending";
    }
);

/// The community rules, numbered from 1 in this order: each a short title and what it
/// means. A moderator who hides a post names the rule it breaks by its number.
pub const RULES: &[(&str, &str)] = &[
    (
        "Be kind and polite",
        "Disagree with ideas, not with people. No insults, threats or mocking.",
    ),
    (
        "Do not name or describe anyone",
        "Leave out the names of colleagues and patients, and anything that could tell who they are, such as a ward and a shift.",
    ),
    (
        "Keep private details out",
        "Do not post NHS numbers, phone numbers, email addresses or home addresses, yours or anyone else's.",
    ),
    (
        "Raise concerns the right way",
        "If something is wrong, such as bullying or a risk to patients, speak up to a Freedom to Speak Up Guardian. They can act on it. Staff voice cannot.",
    ),
    (
        "Stay on the question",
        "Keep ideas and comments to the challenge they are under.",
    ),
    (
        "No adverts or spam",
        "Do not sell things or post the same thing many times.",
    ),
    (
        "Respect everyone",
        "Nothing that is unfair to people because of their race, sex, disability, religion, sexuality, age or any other part of who they are.",
    ),
];

/// The staff groups someone may give for the participation figures: the staff survey's
/// list, so the two can be read side by side.
pub fn staff_groups() -> &'static [&'static str] {
    crate::survey::DEMOGRAPHICS
        .iter()
        .find(|(name, _)| *name == "staff_group")
        .map_or(&[], |(_, groups)| *groups)
}

/// Reads a staff group as a form sends it: one of [`staff_groups`], or nothing given
/// (`Ok(None)`); anything else is `Err`.
pub fn staff_group(raw: &str) -> Result<Option<&'static str>, UnknownStaffGroup> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    staff_groups()
        .iter()
        .find(|group| group.eq_ignore_ascii_case(raw))
        .map(|group| Some(*group))
        .ok_or(UnknownStaffGroup)
}

/// A staff group that is not on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("choose a staff group from the list, or none")]
pub struct UnknownStaffGroup;

/// How an idea ranks in [`IdeaOrder::Trending`]: support and comments, each worth less
/// as the idea ages (halved every week), so a new idea with some support rises above an
/// old one with more. `age_seconds` below zero counts as zero.
pub fn trending_score(supporters: i64, comments: i64, age_seconds: i64) -> f64 {
    let weight = (supporters.max(0) + comments.max(0)) as f64 + 1.0;
    weight * 0.5f64.powf(age_seconds.max(0) as f64 / TREND_HALF_LIFE)
}

/// Seconds for support and comments to halve in worth.
const TREND_HALF_LIFE: f64 = 7.0 * 86_400.0;

/// A key that sorts ideas as [`trending_score`] does at any later time, so it can be
/// stored and indexed: the score's base-2 logarithm in half-lives, plus the time now
/// (which is the same for every idea and so leaves the order alone), in seconds.
pub fn trend_key(supporters: i64, comments: i64, posted_at: i64) -> f64 {
    let weight = (supporters.max(0) + comments.max(0)) as f64 + 1.0;
    weight.log2() * TREND_HALF_LIFE + posted_at as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_trend_key_sorts_as_the_score_does_at_any_time() {
        let ideas: Vec<(i64, i64, i64)> = (0..60)
            .map(|n| ((n * 7) % 23, (n * 5) % 11, 1_000_000 + n * 37_000))
            .collect();
        // Every idea is posted by then: a score treats an idea from the future as new.
        for now in [3_200_000, 9_000_000, 40_000_000] {
            let mut by_score = ideas.clone();
            by_score.sort_by(|a, b| {
                trending_score(b.0, b.1, now - b.2).total_cmp(&trending_score(a.0, a.1, now - a.2))
            });
            let mut by_key = ideas.clone();
            by_key.sort_by(|a, b| trend_key(b.0, b.1, b.2).total_cmp(&trend_key(a.0, a.1, a.2)));
            assert_eq!(by_score, by_key, "at {now}");
        }
    }

    #[test]
    fn a_staff_group_is_one_on_the_list_or_none() {
        assert!(staff_groups().len() > 5);
        assert_eq!(staff_group(""), Ok(None));
        assert_eq!(staff_group("  "), Ok(None));
        assert_eq!(
            staff_group("medical and dental"),
            Ok(Some("Medical and dental"))
        );
        assert_eq!(staff_group("Surgeons"), Err(UnknownStaffGroup));
        assert_eq!(staff_group("Medical and dental'--"), Err(UnknownStaffGroup));
    }

    #[test]
    fn trending_favours_new_support_over_old() {
        let day = 86_400;
        assert!(trending_score(5, 0, day) > trending_score(20, 0, 30 * day));
        assert!(trending_score(5, 0, day) < trending_score(6, 0, day));
        assert_eq!(trending_score(3, 1, -5), trending_score(3, 1, 0));
        assert!((trending_score(1, 0, 7 * day) - 1.0).abs() < 1e-9);
    }
}
