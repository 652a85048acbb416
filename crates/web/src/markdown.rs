//! Markdown written by curators (news posts, event descriptions), turned into HTML that is
//! safe to show: pulldown-cmark renders it, then ammonia keeps only harmless tags and
//! attributes, so no script, event handler, style or `javascript:` link survives, however
//! the text is written. Pictures are dropped too: a picture from another site would tell
//! that site who reads the page.

use std::collections::HashSet;

/// Deepest nesting of quotes and lists shown as such. Text nested deeper is shown as plain
/// text: building and cleaning a page of thousands of nested quotes took seconds of CPU on
/// every view (an outside review stalled the server with one news post).
pub const DEEPEST: usize = 12;

pub fn to_html(markdown: &str) -> String {
    let options = pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    if nesting(markdown, options) > DEEPEST {
        return plain(markdown);
    }
    let parser = pulldown_cmark::Parser::new_ext(markdown, options);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, parser);
    let tags: HashSet<&str> = [
        "a",
        "p",
        "br",
        "strong",
        "em",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h2",
        "h3",
        "h4",
        "hr",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

/// How deeply the text's blocks nest (quotes, lists, list items).
fn nesting(markdown: &str, options: pulldown_cmark::Options) -> usize {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let (mut depth, mut deepest) = (0usize, 0usize);
    for event in pulldown_cmark::Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    deepest
}

/// The text as escaped paragraphs, one a blank-line-separated block.
fn plain(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", ammonia::clean_text(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn deeply_nested_text_is_shown_plainly() {
        let attack = format!("{} x", ">".repeat(19_000));
        let html = to_html(&attack);
        assert!(
            !html.contains("<blockquote>"),
            "{}",
            &html[..200.min(html.len())]
        );
        assert!(html.starts_with("<p>&gt;&gt;"));
        let quoted = to_html("> a quote\n>> inside it");
        assert!(quoted.contains("<blockquote>"), "{quoted}");
        let lists = to_html(
            &(0..20)
                .map(|i| format!("{}- item", "  ".repeat(i)))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        assert!(!lists.contains("<ul>"), "{lists}");
    }

    #[test]
    fn markdown_becomes_plain_safe_html() {
        let html = to_html(
            "## Webinar\n\nJoin **us** on [the page](https://example.nhs.uk/a).\n\n- one\n- two",
        );
        assert!(html.contains("<h2>Webinar</h2>"), "{html}");
        assert!(html.contains("<strong>us</strong>"));
        assert!(html.contains("href=\"https://example.nhs.uk/a\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(html.contains("<li>one</li>"));
    }

    /// Hostile inputs: none may leave a way to run script or load anything.
    #[test]
    fn no_script_survives() {
        let hostile = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)><circle/></svg>",
            "<svg><script>alert(1)</script></svg>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](  javascript:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[click](vbscript:msgbox(1))",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "![x](https://tracker.example/pixel.png)",
            "<iframe src=https://x.example></iframe>",
            "<object data=x></object><embed src=x>",
            "<style>body{display:none}</style>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<div onmouseover=\"alert(1)\">hover</div>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<form action=javascript:alert(1)><button>x</button></form>",
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<<script>script>alert(1)<</script>/script>",
            "<scr<script>ipt>alert(1)</script>",
            "`<script>alert(1)</script>`",
            "```\n<script>alert(1)</script>\n```",
            "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
            "<details open ontoggle=alert(1)>",
            "\u{0}<script>alert(1)</script>",
            "<!--<script>alert(1)</script>-->",
        ];
        for input in hostile {
            let html = to_html(input).to_lowercase();
            for bad in [
                "<script",
                "javascript:",
                "vbscript:",
                "data:",
                "onerror",
                "onload",
                "onclick",
                "onmouseover",
                "ontoggle",
                "<img",
                "<svg",
                "<iframe",
                "<object",
                "<embed",
                "<style",
                "style=",
                "<form",
                "<meta",
                "<base",
                "<math",
            ] {
                assert!(!html.contains(bad), "{input:?} left {bad:?}: {html}");
            }
        }
    }
}
