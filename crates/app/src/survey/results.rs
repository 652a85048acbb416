//! A closed campaign's results, as its dashboard and downloads show them: every figure a
//! [`Disclosed`] value, decided by `dignity_engine::disclosure`. The pages only format
//! what this returns.

use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::survey::{Question, answer_score, theme_score};
use dignity_engine::aggregate::{Indicator, indicator, reports};
use dignity_engine::disclosure::{self, Answers, Disclosed, Minimum};
use dignity_engine::equality::{self, Comparison, DISABILITY, RACE, ScoreGap};
use dignity_engine::stats::differs;
use dignity_engine::{Bitmap, Columns};
use dignity_store::survey::{self, Campaign};

/// Who reads an organisation's survey results: both sides of the partnership and its
/// administrators. Aggregates only: no role sees a single response.
pub const READERS: &[Role] = &[Role::Executive, Role::UnionPartner, Role::OrgAdmin];

/// Whether one figure differs from another by more than chance (two-proportion test at
/// 95 %). Nothing is said about chance differences, or beside a hidden figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    None,
    Higher,
    Lower,
}

impl Difference {
    /// Between two figures, when both are shown.
    pub fn between(pair: Disclosed<(Answers, Answers)>) -> Difference {
        match pair.value() {
            Some((a, b)) if differs(a.positive, a.answered, b.positive, b.answered) => {
                let share = |x: &Answers| x.positive as f64 / x.answered.max(1) as f64;
                if share(a) > share(b) {
                    Difference::Higher
                } else {
                    Difference::Lower
                }
            }
            _ => Difference::None,
        }
    }
}

/// A figure and how it compares with another.
#[derive(Debug, Clone)]
pub struct Compared {
    pub figure: Disclosed<Answers>,
    pub difference: Difference,
}

/// One question (or one choice of a multiple-choice question).
#[derive(Debug, Clone)]
pub struct ItemResults {
    pub text: String,
    pub everyone: Disclosed<Answers>,
    /// Each group of the chosen grouping ("not given" first), against everyone else.
    pub groups: Vec<Compared>,
    /// The same question last year, against this year, when there was a campaign then.
    pub last_year: Option<Compared>,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub minimum: Minimum,
    pub respondents: Disclosed<u64>,
    /// Every grouping the results can be broken down by: (key, label).
    pub groupings: Vec<(String, String)>,
    /// The grouping chosen, if any, and its groups' labels.
    pub by: Option<String>,
    pub group_labels: Vec<String>,
    pub items: Vec<ItemResults>,
    /// The title of last year's campaign, when there was one.
    pub last_year: Option<String>,
    /// Each theme's title and score (0 to 10).
    pub themes: Vec<(String, Disclosed<f64>)>,
    /// The speaking-up index (0 to 100).
    pub speaking_up: Disclosed<f64>,
    pub wres: Vec<Comparison>,
    pub wdes: Vec<Comparison>,
    /// WDES metric 9a, when the survey has an engagement theme.
    pub wdes_engagement: Option<ScoreGap>,
}

/// The answers counted for an item, in the disclosure's terms.
pub fn answers_of(i: &Indicator) -> Answers {
    Answers {
        positive: i.positive,
        answered: i.answered,
    }
}

fn engine(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

/// "staff_group" reads as "Staff group"; each organisation's own places read as people
/// know them.
fn label(key: &str) -> String {
    if key == "org_unit" {
        return "Team or department".into();
    }
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Each item's answers from everyone in last year's campaign of the same survey, in this
/// year's item order, with that campaign's title.
async fn last_year(
    ctx: &Context,
    campaign: &Campaign,
    keys: &[String],
) -> Result<Option<(String, Vec<Disclosed<Answers>>)>, Error> {
    let before = survey::campaigns_for(&ctx.db, campaign.organisation_id)
        .await?
        .into_iter()
        .find(|c| c.survey_id == campaign.survey_id && c.year == campaign.year - 1);
    let Some(before) = before else {
        return Ok(None);
    };
    let loaded = ctx.surveys.campaign(ctx, &before).await?;
    let columns = &loaded.columns;
    let minimum = ctx.minimums.survey();
    let whole = disclosure::population(columns.rows() as u64, minimum);
    let found: Vec<Option<usize>> = keys.iter().map(|k| columns.item_index(k)).collect();
    let present: Vec<usize> = found.iter().flatten().copied().collect();
    let report =
        reports(columns, &Bitmap::full(columns.rows()), &present, &[None], 2).map_err(engine)?;
    let figures = found
        .iter()
        .map(|k| {
            let counts = (*k).and_then(|k| {
                let at = present.iter().position(|p| *p == k)?;
                Some(indicator(
                    columns.items().get(k)?,
                    report.first()?.histogram(0, at),
                ))
            });
            match counts {
                Some(i) => disclosure::overall(answers_of(&i), &whole, minimum),
                None => Disclosed::hidden(),
            }
        })
        .collect();
    Ok(Some((before.title, figures)))
}

/// Each respondent's score for one theme (0 to 10), or `None` when they answered too few
/// of its questions; see docs/survey.md.
fn person_theme_scores(
    definition: &dignity_domain::survey::Survey,
    columns: &Columns,
    theme_key: &str,
) -> Result<Vec<Option<f64>>, Error> {
    let questions = definition.items();
    let item_cols: Vec<&[u8]> = (0..questions.len())
        .map(|i| columns.item(i))
        .collect::<Result<_, _>>()
        .map_err(engine)?;
    // Each question in the theme, with its column of answers.
    let members: Vec<(&Question, &[u8])> = questions
        .iter()
        .zip(&item_cols)
        .filter(|(q, _)| q.choice.is_none() && q.question.theme.as_deref() == Some(theme_key))
        .map(|(q, column)| (q.question, *column))
        .collect();
    Ok((0..columns.rows())
        .map(|row| {
            let scored: Vec<Option<f64>> = members
                .iter()
                .map(|(question, column)| {
                    answer_score(question, column.get(row).copied().unwrap_or(0))
                })
                .collect();
            theme_score(&scored)
        })
        .collect())
}

/// Theme scores: each person's mean scored answer in the theme, then the mean of people.
fn themes(
    definition: &dignity_domain::survey::Survey,
    columns: &Columns,
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Result<Vec<(String, Disclosed<f64>)>, Error> {
    definition
        .themes
        .iter()
        .map(|theme| {
            let (sum, people) = person_theme_scores(definition, columns, &theme.key)?
                .into_iter()
                .flatten()
                .fold((0.0, 0u64), |(sum, n), score| (sum + score, n + 1));
            Ok((
                theme.title.clone(),
                disclosure::mean(sum, people, whole, minimum),
            ))
        })
        .collect()
}

/// The theme whose score is the staff engagement score (WDES metric 9a).
const ENGAGEMENT_THEME: &str = "engagement";

/// A closed campaign's results, broken down by the grouping `by` (a key; anything else
/// means no breakdown). A campaign still open loads as no responses (see `cache`).
pub async fn campaign_results(
    ctx: &Context,
    campaign: &Campaign,
    by: &str,
) -> Result<Results, Error> {
    let loaded = ctx.surveys.campaign(ctx, campaign).await?;
    let (definition, columns) = (&loaded.definition, &loaded.columns);
    let minimum = ctx.minimums.survey();
    let all = Bitmap::full(columns.rows());
    let whole = disclosure::population(columns.rows() as u64, minimum);
    // Every stored item: each question, and each choice of a multiple-choice question.
    let questions = definition.items();
    let item_indexes: Vec<usize> = (0..questions.len()).collect();
    let groupings = columns
        .dims()
        .iter()
        .map(|d| (d.key.clone(), label(&d.key)))
        .collect();
    let by = columns.dim_index(by);
    // Everyone, then the chosen grouping if there is one.
    let breakdowns: Vec<Option<usize>> = std::iter::once(None).chain(by.map(Some)).collect();
    let out = reports(columns, &all, &item_indexes, &breakdowns, 2).map_err(engine)?;
    let everyone = out
        .first()
        .ok_or_else(|| Error::Internal("the engine returned no report".into()))?;
    let (group_labels, groups): (Vec<String>, Vec<Disclosed<u64>>) = match (by, out.get(1)) {
        (Some(d), Some(report)) => {
            let sizes: Vec<u64> = (0..report.groups).map(|g| report.group_size(g)).collect();
            let mut labels = vec!["Not given".to_owned()];
            if let Some(dim) = columns.dims().get(d) {
                labels.extend(dim.labels.iter().cloned());
            }
            (labels, disclosure::groups(&sizes, &whole, minimum))
        }
        _ => (Vec::new(), Vec::new()),
    };
    let keys: Vec<String> = questions.iter().map(|q| q.key.clone()).collect();
    let previous = last_year(ctx, campaign, &keys).await?;
    let items = questions
        .iter()
        .zip(columns.items())
        .enumerate()
        .map(|(j, (q, meta))| {
            let overall = disclosure::overall(
                answers_of(&indicator(meta, everyone.histogram(0, j))),
                &whole,
                minimum,
            );
            let row_groups = match out.get(1) {
                Some(report) => {
                    let counts: Vec<Answers> = (0..report.groups)
                        .map(|g| answers_of(&indicator(meta, report.histogram(g, j))))
                        .collect();
                    disclosure::answers(&counts, &groups, &overall, minimum)
                        .into_iter()
                        .map(|cell| {
                            // Against everyone else in the campaign.
                            let rest = disclosure::rest(&overall, &cell, minimum);
                            Compared {
                                difference: Difference::between(cell.zip(rest)),
                                figure: cell,
                            }
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            let last_year = previous.as_ref().map(|(_, figures)| {
                let before = figures.get(j).copied().unwrap_or_else(Disclosed::hidden);
                Compared {
                    difference: Difference::between(overall.zip(before)),
                    figure: before,
                }
            });
            ItemResults {
                text: q.text.clone(),
                everyone: overall,
                groups: row_groups,
                last_year,
            }
        })
        .collect();
    let comparisons = |definitions: &[equality::Definition], pair| -> Result<_, Error> {
        let mut rows = Vec::new();
        for def in definitions {
            if let Some(c) = equality::compare(columns, &all, def, pair, minimum).map_err(engine)? {
                rows.push(c);
            }
        }
        Ok(rows)
    };
    Ok(Results {
        minimum,
        respondents: whole,
        groupings,
        by: by
            .and_then(|d| columns.dims().get(d))
            .map(|dim| dim.key.clone()),
        group_labels,
        items,
        last_year: previous.map(|(title, _)| title),
        themes: themes(definition, columns, &whole, minimum)?,
        speaking_up: equality::speaking_up_index(columns, &all, minimum).map_err(engine)?,
        wres: comparisons(equality::WRES, RACE)?,
        wdes: comparisons(equality::WDES, DISABILITY)?,
        wdes_engagement: if definition.themes.iter().any(|t| t.key == ENGAGEMENT_THEME) {
            let scores = person_theme_scores(definition, columns, ENGAGEMENT_THEME)?;
            equality::score_gap(
                columns,
                &all,
                &equality::WDES_ENGAGEMENT,
                DISABILITY,
                &scores,
                minimum,
            )
            .map_err(engine)?
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_engine::disclosure::Kind;

    #[test]
    fn only_real_differences_are_called_out() {
        let minimum = Minimum::default_for(Kind::SurveyResults);
        let figure = |positive, answered| {
            let whole = disclosure::population(answered, minimum);
            disclosure::overall(Answers { positive, answered }, &whole, minimum)
        };
        let between = |a: (u64, u64), b: (u64, u64)| {
            Difference::between(figure(a.0, a.1).zip(figure(b.0, b.1)))
        };
        assert_eq!(between((50, 60), (5, 60)), Difference::Higher);
        assert_eq!(between((5, 60), (50, 60)), Difference::Lower);
        assert_eq!(between((30, 60), (28, 60)), Difference::None);
        assert_eq!(
            between((50, 60), (5, 6)),
            Difference::None,
            "nothing is said beside a hidden figure"
        );
    }
}
