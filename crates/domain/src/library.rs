//! The knowledge hub's catalogue (seeds 000 to 002): tools, resources and case studies,
//! described in our own words, by who they are for and what they are about.

use crate::identity::InvalidValue;
use crate::speakup::Day;
use std::fmt;

code_list!(
    /// What kind of thing a resource is.
    Kind, "kind of resource", {
        Guide => "guide", "Guide";
        Toolkit => "toolkit", "Toolkit";
        Report => "report", "Report";
        Research => "research", "Research";
        Video => "video", "Video";
        Podcast => "podcast", "Podcast";
        ELearning => "e_learning", "E-learning";
        Infographic => "infographic", "Infographic";
        PosterTemplate => "poster_template", "Poster template";
        CaseStudy => "case_study", "Case study";
    }
);

code_list!(
    /// Who a resource is for.
    Audience, "audience", {
        Employers => "employers", "Employers";
        Managers => "managers", "Managers";
        UnionReps => "union_reps", "Trade union representatives";
        Staff => "staff", "Staff";
        Guardians => "guardians", "Freedom to Speak Up Guardians";
    }
);

code_list!(
    /// What a resource is about.
    Topic, "topic", {
        WhatItIs => "what_it_is", "What bullying and harassment is";
        Impact => "impact", "The impact of bullying";
        Prevention => "prevention", "Preventing bullying";
        SpeakingUp => "speaking_up", "Speaking up";
        Civility => "civility", "Civility and respect";
        JustCulture => "just_culture", "Just and learning culture";
        LineManagement => "line_management", "Line management";
        Disciplinary => "disciplinary", "Disciplinary practice";
        Wellbeing => "wellbeing", "Health and wellbeing";
        Inclusion => "inclusion", "Inclusion and race equality";
        Leadership => "leadership", "Leadership";
    }
);

/// When a resource was published: a year, a month or a day, as the source gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Published {
    pub year: i64,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Published {
    /// Reads `2018`, `2018-11` or `2018-11-28`.
    pub fn parse(raw: &str) -> Result<Published, InvalidValue> {
        let bad = || InvalidValue::Message("Enter the date like 2018, 2018-11 or 2018-11-28");
        let text = raw.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let year: i64 = parts
            .first()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(bad)?;
        match parts.len() {
            1 => Ok(Published {
                year,
                month: None,
                day: None,
            }),
            2 => {
                let text = parts.get(1).ok_or_else(bad)?;
                let month: u8 = text
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m) && text.len() == 2)
                    .ok_or_else(bad)?;
                Ok(Published {
                    year,
                    month: Some(month),
                    day: None,
                })
            }
            3 => {
                let day = Day::parse(text).map_err(|_| bad())?;
                let (_, m, d) = day.ymd();
                Ok(Published {
                    year,
                    month: u8::try_from(m).ok(),
                    day: u8::try_from(d).ok(),
                })
            }
            _ => Err(bad()),
        }
    }

    /// For people: "2018", "November 2018" or "28 November 2018".
    pub fn long(self) -> String {
        let month = self
            .month
            .and_then(|m| MONTHS.get(usize::from(m).saturating_sub(1)));
        match (self.day, month) {
            (Some(d), Some(m)) => format!("{d} {m} {}", self.year),
            (None, Some(m)) => format!("{m} {}", self.year),
            _ => self.year.to_string(),
        }
    }
}

impl fmt::Display for Published {
    /// As stored: `2018`, `2018-11` or `2018-11-28`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{}-{m:02}", self.year),
            _ => write!(f, "{}", self.year),
        }
    }
}

/// A list of codes, as stored: comma-separated. Unknown codes are an error; repeats are
/// kept once, in the list's own order.
pub fn parse_codes<T: std::str::FromStr<Err = InvalidValue> + Copy + Ord>(
    raw: &str,
) -> Result<Vec<T>, InvalidValue> {
    let mut out: Vec<T> = raw
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// The stored form of a list of codes.
pub fn store_codes(codes: &[&'static str]) -> String {
    codes.join(",")
}

/// A web address for a resource: http(s) only, so a link can never run script, with a
/// site's name after the scheme. Each mistake gets its own message, in the words a curator
/// needs to put it right.
pub fn check_link(raw: &str) -> Result<String, InvalidValue> {
    let link = raw.trim();
    if link.is_empty() {
        return Ok(String::new());
    }
    let bad = |message| Err(InvalidValue::Message(message));
    if link.chars().count() > 1_000 {
        return bad("The web address must be 1,000 characters or fewer");
    }
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("The web address must not have spaces in it");
    }
    let lower = link.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"].iter().find_map(|scheme| {
        lower
            .starts_with(scheme)
            .then(|| link.get(scheme.len()..))
            .flatten()
    }) else {
        return if lower.contains(':') && !lower.starts_with("www.") {
            bad("The web address must start with https:// or http://")
        } else {
            bad("Enter the web address in full, starting with https://")
        };
    };
    if link
        .chars()
        .any(|c| matches!(c, '"' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^'))
    {
        return bad(
            "The web address has characters web addresses do not have. Copy it again from the browser's address bar",
        );
    }
    // The site: up to the first '/', '?' or '#', with an optional port.
    let site = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = site.split_once(':').unwrap_or((site, ""));
    let host_ok = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let port_ok = port.is_empty() || (port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit()));
    if site.contains('@') {
        return bad("The web address must not have a name or password in it");
    }
    if !host_ok || !port_ok {
        return bad(
            "Enter a real web address: after https:// comes the site's name, like www.nhs.uk",
        );
    }
    Ok(link.to_owned())
}

/// The site a checked web address points into, as people read it (`www.nhsemployers.org`),
/// and whether the address is only that site's home page. A home page is not the
/// resource itself, so the library says "look for it there" instead of "read it".
/// `None` for an empty or unchecked address.
pub fn link_site(link: &str) -> Option<(&str, bool)> {
    let lower = link
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower == "https://" {
        link.get(8..)
    } else if lower.starts_with("http://") {
        link.get(7..)
    } else {
        None
    }?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let site = rest.get(..end).filter(|s| !s.is_empty())?;
    let home = matches!(rest.get(end..), Some("" | "/"));
    Some((site, home))
}

code_list!(
    /// How an event is held.
    EventFormat, "event format", {
        Webinar => "webinar", "Webinar";
        InPerson => "in_person", "In person";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_as_precise_as_the_source() {
        let y = Published::parse("2018").unwrap();
        assert_eq!((y.long(), y.to_string()), ("2018".into(), "2018".into()));
        let m = Published::parse(" 2018-11 ").unwrap();
        assert_eq!(m.long(), "November 2018");
        let d = Published::parse("2018-11-28").unwrap();
        assert_eq!(
            (d.long(), d.to_string()),
            ("28 November 2018".into(), "2018-11-28".into())
        );
        assert!(d > m && m > y);
        for bad in [
            "",
            "18",
            "2018-13",
            "2018-1",
            "2018-02-30",
            "20188",
            "next year",
        ] {
            assert!(Published::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_link_names_its_site_and_whether_it_is_only_the_home_page() {
        assert_eq!(
            link_site("https://www.nhsemployers.org/"),
            Some(("www.nhsemployers.org", true))
        );
        assert_eq!(
            link_site("HTTPS://www.acas.org.uk"),
            Some(("www.acas.org.uk", true))
        );
        assert_eq!(
            link_site("http://127.0.0.1:8080/guide.pdf"),
            Some(("127.0.0.1:8080", false))
        );
        for deeper in [
            "https://www.acas.org.uk/?page=2",
            "https://www.acas.org.uk/#top",
            "https://www.acas.org.uk/bullying",
            "https://aace.org.uk/?p=2541721",
        ] {
            assert_eq!(
                link_site(deeper).map(|(_, home)| home),
                Some(false),
                "{deeper}"
            );
        }
        for none in ["", "https://", "www.acas.org.uk", "ftp://a.example/"] {
            assert_eq!(link_site(none), None, "{none}");
        }
    }

    #[test]
    fn code_lists_and_links_are_checked() {
        let audiences: Vec<Audience> = parse_codes("staff, employers,staff").unwrap();
        assert_eq!(audiences, [Audience::Employers, Audience::Staff]);
        assert!(parse_codes::<Topic>("civility,juggling").is_err());
        assert_eq!(check_link("").unwrap(), "");
        for good in [
            "https://www.nhsemployers.org/",
            " HTTPS://www.socialpartnershipforum.org/bullying?page=2#top ",
            "http://127.0.0.1:8080/guide.pdf",
            "https://example.nhs.uk",
        ] {
            assert_eq!(check_link(good).unwrap(), good.trim(), "{good}");
        }
        // Each mistake, and the message that says how to put it right.
        let message = |link: &str| check_link(link).unwrap_err().to_string();
        for (bad, says) in [
            ("javascript:alert(1)", "must start with https:// or http://"),
            (
                "mailto:a@example.org",
                "must start with https:// or http://",
            ),
            (
                "ftp://example.org/file",
                "must start with https:// or http://",
            ),
            ("www.example.org", "in full, starting with https://"),
            ("example.org/guide", "in full, starting with https://"),
            (
                "https://a.example/\"x",
                "characters web addresses do not have",
            ),
            (
                "https://a.example/<script>",
                "characters web addresses do not have",
            ),
            ("https://www.example .org", "must not have spaces"),
            ("https://", "after https:// comes the site's name"),
            (
                "https://intranet/guide",
                "after https:// comes the site's name",
            ),
            (
                "https://a..example/",
                "after https:// comes the site's name",
            ),
            (
                "https://example.org:80x/",
                "after https:// comes the site's name",
            ),
            (
                "https://me:pw@example.org/",
                "must not have a name or password",
            ),
        ] {
            assert!(message(bad).contains(says), "{bad}: {}", message(bad));
        }
        let long = format!("https://example.org/{}", "a".repeat(1_000));
        assert!(message(&long).contains("1,000 characters or fewer"));
    }
}
