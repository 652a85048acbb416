//! The starter catalogue every new installation's library begins with
//! (`starter_library.toml`, written for Dignity from the seed pages' facts).

use anyhow::{Context, bail};
use dignity_app::admin::Operator;
use dignity_app::library::{CaseStudy, NewResource};
use dignity_app::{Clock, Db};
use dignity_domain::library::{Audience, Kind, Published, Topic, check_link, link_site};
use dignity_domain::speakup::Day;
use serde::Deserialize;

const CATALOGUE: &str = include_str!("starter_library.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    review_on: String,
    resource: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    kind: String,
    title: String,
    publisher: String,
    summary: String,
    #[serde(default)]
    link: String,
    /// The link is only the publisher's home page, not the resource's own page.
    #[serde(default)]
    address_is_publisher: bool,
    #[serde(default)]
    published: String,
    audiences: Vec<String>,
    topics: Vec<String>,
    #[serde(default)]
    case_organisation: String,
    #[serde(default)]
    case_problem: String,
    #[serde(default)]
    case_approach: String,
    #[serde(default)]
    case_results: String,
    #[serde(default)]
    case_contacts: String,
}

/// The starter catalogue, checked as strictly as a curator's form.
pub fn catalogue() -> anyhow::Result<Vec<NewResource>> {
    parse(CATALOGUE)
}

fn parse(text: &str) -> anyhow::Result<Vec<NewResource>> {
    let parsed: Catalogue = toml::from_str(text).context("the starter catalogue")?;
    let review_on = Day::parse(&parsed.review_on)?;
    let mut out = Vec::new();
    for e in parsed.resource {
        let named = |what: &str| format!("starter catalogue, \"{}\": {what}", e.title);
        if e.title.trim().is_empty() || e.summary.trim().is_empty() || e.publisher.is_empty() {
            bail!(named("a title, summary and publisher are needed"));
        }
        let kind: Kind = e.kind.parse().with_context(|| named("kind"))?;
        let audiences = e
            .audiences
            .iter()
            .map(|a| a.parse::<Audience>())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| named("audiences"))?;
        let topics = e
            .topics
            .iter()
            .map(|t| t.parse::<Topic>())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| named("topics"))?;
        if audiences.is_empty() || topics.is_empty() {
            bail!(named("at least one audience and topic are needed"));
        }
        let published = if e.published.is_empty() {
            None
        } else {
            Some(Published::parse(&e.published).with_context(|| named("published"))?)
        };
        if kind == Kind::CaseStudy && (e.case_organisation.is_empty() || e.case_approach.is_empty())
        {
            bail!(named(
                "a case study needs its organisation and what was done"
            ));
        }
        let link = check_link(&e.link).with_context(|| named("link"))?;
        let home_page = link_site(&link).is_some_and(|(_, home)| home);
        if e.address_is_publisher != home_page {
            bail!(named(if home_page {
                "a link to a home page needs address_is_publisher = true"
            } else {
                "address_is_publisher = true needs a link to the publisher's home page"
            }));
        }
        out.push(NewResource {
            kind,
            link,
            title: e.title,
            summary: e.summary,
            publisher: e.publisher,
            audiences,
            topics,
            published,
            review_on,
            case: CaseStudy {
                organisation: e.case_organisation,
                problem: e.case_problem,
                approach: e.case_approach,
                results: e.case_results,
                contacts: e.case_contacts,
            },
        });
    }
    Ok(out)
}

/// Fills an empty library with the starter catalogue; a library that has ever had
/// anything in it is left alone. Returns how many were added.
pub async fn seed_if_empty(db: &Db, clock: Clock) -> anyhow::Result<usize> {
    let operator = Operator::new(db.clone(), clock, "dignity (starter catalogue)");
    if operator.library_ever_changed().await? {
        return Ok(0);
    }
    let resources = catalogue()?;
    operator.add_resources(&resources).await?;
    Ok(resources.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_starter_catalogue_is_well_formed() -> anyhow::Result<()> {
        let resources = super::catalogue()?;
        assert!(resources.len() >= 40, "{}", resources.len());
        let cases = resources
            .iter()
            .filter(|r| r.kind == dignity_domain::library::Kind::CaseStudy)
            .count();
        assert_eq!(cases, 7);
        let mut titles: Vec<&str> = resources.iter().map(|r| r.title.as_str()).collect();
        titles.sort_unstable();
        let before = titles.len();
        titles.dedup();
        assert_eq!(titles.len(), before, "no title twice");
        Ok(())
    }

    /// Issue 16: each resource links to where it can be read, or at least to the website
    /// of its publisher, over https.
    #[test]
    fn every_starter_resource_has_an_https_address() -> anyhow::Result<()> {
        let resources = super::catalogue()?;
        for r in &resources {
            let (site, home) = dignity_domain::library::link_site(&r.link)
                .ok_or_else(|| anyhow::anyhow!("{}: no web address", r.title))?;
            assert!(r.link.starts_with("https://"), "{}: {}", r.title, r.link);
            assert!(site.contains('.'), "{}: {}", r.title, r.link);
            assert_eq!(home, r.link_is_site_home(), "{}", r.title);
        }
        Ok(())
    }

    #[test]
    fn the_loader_checks_a_home_page_link_is_marked_as_such() {
        let entry = |link: &str, marked: bool| {
            let text = super::CATALOGUE.replacen(
                "link = \"https://socialpartnershipforum.org/about-spf/latest-updates/december-2016/tackling-bullying-in-the-nhs-a-collective-call-to-action/\"",
                &format!("link = \"{link}\"\naddress_is_publisher = {marked}"),
                1,
            );
            super::parse(&text).map(|_| ())
        };
        assert!(entry("https://www.socialpartnershipforum.org/", true).is_ok());
        assert!(entry("https://www.socialpartnershipforum.org/", false).is_err());
        assert!(entry("https://www.socialpartnershipforum.org/publications", true).is_err());
    }
}
