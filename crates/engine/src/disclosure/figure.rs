//! Figures as pages and downloads show them.
//!
//! A [`Figure`] is the words a page or a download shows for one figure about people, with a
//! longer reading for whoever wants the detail. It can be made only from a [`Disclosed`]
//! value or a [`PublishedCount`], so a page or a download that takes `Figure`s cannot show a
//! number the disclosure rules did not let out. Words that are not a figure at all ("not
//! asked") can be put in its place only as text fixed in the program.

use super::{Disclosed, PublishedCount};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    text: String,
    detail: String,
    shown: bool,
    /// The amount a chart draws (a bar's length), only for a figure shown exactly.
    amount: Option<u64>,
}

impl Figure {
    /// A disclosed figure in words: `show` writes the value the rules let out (it is given
    /// nothing else), and `hidden` is what is shown when they do not.
    pub fn of<T>(figure: Disclosed<T>, show: impl FnOnce(T) -> String, hidden: &str) -> Figure {
        Figure::detailed(figure, |value| (show(value), String::new()), (hidden, ""))
    }

    /// As [`Figure::of`], with a longer reading each way (an interval, or why it is hidden).
    pub fn detailed<T>(
        figure: Disclosed<T>,
        show: impl FnOnce(T) -> (String, String),
        hidden: (&str, &str),
    ) -> Figure {
        match figure.into_value() {
            Some(value) => {
                let (text, detail) = show(value);
                Figure {
                    text,
                    detail,
                    shown: true,
                    amount: None,
                }
            }
            None => Figure {
                text: hidden.0.to_owned(),
                detail: hidden.1.to_owned(),
                shown: false,
                amount: None,
            },
        }
    }

    /// A published count as it reads: a number, "fewer than 6" or "not shown".
    pub fn count(count: PublishedCount) -> Figure {
        Figure {
            text: count.to_string(),
            detail: String::new(),
            shown: !count.is_hidden(),
            amount: count.exact(),
        }
    }

    /// As [`Figure::of`], for a whole number a chart may also draw.
    pub fn amount(
        figure: Disclosed<u64>,
        show: impl FnOnce(u64) -> String,
        hidden: &str,
    ) -> Figure {
        let amount = figure.value().copied();
        Figure {
            amount,
            ..Figure::of(figure, show, hidden)
        }
    }

    /// Words in the place of a figure where there is none ("not asked"). Only text fixed
    /// in the program: a number worked out at run time cannot go in.
    pub fn words(text: &'static str) -> Figure {
        Figure {
            text: text.to_owned(),
            detail: String::new(),
            shown: false,
            amount: None,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// What a chart draws for it: its number, when it is shown exactly and is one.
    pub fn drawn(&self) -> Option<u64> {
        self.amount
    }

    /// Whether it shows a figure (not hidden, withheld or words in its place).
    pub fn is_shown(&self) -> bool {
        self.shown
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{Kind, Minimum, population};

    #[test]
    fn a_figure_shows_only_what_the_rules_let_out() {
        let eleven = Minimum::default_for(Kind::SurveyResults);
        let few = Figure::of(population(4, eleven), |n| format!("{n} people"), "hidden");
        assert_eq!((few.text(), few.is_shown()), ("hidden", false));
        let many = Figure::of(population(40, eleven), |n| format!("{n} people"), "hidden");
        assert_eq!((many.text(), many.is_shown()), ("40 people", true));
        assert_eq!(Figure::count(PublishedCount::WITHHELD).text(), "not shown");
        assert!(!Figure::count(PublishedCount::WITHHELD).is_shown());
        assert_eq!(Figure::count(PublishedCount::NONE).to_string(), "0");
        assert!(!Figure::words("not asked").is_shown());
        assert_eq!(Figure::count(PublishedCount::NONE).drawn(), Some(0));
        assert_eq!(Figure::count(PublishedCount::WITHHELD).drawn(), None);
        assert_eq!(many.drawn(), None, "words only");
        let drawn = Figure::amount(population(40, eleven), |n| format!("{n} days"), "hidden");
        assert_eq!((drawn.text(), drawn.drawn()), ("40 days", Some(40)));
        let hidden = Figure::amount(population(4, eleven), |n| format!("{n} days"), "hidden");
        assert_eq!(hidden.drawn(), None);
    }
}
