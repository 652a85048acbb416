//! `dignity library check-links`: asks each web address in the library (the catalogue and
//! organisations' pinned items) whether it still answers, and reports the ones that do
//! not. It only reports: nothing is changed or hidden, because a site that is down today
//! may be back tomorrow. Curators decide.

use clap::Subcommand;
use dignity_app::Db;
use dignity_app::admin::Operator;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Check that every link in the library still works, and list the ones that do not.
    /// Changes nothing.
    CheckLinks {
        /// Seconds to wait for each site.
        #[arg(long, default_value_t = 15)]
        timeout: u64,
    },
}

/// What a link answered.
fn check(agent: &ureq::Agent, link: &str) -> Result<u16, String> {
    // Some sites refuse HEAD, so a refusal is asked again with GET.
    let asked = match agent.head(link).call() {
        Ok(response) => Ok(response.status().as_u16()),
        Err(ureq::Error::StatusCode(405 | 403 | 501)) => {
            agent.get(link).call().map(|r| r.status().as_u16())
        }
        Err(e) => Err(e),
    };
    match asked {
        Ok(status) => Ok(status),
        Err(ureq::Error::StatusCode(status)) => Ok(status),
        Err(e) => Err(e.to_string()),
    }
}

pub async fn run(command: LibraryCommand, db: &Db) -> anyhow::Result<()> {
    let LibraryCommand::CheckLinks { timeout } = command;
    let operator = Operator::new(
        db.clone(),
        dignity_app::Clock::system(),
        crate::admin::ACTOR,
    );
    let (linked, unlinked): (Vec<_>, Vec<_>) = operator
        .resources()
        .await?
        .into_iter()
        .filter(|r| !r.retired)
        .partition(|r| !r.fields.link.is_empty());
    let home_only = linked
        .iter()
        .filter(|r| r.fields.link_is_site_home())
        .count();
    let mut links: Vec<(String, String)> = linked
        .into_iter()
        .map(|r| {
            (
                format!(
                    "resource {}: {} (change it at /library/{}/edit)",
                    r.id, r.fields.title, r.id
                ),
                r.fields.link,
            )
        })
        .collect();
    for organisation in operator.organisations().await? {
        for pin in operator.pins(&organisation).await? {
            if !pin.link.is_empty() {
                links.push((
                    format!("{} pinned item: {}", organisation.ods_code, pin.title),
                    pin.link,
                ));
            }
        }
    }
    // Resources without an address are not dead links, but people cannot go straight to
    // them either: say how many, and where curators add them.
    let mut unlinked = match unlinked.len() {
        0 => String::new(),
        1 => "1 resource has no web address yet: curators can add it from /library/manage."
            .to_owned(),
        n => format!(
            "{n} resources have no web address yet: curators can add them from /library/manage."
        ),
    };
    // A home page answers, but it is not the resource: say so too.
    let home_only = match home_only {
        0 => String::new(),
        1 => "1 resource links only to a website's home page: curators can add its own address from /library/manage.".to_owned(),
        n => format!("{n} resources link only to a website's home page: curators can add their own addresses from /library/manage."),
    };
    if !home_only.is_empty() {
        if !unlinked.is_empty() {
            unlinked.push('\n');
        }
        unlinked.push_str(&home_only);
    }
    if links.is_empty() {
        println!("The library has no web addresses to check.");
        if !unlinked.is_empty() {
            println!("{unlinked}");
        }
        return Ok(());
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(timeout)))
        .http_status_as_error(true)
        .user_agent("Dignity link check")
        .build()
        .into();
    let bar = ProgressBar::new(links.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("checking links [{bar:40}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    let total = links.len();
    let broken = tokio::task::spawn_blocking(move || {
        let mut broken = Vec::new();
        for (what, link) in links {
            match check(&agent, &link) {
                Ok(status) if status < 400 => {}
                Ok(status) => broken.push((what, link, format!("answered {status}"))),
                Err(e) => broken.push((what, link, e)),
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        broken
    })
    .await?;
    if broken.is_empty() {
        println!("All {total} links work.");
    } else {
        println!("{} of {total} links did not work:", broken.len());
        for (what, link, why) in &broken {
            println!("- {what}\n  {link}\n  {why}");
        }
        println!("Nothing was changed. Check each one, then change or retire it in the library.");
    }
    if !unlinked.is_empty() {
        println!("{unlinked}");
    }
    Ok(())
}
