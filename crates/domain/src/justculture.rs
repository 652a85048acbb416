//! The just culture decision guide: five questions a manager answers before taking an
//! incident about a member of staff further, the route they point to, and the independent
//! check a formal process needs first (docs/just-culture.md).
//!
//! The questions follow the order of the NHS guide, in our own words: intent first, then
//! health, then whether a workable rule was knowingly broken, then whether a colleague would
//! have done the same, then what made it harder. The first question that settles the route
//! ends the walk: a later answer cannot turn a health matter into a disciplinary one.

use crate::identity::InvalidValue;

code_list!(
    /// Where the guide points, and where the manager decides to go.
    Route, "route", {
        SupportAndLearning => "support_and_learning", "Support and learning";
        OccupationalHealth => "occupational_health", "Occupational health";
        SystemFix => "system_fix", "Fix the system, not the person";
        Informal => "informal", "Informal management action";
        Formal => "formal", "A formal process";
    }
);

impl Route {
    /// What the route means, in a sentence, for the guide's result page.
    pub fn meaning(self) -> &'static str {
        match self {
            Route::SupportAndLearning => {
                "Help the person learn from what happened, with support, coaching or training. No formal action."
            }
            Route::OccupationalHealth => {
                "Ask occupational health to help. Treat this as a health matter, not a conduct matter."
            }
            Route::SystemFix => {
                "The way work is set up let this happen. Change the system so it does not happen again, to anyone."
            }
            Route::Informal => {
                "Talk to the person and agree what changes. Keep a short note. No formal process."
            }
            Route::Formal => {
                "A formal process may be right. An employee relations lead outside your line must agree before it starts."
            }
        }
    }
}

code_list!(
    /// The five questions, in the order they are asked.
    Question, "question", {
        HarmIntended => "harm_intended", "Did they mean to cause harm?";
        IllHealth => "ill_health", "Did ill health play a part?";
        Foresight => "foresight", "Did they knowingly break a clear, workable rule that people normally follow?";
        Substitution => "substitution", "Would a colleague with the same training and experience have done the same?";
        Mitigation => "mitigation", "Was something making it harder for them?";
    }
);

impl Question {
    /// A hint under the question, in plain words.
    pub fn hint(self) -> &'static str {
        match self {
            Question::HarmIntended => {
                "Think about what they wanted to happen, not what did happen. Most mistakes are not meant."
            }
            Question::IllHealth => {
                "This includes physical health, mental health, and alcohol or drug use."
            }
            Question::Foresight => {
                "Answer yes only if there was an agreed way of working, it could be followed, people did follow it, and they chose not to."
            }
            Question::Substitution => {
                "Picture someone else in the same job, with the same training, on the same shift. Would they likely have done the same thing?"
            }
            Question::Mitigation => {
                "For example, too little support or supervision, too much work, or training they did not get."
            }
        }
    }

    /// The answer to this question that settles the route, and the route it gives.
    fn settles(self) -> (bool, Route) {
        match self {
            Question::HarmIntended => (true, Route::Formal),
            Question::IllHealth => (true, Route::OccupationalHealth),
            // No knowing breach of a workable rule: the rule or the work is the problem.
            Question::Foresight => (false, Route::SystemFix),
            Question::Substitution => (true, Route::SystemFix),
            Question::Mitigation => (true, Route::SupportAndLearning),
        }
    }
}

/// The longest reason kept for one answer or decision, in characters.
pub const REASON_LIMIT: usize = 2_000;

/// A manager's yes or no to each question, in [`Question::ALL`] order. Questions after
/// the one that settled the route are `None`: the guide stops asking there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers(pub [Option<bool>; 5]);

impl Answers {
    pub fn get(&self, question: Question) -> Option<bool> {
        let index = Question::ALL.iter().position(|q| *q == question)?;
        self.0.get(index).copied().flatten()
    }

    /// The questions that must be answered, given the answers so far: each up to and
    /// including the first whose answer settles the route.
    pub fn asked(&self) -> Vec<Question> {
        let mut asked = Vec::new();
        for (question, answer) in Question::ALL.iter().zip(self.0) {
            asked.push(*question);
            if answer == Some(question.settles().0) {
                break;
            }
        }
        asked
    }

    /// The route the guide recommends, or the first question still to answer. With every
    /// test passed (meant no harm, no health part, a rule knowingly broken, a colleague
    /// would not have, nothing making it harder) the guide points to informal action: a
    /// formal process is for the manager to choose and an independent check to agree.
    pub fn recommend(&self) -> Result<Route, Question> {
        for (question, answer) in Question::ALL.iter().zip(self.0) {
            let Some(answer) = answer else {
                return Err(*question);
            };
            let (settling, route) = question.settles();
            if answer == settling {
                return Ok(route);
            }
        }
        Ok(Route::Informal)
    }

    /// Only the answers the guide asked, so a stray answer past the settling one is not
    /// kept (it was never part of the walk).
    pub fn trimmed(&self) -> Answers {
        let asked = self.asked();
        let mut kept = [None; 5];
        for (slot, (question, answer)) in kept.iter_mut().zip(Question::ALL.iter().zip(self.0)) {
            if asked.contains(question) {
                *slot = answer;
            }
        }
        Answers(kept)
    }
}

code_list!(
    /// Where an independent check stands.
    CheckState, "check state", {
        NotNeeded => "not_needed", "Not needed";
        Waiting => "waiting", "Waiting for a check";
        Agreed => "agreed", "Agreed";
        NotAgreed => "not_agreed", "Not agreed";
    }
);

impl CheckState {
    /// A manager's decision needs a check only when it is a formal process.
    pub fn for_decision(decided: Route) -> CheckState {
        if decided == Route::Formal {
            CheckState::Waiting
        } else {
            CheckState::NotNeeded
        }
    }
}

/// Why a check cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckRefused {
    #[error("This record does not need a check: the decision was not a formal process")]
    NotNeeded,
    #[error("This record has already been checked")]
    AlreadyChecked,
    #[error("You started this record, so someone outside your line must check it")]
    OwnRecord,
    #[error("Give a reason for your check")]
    NoReason,
    #[error("Keep the reason to {REASON_LIMIT} characters or fewer")]
    ReasonTooLong,
}

/// Whether a reviewer may record a check: the record waits for one, they did not start it,
/// and they give a reason.
pub fn may_check(
    state: CheckState,
    manager_id: i64,
    reviewer_id: i64,
    reason: &str,
) -> Result<(), CheckRefused> {
    match state {
        CheckState::NotNeeded => return Err(CheckRefused::NotNeeded),
        CheckState::Agreed | CheckState::NotAgreed => return Err(CheckRefused::AlreadyChecked),
        CheckState::Waiting => {}
    }
    if manager_id == reviewer_id {
        return Err(CheckRefused::OwnRecord);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CheckRefused::NoReason);
    }
    if reason.chars().count() > REASON_LIMIT {
        return Err(CheckRefused::ReasonTooLong);
    }
    Ok(())
}

/// Whether a formal process may start from a record: only once its check agreed.
pub fn formal_may_start(state: CheckState) -> bool {
    state == CheckState::Agreed
}

/// Parses a yes or no radio answer.
pub fn yes_no(raw: &str) -> Result<bool, InvalidValue> {
    match raw.trim() {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(InvalidValue::NotInList {
            what: "answer",
            value: other.to_owned(),
            allowed: "yes, no".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(list: &[Option<bool>]) -> Answers {
        let mut all = [None; 5];
        for (slot, a) in all.iter_mut().zip(list) {
            *slot = *a;
        }
        Answers(all)
    }

    #[test]
    fn each_question_settles_the_route_it_should() {
        let y = Some(true);
        let n = Some(false);
        assert_eq!(answers(&[y]).recommend(), Ok(Route::Formal));
        assert_eq!(answers(&[n, y]).recommend(), Ok(Route::OccupationalHealth));
        assert_eq!(answers(&[n, n, n]).recommend(), Ok(Route::SystemFix));
        assert_eq!(answers(&[n, n, y, y]).recommend(), Ok(Route::SystemFix));
        assert_eq!(
            answers(&[n, n, y, n, y]).recommend(),
            Ok(Route::SupportAndLearning)
        );
        assert_eq!(answers(&[n, n, y, n, n]).recommend(), Ok(Route::Informal));
    }

    #[test]
    fn a_later_answer_cannot_overturn_an_earlier_one() {
        // Ill health settles it, whatever was said about rules afterwards.
        let a = answers(&[
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            Some(false),
        ]);
        assert_eq!(a.recommend(), Ok(Route::OccupationalHealth));
        assert_eq!(a.asked(), vec![Question::HarmIntended, Question::IllHealth]);
        assert_eq!(a.trimmed(), answers(&[Some(false), Some(true)]));
    }

    #[test]
    fn an_unanswered_question_on_the_way_is_named() {
        assert_eq!(answers(&[]).recommend(), Err(Question::HarmIntended));
        assert_eq!(
            answers(&[Some(false), Some(false)]).recommend(),
            Err(Question::Foresight)
        );
        // A gap is named even when a later answer is given.
        assert_eq!(
            answers(&[Some(false), None, Some(true)]).recommend(),
            Err(Question::IllHealth)
        );
    }

    #[test]
    fn only_a_formal_decision_waits_for_a_check_and_only_an_agreed_check_starts_one() {
        for route in Route::ALL {
            let state = CheckState::for_decision(*route);
            assert_eq!(state == CheckState::Waiting, *route == Route::Formal);
        }
        assert!(formal_may_start(CheckState::Agreed));
        for state in [
            CheckState::NotNeeded,
            CheckState::Waiting,
            CheckState::NotAgreed,
        ] {
            assert!(!formal_may_start(state));
        }
    }

    #[test]
    fn a_check_needs_someone_else_a_reason_and_a_waiting_record() {
        assert_eq!(
            may_check(CheckState::Waiting, 1, 2, "Seen the record"),
            Ok(())
        );
        assert_eq!(
            may_check(CheckState::Waiting, 1, 1, "Mine"),
            Err(CheckRefused::OwnRecord)
        );
        assert_eq!(
            may_check(CheckState::Waiting, 1, 2, "  "),
            Err(CheckRefused::NoReason)
        );
        assert_eq!(
            may_check(CheckState::Agreed, 1, 2, "Again"),
            Err(CheckRefused::AlreadyChecked)
        );
        assert_eq!(
            may_check(CheckState::NotNeeded, 1, 2, "Why"),
            Err(CheckRefused::NotNeeded)
        );
        let long = "a".repeat(REASON_LIMIT + 1);
        assert_eq!(
            may_check(CheckState::Waiting, 1, 2, &long),
            Err(CheckRefused::ReasonTooLong)
        );
    }

    #[test]
    fn yes_and_no_are_the_only_answers() {
        assert_eq!(yes_no("yes"), Ok(true));
        assert_eq!(yes_no(" no "), Ok(false));
        assert!(yes_no("maybe").is_err());
    }
}
