//! The public portal: the bureau's articles from draft to publication, what the public reads
//! (category and tag lists, search, an article with its attachments and links), enterprises'
//! subscriptions, and the portal's front page.
//!
//! Who does what: bureau staff write, send for review, publish (a colleague of the sender),
//! return and withdraw; everyone reads what is published and visible; an enterprise follows
//! categories. Which step is allowed is the domain's (`kechuang_domain::portal`).

use crate::auth::{AsApplicant, AsBureau, Principal};
use crate::{Error, Saved};
use chrono::{DateTime, NaiveDate, Utc};
use kechuang_domain::auth::Role;
use kechuang_domain::portal::{
    china_day, parse_publish_at, parse_tags, search_query, step, title_hits, visible, Action,
    ArticleProblem, ArticleStatus, Query,
};
use kechuang_domain::problem::FieldProblem;
use kechuang_store::{
    ArticleFile, ArticleFilter, ArticleRecord, ArticleRevision, ArticleWrite, Category, Page,
    Store, StoreError,
};
use serde::Serialize;

kechuang_domain::problems! {
    pub enum PortalProblem {
        Hidden { id: i64 } = "not_found" {
            zh: "未找到文章 {id}", en: "article {id} not found",
        },
        FileType { name: String } = "article_file_type" {
            zh: "附件 {name} 的格式不支持：请上传 PDF、Word、WPS、Excel、OFD、图片（JPG、PNG、GIF）或 ZIP",
            en: "{name}: upload PDF, Word, WPS, Excel, OFD, an image (JPG, PNG, GIF) or ZIP",
        },
        FileTooLarge { name: String } = "article_file_too_large" {
            zh: "附件 {name} 超过 20 MB", en: "{name} is larger than 20 MB",
        },
        TooManyFiles = "article_too_many_files" {
            zh: "每篇文章最多 20 个附件", en: "an article holds at most 20 attachments",
        },
        Action { action: String } = "article_action" {
            zh: "不认识的操作 '{action}'：应为 submit、publish、return 或 withdraw",
            en: "unknown action '{action}': submit, publish, return or withdraw",
        },
        ShortQuery = "search_query_short" {
            zh: "请输入至少两个字的检索词", en: "type a word of two or more characters",
        },
    }
}

/// An article as an author writes it, every field as typed.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput {
    pub category: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source: String,
    pub doc_number: String,
    /// In China's time; blank: when published.
    pub publish_at: String,
    pub expires_on: String,
    pub tags: String,
    /// `call:3`, `programme:hte_reward`, `notice:2`, `event:4`, separated by commas or lines.
    pub links: String,
}

impl ArticleInput {
    /// The input an article was saved from, to edit it again.
    pub fn of(a: &ArticleRecord) -> Self {
        let local = a
            .publish_at
            .as_deref()
            .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
            .map(|p| {
                p.with_timezone(&crate::clock::china())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            });
        Self {
            category: a.category.clone(),
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            source: a.source.clone(),
            doc_number: a.doc_number.clone(),
            publish_at: local.unwrap_or_default(),
            expires_on: a.expires_on.clone().unwrap_or_default(),
            tags: a.tags.join("，"),
            links: a
                .links
                .iter()
                .map(|(k, t)| format!("{k}:{t}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Something an article links to, as a reader follows it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub kind: String,
    pub target: String,
    pub title: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub article: ArticleRecord,
    pub category: Category,
    pub files: Vec<ArticleFile>,
    pub links: Vec<LinkView>,
    /// Shown to the public now.
    pub visible: bool,
    /// Only for the bureau.
    pub revisions: Vec<ArticleRevision>,
}

fn rfc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn now_pair(now: DateTime<Utc>) -> (String, String) {
    (rfc(now), china_day(now).to_string())
}

pub fn is_visible(a: &ArticleRecord, now: DateTime<Utc>) -> bool {
    let publish = a
        .publish_at
        .as_deref()
        .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
        .map(|p| p.with_timezone(&Utc));
    let expires = a
        .expires_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    visible(a.status, publish, expires, now)
}

pub async fn categories(store: &Store) -> Result<Vec<Category>, Error> {
    Ok(store.article_categories().await?)
}

/// Adds a category (or renames one) on the operator's command: a code of lower-case letters,
/// digits and hyphens, a Chinese name.
pub async fn put_category(
    store: &Store,
    operator: &kechuang_store::Actor,
    c: &Category,
) -> Result<(), Error> {
    let code_ok = !c.code.is_empty()
        && c.code.len() <= 40
        && c.code
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    if !code_ok {
        return Err(Error::invalid(ArticleProblem::Category {
            code: c.code.clone(),
        }));
    }
    crate::within_limits(&[
        (
            &kechuang_domain::text::fields::PROGRAMME_NAME,
            c.name.as_str(),
        ),
        (
            &kechuang_domain::text::fields::PROGRAMME_NAME,
            c.name_en.as_str(),
        ),
    ])?;
    if c.name.trim().is_empty() {
        return Err(Error::invalid(ArticleProblem::TitleRequired));
    }
    Ok(store.put_article_category(c, operator).await?)
}

pub async fn category(store: &Store, code: &str) -> Result<Category, Error> {
    store
        .article_categories()
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| {
            Error::not_found(ArticleProblem::Category {
                code: code.to_owned(),
            })
        })
}

/// Reads and checks every field; the problems by field, or what to store.
async fn checked(
    store: &Store,
    input: &ArticleInput,
) -> Result<Result<Checked, Vec<FieldProblem>>, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.title.as_str()),
        (&fields::DESCRIPTION, input.summary.as_str()),
        (&fields::CALL_GUIDE, input.body.as_str()),
        (&fields::ORGANISATION, input.source.as_str()),
        (&fields::CONTRACT_NO, input.doc_number.as_str()),
    ])?;
    let mut problems = Vec::new();
    let cats = store.article_categories().await?;
    let cat = cats.iter().find(|c| c.code == input.category.trim());
    if cat.is_none() {
        problems.push(FieldProblem::new(
            "category",
            ArticleProblem::Category {
                code: input.category.trim().to_owned(),
            },
        ));
    }
    if input.title.trim().is_empty() {
        problems.push(FieldProblem::new("title", ArticleProblem::TitleRequired));
    }
    if input.body.trim().is_empty() {
        problems.push(FieldProblem::new("body", ArticleProblem::BodyRequired));
    }
    if cat.is_some_and(|c| c.doc_number) && input.doc_number.trim().is_empty() {
        problems.push(FieldProblem::new("doc_number", ArticleProblem::DocNumber));
    }
    let publish_at = match parse_publish_at(&input.publish_at) {
        Ok(p) => p,
        Err(e) => {
            problems.push(FieldProblem::new("publish_at", e));
            None
        }
    };
    let expires_on = match input.expires_on.trim() {
        "" => None,
        raw => {
            let day = kechuang_domain::text::written_date(raw);
            let after_publication = |d: NaiveDate| publish_at.is_none_or(|p| china_day(p) <= d);
            match day {
                Some(d) if after_publication(d) => Some(d),
                _ => {
                    problems.push(FieldProblem::new(
                        "expires_on",
                        ArticleProblem::Expiry {
                            raw: raw.to_owned(),
                        },
                    ));
                    None
                }
            }
        }
    };
    let tags = match parse_tags(&input.tags) {
        Ok(t) => t,
        Err(e) => {
            problems.push(FieldProblem::new("tags", e));
            Vec::new()
        }
    };
    let mut links = Vec::new();
    for raw in input
        .links
        .split([',', '，', '\n', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match link_target(store, raw).await? {
            Ok(l) => {
                if !links.contains(&l) {
                    links.push(l);
                }
            }
            Err(p) => problems.push(FieldProblem::new("links", p)),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(Checked {
        publish_at: publish_at.map(rfc),
        expires_on: expires_on.map(|d| d.to_string()),
        tags,
        links,
    }))
}

struct Checked {
    publish_at: Option<String>,
    expires_on: Option<String>,
    tags: Vec<String>,
    links: Vec<(String, String)>,
}

/// `kind:target` checked to name a programme, a call or a notice that exists.
async fn link_target(
    store: &Store,
    raw: &str,
) -> Result<Result<(String, String), ArticleProblem>, Error> {
    let (kind, target) = raw
        .split_once([':', '：'])
        .map(|(k, t)| (k.trim().to_lowercase(), t.trim().to_owned()))
        .unwrap_or_else(|| (raw.to_owned(), String::new()));
    let bad = || ArticleProblem::Link {
        kind: kind.clone(),
        target: target.clone(),
    };
    let exists = match kind.as_str() {
        "programme" => present(store.programme(&target).await)?,
        "call" => match target.parse::<i64>() {
            Ok(id) => present(store.call(id).await)?,
            Err(_) => false,
        },
        "notice" => match target.parse::<i64>() {
            Ok(id) => present(store.batch(id).await)?,
            Err(_) => false,
        },
        "event" => match target.parse::<i64>() {
            Ok(id) => present(store.event(id).await)?,
            Err(_) => false,
        },
        _ => false,
    };
    Ok(if exists {
        Ok((kind, target))
    } else {
        Err(bad())
    })
}

fn present<T>(r: Result<T, StoreError>) -> Result<bool, Error> {
    match r {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn write<'a>(input: &'a ArticleInput, c: &'a Checked) -> ArticleWrite<'a> {
    ArticleWrite {
        category: input.category.trim(),
        title: input.title.trim(),
        summary: input.summary.trim(),
        body: input.body.trim_end(),
        source: input.source.trim(),
        doc_number: input.doc_number.trim(),
        publish_at: c.publish_at.clone(),
        expires_on: c.expires_on.clone(),
        tags: &c.tags,
        links: &c.links,
    }
}

/// A new draft; the problems by field with nothing saved.
pub async fn create(
    store: &Store,
    who: AsBureau<'_>,
    input: &ArticleInput,
) -> Result<(Saved, Option<i64>), Error> {
    match checked(store, input).await? {
        Err(p) => Ok((Saved::Refused(p), None)),
        Ok(c) => {
            let id = store
                .create_article(&write(input, &c), &who.actor())
                .await?;
            Ok((Saved::Done, Some(id)))
        }
    }
}

const EDITABLE: [ArticleStatus; 2] = [ArticleStatus::Draft, ArticleStatus::Withdrawn];

fn locked(status: ArticleStatus) -> Error {
    Error::conflict(ArticleProblem::NotEditable {
        status: status.name_zh().to_owned(),
    })
}

/// A new revision of a draft (or of a withdrawn article, which becomes a draft again).
pub async fn edit(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    input: &ArticleInput,
) -> Result<Saved, Error> {
    let a = store.article(id).await?;
    if !a.status.editable() {
        return Err(locked(a.status));
    }
    match checked(store, input).await? {
        Err(p) => Ok(Saved::Refused(p)),
        Ok(c) => {
            if store
                .update_article(id, &write(input, &c), &EDITABLE, &who.actor())
                .await?
            {
                Ok(Saved::Done)
            } else {
                Err(locked(store.article(id).await?.status))
            }
        }
    }
}

/// Submit, publish, return (with a reason) or withdraw.
pub async fn act(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<ArticleRecord, Error> {
    let action = Action::parse(action.trim()).ok_or_else(|| {
        Error::invalid(PortalProblem::Action {
            action: action.to_owned(),
        })
    })?;
    crate::within_limits(&[(&kechuang_domain::text::fields::COMMENT, reason)])?;
    let a = store.article(id).await?;
    let to = step(
        a.status,
        action,
        who.username(),
        a.submitted_by.as_deref(),
        reason,
    )
    .map_err(|p| match p {
        ArticleProblem::ReasonRequired => Error::invalid(p),
        ArticleProblem::OwnReview => Error::forbidden(p),
        _ => Error::conflict(p),
    })?;
    let reason = if action == Action::Return {
        reason.trim()
    } else {
        ""
    };
    if !store
        .step_article(id, (a.status, to), action.as_str(), reason, &who.actor())
        .await?
    {
        let now = store.article(id).await?;
        return Err(Error::conflict(ArticleProblem::OutOfOrder {
            status: now.status.name_zh().to_owned(),
            action: action.as_str().to_owned(),
        }));
    }
    Ok(store.article(id).await?)
}

/// Every article in the given statuses (all when empty), for the bureau's desk.
pub async fn desk(
    store: &Store,
    _who: AsBureau<'_>,
    statuses: &[ArticleStatus],
) -> Result<Vec<ArticleRecord>, Error> {
    Ok(store.articles(statuses).await?)
}

/// Articles sent for review by someone else: the caller's to publish or return.
pub async fn to_review(store: &Store, who: &Principal) -> Result<Vec<ArticleRecord>, Error> {
    if who.role() != Role::Bureau {
        return Ok(Vec::new());
    }
    Ok(store
        .articles(&[ArticleStatus::Review])
        .await?
        .into_iter()
        .filter(|a| a.submitted_by.as_deref() != Some(who.username()))
        .collect())
}

async fn resolve_links(store: &Store, a: &ArticleRecord) -> Result<Vec<LinkView>, Error> {
    let mut out = Vec::new();
    for (kind, target) in &a.links {
        let (title, href) = match kind.as_str() {
            "programme" => match store.programme(target).await {
                Ok(p) => (p.name, format!("/programmes/{target}")),
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            },
            "call" => match store.call(target.parse().unwrap_or(-1)).await {
                Ok(c) => (c.title, format!("/calls/{target}")),
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            },
            "event" => match store.event(target.parse().unwrap_or(-1)).await {
                Ok(e) => (e.title, format!("/events/{target}")),
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            },
            "notice" => match store.batch(target.parse().unwrap_or(-1)).await {
                Ok(b) => (
                    format!("{} {} 公示", b.programme_name, b.year),
                    format!("/notices/{target}"),
                ),
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            },
            _ => continue,
        };
        out.push(LinkView {
            kind: kind.clone(),
            target: target.clone(),
            title,
            href,
        });
    }
    Ok(out)
}

/// An article: to the public when it is visible at `now`, to the bureau in any status (with
/// its revisions).
pub async fn article(
    store: &Store,
    who: Option<&Principal>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ArticleView, Error> {
    let a = store.article(id).await?;
    let bureau = who.is_some_and(|w| w.role() == Role::Bureau);
    let shown = is_visible(&a, now);
    if !shown && !bureau {
        return Err(Error::not_found(PortalProblem::Hidden { id }));
    }
    let category = category(store, &a.category).await?;
    Ok(ArticleView {
        files: store.article_files(id).await?,
        links: resolve_links(store, &a).await?,
        revisions: if bureau {
            store.article_revisions(id).await?
        } else {
            Vec::new()
        },
        visible: shown,
        category,
        article: a,
    })
}

/// A page of published articles, newest first.
pub async fn list(
    store: &Store,
    filter: &ArticleFilter,
    page: (u32, u32),
    now: DateTime<Utc>,
) -> Result<Page<ArticleRecord>, Error> {
    let (n, t) = now_pair(now);
    Ok(store.published_articles(filter, (&n, &t), page).await?)
}

pub async fn tags(store: &Store, now: DateTime<Utc>) -> Result<Vec<(String, i64)>, Error> {
    let (n, t) = now_pair(now);
    Ok(store.article_tags((&n, &t)).await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub query: Query,
    pub results: Page<ArticleRecord>,
}

/// Published articles holding every word of the query, most title words first, then newest.
pub async fn search(
    store: &Store,
    raw: &str,
    (page, per_page): (u32, u32),
    now: DateTime<Utc>,
) -> Result<Found, Error> {
    // A query is a few words; a pasted page is cut rather than matched word by word.
    let raw: String = raw.chars().take(200).collect();
    let query = search_query(&raw);
    if query.words.is_empty() {
        return Err(Error::invalid(PortalProblem::ShortQuery));
    }
    let (n, t) = now_pair(now);
    let mut all = store.search_articles(&query.words, (&n, &t)).await?;
    // Stable: within equal title hits the store's newest-first order stands.
    all.sort_by_key(|a| std::cmp::Reverse(title_hits(&query.words, &a.title)));
    let total = all.len() as i64;
    let page = page.max(1);
    let items = all
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    Ok(Found {
        query,
        results: Page {
            items,
            total,
            page,
            per_page,
        },
    })
}

/// Published guides and notices about a call: its 申报指南 as the portal carries it.
pub async fn linked(
    store: &Store,
    (kind, target): (&str, &str),
    now: DateTime<Utc>,
) -> Result<Vec<ArticleRecord>, Error> {
    Ok(store
        .articles_linked(kind, target)
        .await?
        .into_iter()
        .filter(|a| is_visible(a, now))
        .collect())
}

pub const FILE_TYPES: [&str; 13] = [
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "jpg", "jpeg", "png", "gif",
];
const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
const FILE_MAX: usize = 20;

/// The type a stored file is served as, from its extension: never one a browser would run as
/// a page of this site.
pub fn served_type(name: &str) -> &'static str {
    match name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("zip") => "application/zip",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}

/// Attaches a file (a document, or an image the body shows) to an article being written.
pub async fn attach(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    (file_name, bytes): (&str, &[u8]),
) -> Result<i64, Error> {
    let name = file_name.trim();
    kechuang_domain::text::fields::FILE_NAME
        .check(name)
        .map_err(Error::invalid)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.as_deref().is_some_and(|e| FILE_TYPES.contains(&e)) {
        return Err(Error::invalid(PortalProblem::FileType {
            name: name.to_owned(),
        }));
    }
    if bytes.len() > FILE_MAX_BYTES {
        return Err(Error::invalid(PortalProblem::FileTooLarge {
            name: name.to_owned(),
        }));
    }
    let a = store.article(id).await?;
    if !a.status.editable() {
        return Err(locked(a.status));
    }
    if store.article_files(id).await?.len() >= FILE_MAX {
        return Err(Error::invalid(PortalProblem::TooManyFiles));
    }
    match store
        .put_article_file(
            id,
            (name, served_type(name), bytes),
            &EDITABLE,
            &who.actor(),
        )
        .await?
    {
        Some(f) => Ok(f),
        None => Err(locked(store.article(id).await?.status)),
    }
}

/// An attachment, to anyone while its article is visible, to the bureau always:
/// (name, type to serve it as, bytes).
pub async fn file(
    store: &Store,
    who: Option<&Principal>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    let (f, data) = store.article_file(id).await?;
    let a = store.article(f.article_id).await?;
    let bureau = who.is_some_and(|w| w.role() == Role::Bureau);
    if !bureau && !is_visible(&a, now) {
        return Err(StoreError::NotFound(kechuang_store::Absent::ArticleFile { id }).into());
    }
    let ctype = served_type(&f.file_name);
    Ok((f.file_name, ctype, data))
}

/// The categories an enterprise's account follows, with when it began to.
pub async fn subscriptions(
    store: &Store,
    who: AsApplicant<'_>,
) -> Result<Vec<(String, String)>, Error> {
    Ok(store.subscriptions(who.username()).await?)
}

pub async fn subscribe(
    store: &Store,
    who: AsApplicant<'_>,
    categories: &[String],
) -> Result<Vec<(String, String)>, Error> {
    let known = store.article_categories().await?;
    let mut chosen: Vec<String> = Vec::new();
    for c in categories
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        if !known.iter().any(|k| k.code == c) {
            return Err(Error::invalid(ArticleProblem::Category {
                code: c.to_owned(),
            }));
        }
        if !chosen.iter().any(|x| x == c) {
            chosen.push(c.to_owned());
        }
    }
    store
        .set_subscriptions(who.username(), &chosen, &who.actor())
        .await?;
    Ok(store.subscriptions(who.username()).await?)
}

/// What is new for a subscriber: articles published in its categories since it subscribed,
/// newest first, at most `limit`.
pub async fn news_for(
    store: &Store,
    who: &Principal,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<ArticleRecord>, Error> {
    if who.role() != Role::Enterprise {
        return Ok(Vec::new());
    }
    let subs = store.subscriptions(who.username()).await?;
    let Some(since) = subs.iter().map(|(_, s)| s.clone()).min() else {
        return Ok(Vec::new());
    };
    let filter = ArticleFilter {
        categories: Some(subs.iter().map(|(c, _)| c.clone()).collect()),
        since: Some(since),
        ..ArticleFilter::default()
    };
    let page = list(store, &filter, (1, limit.max(1)), now).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|a| {
            // Each category from its own subscription's time.
            subs.iter().any(|(c, s)| {
                *c == a.category && a.publish_at.as_deref().is_some_and(|p| p >= s.as_str())
            })
        })
        .collect())
}
