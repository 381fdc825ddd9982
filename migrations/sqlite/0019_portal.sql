-- The public portal (issue 17): articles the bureau publishes in categories, with their
-- revisions, attachments, tags and links to programmes, calls and notices; enterprises'
-- subscriptions to categories.

-- Categories are rows rather than a CHECK so a deployment adds its own (政策法规 carries a
-- document number, 文号).
CREATE TABLE article_categories (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    position   BIGINT NOT NULL DEFAULT 0,
    doc_number BIGINT NOT NULL DEFAULT 0
);
INSERT INTO article_categories (code, name, name_en, position, doc_number) VALUES
    ('notices', '通知公告', 'Notices', 1, 0),
    ('news', '政务动态', 'News', 2, 0),
    ('policies', '政策法规', 'Policies and regulations', 3, 1),
    ('interpretations', '政策解读', 'Policy explained', 4, 0),
    ('guides', '办事指南', 'Service guides', 5, 0);

-- publish_at is UTC (RFC 3339) so it sorts as text; expires_on a date in China.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    category      TEXT NOT NULL REFERENCES article_categories (code),
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    doc_number    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'withdrawn')),
    publish_at    TEXT,
    expires_on    TEXT,
    revision      BIGINT NOT NULL DEFAULT 1,
    return_reason TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    submitted_by  TEXT,
    submitted_at  TEXT,
    published_by  TEXT
);
CREATE INDEX articles_listing ON articles (status, category, publish_at);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags (tag);

-- Every saved version: what was written, by whom, when.
CREATE TABLE article_revisions (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision   BIGINT NOT NULL,
    content    TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);

CREATE TABLE article_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (article_id, file_name)
);

-- What an article is about: a programme (code), a call (id) or a notice of awards (batch id).
CREATE TABLE article_links (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('programme', 'call', 'notice')),
    target     TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, target)
);
CREATE INDEX article_links_target ON article_links (kind, target);

CREATE TABLE article_subscriptions (
    username TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES article_categories (code),
    since    TEXT NOT NULL,
    PRIMARY KEY (username, category)
);
