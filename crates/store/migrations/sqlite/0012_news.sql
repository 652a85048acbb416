-- News posts for the knowledge hub. The body is Markdown, made safe when shown. Audiences
-- and topics are comma-separated codes, as in the library.
CREATE TABLE news_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    audiences TEXT NOT NULL,
    topics TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX news_posts_by_time ON news_posts (published_at);

-- People who asked for news by email, for some topics (empty: every topic). Kept only
-- while subscribed; the token in every email confirms or stops the emails.
CREATE TABLE news_subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE,
    topics TEXT NOT NULL,
    confirmed_at INTEGER,
    created_at INTEGER NOT NULL
);
