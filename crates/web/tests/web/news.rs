//! News on both databases: posts in Markdown shown safely, the Atom feed, and email by
//! topic with confirmed opt-in and a one-click stop.

use crate::support::{TestApp, TestResult, token_after};
use axum::http::StatusCode;
use dignity_domain::identity::Role;

dignity_store::on_both_backends!(
    crate::support::run;
    news_is_published_safely_fed_and_emailed_by_topic,);

async fn news_mail(app: &TestApp) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT to_address, body FROM mail_outbox WHERE purpose = 'news' ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await?;
    Ok(rows)
}

async fn news_is_published_safely_fed_and_emailed_by_topic(app: &TestApp) -> TestResult {
    // Two readers: one wants everything, one only wellbeing.
    let mut reader = app.browser();
    for (email, topics) in [
        ("all@example.com", vec![]),
        ("calm@example.com", vec!["wellbeing"]),
    ] {
        let mut fields = vec![("email", email)];
        fields.extend(topics.iter().map(|t| ("topics", *t)));
        let page = reader.post("/news/subscribe", &fields).await?;
        // Post-redirect-get: a reload shows the page again and sends no second email.
        assert!(page.redirects_to("/news/subscribe"), "{page:?}");
        let page = reader.follow(page).await?;
        assert!(page.body.contains("Check your email"), "{}", page.body);
        reader.get("/news/subscribe").await?;
    }
    let bad = reader.post("/news/subscribe", &[("email", "nope")]).await?;
    assert!(bad.body.contains("Enter an email address"));
    let confirmations = news_mail(app).await?;
    assert_eq!(confirmations.len(), 2);
    for (_, body) in &confirmations {
        let token = token_after(body, "/news/subscribe/confirm?token=")?;
        let page = reader
            .get(&format!("/news/subscribe/confirm?token={token}"))
            .await?;
        assert!(page.body.contains("Yes, email me the news"));
        let page = reader
            .post("/news/subscribe/confirm", &[("token", &token)])
            .await?;
        assert!(
            page.body.contains("You will get news by email"),
            "{}",
            page.body
        );
    }

    let admin = app.person("pat@nhs.uk", Some(Role::PlatformAdmin)).await?;
    let mut pat = app.signed_in_browser(&admin).await?;
    let page = pat.post("/news/new", &[("title", "")]).await?;
    for message in [
        "Enter a title",
        "Enter the news",
        "Choose who it is for",
        "Choose at least one topic",
    ] {
        assert!(page.body.contains(message), "{message}");
    }
    let body = "## Civility week\n\nJoin **us**. [Details](https://example.nhs.uk/civility)\n\n<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))";
    let page = pat
        .post(
            "/news/new",
            &[
                ("title", "Civility week <b>starts</b>"),
                ("body", body),
                ("audiences", "staff"),
                ("topics", "civility"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let location = page.location.clone().ok_or("to the post")?;
    let post = app.browser().get(&location).await?;
    assert!(
        post.body.contains("<h2>Civility week</h2>"),
        "{}",
        post.body
    );
    assert!(post.body.contains("<strong>us</strong>"));
    assert!(
        post.body
            .contains("Civility week &#60;b&#62;starts&#60;/b&#62;")
            || post.body.contains("Civility week &lt;b&gt;starts")
    );
    // Whatever is left of the hostile part is text, never a tag, handler or link.
    let start = post
        .body
        .find("dignity-markdown")
        .ok_or("the post's text")?;
    let written = &post.body[start..];
    let written = &written[..written.find("</div>").unwrap_or(written.len())];
    for bad in ["<script", "<img", "href=\"javascript"] {
        assert!(!written.contains(bad), "{bad}: {written}");
    }

    // Only the reader who wants every topic hears about civility.
    let mail = news_mail(app).await?;
    assert_eq!(mail.len(), 3);
    assert_eq!(mail[2].0, "all@example.com");
    assert!(mail[2].1.contains("Civility week"));
    let stop = token_after(&mail[2].1, "/news/unsubscribe?token=")?;

    // The feed is Atom, with the post made safe.
    let feed = app.browser().get("/news/feed.atom").await?;
    assert!(feed.content_type.starts_with("application/atom+xml"));
    let parsed: atom_syndication::Feed = feed.body.parse()?;
    assert_eq!(parsed.entries.len(), 1);
    // What Atom (RFC 4287) requires: ids, titles, update times, an author and a self link.
    assert!(!parsed.authors.is_empty() && !parsed.id.is_empty());
    assert!(parsed.links.iter().any(|l| l.rel == "self"));
    assert!(
        parsed
            .entries
            .iter()
            .all(|e| !e.id.is_empty() && !e.title.value.is_empty())
    );
    let content = parsed.entries[0]
        .content
        .as_ref()
        .and_then(|c| c.value.clone())
        .unwrap_or_default();
    assert!(content.contains("<strong>us</strong>") && !content.contains("<script"));
    let topic = app.browser().get("/news?topic=wellbeing").await?;
    assert!(topic.body.contains("There is no news yet."));
    let listed = app.browser().get("/news?topic=civility").await?;
    assert!(listed.body.contains("Civility week"));

    // One click stops the emails and deletes the address.
    let page = app
        .browser()
        .get(&format!("/news/unsubscribe?token={stop}"))
        .await?;
    assert!(page.body.contains("You will not get any more news emails"));
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_subscribers")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(left, 1);

    // Staff cannot publish.
    let staff = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let page = app
        .signed_in_browser(&staff)
        .await?
        .get("/news/new")
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}
