//! Employee relations cases (issue 18): their types, the stages a case moves through and
//! the order they must keep, the outcomes, stage targets with a fast-track, and suspension
//! reviews (docs/just-culture.md).
//!
//! Every rule that decides whether a move is allowed lives here, so the pages, the command
//! line and the demo cannot disagree about it.

use crate::speakup::Day;

code_list!(
    /// What a case is about.
    CaseType, "case type", {
        Conduct => "conduct", "Conduct (disciplinary)";
        CapabilityPerformance => "capability_performance", "Capability: performance";
        CapabilityIllHealth => "capability_ill_health", "Capability: ill health";
        BullyingComplaint => "bullying_complaint", "Bullying or harassment complaint";
        Grievance => "grievance", "Grievance";
        SicknessAbsence => "sickness_absence", "Sickness absence";
    }
);

impl CaseType {
    /// A conduct case is the disciplinary process the decision guide protects: it must come
    /// from a guide record, and its investigation needs the independent check.
    pub fn needs_guide(self) -> bool {
        self == CaseType::Conduct
    }
}

code_list!(
    /// Where a case is. Stages are in the order a case can reach them; `Closed` ends it.
    Stage, "stage", {
        Informal => "informal", "Informal";
        Investigation => "investigation", "Investigation";
        Hearing => "hearing", "Hearing";
        Outcome => "outcome", "Outcome";
        Appeal => "appeal", "Appeal";
        AppealOutcome => "appeal_outcome", "Appeal outcome";
        Closed => "closed", "Closed";
    }
);

code_list!(
    /// What a hearing, or an investigation that needs no hearing, decided.
    Outcome, "outcome", {
        NoCaseToAnswer => "no_case_to_answer", "No case to answer";
        InformalAction => "informal_action", "Informal action";
        FirstWrittenWarning => "first_written_warning", "First written warning";
        FinalWrittenWarning => "final_written_warning", "Final written warning";
        Dismissal => "dismissal", "Dismissal";
        Other => "other", "Other";
    }
);

impl Outcome {
    /// Whether this outcome is a sanction, which only a hearing can give: an investigation
    /// alone can find no case to answer, or end in informal action.
    pub fn needs_hearing(self) -> bool {
        matches!(
            self,
            Outcome::FirstWrittenWarning | Outcome::FinalWrittenWarning | Outcome::Dismissal
        )
    }
}

code_list!(
    /// What an appeal decided.
    AppealOutcome, "appeal outcome", {
        Upheld => "upheld", "Appeal upheld";
        PartlyUpheld => "partly_upheld", "Appeal partly upheld";
        NotUpheld => "not_upheld", "Appeal not upheld";
    }
);

code_list!(
    /// How a person is kept away from their usual work while a case runs.
    SuspensionKind, "kind", {
        Suspension => "suspension", "Suspension";
        Exclusion => "exclusion", "Exclusion";
        RestrictedDuties => "restricted_duties", "Restricted duties";
    }
);

code_list!(
    /// What an entry in a case's file is.
    EntryKind, "entry kind", {
        Note => "note", "Note";
        Allegation => "allegation", "Allegation";
        Finding => "finding", "Investigation finding";
        Letter => "letter", "Letter";
        Correction => "correction", "Change to a closed case";
    }
);

/// The stages a case may start at.
pub const FIRST_STAGES: [Stage; 2] = [Stage::Informal, Stage::Investigation];

impl Stage {
    /// The stages a case may move to from here. None is skipped: a hearing needs an
    /// investigation, an appeal needs an outcome, an appeal outcome needs an appeal.
    pub fn next(self) -> &'static [Stage] {
        match self {
            Stage::Informal => &[Stage::Investigation, Stage::Closed],
            Stage::Investigation => &[Stage::Hearing, Stage::Outcome],
            Stage::Hearing => &[Stage::Outcome],
            Stage::Outcome => &[Stage::Appeal, Stage::Closed],
            Stage::Appeal => &[Stage::AppealOutcome],
            Stage::AppealOutcome => &[Stage::Closed],
            Stage::Closed => &[],
        }
    }

    /// Where this stage sits in [`Stage::ALL`], for per-stage settings.
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Days each stage should take, in [`Stage::ALL`] order (the last, closed, is not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageTargets(pub [u16; 6]);

impl StageTargets {
    /// Days a stage should take, or `None` for a closed case.
    pub fn days(&self, stage: Stage) -> Option<u16> {
        self.0.get(stage.index()).copied()
    }
}

/// The time limits an organisation works to: the usual ones, shorter ones for a case on
/// the fast-track, and how often a suspension must be reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timescales {
    pub standard: StageTargets,
    pub fast_track: StageTargets,
    pub review_every_days: u16,
}

impl Default for Timescales {
    /// Defaults an organisation can change in its settings. Fast-track limits follow the
    /// approach the seeds describe: each stage in about a third of the usual time.
    fn default() -> Self {
        Timescales {
            // informal, investigation, hearing, outcome, appeal, appeal outcome
            standard: StageTargets([28, 56, 28, 7, 28, 7]),
            fast_track: StageTargets([10, 21, 10, 3, 10, 3]),
            review_every_days: 14,
        }
    }
}

impl Timescales {
    /// The day a stage started on `since` should end by.
    pub fn target(&self, stage: Stage, since: Day, fast_track: bool) -> Option<Day> {
        let targets = if fast_track {
            &self.fast_track
        } else {
            &self.standard
        };
        targets
            .days(stage)
            .map(|days| since.plus_days(i64::from(days)))
    }

    /// How many days a stage started on `since` is past its time limit on `today`, or
    /// `None` when it is not (a limit that falls today is not yet over). The one rule the
    /// case list, the case page and the lead's home page all show.
    pub fn days_over(&self, stage: Stage, since: Day, fast_track: bool, today: Day) -> Option<i64> {
        let target = self.target(stage, since, fast_track)?;
        (target < today).then(|| today.days_since(target))
    }
}

/// Why a case could not be opened or moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("A case starts at the informal stage or with an investigation")]
    BadFirstStage,
    #[error("A case at the {from} stage cannot go to {to}. It can go to: {allowed}")]
    Skipped {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("The date cannot be before the {stage} stage started ({on})")]
    BeforeLastStage { stage: &'static str, on: Day },
    #[error("The date cannot be in the future")]
    InFuture,
    #[error("Choose the outcome")]
    NoOutcome,
    #[error("Choose the appeal's outcome")]
    NoAppealOutcome,
    #[error("Only a hearing can give a warning or a dismissal. Move the case to a hearing first")]
    NeedsHearing,
    #[error(
        "A conduct investigation can start only after an employee relations lead has checked the decision guide record and agreed"
    )]
    NoIndependentCheck,
    #[error("This case is closed")]
    Closed,
    #[error(
        "The case cannot close before its running suspension started or was last reviewed ({on}). Choose a later date"
    )]
    BeforeSuspension { on: Day },
}

/// A move a person asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub to: Stage,
    pub on: Day,
    pub outcome: Option<Outcome>,
    pub appeal_outcome: Option<AppealOutcome>,
}

/// Whether a case at `from` (since `since`) may make `step` today. `check_agreed` says
/// whether a conduct case's guide record has an agreed independent check.
pub fn may_move(
    case_type: CaseType,
    from: Stage,
    since: Day,
    step: &Move,
    today: Day,
    check_agreed: bool,
) -> Result<(), MoveRefused> {
    if from == Stage::Closed {
        return Err(MoveRefused::Closed);
    }
    if !from.next().contains(&step.to) {
        return Err(MoveRefused::Skipped {
            from: from.label(),
            to: step.to.label(),
            allowed: from
                .next()
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    check_day(step.on, Some((from, since)), today)?;
    check_entry(case_type, step, check_agreed)?;
    if step.to == Stage::Outcome && from == Stage::Investigation {
        // Without a hearing, an outcome cannot be a sanction.
        if step.outcome.is_some_and(Outcome::needs_hearing) {
            return Err(MoveRefused::NeedsHearing);
        }
    }
    Ok(())
}

/// Whether a case may start at `step` (a new case's first stage).
pub fn may_open(
    case_type: CaseType,
    step: &Move,
    today: Day,
    check_agreed: bool,
) -> Result<(), MoveRefused> {
    if !FIRST_STAGES.contains(&step.to) {
        return Err(MoveRefused::BadFirstStage);
    }
    check_day(step.on, None, today)?;
    check_entry(case_type, step, check_agreed)
}

/// What entering a stage needs, wherever the case comes from.
fn check_entry(case_type: CaseType, step: &Move, check_agreed: bool) -> Result<(), MoveRefused> {
    match step.to {
        Stage::Investigation if case_type.needs_guide() && !check_agreed => {
            Err(MoveRefused::NoIndependentCheck)
        }
        Stage::Outcome if step.outcome.is_none() => Err(MoveRefused::NoOutcome),
        Stage::AppealOutcome if step.appeal_outcome.is_none() => Err(MoveRefused::NoAppealOutcome),
        _ => Ok(()),
    }
}

fn check_day(on: Day, after: Option<(Stage, Day)>, today: Day) -> Result<(), MoveRefused> {
    if on > today {
        return Err(MoveRefused::InFuture);
    }
    if let Some((stage, since)) = after
        && on < since
    {
        return Err(MoveRefused::BeforeLastStage {
            stage: stage.label(),
            on: since,
        });
    }
    Ok(())
}

/// Why a suspension, or its review, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuspensionRefused {
    #[error("Enter the date of the first review")]
    NoReviewDate,
    #[error("The first review must be after the start date")]
    ReviewNotAfterStart,
    #[error("The first review must be within {days} days of the start")]
    ReviewTooLate { days: u16 },
    #[error("The date cannot be in the future")]
    InFuture,
    #[error("The date cannot be before the case was opened ({on})")]
    BeforeCase { on: Day },
    #[error("Say whether you checked on the person's wellbeing")]
    NoWellbeingAnswer,
    #[error("Enter the date of the next review, or end the suspension")]
    NoNextReview,
    #[error("The review cannot be before the last one ({on})")]
    BeforeLastReview { on: Day },
    #[error("This person is already kept from their usual work on this case")]
    AlreadySuspended,
    #[error("This suspension has ended")]
    Ended,
}

/// Checks a suspension's start day and first review: a review date is required, and no
/// later than the organisation's interval after the start.
pub fn check_suspension(
    started_on: Day,
    first_review: Option<Day>,
    opened_on: Day,
    today: Day,
    timescales: &Timescales,
) -> Result<Day, SuspensionRefused> {
    if started_on > today {
        return Err(SuspensionRefused::InFuture);
    }
    if started_on < opened_on {
        return Err(SuspensionRefused::BeforeCase { on: opened_on });
    }
    next_review(started_on, first_review, timescales)
}

/// Checks the date of the next review after `from`.
pub fn next_review(
    from: Day,
    review: Option<Day>,
    timescales: &Timescales,
) -> Result<Day, SuspensionRefused> {
    let review = review.ok_or(SuspensionRefused::NoReviewDate)?;
    if review <= from {
        return Err(SuspensionRefused::ReviewNotAfterStart);
    }
    if review.days_since(from) > i64::from(timescales.review_every_days) {
        return Err(SuspensionRefused::ReviewTooLate {
            days: timescales.review_every_days,
        });
    }
    Ok(review)
}

/// Checks a review's day: not in the future, not before the last review or the start.
pub fn check_review(on: Day, last: Day, today: Day) -> Result<(), SuspensionRefused> {
    if on > today {
        return Err(SuspensionRefused::InFuture);
    }
    if on < last {
        return Err(SuspensionRefused::BeforeLastReview { on: last });
    }
    Ok(())
}

/// The longest piece of text kept in a case's file, in characters. A form is sent
/// URL-encoded, where one character outside ASCII takes up to twelve bytes, and forms are
/// capped at 64 KiB: any text this long still arrives whole.
pub const TEXT_LIMIT: usize = 5_000;

/// Whether text holds nothing a reader could see: only spaces and invisible characters
/// (zero-width spaces and joiners, direction marks, soft hyphens, byte-order marks). An
/// outside attack gave a zero-width space as the reason for changing a closed case.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{180E}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{FEFF}'
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn to(stage: Stage, on: &str) -> Move {
        Move {
            to: stage,
            on: day(on),
            outcome: None,
            appeal_outcome: None,
        }
    }

    const TODAY: &str = "2026-06-30";

    #[test]
    fn a_case_walks_every_stage_in_order_and_skips_none() {
        let today = day(TODAY);
        let since = day("2026-01-05");
        let mut outcome = to(Stage::Outcome, "2026-03-01");
        outcome.outcome = Some(Outcome::FinalWrittenWarning);
        let mut appeal_outcome = to(Stage::AppealOutcome, "2026-04-01");
        appeal_outcome.appeal_outcome = Some(AppealOutcome::NotUpheld);
        let walk = [
            (Stage::Informal, to(Stage::Investigation, "2026-01-10")),
            (Stage::Investigation, to(Stage::Hearing, "2026-02-01")),
            (Stage::Hearing, outcome),
            (Stage::Outcome, to(Stage::Appeal, "2026-03-10")),
            (Stage::Appeal, appeal_outcome),
            (Stage::AppealOutcome, to(Stage::Closed, "2026-04-02")),
        ];
        for (from, step) in walk {
            assert_eq!(
                may_move(CaseType::Grievance, from, since, &step, today, false),
                Ok(()),
                "{from:?} to {:?}",
                step.to
            );
        }
        // Skips are refused, and the refusal names where the case can go.
        let refused = may_move(
            CaseType::Grievance,
            Stage::Investigation,
            since,
            &to(Stage::Appeal, "2026-02-01"),
            today,
            false,
        );
        assert_eq!(
            refused,
            Err(MoveRefused::Skipped {
                from: "Investigation",
                to: "Appeal",
                allowed: "Hearing, Outcome".into()
            })
        );
        assert_eq!(
            may_move(
                CaseType::Grievance,
                Stage::Closed,
                since,
                &to(Stage::Appeal, "2026-02-01"),
                today,
                false
            ),
            Err(MoveRefused::Closed)
        );
    }

    #[test]
    fn dates_keep_their_order_and_are_not_in_the_future() {
        let today = day(TODAY);
        let since = day("2026-02-01");
        assert_eq!(
            may_move(
                CaseType::Grievance,
                Stage::Investigation,
                since,
                &to(Stage::Hearing, "2026-01-31"),
                today,
                false
            ),
            Err(MoveRefused::BeforeLastStage {
                stage: "Investigation",
                on: since
            })
        );
        // The same day is fine: a hearing can be arranged the day an investigation ends.
        assert_eq!(
            may_move(
                CaseType::Grievance,
                Stage::Investigation,
                since,
                &to(Stage::Hearing, "2026-02-01"),
                today,
                false
            ),
            Ok(())
        );
        assert_eq!(
            may_open(
                CaseType::Grievance,
                &to(Stage::Informal, "2026-07-01"),
                today,
                false
            ),
            Err(MoveRefused::InFuture)
        );
    }

    #[test]
    fn a_conduct_investigation_needs_an_agreed_check_wherever_it_starts() {
        let today = day(TODAY);
        let step = to(Stage::Investigation, "2026-03-01");
        assert_eq!(
            may_open(CaseType::Conduct, &step, today, false),
            Err(MoveRefused::NoIndependentCheck)
        );
        assert_eq!(may_open(CaseType::Conduct, &step, today, true), Ok(()));
        assert_eq!(
            may_move(
                CaseType::Conduct,
                Stage::Informal,
                day("2026-02-01"),
                &step,
                today,
                false
            ),
            Err(MoveRefused::NoIndependentCheck)
        );
        // Informal handling of conduct needs no check; other types never do.
        assert_eq!(
            may_open(
                CaseType::Conduct,
                &to(Stage::Informal, "2026-03-01"),
                today,
                false
            ),
            Ok(())
        );
        assert_eq!(may_open(CaseType::Grievance, &step, today, false), Ok(()));
        assert_eq!(
            may_open(
                CaseType::Grievance,
                &to(Stage::Hearing, "2026-03-01"),
                today,
                false
            ),
            Err(MoveRefused::BadFirstStage)
        );
    }

    #[test]
    fn only_a_hearing_can_give_a_sanction_and_outcomes_must_be_chosen() {
        let today = day(TODAY);
        let since = day("2026-02-01");
        let mut step = to(Stage::Outcome, "2026-03-01");
        assert_eq!(
            may_move(
                CaseType::Conduct,
                Stage::Investigation,
                since,
                &step,
                today,
                true
            ),
            Err(MoveRefused::NoOutcome)
        );
        step.outcome = Some(Outcome::Dismissal);
        assert_eq!(
            may_move(
                CaseType::Conduct,
                Stage::Investigation,
                since,
                &step,
                today,
                true
            ),
            Err(MoveRefused::NeedsHearing)
        );
        assert_eq!(
            may_move(CaseType::Conduct, Stage::Hearing, since, &step, today, true),
            Ok(())
        );
        step.outcome = Some(Outcome::NoCaseToAnswer);
        assert_eq!(
            may_move(
                CaseType::Conduct,
                Stage::Investigation,
                since,
                &step,
                today,
                true
            ),
            Ok(())
        );
        assert_eq!(
            may_move(
                CaseType::Conduct,
                Stage::Appeal,
                since,
                &to(Stage::AppealOutcome, "2026-03-01"),
                today,
                true
            ),
            Err(MoveRefused::NoAppealOutcome)
        );
    }

    #[test]
    fn fast_track_targets_are_shorter_for_every_stage() {
        let t = Timescales::default();
        let since = day("2026-01-01");
        for stage in &Stage::ALL[..6] {
            let standard = t.target(*stage, since, false).unwrap();
            let fast = t.target(*stage, since, true).unwrap();
            assert!(fast < standard, "{stage:?}");
        }
        assert_eq!(
            t.target(Stage::Investigation, since, false),
            Some(day("2026-02-26"))
        );
        assert_eq!(t.target(Stage::Closed, since, false), None);
    }

    #[test]
    fn invisible_text_is_blank() {
        assert!(is_blank(" \u{200B}\u{FEFF}\t"));
        assert!(is_blank("\u{202E}"));
        assert!(!is_blank("\u{200B}a"));
        assert!(!is_blank("é"));
    }

    #[test]
    fn a_suspension_needs_a_review_date_within_the_interval() {
        let t = Timescales::default();
        let today = day(TODAY);
        let opened = day("2026-05-01");
        let start = day("2026-06-01");
        assert_eq!(
            check_suspension(start, None, opened, today, &t),
            Err(SuspensionRefused::NoReviewDate)
        );
        assert_eq!(
            check_suspension(start, Some(start), opened, today, &t),
            Err(SuspensionRefused::ReviewNotAfterStart)
        );
        assert_eq!(
            check_suspension(start, Some(day("2026-06-16")), opened, today, &t),
            Err(SuspensionRefused::ReviewTooLate { days: 14 })
        );
        assert_eq!(
            check_suspension(start, Some(day("2026-06-15")), opened, today, &t),
            Ok(day("2026-06-15"))
        );
        assert_eq!(
            check_suspension(
                day("2026-04-30"),
                Some(day("2026-05-10")),
                opened,
                today,
                &t
            ),
            Err(SuspensionRefused::BeforeCase { on: opened })
        );
        assert_eq!(
            check_review(day("2026-06-10"), day("2026-06-12"), today),
            Err(SuspensionRefused::BeforeLastReview {
                on: day("2026-06-12")
            })
        );
        assert_eq!(
            check_review(day("2026-07-10"), day("2026-06-12"), today),
            Err(SuspensionRefused::InFuture)
        );
    }
}
