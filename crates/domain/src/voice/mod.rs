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

/// How an idea ranks in [`IdeaOrder::Trending`]: support and comments, each worth less
/// as the idea ages (halved every week), so a new idea with some support rises above an
/// old one with more. `age_seconds` below zero counts as zero.
pub fn trending_score(supporters: i64, comments: i64, age_seconds: i64) -> f64 {
    const HALF_LIFE: f64 = 7.0 * 86_400.0;
    let weight = (supporters.max(0) + comments.max(0)) as f64 + 1.0;
    weight * 0.5f64.powf(age_seconds.max(0) as f64 / HALF_LIFE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trending_favours_new_support_over_old() {
        let day = 86_400;
        assert!(trending_score(5, 0, day) > trending_score(20, 0, 30 * day));
        assert!(trending_score(5, 0, day) < trending_score(6, 0, day));
        assert_eq!(trending_score(3, 1, -5), trending_score(3, 1, 0));
        assert!((trending_score(1, 0, 7 * day) - 1.0).abs() < 1e-9);
    }
}
